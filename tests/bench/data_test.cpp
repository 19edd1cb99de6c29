// The dataset readers: synthetic IDX files and damaged copies of the real
// package files must each give a DataError that says which file, where and
// what; the real Debian packages must read back as the known datasets.
#include "bench/data.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace joule::bench {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;
using ::testing::HasSubstr;

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() / ("joule-data-test-" + std::to_string(::getpid()) + "-" +
                                         test->test_suite_name() + "-" + test->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

Bytes read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Files are removed rather than truncated before they are written again:
// ext4 flushes a truncated file to disk on close, which made the tests that
// rewrite a copy hundreds of times take seconds.
void write_file(const fs::path& file, const Bytes& bytes) {
  fs::remove(file);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

void write_gzip(const fs::path& file, const Bytes& bytes) {
  fs::remove(file);
  gzFile out = gzopen(file.c_str(), "wb");
  ASSERT_NE(out, nullptr);
  ASSERT_EQ(gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(out), Z_OK);
}

Bytes gunzip_file(const fs::path& file) {
  gzFile in = gzopen(file.c_str(), "rb");
  Bytes bytes;
  std::array<std::uint8_t, 65536> chunk{};
  int got = 0;
  while ((got = gzread(in, chunk.data(), chunk.size())) > 0)
    bytes.insert(bytes.end(), chunk.data(), chunk.data() + got);
  gzclose(in);
  return bytes;
}

void put_u32(Bytes& bytes, std::size_t offset, std::uint32_t word) {
  for (int i = 0; i < 4; ++i) bytes[offset + i] = static_cast<std::uint8_t>(word >> (24 - 8 * i));
}

std::uint32_t get_u32(const Bytes& bytes, std::size_t offset) {
  return (std::uint32_t{bytes[offset]} << 24) | (std::uint32_t{bytes[offset + 1]} << 16) |
         (std::uint32_t{bytes[offset + 2]} << 8) | bytes[offset + 3];
}

// Runs `load` and returns the DataError's message; fails the test when
// nothing, or something else, is thrown.
std::string data_error_of(const std::function<void()>& load) {
  try {
    load();
  } catch (const DataError& error) {
    return error.what();
  } catch (const std::exception& error) {
    ADD_FAILURE() << "expected a DataError, got another exception: " << error.what();
    return {};
  }
  ADD_FAILURE() << "expected a DataError, nothing was thrown";
  return {};
}

// ------------------------------------------------------------------- IDX

Bytes idx_images(std::uint32_t count, std::uint32_t rows, std::uint32_t cols) {
  Bytes bytes(16);
  put_u32(bytes, 0, 0x00000803);
  put_u32(bytes, 4, count);
  put_u32(bytes, 8, rows);
  put_u32(bytes, 12, cols);
  for (std::uint32_t i = 0; i < count * rows * cols; ++i) {
    bytes.push_back(static_cast<std::uint8_t>((i * 37 + i / 7) & 0xff));
  }
  return bytes;
}

Bytes idx_labels(std::uint32_t count) {
  Bytes bytes(8);
  put_u32(bytes, 0, 0x00000801);
  put_u32(bytes, 4, count);
  for (std::uint32_t i = 0; i < count; ++i)
    bytes.push_back(static_cast<std::uint8_t>((i * 3) % 10));
  return bytes;
}

TEST(IdxReader, ReadsPlainAndGzippedFilesAlike) {
  TempDir dir;
  const Bytes images = idx_images(3, 2, 4);
  const Bytes labels = idx_labels(3);
  write_file(dir / "images", images);
  write_file(dir / "labels", labels);
  // Names say nothing: the gzipped copies are named like plain files.
  write_gzip(dir / "images-gz", images);
  write_gzip(dir / "labels-gz", labels);

  const ImageSet plain = read_idx(dir / "images", dir / "labels");
  EXPECT_EQ(plain.size(), 3u);
  EXPECT_EQ(plain.rows, 2u);
  EXPECT_EQ(plain.cols, 4u);
  EXPECT_EQ(plain.pixels, Bytes(images.begin() + 16, images.end()));
  EXPECT_EQ(plain.labels, Bytes(labels.begin() + 8, labels.end()));

  const ImageSet gzipped = read_idx(dir / "images-gz", dir / "labels-gz");
  EXPECT_EQ(gzipped.pixels, plain.pixels);
  EXPECT_EQ(gzipped.labels, plain.labels);
  const ImageSet mixed = read_idx(dir / "images-gz", dir / "labels");
  EXPECT_EQ(mixed.pixels, plain.pixels);
}

TEST(IdxReader, LimitKeepsTheFirstItems) {
  TempDir dir;
  const Bytes images = idx_images(5, 3, 3);
  write_gzip(dir / "images", images);
  write_gzip(dir / "labels", idx_labels(5));
  const ImageSet first_two = read_idx(dir / "images", dir / "labels", 2);
  ASSERT_EQ(first_two.size(), 2u);
  EXPECT_EQ(first_two.pixels, Bytes(images.begin() + 16, images.begin() + 16 + 2 * 9));
  EXPECT_EQ(read_idx(dir / "images", dir / "labels", 50).size(), 5u);
}

TEST(IdxReader, RejectsTruncatedPixelsWithCountsInTheMessage) {
  TempDir dir;
  Bytes images = idx_images(3, 2, 4);  // 24 bytes of pixels
  images.resize(images.size() - 5);
  write_file(dir / "images", images);
  write_file(dir / "labels", idx_labels(3));
  const std::string message = data_error_of([&] { read_idx(dir / "images", dir / "labels"); });
  EXPECT_THAT(message, HasSubstr((dir / "images").string()));
  EXPECT_THAT(message, HasSubstr("expected 24 bytes of pixels"));
  EXPECT_THAT(message, HasSubstr("file ends after 19"));
}

TEST(IdxReader, RejectsTruncatedHeaderAndLabels) {
  TempDir dir;
  write_file(dir / "images", idx_images(3, 2, 4));
  Bytes labels = idx_labels(3);
  labels.pop_back();
  write_file(dir / "labels", labels);
  std::string message = data_error_of([&] { read_idx(dir / "images", dir / "labels"); });
  EXPECT_THAT(message, HasSubstr((dir / "labels").string()));
  EXPECT_THAT(message, HasSubstr("expected 3 bytes of labels"));

  write_file(dir / "labels", Bytes{0, 0, 8});
  message = data_error_of([&] { read_idx(dir / "images", dir / "labels"); });
  EXPECT_THAT(message, HasSubstr("expected an IDX header of 8 bytes, file ends after 3"));

  write_file(dir / "empty", Bytes{});
  message = data_error_of([&] { read_idx(dir / "empty", dir / "labels"); });
  EXPECT_THAT(message, HasSubstr((dir / "empty").string()));
  EXPECT_THAT(message, HasSubstr("file ends after 0"));
}

TEST(IdxReader, RejectsATruncatedGzipStream) {
  TempDir dir;
  write_gzip(dir / "images.gz", idx_images(200, 28, 28));
  Bytes gzipped = read_file(dir / "images.gz");
  gzipped.resize(gzipped.size() / 2);
  write_file(dir / "images.gz", gzipped);
  write_gzip(dir / "labels.gz", idx_labels(200));
  const std::string message =
      data_error_of([&] { read_idx(dir / "images.gz", dir / "labels.gz"); });
  EXPECT_THAT(message, HasSubstr((dir / "images.gz").string()));
  EXPECT_THAT(message,
              HasSubstr("expected 156800 bytes of pixels after the header (decompressed)"));
  EXPECT_THAT(message, HasSubstr("cut off"));
}

TEST(IdxReader, RejectsAGzipStreamWithOnlyItsChecksumMissing) {
  TempDir dir;
  write_gzip(dir / "labels.gz", idx_labels(50));
  Bytes gzipped = read_file(dir / "labels.gz");
  gzipped.resize(gzipped.size() - 8);  // CRC-32 and length trailer
  write_file(dir / "labels.gz", gzipped);
  write_file(dir / "images", idx_images(50, 2, 2));
  const std::string message = data_error_of([&] { read_idx(dir / "images", dir / "labels.gz"); });
  EXPECT_THAT(message, HasSubstr((dir / "labels.gz").string()));
  EXPECT_THAT(message, HasSubstr("cut off"));
}

TEST(IdxReader, RejectsGarbageAfterTheGzipMagic) {
  TempDir dir;
  Bytes garbage{0x1f, 0x8b};
  for (int i = 0; i < 200; ++i) garbage.push_back(static_cast<std::uint8_t>(i * 91 + 7));
  write_file(dir / "images.gz", garbage);
  write_file(dir / "labels", idx_labels(3));
  const std::string message = data_error_of([&] { read_idx(dir / "images.gz", dir / "labels"); });
  EXPECT_THAT(message, HasSubstr((dir / "images.gz").string()));
  EXPECT_THAT(message, HasSubstr("gzip"));
}

TEST(IdxReader, RejectsAGzipStreamWithABadChecksum) {
  TempDir dir;
  write_gzip(dir / "images.gz", idx_images(10, 4, 4));
  Bytes gzipped = read_file(dir / "images.gz");
  gzipped[gzipped.size() - 6] ^= 0x5a;  // inside the CRC-32
  write_file(dir / "images.gz", gzipped);
  write_file(dir / "labels", idx_labels(10));
  const std::string message = data_error_of([&] { read_idx(dir / "images.gz", dir / "labels"); });
  EXPECT_THAT(message, HasSubstr((dir / "images.gz").string()));
  EXPECT_THAT(message, HasSubstr("corrupt gzip stream"));
}

TEST(IdxReader, RejectsWrongMagicNamingBothValues) {
  TempDir dir;
  Bytes images = idx_images(3, 2, 2);
  images[2] = 0x09;  // signed bytes instead of unsigned
  write_file(dir / "images", images);
  write_file(dir / "labels", idx_labels(3));
  std::string message = data_error_of([&] { read_idx(dir / "images", dir / "labels"); });
  EXPECT_THAT(message, HasSubstr((dir / "images").string()));
  EXPECT_THAT(message, HasSubstr("expected IDX magic 0x00000803"));
  EXPECT_THAT(message, HasSubstr("found 0x00000903"));

  // Images and labels swapped: each file's magic says what it is.
  write_file(dir / "images", idx_images(3, 2, 2));
  message = data_error_of([&] { read_idx(dir / "labels", dir / "images"); });
  EXPECT_THAT(message, HasSubstr((dir / "labels").string()));
  EXPECT_THAT(message, HasSubstr("found 0x00000801"));
}

TEST(IdxReader, RejectsMismatchedCountsNamingBothFiles) {
  TempDir dir;
  write_file(dir / "images", idx_images(4, 2, 2));
  write_file(dir / "labels", idx_labels(3));
  const std::string message = data_error_of([&] { read_idx(dir / "images", dir / "labels"); });
  EXPECT_THAT(message, HasSubstr("4 images"));
  EXPECT_THAT(message, HasSubstr("3 labels"));
  EXPECT_THAT(message, HasSubstr((dir / "labels").string()));
}

TEST(IdxReader, RejectsTrailingBytes) {
  TempDir dir;
  Bytes labels = idx_labels(3);
  labels.push_back(0);
  write_file(dir / "images", idx_images(3, 2, 2));
  write_file(dir / "labels", labels);
  const std::string message = data_error_of([&] { read_idx(dir / "images", dir / "labels"); });
  EXPECT_THAT(message, HasSubstr("expected the file to end after 3 bytes of labels"));
}

TEST(IdxReader, RejectsImpossibleDimensionsWithoutAllocatingThem) {
  TempDir dir;
  Bytes images = idx_images(1, 2, 2);
  put_u32(images, 12, 0);
  write_file(dir / "zero", images);
  put_u32(images, 12, 2);
  put_u32(images, 4, 0xffffffffu);  // 16 GiB of pixels announced
  write_file(dir / "huge", images);
  Bytes labels = idx_labels(1);
  put_u32(labels, 4, 0xffffffffu);
  write_file(dir / "labels", labels);
  EXPECT_THAT(data_error_of([&] { read_idx(dir / "zero", dir / "labels"); }),
              HasSubstr("found 2x0"));
  EXPECT_THAT(data_error_of([&] { read_idx(dir / "huge", dir / "labels"); }),
              HasSubstr("more than this reader accepts"));
}

TEST(IdxReader, MissingFilesNameTheDebianPackage) {
  TempDir dir;
  const std::string message = data_error_of([&] { load_fashion_mnist(dir / "no-such-directory"); });
  EXPECT_THAT(message, HasSubstr((dir / "no-such-directory").string()));
  EXPECT_THAT(message, HasSubstr("no such file"));
  EXPECT_THAT(message, HasSubstr("dataset-fashion-mnist"));
  EXPECT_THAT(message, HasSubstr("sudo apt-get install dataset-fashion-mnist"));
}

bool fashion_mnist_installed() {
  const fs::path dir = kDefaultFashionMnistDir;
  for (const char* name : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                           "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
    if (!fs::exists(dir / name)) return false;
  }
  return true;
}

std::array<std::size_t, 10> class_counts(const ImageSet& set) {
  std::array<std::size_t, 10> counts{};
  for (const std::uint8_t label : set.labels) {
    if (label < counts.size()) ++counts[label];
  }
  return counts;
}

TEST(IdxFashionMnist, ReadsTheDebianPackage) {
  if (!fashion_mnist_installed()) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed under " << kDefaultFashionMnistDir;
  }
  const auto start = std::chrono::steady_clock::now();
  const FashionMnist data = load_fashion_mnist(kDefaultFashionMnistDir);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  std::printf("Fashion-MNIST read in %.2f s\n", elapsed.count());

  ASSERT_EQ(data.train.size(), 60000u);
  ASSERT_EQ(data.test.size(), 10000u);
  for (const ImageSet* set : {&data.train, &data.test}) {
    EXPECT_EQ(set->rows, 28u);
    EXPECT_EQ(set->cols, 28u);
    EXPECT_EQ(set->pixels.size(), set->size() * 28 * 28);
    EXPECT_TRUE(std::all_of(set->labels.begin(), set->labels.end(),
                            [](std::uint8_t label) { return label < 10; }));
  }
  // Fashion-MNIST is balanced: 6,000 training and 1,000 test images a class.
  for (const std::size_t count : class_counts(data.train)) EXPECT_EQ(count, 6000u);
  for (const std::size_t count : class_counts(data.test)) EXPECT_EQ(count, 1000u);
  // Mostly dark background around a lighter garment (published mean 0.286).
  const double mean_pixel =
      std::accumulate(data.train.pixels.begin(), data.train.pixels.end(), 0.0) /
      static_cast<double>(data.train.pixels.size());
  EXPECT_NEAR(mean_pixel / 255.0, 0.286, 0.01);

  const FashionMnist slice = load_fashion_mnist(kDefaultFashionMnistDir, 1000, 200);
  EXPECT_EQ(slice.train.size(), 1000u);
  EXPECT_EQ(slice.test.size(), 200u);
  EXPECT_TRUE(
      std::equal(slice.test.pixels.begin(), slice.test.pixels.end(), data.test.pixels.begin()));
}

TEST(IdxFashionMnist, RejectsATruncatedCopyOfTheRealFile) {
  if (!fashion_mnist_installed()) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed under " << kDefaultFashionMnistDir;
  }
  TempDir dir;
  const fs::path real = kDefaultFashionMnistDir;
  for (const char* name :
       {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
    fs::copy_file(real / name, dir / name);
  }
  Bytes images = read_file(real / "t10k-images-idx3-ubyte.gz");
  images.resize(images.size() / 3);
  write_file(dir / "t10k-images-idx3-ubyte.gz", images);
  const std::string message = data_error_of([&] { load_fashion_mnist(dir.path()); });
  EXPECT_THAT(message, HasSubstr((dir / "t10k-images-idx3-ubyte.gz").string()));
  EXPECT_THAT(message, HasSubstr("expected 7840000 bytes of pixels"));
  EXPECT_THAT(message, HasSubstr("cut off"));
}

// ---------------------------------------------------------------- Austen

const std::vector<std::string> publication_order{"Sense & Sensibility", "Pride & Prejudice",
                                                 "Mansfield Park",      "Emma",
                                                 "Northanger Abbey",    "Persuasion"};

bool austen_installed() {
  fs::path rdx = default_austen_rdb;
  rdx.replace_extension(".rdx");
  return fs::exists(default_austen_rdb) && fs::exists(rdx);
}

// A copy of the package's lazy-load database that tests can damage: the
// index decompressed, the records as stored. write() lays the records out
// again and fixes the (offset, length) pairs in the index to match, so that
// a change to one record's content reaches the reader as that change alone.
class AustenCopy {
 public:
  AustenCopy() {
    fs::path rdx = default_austen_rdb;
    rdx.replace_extension(".rdx");
    index = gunzip_file(rdx);
    const Bytes rdb = read_file(default_austen_rdb);
    // Each entry of `variables` is an integer vector (flags 13, length 2).
    const Bytes pattern{0, 0, 0, 13, 0, 0, 0, 2};
    auto at = index.begin();
    while ((at = std::search(at, index.end(), pattern.begin(), pattern.end())) != index.end()) {
      const auto position = static_cast<std::size_t>(at - index.begin()) + pattern.size();
      pair_positions.push_back(position);
      const std::size_t offset = get_u32(index, position);
      const std::size_t length = get_u32(index, position + 4);
      records.emplace_back(rdb.begin() + offset, rdb.begin() + offset + length);
      at += pattern.size();
    }
  }

  // The record whose text starts with `heading`.
  std::size_t find(std::string_view heading) const {
    for (std::size_t i = 0; i < records.size(); ++i) {
      const Bytes text = payload(i);
      const auto end =
          text.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(200, text.size()));
      if (std::search(text.begin(), end, heading.begin(), heading.end()) != end) return i;
    }
    ADD_FAILURE() << "no record starts with " << heading;
    return 0;
  }

  // Cuts every novel to its first line (the heading the reader checks), so
  // that a test can read the database hundreds of times in a second. The
  // serialization header is 23 bytes, then the character vector's flags and
  // length, then the first string's flags (31), length (35) and bytes (39).
  void keep_first_lines_only() {
    for (std::size_t i = 0; i < records.size(); ++i) {
      Bytes text = payload(i);
      const std::size_t first_line_bytes = get_u32(text, 35);
      text.resize(39 + first_line_bytes);
      put_u32(text, 27, 1);
      set_payload(i, text);
    }
  }

  Bytes payload(std::size_t record) const {
    const Bytes& stored = records[record];
    uLongf length = get_u32(stored, 0);
    Bytes text(length);
    EXPECT_EQ(uncompress(text.data(), &length, stored.data() + 4, stored.size() - 4), Z_OK);
    return text;
  }

  void set_payload(std::size_t record, const Bytes& text) {
    uLongf length = compressBound(text.size());
    Bytes stored(4 + length);
    put_u32(stored, 0, static_cast<std::uint32_t>(text.size()));
    EXPECT_EQ(compress2(stored.data() + 4, &length, text.data(), text.size(), 1), Z_OK);
    stored.resize(4 + length);
    records[record] = stored;
  }

  // `damage_index` runs on the index after its (offset, length) words are set.
  fs::path write(const TempDir& dir, const std::function<void(Bytes&)>& damage_index = {}) {
    Bytes rdb;
    Bytes fixed_index = index;
    for (std::size_t i = 0; i < records.size(); ++i) {
      put_u32(fixed_index, pair_positions[i], static_cast<std::uint32_t>(rdb.size()));
      put_u32(fixed_index, pair_positions[i] + 4, static_cast<std::uint32_t>(records[i].size()));
      rdb.insert(rdb.end(), records[i].begin(), records[i].end());
    }
    if (damage_index) damage_index(fixed_index);
    write_file(dir / "Rdata.rdb", rdb);
    write_gzip(dir / "Rdata.rdx", fixed_index);
    return dir / "Rdata.rdb";
  }

  Bytes index;                              // the .rdx, decompressed
  std::vector<std::size_t> pair_positions;  // of each record's (offset, length) in `index`
  std::vector<Bytes> records;               // as stored in the .rdb
};

TEST(AustenReader, ReadsTheSixNovelsInPublicationOrder) {
  if (!austen_installed()) GTEST_SKIP() << "r-cran-janeaustenr is not installed";
  const auto start = std::chrono::steady_clock::now();
  const std::vector<Novel> novels = load_austen(default_austen_rdb);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  std::printf("Austen read in %.3f s:", elapsed.count());
  for (const Novel& novel : novels) std::printf(" %s %zu,", novel.title.c_str(), novel.text.size());
  std::printf("\n");

  std::vector<std::string> titles;
  for (const Novel& novel : novels) titles.push_back(novel.title);
  EXPECT_EQ(titles, publication_order);
  ASSERT_EQ(novels.size(), 6u);
  for (const Novel& novel : novels) {
    EXPECT_GT(novel.text.size(), 400000u) << novel.title;
    EXPECT_LT(novel.text.size(), 1000000u) << novel.title;
  }
  const Novel& emma = novels[3];
  EXPECT_EQ(emma.text.substr(0, 4), "EMMA");
  EXPECT_NEAR(static_cast<double>(emma.text.size()), 880000.0, 20000.0);
  EXPECT_NE(emma.text.find("Emma Woodhouse, handsome, clever, and rich"), std::string::npos);
  EXPECT_NE(novels[1].text.find("It is a truth universally acknowledged"), std::string::npos);
  EXPECT_NE(novels[5].text.find("Sir Walter Elliot, of Kellynch Hall"), std::string::npos);
  // Lines are joined with '\n', and the text reads across them.
  EXPECT_NE(emma.text.find("handsome, clever, and rich, with a comfortable home\n"
                           "and happy disposition"),
            std::string::npos);
}

TEST(AustenReader, MissingFilesNameTheDebianPackage) {
  TempDir dir;
  std::string message = data_error_of([&] { load_austen(dir / "Rdata.rdb"); });
  EXPECT_THAT(message, HasSubstr((dir / "Rdata.rdb").string()));
  EXPECT_THAT(message, HasSubstr("sudo apt-get install r-cran-janeaustenr"));

  if (!austen_installed()) GTEST_SKIP() << "r-cran-janeaustenr is not installed";
  fs::copy_file(default_austen_rdb, dir / "Rdata.rdb");
  message = data_error_of([&] { load_austen(dir / "Rdata.rdb"); });
  EXPECT_THAT(message, HasSubstr((dir / "Rdata.rdx").string()));
  EXPECT_THAT(message, HasSubstr("r-cran-janeaustenr"));
}

TEST(AustenCorrupt, AnUnchangedCopyReadsBack) {
  if (!austen_installed()) GTEST_SKIP() << "r-cran-janeaustenr is not installed";
  TempDir dir;
  AustenCopy copy;
  ASSERT_EQ(copy.records.size(), 6u);
  // Recompressing every record moves all offsets: the index must follow.
  for (std::size_t i = 0; i < copy.records.size(); ++i) copy.set_payload(i, copy.payload(i));
  const std::vector<Novel> novels = load_austen(copy.write(dir));
  const std::vector<Novel> real = load_austen(default_austen_rdb);
  ASSERT_EQ(novels.size(), real.size());
  for (std::size_t i = 0; i < real.size(); ++i) EXPECT_EQ(novels[i].text, real[i].text);
}

TEST(AustenCorrupt, TruncatedDatabaseNamesTheRecordThatNoLongerFits) {
  if (!austen_installed()) GTEST_SKIP() << "r-cran-janeaustenr is not installed";
  TempDir dir;
  fs::path rdx = default_austen_rdb;
  rdx.replace_extension(".rdx");
  fs::copy_file(rdx, dir / "Rdata.rdx");
  Bytes rdb = read_file(default_austen_rdb);
  rdb.resize(rdb.size() / 2);
  write_file(dir / "Rdata.rdb", rdb);
  const std::string message = data_error_of([&] { load_austen(dir / "Rdata.rdb"); });
  EXPECT_THAT(message, HasSubstr((dir / "Rdata.rdx").string()));
  EXPECT_THAT(message, HasSubstr(std::to_string(rdb.size()) + "-byte Rdata.rdb"));
  EXPECT_THAT(message, HasSubstr("(offset, length)"));
}

TEST(AustenCorrupt, FlippedByteInACompressedRecordIsCaught) {
  if (!austen_installed()) GTEST_SKIP() << "r-cran-janeaustenr is not installed";
  TempDir dir;
  AustenCopy copy;
  const std::size_t emma = copy.find("EMMA");
  copy.records[emma][5000] ^= 0x10;
  const std::string message = data_error_of([&] { load_austen(copy.write(dir)); });
  EXPECT_THAT(message, HasSubstr((dir / "Rdata.rdb").string()));
  EXPECT_THAT(message, HasSubstr("record emma at byte offset"));
}

TEST(AustenCorrupt, WrongDeclaredLengthsAreCaught) {
  if (!austen_installed()) GTEST_SKIP() << "r-cran-janeaustenr is not installed";
  TempDir dir;
  AustenCopy copy;
  const std::size_t persuasion = copy.find("Persuasion");
  const std::uint32_t real_length = get_u32(copy.records[persuasion], 0);

  put_u32(copy.records[persuasion], 0, 0x7fffffffu);
  EXPECT_THAT(data_error_of([&] { load_austen(copy.write(dir)); }),
              HasSubstr("expected a decompressed length of at most"));
  put_u32(copy.records[persuasion], 0, real_length + 1);
  EXPECT_THAT(data_error_of([&] { load_austen(copy.write(dir)); }),
              HasSubstr("expected " + std::to_string(real_length + 1) +
                        " decompressed bytes as declared, found " + std::to_string(real_length)));
  put_u32(copy.records[persuasion], 0, real_length - 1);
  EXPECT_THAT(data_error_of([&] { load_austen(copy.write(dir)); }),
              HasSubstr("the zlib stream holds more"));
  put_u32(copy.records[persuasion], 0, real_length);
  copy.records[persuasion].resize(copy.records[persuasion].size() - 1000);
  const std::string message = data_error_of([&] { load_austen(copy.write(dir)); });
  EXPECT_THAT(message, HasSubstr("record persuasion"));
  EXPECT_THAT(message, HasSubstr("truncated record"));
}

TEST(AustenCorrupt, TruncatedOrGarbageIndexIsCaught) {
  if (!austen_installed()) GTEST_SKIP() << "r-cran-janeaustenr is not installed";
  TempDir dir;
  fs::copy_file(default_austen_rdb, dir / "Rdata.rdb");
  fs::path real_rdx = default_austen_rdb;
  real_rdx.replace_extension(".rdx");
  Bytes rdx = read_file(real_rdx);
  rdx.resize(rdx.size() / 2);
  write_file(dir / "Rdata.rdx", rdx);
  std::string message = data_error_of([&] { load_austen(dir / "Rdata.rdb"); });
  EXPECT_THAT(message, HasSubstr((dir / "Rdata.rdx").string()));
  EXPECT_THAT(message, HasSubstr("cut off"));

  write_file(dir / "Rdata.rdx", Bytes{'h', 'e', 'l', 'l', 'o', '\n'});
  message = data_error_of([&] { load_austen(dir / "Rdata.rdb"); });
  EXPECT_THAT(message, HasSubstr("expected R's XDR serialization format"));
}

// Each damage below is at a known place in the serialization of the first
// novel read: "X\n", three words, the encoding name (4 + 5 bytes), then the
// character vector's flags at 23 and length at 27, its first string's flags
// at 31, length at 35 and bytes from 39.
struct PayloadDamage {
  const char* name;
  std::function<void(Bytes&)> damage;
  const char* expected_message;
};

TEST(AustenCorrupt, DamagedSerializationsAreCaughtWithTheirOffset) {
  if (!austen_installed()) GTEST_SKIP() << "r-cran-janeaustenr is not installed";
  const std::vector<PayloadDamage> damages{
      {"ASCII format", [](Bytes& text) { text[0] = 'A'; }, "XDR serialization format"},
      {"version 7", [](Bytes& text) { put_u32(text, 2, 7); }, "serialization version 2 or 3"},
      {"encoding name length", [](Bytes& text) { put_u32(text, 14, 1000000); },
       "native encoding name of 0 to 64 bytes"},
      {"double vector", [](Bytes& text) { text[26] = 14; }, "type 14 (double vector)"},
      {"environment", [](Bytes& text) { text[26] = 4; }, "type 4 (environment)"},
      {"vector length", [](Bytes& text) { put_u32(text, 27, 0x7fffffffu); },
       "elements of at least 8 bytes"},
      {"long vector length", [](Bytes& text) { put_u32(text, 27, 0xffffffffu); },
       "elements of at least 8 bytes"},
      {"string type", [](Bytes& text) { text[34] = 13; }, "element 0 of a character vector"},
      {"string length", [](Bytes& text) { put_u32(text, 35, 0x10000000u); },
       "268435456 bytes of string"},
      {"negative string length", [](Bytes& text) { put_u32(text, 35, 0xfffffff0u); },
       "a string length of 0 or more, or -1 for NA"},
      {"cut in half", [](Bytes& text) { text.resize(text.size() / 2); }, "the end of the data"},
      {"trailing bytes",
       [](Bytes& text) {
         text.insert(text.end(), {0, 0, 0, 0xfe});
       },
       "expected the serialized object to end, found 4 more bytes"},
      {"wrong book", [](Bytes& text) { text[39] = 'Z'; },
       "expected the text to start with \"SENSE AND SENSIBILITY\", found \"ZENSE"},
  };
  TempDir dir;
  AustenCopy copy;
  const std::size_t first = copy.find("SENSE AND SENSIBILITY");
  const Bytes original = copy.payload(first);
  for (const PayloadDamage& damage : damages) {
    SCOPED_TRACE(damage.name);
    Bytes text = original;
    damage.damage(text);
    copy.set_payload(first, text);
    const std::string message = data_error_of([&] { load_austen(copy.write(dir)); });
    EXPECT_THAT(message, HasSubstr((dir / "Rdata.rdb").string() + ": record sensesensibility"));
    EXPECT_THAT(message, HasSubstr(damage.expected_message));
    if (std::string_view(damage.name) != "wrong book") {
      EXPECT_THAT(message, HasSubstr("at decompressed byte"));
    }
  }
}

// Tries `read` on `damaged` copies, one per byte position: each must give a
// DataError naming the database or, where the byte does not matter, the six
// novels; never a crash, a hang or another exception. Returns how many were
// caught.
std::size_t count_caught(std::size_t positions, const std::function<fs::path(std::size_t)>& damaged,
                         const fs::path& dir) {
  std::size_t caught = 0;
  for (std::size_t position = 0; position < positions; ++position) {
    const fs::path rdb = damaged(position);
    try {
      EXPECT_EQ(load_austen(rdb).size(), 6u) << "inverted byte " << position;
    } catch (const DataError& error) {
      EXPECT_THAT(error.what(), HasSubstr((dir / "Rdata.rd").string()))
          << "inverted byte " << position;
      ++caught;
    } catch (const std::exception& error) {
      ADD_FAILURE() << "inverted byte " << position << ": not a DataError: " << error.what();
    }
  }
  std::printf("%zu of %zu inverted bytes caught, the others harmless\n", caught, positions);
  return caught;
}

TEST(AustenCorrupt, EveryInvertedIndexByteIsCaughtOrHarmless) {
  if (!austen_installed()) GTEST_SKIP() << "r-cran-janeaustenr is not installed";
  TempDir dir;
  AustenCopy copy;
  copy.keep_first_lines_only();
  const std::size_t index_bytes = copy.index.size();
  const std::size_t caught = count_caught(
      index_bytes,
      [&](std::size_t position) {
        return copy.write(dir, [position](Bytes& index) { index[position] ^= 0xff; });
      },
      dir.path());
  EXPECT_GT(caught, index_bytes / 2);
}

TEST(AustenCorrupt, EveryInvertedRecordByteIsCaughtOrHarmless) {
  if (!austen_installed()) GTEST_SKIP() << "r-cran-janeaustenr is not installed";
  TempDir dir;
  AustenCopy copy;
  copy.keep_first_lines_only();
  const std::size_t first = copy.find("SENSE AND SENSIBILITY");
  const Bytes original = copy.payload(first);
  const std::size_t caught = count_caught(
      original.size(),
      [&](std::size_t position) {
        Bytes text = original;
        text[position] ^= 0xff;
        copy.set_payload(first, text);
        return copy.write(dir);
      },
      dir.path());
  EXPECT_GT(caught, original.size() / 2);
}

// ---------------------------------------------------------------- corpus

std::string decode(const CharCorpus& corpus, const std::vector<std::uint8_t>& ids) {
  std::string text;
  for (const std::uint8_t id : ids) text.push_back(corpus.alphabet.at(id));
  return text;
}

TEST(CorpusSplit, SplitsByNovelWithASortedAlphabetAndUnknownId) {
  const std::vector<Novel> novels{
      {"One", "abc\nabd\nabe\nabf\n"}, {"Two", "xa\u00e9"}, {"Three", "hello\nworld\n"}};
  const CharCorpus corpus = make_char_corpus(novels, "Two", 0.5);
  EXPECT_EQ(corpus.held_out_title, "Two");
  // Sorted distinct bytes of the training novels, then <unk>.
  EXPECT_EQ(corpus.alphabet.substr(0, corpus.alphabet.size() - 1), "\nabcdefhlorw");
  EXPECT_EQ(corpus.unknown_id, corpus.alphabet.size() - 1);
  EXPECT_EQ(corpus.alphabet.back(), '\x01');

  // Validation is the tail of each training novel, cut at a line start.
  EXPECT_EQ(decode(corpus, corpus.train), "abc\nabd\n\nhello\n");
  EXPECT_EQ(decode(corpus, corpus.validation), "abe\nabf\n\nworld\n");
  // 'x' and the two bytes of U+00E9 never occur in training.
  const std::vector<std::uint8_t> expected_test{
      static_cast<std::uint8_t>(corpus.unknown_id),
      static_cast<std::uint8_t>(corpus.alphabet.find('a')),
      static_cast<std::uint8_t>(corpus.unknown_id), static_cast<std::uint8_t>(corpus.unknown_id)};
  EXPECT_EQ(corpus.test, expected_test);
}

TEST(CorpusSplit, ZeroValidationKeepsEverythingForTraining) {
  const std::vector<Novel> novels{{"A", "aaaa"}, {"B", "bbbb"}, {"C", "cc"}};
  const CharCorpus corpus = make_char_corpus(novels, "C", 0.0);
  EXPECT_TRUE(corpus.validation.empty());
  EXPECT_EQ(decode(corpus, corpus.train), "aaaa\nbbbb");
  EXPECT_EQ(corpus.test,
            std::vector<std::uint8_t>(2, static_cast<std::uint8_t>(corpus.unknown_id)));
}

TEST(CorpusSplit, RejectsAnUnknownTitleListingTheValidOnes) {
  const std::vector<Novel> novels{{"Emma", "a"}, {"Persuasion", "b"}};
  const std::string message = data_error_of([&] { make_char_corpus(novels, "Lady Susan"); });
  EXPECT_THAT(message, HasSubstr("\"Lady Susan\""));
  EXPECT_THAT(message, HasSubstr("Emma, Persuasion"));
  EXPECT_THROW(make_char_corpus(novels, "Emma", 1.0), std::invalid_argument);
  EXPECT_THROW(make_char_corpus(novels, "Emma", -0.1), std::invalid_argument);
}

TEST(CorpusAusten, HeldOutNovelIsUnseenInTraining) {
  if (!austen_installed()) GTEST_SKIP() << "r-cran-janeaustenr is not installed";
  const std::vector<Novel> novels = load_austen(default_austen_rdb);
  const CharCorpus corpus = make_char_corpus(novels, "Persuasion", 0.05);
  const std::string& persuasion = novels[5].text;
  ASSERT_EQ(corpus.test.size(), persuasion.size());
  ASSERT_LE(corpus.alphabet.size(), 256u);
  std::printf("Austen corpus: %zu ids, train %zu, validation %zu, test %zu characters\n",
              corpus.alphabet.size(), corpus.train.size(), corpus.validation.size(),
              corpus.test.size());

  std::size_t training_characters = 0;
  for (std::size_t i = 0; i < 5; ++i) training_characters += novels[i].text.size();
  // Every training character lands in train or validation, with a separator
  // between pieces (4 in each).
  EXPECT_EQ(corpus.train.size() + corpus.validation.size(), training_characters + 8);
  EXPECT_NEAR(static_cast<double>(corpus.validation.size()) / training_characters, 0.05, 0.005);

  const std::string train = decode(corpus, corpus.train);
  const std::string validation = decode(corpus, corpus.validation);
  const std::string test = decode(corpus, corpus.test);
  const std::size_t unknown = static_cast<std::size_t>(
      std::count(corpus.test.begin(), corpus.test.end(), corpus.unknown_id));
  EXPECT_LT(unknown, 10u);
  if (unknown == 0) {
    EXPECT_EQ(test, persuasion);
  }
  // Validation ends where the last training novel ends.
  const std::string& northanger = novels[4].text;
  EXPECT_EQ(validation.substr(validation.size() - 200), northanger.substr(northanger.size() - 200));
  // No stretch of the held-out novel appears in the training text.
  for (std::size_t window = 1; window <= 20; ++window) {
    const std::string passage = persuasion.substr(window * persuasion.size() / 22, 120);
    EXPECT_EQ(train.find(passage), std::string::npos) << passage;
    EXPECT_EQ(validation.find(passage), std::string::npos) << passage;
  }
  EXPECT_EQ(train.find("Sir Walter Elliot"), std::string::npos);
  EXPECT_NE(train.find("Emma Woodhouse"), std::string::npos);
}

}  // namespace
}  // namespace joule::bench

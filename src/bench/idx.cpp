// Fashion-MNIST's IDX files, gzipped or plain (see data.hpp).
#include <algorithm>
#include <string_view>

#include "bench/data.hpp"
#include "bench/data_input.hpp"

namespace joule::bench {
namespace {

using namespace detail;

constexpr const char* fashion_mnist_package_hint =
    "Fashion-MNIST comes from the Debian package dataset-fashion-mnist (install it with "
    "`sudo apt-get install dataset-fashion-mnist`), or point joule bench --fashion-mnist at a "
    "directory holding "
    "the four IDX files";

// ---------------------------------------------------------------- IDX files

struct IdxHeader {
  std::size_t item_count = 0;
  std::size_t rows = 1;
  std::size_t cols = 1;
};

// IDX magic: two zero bytes, the element type (0x08: unsigned byte), the
// number of dimensions; then one big-endian uint32 per dimension.
IdxHeader read_idx_header(GzReader& reader, std::uint32_t dimension_count) {
  const std::uint32_t expected_magic = 0x00000800u | dimension_count;
  const std::size_t header_bytes = 4 + 4 * std::size_t{dimension_count};
  const std::vector<std::uint8_t> header = reader.read_up_to(header_bytes);
  if (header.size() < 4) {
    reader.fail(fmt::format("expected an IDX header of {} bytes, {}", header_bytes,
                            reader.ends_after(header.size())));
  }
  const std::uint32_t magic = big_endian_u32(header, 0);
  if (magic != expected_magic) {
    reader.fail(
        fmt::format("expected IDX magic 0x{:08x} (unsigned bytes, {} dimensions), found 0x{:08x}",
                    expected_magic, dimension_count, magic));
  }
  if (header.size() < header_bytes) {
    reader.fail(fmt::format("expected an IDX header of {} bytes, {}", header_bytes,
                            reader.ends_after(header.size())));
  }
  IdxHeader result;
  result.item_count = big_endian_u32(header, 4);
  if (dimension_count == 3) {
    result.rows = big_endian_u32(header, 8);
    result.cols = big_endian_u32(header, 12);
    // Guards the multiplication below; real images are a few dozen pixels wide.
    if (result.rows == 0 || result.cols == 0 || result.rows > 4096 || result.cols > 4096) {
      reader.fail(fmt::format("expected image dimensions between 1 and 4096, found {}x{}",
                              result.rows, result.cols));
    }
  }
  return result;
}

std::vector<std::uint8_t> read_idx_payload(GzReader& reader, std::size_t byte_count,
                                           std::string_view what) {
  if (byte_count > kMaxDecompressedBytes * 4) {
    reader.fail(fmt::format("header announces {} bytes of {}, more than this reader accepts ({})",
                            byte_count, what, kMaxDecompressedBytes * 4));
  }
  std::vector<std::uint8_t> payload = reader.read_up_to(byte_count);
  const char* decompressed = reader.gzipped() ? " (decompressed)" : "";
  if (payload.size() < byte_count) {
    reader.fail(fmt::format("expected {} bytes of {} after the header{}, {}", byte_count, what,
                            decompressed, reader.ends_after(payload.size())));
  }
  if (!reader.at_end()) {
    reader.fail(fmt::format("expected the file to end after {} bytes of {}{}, it goes on",
                            byte_count, what, decompressed));
  }
  return payload;
}

}  // namespace

ImageSet read_idx(const fs::path& images, const fs::path& labels, std::size_t limit) {
  GzReader image_reader(images, fashion_mnist_package_hint);
  const IdxHeader image_header = read_idx_header(image_reader, 3);
  GzReader label_reader(labels, fashion_mnist_package_hint);
  const IdxHeader label_header = read_idx_header(label_reader, 1);
  if (image_header.item_count != label_header.item_count) {
    throw DataError(fmt::format("{} holds {} images but {} holds {} labels: expected equal counts",
                                images.string(), image_header.item_count, labels.string(),
                                label_header.item_count));
  }
  ImageSet set;
  set.rows = image_header.rows;
  set.cols = image_header.cols;
  set.pixels =
      read_idx_payload(image_reader, image_header.item_count * set.rows * set.cols, "pixels");
  set.labels = read_idx_payload(label_reader, label_header.item_count, "labels");
  if (limit != 0 && limit < set.labels.size()) {
    set.labels.resize(limit);
    set.pixels.resize(limit * set.rows * set.cols);
    set.pixels.shrink_to_fit();
  }
  return set;
}

FashionMnist load_fashion_mnist(const fs::path& dir, std::size_t train_limit,
                                std::size_t test_limit) {
  // The Debian package ships them gzipped; an unpacked copy works too.
  const auto file = [&dir](const char* stem) {
    const fs::path gzipped = dir / (std::string(stem) + ".gz");
    const fs::path plain = dir / stem;
    return fs::exists(gzipped) || !fs::exists(plain) ? gzipped : plain;
  };
  const auto read_checked = [&](const char* image_stem, const char* label_stem, std::size_t limit) {
    ImageSet set = read_idx(file(image_stem), file(label_stem), limit);
    // Fashion-MNIST has ten classes; anything else means the wrong files.
    const auto bad = std::find_if(set.labels.begin(), set.labels.end(),
                                  [](std::uint8_t label) { return label >= 10; });
    if (bad != set.labels.end()) {
      throw DataError(fmt::format("{}: expected class labels 0 to 9, found {} at item {}",
                                  file(label_stem).string(), int{*bad}, bad - set.labels.begin()));
    }
    return set;
  };
  FashionMnist data;
  data.train = read_checked("train-images-idx3-ubyte", "train-labels-idx1-ubyte", train_limit);
  data.test = read_checked("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", test_limit);
  return data;
}

void carve_validation(FashionMnist& data, std::size_t count) {
  ImageSet& train = data.train;
  if (count >= train.size()) {
    throw DataError(fmt::format(
        "fashion-mnist: {} training images cannot give {} to validation and keep some to train on",
        train.size(), count));
  }
  const std::size_t kept = train.size() - count;
  const std::size_t pixels_per_image = train.rows * train.cols;
  ImageSet validation;
  validation.rows = train.rows;
  validation.cols = train.cols;
  const auto first_pixel =
      train.pixels.begin() + static_cast<std::ptrdiff_t>(kept * pixels_per_image);
  const auto first_label = train.labels.begin() + static_cast<std::ptrdiff_t>(kept);
  validation.pixels.assign(first_pixel, train.pixels.end());
  validation.labels.assign(first_label, train.labels.end());
  train.pixels.erase(first_pixel, train.pixels.end());
  train.labels.erase(first_label, train.labels.end());
  data.validation = std::move(validation);
}

}  // namespace joule::bench

#pragma once
// The benchmark's datasets, read from Debian's packages without LibTorch:
// Fashion-MNIST IDX files (dataset-fashion-mnist) and Jane Austen's six
// novels from the R package's lazy-load database (r-cran-janeaustenr), read
// with zlib so that R is not needed at run time.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace joule::bench {

// A missing, truncated or corrupt data file. what() names the file, the byte
// offset or record where reading failed, what was expected, and for a missing
// file the Debian package that provides it.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr const char* kDefaultFashionMnistDir = "/usr/share/datasets/fashion-mnist";
inline constexpr const char* default_austen_rdb =
    "/usr/lib/R/site-library/janeaustenr/data/Rdata.rdb";

// Images as bytes (0..255), row-major, one image after another.
struct ImageSet {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<std::uint8_t> pixels;  // size() * rows * cols
  std::vector<std::uint8_t> labels;  // size()
  std::size_t size() const { return labels.size(); }
};

// Reads an IDX3 image file and its IDX1 label file, gzipped or not (decided by
// the magic bytes, not the name). `limit` keeps the first N items (0: all).
ImageSet read_idx(const std::filesystem::path& images, const std::filesystem::path& labels,
                  std::size_t limit = 0);

struct FashionMnist {
  ImageSet train;
  ImageSet test;
  ImageSet validation;  // empty until carve_validation()
};

// Fashion-MNIST ships no validation split: the benchmark holds out the last
// 10,000 of the 60,000 training images (the files are not ordered by class, so
// the tail is a fair sample), leaving 50,000 to train on.
inline constexpr std::size_t kFashionValidationImages = 10000;

// Moves the last `count` training images into `data.validation`. Throws
// DataError when the training set does not have more than `count` images.
void carve_validation(FashionMnist& data, std::size_t count);

// The four standard files under `dir` (train-images-idx3-ubyte[.gz], ...).
FashionMnist load_fashion_mnist(const std::filesystem::path& dir, std::size_t train_limit = 0,
                                std::size_t test_limit = 0);

struct Novel {
  std::string title;  // e.g. "Persuasion"
  std::string text;   // the lines joined with '\n'
};

// The six novels in publication order, from the package's Rdata.rdb (and its
// Rdata.rdx index beside it). Each text's first line is checked against its
// title, so a changed package fails loudly rather than mislabels a novel.
std::vector<Novel> load_austen(const std::filesystem::path& rdb);

// Bytes mapped to dense ids; training text from every novel but the
// held-out one, validation from the end of each training novel (the last
// `validation_fraction` of it, starting on a line), test from the held-out
// novel so that test text is unseen. The pieces of train and of validation
// are joined with '\n'. The alphabet is the sorted distinct bytes of the
// training novels followed by <unk>, whose byte is the lowest one they never
// use (0x01 for Austen). Unknown held-out title: DataError listing the titles.
struct CharCorpus {
  std::string alphabet;  // id -> character; characters seen only in test map to an <unk> id
  std::vector<std::uint8_t> train;
  std::vector<std::uint8_t> validation;
  std::vector<std::uint8_t> test;
  std::string held_out_title;
  std::size_t unknown_id = 0;  // alphabet[unknown_id] stands for every unseen character
};

CharCorpus make_char_corpus(const std::vector<Novel>& novels,
                            const std::string& held_out_title = "Persuasion",
                            double validation_fraction = 0.05);

}  // namespace joule::bench

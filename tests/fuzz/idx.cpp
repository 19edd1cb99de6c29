// Fashion-MNIST's IDX files (src/bench/idx), gzipped or plain: an image file
// and a label file give an image set or a DataError. The input's first two
// bytes (little-endian) are the length of the image file, which follows; the
// label file is the rest.
#include <algorithm>

#include "bench/data.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t image_bytes = std::min<std::size_t>(data[0] | (data[1] << 8), size - 2);
  const std::string_view rest = joule::fuzz::as_text(data + 2, size - 2);
  const auto& dir = joule::fuzz::scratch();
  const auto images = dir.write("images-idx3-ubyte", rest.substr(0, image_bytes));
  const auto labels = dir.write("labels-idx1-ubyte", rest.substr(image_bytes));
  try {
    const auto set = joule::bench::read_idx(images, labels, 3);
    if (set.pixels.size() != set.size() * set.rows * set.cols) std::abort();
  } catch (const joule::bench::DataError&) {
  }
  return 0;
}

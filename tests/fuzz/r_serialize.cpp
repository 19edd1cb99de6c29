// R's serialization format (src/bench/r_serialize), the reader most exposed
// to hostile input: bytes give an object or a DataError, never a crash, a
// deep recursion or a huge allocation.
#include <span>

#include "bench/data.hpp"
#include "bench/r_serialize.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto object =
        joule::bench::detail::read_r_serialized(std::span(data, size), "fuzz.rdb record 1");
    (void)object.attribute("names");
  } catch (const joule::bench::DataError&) {
  }
  return 0;
}

// sysfs numeric values (src/sensors/sysfs): the whole text parses or is
// refused; a decimal u64 that parses reads the same through i64 when it fits.
#include <cstdlib>
#include <limits>

#include "fuzz_input.hpp"
#include "sensors/sysfs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace sysfs = joule::sensors::sysfs;
  const std::string_view text = joule::fuzz::as_text(data, size);
  std::uint64_t unsigned_value = 0;
  std::int64_t signed_value = 0;
  double real_value = 0;
  const bool is_u64 = sysfs::parse_u64(text, unsigned_value);
  const bool is_i64 = sysfs::parse_i64(text, signed_value);
  (void)sysfs::parse_double(text, real_value);
  const bool fits = unsigned_value <= std::uint64_t{std::numeric_limits<std::int64_t>::max()};
  if (is_u64 && fits && is_i64 && static_cast<std::uint64_t>(signed_value) != unsigned_value) {
    std::abort();
  }
  return 0;
}

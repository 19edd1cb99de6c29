// joule.toml (src/carbon/config_file): any text gives a configuration or a
// DataError, and a PUE it accepts is a ratio from 1 to 5.
#include <cstdlib>

#include "carbon/config_file.hpp"
#include "fuzz_input.hpp"
#include "refdata/csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto config =
        joule::carbon::parse_config_text(joule::fuzz::as_text(data, size), "/project/joule.toml");
    if (config.pue && !(*config.pue >= 1.0 && *config.pue <= 5.0)) std::abort();
  } catch (const joule::refdata::DataError&) {
  }
  return 0;
}

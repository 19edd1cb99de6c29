// A budget scenario (src/budget/scenario): any text gives a scenario or a
// DataError, and a scenario it accepts has at least one deployment.
#include <cmath>
#include <cstdlib>

#include "budget/scenario.hpp"
#include "fuzz_input.hpp"
#include "joule/data_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto scenario = joule::budget::parse_scenario_text(joule::fuzz::as_text(data, size),
                                                             "/project/scenario.toml");
    if (scenario.deployments.empty()) std::abort();
  } catch (const joule::DataError&) {
  }
  return 0;
}

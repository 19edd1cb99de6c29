// Trace replay (src/sensors/trace_replay): a trace parses or gives a
// DataError naming the line and column.
#include "sensors/trace_replay.hpp"
#include "fuzz_input.hpp"
#include "refdata/csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)joule::sensors::trace::parse_trace(joule::fuzz::as_text(data, size), "fuzz.csv");
  } catch (const joule::refdata::DataError&) {
  }
  return 0;
}

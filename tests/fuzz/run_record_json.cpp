// The run-record JSON reader (src/record/json_io): text gives a record or a
// RecordError, and a record it reads writes back to JSON that reads back to
// the same JSON.
#include <cstdlib>

#include "fuzz_input.hpp"
#include "record/json_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace joule::record;
  RunRecord record;
  try {
    record = parse_json_text(joule::fuzz::as_text(data, size), "fuzz.json");
  } catch (const RecordError&) {
    return 0;
  }
  const std::string written = to_json_text(record);
  try {
    if (to_json_text(parse_json_text(written, "written.json")) != written) std::abort();
  } catch (const RecordError&) {
    std::abort();  // joule cannot read back what it wrote
  }
  return 0;
}

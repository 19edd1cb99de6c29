// ISO-8601 time stamps (src/support/iso8601): any text parses or is refused,
// and a parsed time formats to a stamp that parses back to it, to the
// millisecond.
#include <chrono>
#include <cstdlib>

#include "fuzz_input.hpp"
#include "support/iso8601.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace std::chrono;
  const auto parsed = joule::support::parse_iso8601(joule::fuzz::as_text(data, size));
  if (!parsed) return 0;
  const std::string stamp = joule::support::format_iso8601_utc(*parsed);
  const auto again = joule::support::parse_iso8601(stamp);
  if (!again || *again != floor<milliseconds>(*parsed)) std::abort();
  return 0;
}

// Control-channel datagrams (src/run/control_channel): a line gives a message
// or an error, and a message formats to a line that parses back to it.
#include <cstdlib>

#include "fuzz_input.hpp"
#include "run/control_channel.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace joule::run;
  const ParsedControlLine parsed = parse_control_line(joule::fuzz::as_text(data, size));
  if (!parsed.message) {
    if (parsed.error.empty()) std::abort();  // a refusal must say why
    return 0;
  }
  std::string line = format_control_message(*parsed.message);
  if (!line.empty() && line.back() == '\n') line.pop_back();
  const ParsedControlLine again = parse_control_line(line);
  if (!again.message || !(*again.message == *parsed.message)) std::abort();
  return 0;
}

// The /proc parsers (src/support/proc): /proc/PID/stat gives a value or
// nullopt, /proc/stat a value or ProcParseError, never anything else.
#include "fuzz_input.hpp"
#include "support/proc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = joule::fuzz::as_text(data, size);
  (void)joule::support::parse_process_stat(text);
  try {
    (void)joule::support::parse_proc_stat(text);
  } catch (const joule::support::ProcParseError&) {
  }
  return 0;
}

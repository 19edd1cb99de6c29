#include "cli/run_live.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include "joule/format.hpp"

namespace joule::cli {

LiveLine::LiveLine(bool quiet) : enabled_(!quiet && ::isatty(STDERR_FILENO)) {}

void LiveLine::update(Seconds elapsed, Watts power_now, Joules machine, Joules attributed) {
  if (!enabled_) return;
  // \x1b[K clears what a longer previous line left; one write so the
  // command's own stderr output cannot land in the middle of it.
  std::string line = fmt::format("\r\x1b[Kjoule: {}  {} now  {} so far ({} the command's)", elapsed,
                                 power_now, machine, attributed);
  (void)!::write(STDERR_FILENO, line.data(), line.size());
  drawn_ = true;
}

void LiveLine::clear() {
  if (!drawn_) return;
  (void)!::write(STDERR_FILENO, "\r\x1b[K", 4);
  drawn_ = false;
}

}  // namespace joule::cli

#pragma once
// Quantities as text for the subcommands: the formatters of joule/format.hpp,
// under the names the run command calls them by.
#include <fmt/format.h>

#include <string>

#include "joule/format.hpp"
#include "joule/units.hpp"

namespace joule::cli {

inline std::string format_energy(Joules energy) {
  return fmt::format("{}", energy);
}
inline std::string format_duration(Seconds duration) {
  return fmt::format("{}", duration);
}

}  // namespace joule::cli

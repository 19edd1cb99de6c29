#pragma once
// Human formatting of quantities shared by the subcommands.
#include <string>

#include "joule/units.hpp"

namespace joule::cli {

// "12.3 J", "4.56 kJ", "1.23 MJ"; kWh when large enough to be read that way.
std::string format_energy(Joules energy);
// "850 ms", "12.3 s", "1 h 02 min"
std::string format_duration(Seconds duration);

}  // namespace joule::cli

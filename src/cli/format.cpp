#include "cli/format.hpp"

#include <fmt/format.h>

#include <cmath>

namespace joule::cli {

std::string format_energy(Joules energy) {
  const double j = energy.joules;
  const double magnitude = std::fabs(j);
  if (magnitude >= 3.6e6) return fmt::format("{:.3g} kWh", energy.kilowatt_hours());
  if (magnitude >= 1e6) return fmt::format("{:.3g} MJ", j / 1e6);
  if (magnitude >= 1e3) return fmt::format("{:.3g} kJ", j / 1e3);
  if (magnitude >= 1 || magnitude == 0) return fmt::format("{:.3g} J", j);
  return fmt::format("{:.3g} mJ", j * 1e3);
}

std::string format_duration(Seconds duration) {
  const double s = duration.seconds;
  if (s < 1) return fmt::format("{:.0f} ms", s * 1e3);
  if (s < 120) return fmt::format("{:.3g} s", s);
  if (s < 7200) return fmt::format("{:.0f} min {:02.0f} s", std::floor(s / 60), std::fmod(s, 60));
  return fmt::format("{:.0f} h {:02.0f} min", std::floor(s / 3600), std::fmod(s / 60, 60));
}

}  // namespace joule::cli

#include "cli/run_options.hpp"

#include <charconv>
#include <cmath>

#include <CLI/CLI.hpp>

namespace joule::cli {

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || !std::isfinite(value) || value < 0) return std::nullopt;
  std::string_view suffix(ptr, static_cast<std::size_t>(text.data() + text.size() - ptr));
  double seconds_per_unit = 0;
  if (suffix.empty() || suffix == "s") {
    seconds_per_unit = 1;
  } else if (suffix == "ms") {
    seconds_per_unit = 1e-3;
  } else if (suffix == "us") {
    seconds_per_unit = 1e-6;
  } else if (suffix == "m" || suffix == "min") {
    seconds_per_unit = 60;
  } else if (suffix == "h") {
    seconds_per_unit = 3600;
  } else if (suffix == "d") {
    seconds_per_unit = 86400;
  } else {
    return std::nullopt;
  }
  // 64-bit nanoseconds end after 292 years; past that llround is undefined.
  constexpr double kLongestSeconds = 9e9;
  const double seconds = value * seconds_per_unit;
  if (seconds > kLongestSeconds) return std::nullopt;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(seconds * 1e9)));
}

std::map<std::string, std::string> parse_tags(const std::vector<std::string>& tags) {
  std::map<std::string, std::string> parsed;
  for (const auto& tag : tags) {
    auto eq = tag.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw CLI::ValidationError("--tag", "expected KEY=VALUE, got '" + tag + "'");
    }
    parsed[tag.substr(0, eq)] = tag.substr(eq + 1);
  }
  return parsed;
}

}  // namespace joule::cli

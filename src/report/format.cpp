#include "report/format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace joule::report {
namespace {

// Three significant digits, switching the prefix at each factor of 1000.
std::string scaled(double value, const char* const* units, int count, double step) {
  if (!std::isfinite(value)) return "n/a";
  double magnitude = std::fabs(value);
  int i = 0;
  while (i + 1 < count && magnitude >= step) {
    magnitude /= step;
    value /= step;
    ++i;
  }
  int decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
  if (value == 0) decimals = 0;
  return fmt::format("{:.{}f} {}", value, decimals, units[i]);
}

// UTF-8 aware width: multi-byte characters (±, ×, –) occupy one column.
std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace

std::string format_joules(double joules) {
  static const char* const units[] = {"J", "kJ", "MJ", "GJ"};
  return scaled(joules, units, 4, 1000);
}

std::string format_watt_hours(double joules) {
  static const char* const units[] = {"Wh", "kWh", "MWh"};
  return scaled(joules / 3600.0, units, 3, 1000);
}

std::string format_watts(double watts) {
  static const char* const units[] = {"W", "kW", "MW"};
  return scaled(watts, units, 3, 1000);
}

std::string format_co2e_grams(double grams) {
  if (!std::isfinite(grams)) return "n/a";
  // SCI per token or per inference is often micrograms: keep three digits.
  if (grams != 0 && std::fabs(grams) < 1e-3) {
    static const char* const units[] = {"µg"};
    return scaled(grams * 1e6, units, 1, 1000);
  }
  if (grams != 0 && std::fabs(grams) < 1) {
    static const char* const units[] = {"mg"};
    return scaled(grams * 1000, units, 1, 1000);
  }
  static const char* const units[] = {"g", "kg", "t"};
  return scaled(grams, units, 3, 1000);
}

std::string format_seconds(double seconds) {
  if (!std::isfinite(seconds)) return "n/a";
  if (seconds < 60) return fmt::format("{:.{}f} s", seconds, seconds < 10 ? 2 : 1);
  auto total = static_cast<long long>(std::llround(seconds));
  if (total < 3600) return fmt::format("{} min {:02} s", total / 60, total % 60);
  return fmt::format("{} h {:02} min", total / 3600, (total % 3600) / 60);
}

std::string format_relative(double fraction) {
  return fmt::format("±{:.1f}%", fraction * 100);
}

std::string format_percent(double fraction) {
  return fmt::format("{:.1f}%", fraction * 100);
}

std::string format_count(double count) {
  if (std::fabs(count - std::round(count)) < 1e-9 && std::fabs(count) < 1e15) {
    return fmt::format("{}", static_cast<long long>(std::llround(count)));
  }
  return fmt::format("{:.4g}", count);
}

std::string format_ratio(double ratio) {
  if (!std::isfinite(ratio)) return "n/a";
  return fmt::format("×{:.2f}", ratio);
}

std::string render_table(const std::vector<std::vector<std::string>>& rows,
                         const std::vector<bool>& right_aligned, const std::string& indent) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = indent;
    for (std::size_t i = 0; i < row.size(); ++i) {
      std::size_t pad = widths[i] - display_width(row[i]);
      bool right = i < right_aligned.size() && right_aligned[i];
      if (i) line += "  ";
      if (right) line.append(pad, ' ');
      line += row[i];
      if (!right && i + 1 < row.size()) line.append(pad, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace joule::report

#pragma once
// fmt formatters for the quantities of units.hpp, so that every printer (the
// terminal summary, `joule carbon`, `joule ls/show/compare`, Markdown, the
// bench reports, the Python reprs) writes a figure the same way:
//
//   fmt::format("{}", Joules{0.0013})        "1.30 mJ"
//   fmt::format("{}", Joules{12345})         "12.3 kJ"
//   fmt::format("{:Wh}", Joules{3600})       "1.00 Wh"   (watt-hours, with prefixes)
//   fmt::format("{}", Watts{1200})           "1.20 kW"
//   fmt::format("{}", Seconds{0.25})         "250 ms"
//   fmt::format("{}", Seconds{303})          "5 min 03 s"
//   fmt::format("{}", GramsCO2e{0.0000186})  "18.6 µg"
//
// Three significant digits, trailing zeros kept so that columns read at a
// glance, and the SI prefix chosen by magnitude so that a small figure never
// prints as 0.00. Zero prints as "0 J"; a non-finite value as "n/a". Fill,
// alignment and width work as for strings ("{:>10}"); the watt-hour choice
// comes first ("{:Wh>10}").
//
// Header-only and depending on fmt alone, so that users of the public API get
// the same text without linking anything more.
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <string_view>

#include "joule/units.hpp"

namespace joule::format_detail {

// Prefixed units of one quantity, smallest first, and which of them is the
// unprefixed one.
struct UnitLadder {
  const char* const* names;
  int count;
  int base;
};

// The digits after the decimal point that give three significant digits.
inline int decimals_for(double magnitude) {
  return magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
}

// value (in the ladder's base unit) with three significant digits and the
// prefix that puts it in [1, 1000) where the ladder allows.
inline std::string scaled(double value, const UnitLadder& ladder) {
  if (!std::isfinite(value)) return "n/a";
  if (value == 0) return fmt::format("0 {}", ladder.names[ladder.base]);
  int i = ladder.base;
  double magnitude = std::fabs(value);
  while (i + 1 < ladder.count && magnitude >= 1000) {
    magnitude /= 1000;
    value /= 1000;
    ++i;
  }
  while (i > 0 && magnitude < 1) {
    magnitude *= 1000;
    value *= 1000;
    --i;
  }
  int decimals = decimals_for(magnitude);
  // 999.7 rounds to "1000": say "1.00 k" instead.
  const double rounded = std::round(magnitude * std::pow(10, decimals)) / std::pow(10, decimals);
  if (rounded >= 1000 && i + 1 < ladder.count) {
    value /= 1000;
    ++i;
    decimals = 2;
  } else {
    decimals = decimals_for(rounded);
  }
  return fmt::format("{:.{}f} {}", value, decimals, ladder.names[i]);
}

inline std::string joules_text(double joules) {
  static constexpr const char* names[] = {"nJ", "µJ", "mJ", "J", "kJ", "MJ", "GJ", "TJ"};
  return scaled(joules, {names, 8, 3});
}

inline std::string watt_hours_text(double joules) {
  static constexpr const char* names[] = {"µWh", "mWh", "Wh", "kWh", "MWh", "GWh"};
  return scaled(joules / kSecondsPerHour, {names, 6, 2});
}

inline std::string watts_text(double watts) {
  static constexpr const char* names[] = {"nW", "µW", "mW", "W", "kW", "MW", "GW"};
  return scaled(watts, {names, 7, 3});
}

inline std::string grams_text(double grams) {
  static constexpr const char* names[] = {"ng", "µg", "mg", "g", "kg", "t", "kt", "Mt"};
  return scaled(grams, {names, 8, 3});
}

// Below a minute with a prefix ("250 ms", "12.3 s"); above, as a clock reads
// ("5 min 03 s", "2 h 04 min").
inline std::string seconds_text(double seconds) {
  static constexpr const char* names[] = {"ns", "µs", "ms", "s"};
  if (!std::isfinite(seconds)) return "n/a";
  if (std::fabs(seconds) < 59.95) return scaled(seconds, {names, 4, 3});
  constexpr long long per_minute = 60;
  constexpr long long per_hour = 60 * per_minute;
  const auto total = static_cast<long long>(std::llround(seconds));
  if (total < per_hour) {
    return fmt::format("{} min {:02} s", total / per_minute, total % per_minute);
  }
  return fmt::format("{} h {:02} min", total / per_hour, (total % per_hour) / per_minute);
}

// The shared part of the formatters: fill, alignment and width as for a string.
struct QuantityFormatter : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto write(const std::string& text, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(text, ctx);
  }
};

}  // namespace joule::format_detail

template <>
struct fmt::formatter<joule::Joules> : joule::format_detail::QuantityFormatter {
  bool watt_hours = false;
  constexpr auto parse(fmt::format_parse_context& ctx) {
    auto it = ctx.begin();
    if (it != ctx.end() && *it == 'W' && it + 1 != ctx.end() && *(it + 1) == 'h') {
      watt_hours = true;
      ctx.advance_to(it + 2);
    }
    return fmt::formatter<std::string_view>::parse(ctx);
  }
  template <typename FormatContext>
  auto format(joule::Joules e, FormatContext& ctx) const {
    return write(watt_hours ? joule::format_detail::watt_hours_text(e.joules)
                            : joule::format_detail::joules_text(e.joules),
                 ctx);
  }
};

template <>
struct fmt::formatter<joule::Watts> : joule::format_detail::QuantityFormatter {
  template <typename FormatContext>
  auto format(joule::Watts p, FormatContext& ctx) const {
    return write(joule::format_detail::watts_text(p.watts), ctx);
  }
};

template <>
struct fmt::formatter<joule::Seconds> : joule::format_detail::QuantityFormatter {
  template <typename FormatContext>
  auto format(joule::Seconds t, FormatContext& ctx) const {
    return write(joule::format_detail::seconds_text(t.seconds), ctx);
  }
};

template <>
struct fmt::formatter<joule::GramsCO2e> : joule::format_detail::QuantityFormatter {
  template <typename FormatContext>
  auto format(joule::GramsCO2e m, FormatContext& ctx) const {
    return write(joule::format_detail::grams_text(m.grams), ctx);
  }
};

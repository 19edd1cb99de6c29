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
//   fmt::format("{:kWh}", Joules{16.5})      "4.58×10⁻⁶ kWh"   (one fixed unit)
//   fmt::format("{:g}", GramsCO2e{1.83e-3})  "0.00183 g"
//
// Three significant digits, trailing zeros kept so that columns read at a
// glance, and the SI prefix chosen by magnitude so that a small figure never
// prints as 0.00. Zero prints as "0 J"; a non-finite value as "n/a". Fill,
// alignment and width work as for strings ("{:>10}"); the unit choice
// comes first ("{:Wh>10}").
//
// A fixed unit ({:kWh}, {:g}) is for figures that must be read in one unit
// whatever their size, as on an energy label: three significant digits,
// decimals down to 0.001, and below that a power of ten rather than a row of
// zeros.
//
// Header-only and depending on fmt alone, so that users of the public API get
// the same text without linking anything more.
#include <fmt/format.h>

#include <algorithm>
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

// "⁻⁶": the exponent in superscript digits.
inline std::string superscript(int exponent) {
  static constexpr const char* digits[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  std::string out = exponent < 0 ? "⁻" : "";
  for (char c : std::to_string(exponent < 0 ? -exponent : exponent)) out += digits[c - '0'];
  return out;
}

// value in `unit` itself, never prefixed: "12.3 kWh", "0.00458 kWh",
// "4.58×10⁻⁶ kWh".
inline std::string fixed_unit_text(double value, std::string_view unit) {
  if (!std::isfinite(value)) return "n/a";
  if (value == 0) return fmt::format("0 {}", unit);
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e-3) {
    const int decimals = std::max(0, 2 - static_cast<int>(std::floor(std::log10(magnitude))));
    return fmt::format("{:.{}f} {}", value, decimals, unit);
  }
  int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
  double mantissa = value / std::pow(10, exponent);
  if (std::round(std::fabs(mantissa) * 100) >= 1000) {  // 9.996 shows as "1.00×10ⁿ⁺¹"
    mantissa /= 10;
    ++exponent;
  }
  return fmt::format("{:.2f}×10{} {}", mantissa, superscript(exponent), unit);
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
  enum class Unit { joules, watt_hours, kilowatt_hours } unit = Unit::joules;
  constexpr auto parse(fmt::format_parse_context& ctx) {
    const std::string_view spec(ctx.begin(), static_cast<std::size_t>(ctx.end() - ctx.begin()));
    if (spec.starts_with("kWh")) {
      unit = Unit::kilowatt_hours;
      ctx.advance_to(ctx.begin() + 3);
    } else if (spec.starts_with("Wh")) {
      unit = Unit::watt_hours;
      ctx.advance_to(ctx.begin() + 2);
    }
    return fmt::formatter<std::string_view>::parse(ctx);
  }
  template <typename FormatContext>
  auto format(joule::Joules e, FormatContext& ctx) const {
    switch (unit) {
      case Unit::watt_hours:
        return write(joule::format_detail::watt_hours_text(e.joules), ctx);
      case Unit::kilowatt_hours:
        return write(joule::format_detail::fixed_unit_text(e.kilowatt_hours(), "kWh"), ctx);
      case Unit::joules:
        break;
    }
    return write(joule::format_detail::joules_text(e.joules), ctx);
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
  bool fixed_grams = false;  // "{:g}": in grams whatever the size
  constexpr auto parse(fmt::format_parse_context& ctx) {
    auto it = ctx.begin();
    if (it != ctx.end() && *it == 'g') {
      fixed_grams = true;
      ctx.advance_to(it + 1);
    }
    return fmt::formatter<std::string_view>::parse(ctx);
  }
  template <typename FormatContext>
  auto format(joule::GramsCO2e m, FormatContext& ctx) const {
    return write(fixed_grams ? joule::format_detail::fixed_unit_text(m.grams, "g")
                             : joule::format_detail::grams_text(m.grams),
                 ctx);
  }
};

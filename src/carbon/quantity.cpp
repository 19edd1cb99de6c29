#include "carbon/quantity.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "carbon/suggest.hpp"
#include "joule/carbon.hpp"
#include "support/strings.hpp"

namespace joule::carbon {

namespace {

using support::trim;

// Splits "12.4kWh" into 12.4 and "kWh".
std::optional<std::pair<double, std::string>> split(std::string_view text) {
  text = trim(text);
  double value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || p == text.data() || !std::isfinite(value)) return std::nullopt;
  return std::make_pair(value,
                        std::string(trim(std::string_view(p, text.data() + text.size() - p))));
}

}  // namespace

std::optional<double> parse_number(std::string_view text) {
  auto parts = split(text);
  if (!parts || !parts->second.empty()) return std::nullopt;
  return parts->first;
}

Joules parse_energy(std::string_view text) {
  auto parts = split(text);
  static const std::pair<const char*, double> units[] = {
      {"j", 1},     {"kj", 1e3},    {"mj", 1e6},    {"gj", 1e9},
      {"wh", 3600}, {"kwh", 3.6e6}, {"mwh", 3.6e9}, {"gwh", 3.6e12},
  };
  // A bare number could be joules or kWh, six orders of magnitude apart.
  if (parts && parts->second.empty()) {
    throw CarbonError(fmt::format("'{}' has no unit: give one, e.g. {}kWh, {}MJ or {}Wh", text,
                                  trim(text), trim(text), trim(text)));
  }
  if (parts) {
    std::string unit = support::to_lower(parts->second);
    // "MJ" (mega) and "mJ" (milli) differ only by case; people mean mega.
    for (const auto& [name, joules] : units) {
      if (unit == name) {
        if (parts->first < 0) break;
        return Joules{parts->first * joules};
      }
    }
  }
  throw CarbonError(
      fmt::format("'{}' is not an energy: expected a number of J, kJ, MJ, GJ, Wh, kWh, MWh or GWh "
                  "such as 12.4kWh",
                  text));
}

double parse_mass_kg(std::string_view text) {
  auto parts = split(text);
  if (parts && parts->first >= 0) {
    std::string unit = support::to_lower(parts->second);
    for (std::string_view suffix : {"co2e", "co2"}) {
      if (unit.ends_with(suffix)) unit = unit.substr(0, unit.size() - suffix.size());
    }
    if (unit.empty()) {
      throw CarbonError(fmt::format("'{}' has no unit: give one, e.g. {}kg, {}g or {}t", text,
                                    trim(text), trim(text), trim(text)));
    }
    if (unit == "kg") return parts->first;
    if (unit == "g") return parts->first / 1000;
    if (unit == "t") return parts->first * 1000;
  }
  throw CarbonError(fmt::format(
      "'{}' is not a mass of CO2e: expected a number of g, kg or t such as 1312kg", text));
}

double parse_fraction(std::string_view text) {
  auto s = trim(text);
  auto slash = s.find('/');
  std::optional<double> value;
  if (slash != std::string_view::npos) {
    auto a = parse_number(s.substr(0, slash));
    auto b = parse_number(s.substr(slash + 1));
    if (a && b && *b > 0) value = *a / *b;
  } else if (s.ends_with('%')) {
    if (auto a = parse_number(s.substr(0, s.size() - 1))) value = *a / 100;
  } else {
    value = parse_number(s);
  }
  if (!value || !(*value > 0 && *value <= 1)) {
    throw CarbonError(fmt::format(
        "'{}' is not a share: expected a fraction in (0, 1] such as 0.25, 25% or 2/8", text));
  }
  return *value;
}

}  // namespace joule::carbon

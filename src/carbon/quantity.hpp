#pragma once
// Quantities typed by people: "12.4kWh", "3.6 MJ", "1312kg", "2/8", "5%".
// Each throws CarbonError naming what was expected.
#include <optional>
#include <string_view>

#include "joule/units.hpp"

namespace joule::carbon {

Joules parse_energy(
    std::string_view text);  // J, kJ, MJ, GJ, Wh, kWh, MWh, GWh (a bare number is kWh)
double parse_mass_kg(std::string_view text);   // g, kg, t (a bare number is kg)
double parse_fraction(std::string_view text);  // "0.25", "25%", "2/8"
// A bare number, or nullopt when the text has a unit or is not a number.
std::optional<double> parse_number(std::string_view text);

}  // namespace joule::carbon

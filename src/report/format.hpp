#pragma once
// Figures for people: a scale chosen per value, the unit always printed, and
// a fixed number of significant digits so columns read at a glance.
#include <string>
#include <vector>

namespace joule::report {

std::string format_joules(double joules);      // "812 J", "12.3 kJ", "4.51 MJ"
std::string format_watt_hours(double joules);  // "0.342 Wh", "1.25 kWh"
std::string format_watts(double watts);        // "45.3 W", "1.20 kW"
std::string format_seconds(double seconds);    // "0.52 s", "5 min 03 s", "2 h 04 min"
std::string format_co2e_grams(double grams);  // "18.6 µg", "12.0 mg", "1.23 g", "4.56 kg", "1.20 t"
std::string format_relative(double fraction);  // "±5.0%"
std::string format_percent(double fraction);   // "42.1%"
std::string format_count(double count);        // "1200", "1.2e+06"
std::string format_ratio(double ratio);        // "×1.23"

// A plain text table: the first row is the header; columns are padded to their
// widest cell; `right_aligned[i]` right-aligns column i (numbers).
std::string render_table(const std::vector<std::vector<std::string>>& rows,
                         const std::vector<bool>& right_aligned, const std::string& indent = "  ");

}  // namespace joule::report

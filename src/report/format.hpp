#pragma once
// Figures for people that are not quantities of units.hpp (those format
// themselves: joule/format.hpp), and the plain text table they go into.
#include <string>
#include <vector>

#include "joule/format.hpp"

namespace joule::report {

std::string format_relative(double fraction);  // "±5.0%"
std::string format_percent(double fraction);   // "42.1%"
std::string format_count(double count);        // "1200", "1.2e+06"
std::string format_ratio(double ratio);        // "×1.23"

// A plain text table: the first row is the header; columns are padded to their
// widest cell; `right_aligned[i]` right-aligns column i (numbers).
std::string render_table(const std::vector<std::vector<std::string>>& rows,
                         const std::vector<bool>& right_aligned, const std::string& indent = "  ");
// One row of such a table with the column widths given rather than measured,
// for tables printed as they are read (a cell wider than its column pushes
// the rest of its line right).
std::string render_table_row(const std::vector<std::string>& row,
                             const std::vector<std::size_t>& widths,
                             const std::vector<bool>& right_aligned,
                             const std::string& indent = "  ");

}  // namespace joule::report

#include "report/format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace joule::report {
namespace {

// UTF-8 aware width: multi-byte characters (±, ×, –) occupy one column.
std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace

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

std::string render_table_row(const std::vector<std::string>& row,
                             const std::vector<std::size_t>& widths,
                             const std::vector<bool>& right_aligned, const std::string& indent) {
  std::string line = indent;
  for (std::size_t i = 0; i < row.size(); ++i) {
    const std::size_t width = i < widths.size() ? widths[i] : 0;
    const std::size_t shown = display_width(row[i]);
    std::size_t pad = width > shown ? width - shown : 0;
    bool right = i < right_aligned.size() && right_aligned[i];
    if (i) line += "  ";
    if (right) line.append(pad, ' ');
    line += row[i];
    if (!right && i + 1 < row.size()) line.append(pad, ' ');
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line + "\n";
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
  for (const auto& row : rows) out += render_table_row(row, widths, right_aligned, indent);
  return out;
}

}  // namespace joule::report

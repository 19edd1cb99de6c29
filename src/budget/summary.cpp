// What a reader takes away: which part dominates, and the total in everyday
// terms (data/equivalents.csv, each row with its source).
#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "budget/model.hpp"
#include "carbon/estimate.hpp"
#include "refdata/csv.hpp"

namespace joule::budget {

namespace {

struct EquivalentRow {
  std::string unit;
  double g_per_unit = 0;
  std::string source;
};

const std::vector<EquivalentRow>& equivalent_rows() {
  static std::once_flag once;
  static std::vector<EquivalentRow> rows;
  std::call_once(once, [] {
    const auto& t = refdata::ReferenceTable::embedded("equivalents.csv");
    for (std::size_t row = 0; row < t.size(); ++row) {
      auto g = t.number(row, "g_co2e_per_unit");
      if (!g || *g <= 0) {
        throw DataError(t.origin(), t.line_of(row), t.column_of(row, "g_co2e_per_unit"),
                        "g_co2e_per_unit: expected a number above zero");
      }
      rows.push_back(
          {std::string(t.text(row, "unit")), *g,
           fmt::format("{} ({}:{})", t.text(row, "source"), t.origin(), t.line_of(row))});
    }
  });
  return rows;
}

}  // namespace

std::string dominant_sentence(const std::vector<PartTotals>& parts, const Estimate& total_g) {
  std::vector<const PartTotals*> ranked;
  ranked.reserve(parts.size());
  for (const auto& p : parts) ranked.push_back(&p);
  std::stable_sort(ranked.begin(), ranked.end(), [](const PartTotals* a, const PartTotals* b) {
    return a->co2e_g.central > b->co2e_g.central;
  });
  if (ranked.empty() || !(total_g.central > 0)) return "Nothing in the scenario emits CO2e.";
  const PartTotals& first = *ranked[0];
  const double share = first.co2e_g.central / total_g.central;
  std::string name = first.name;
  name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  if (ranked.size() < 2 || !(ranked[1]->co2e_g.central > 0)) {
    return fmt::format("{} is all of the life-cycle carbon.", name);
  }
  const PartTotals& second = *ranked[1];
  return fmt::format(
      "{} dominates: {:.0f}% of the life-cycle carbon, {:.1f}x the next part ({}, "
      "{:.0f}%).",
      name, share * 100, first.co2e_g.central / second.co2e_g.central, second.name,
      second.co2e_g.central / total_g.central * 100);
}

std::vector<Equivalent> equivalents(const Estimate& total_g) {
  std::vector<Equivalent> out;
  for (const auto& row : equivalent_rows()) {
    out.push_back({row.unit, carbon::scale(total_g, 1 / row.g_per_unit), row.source});
  }
  return out;
}

}  // namespace joule::budget

// CPU names resolve exactly: the estimator takes the cpu_power.csv row whose
// normalised model equals the machine's, so two rows that normalise alike
// must not disagree, or the answer would depend on row order.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "refdata/csv.hpp"
#include "sensors/estimator.hpp"

using joule::refdata::ReferenceTable;

// Declared ambiguous: ARK's three clock variants of the EP80579 with
// QuickAssist (600, 1066, 1200 MHz: 13, 20, 21 W) differ only in the clock
// after "with ...", which the key drops; an embedded part no estimate relies on.
const std::set<std::string> kDeclaredAmbiguous = {"ep80579 integrated"};

TEST(CpuNames, RowsThatNormaliseAlikeAgreeOnTheirTdp) {
  const auto& table = ReferenceTable::embedded("cpu_power.csv");
  std::map<std::string, std::map<double, std::size_t>> tdp_by_key;  // key -> TDP -> line
  for (std::size_t row = 0; row < table.size(); ++row) {
    auto tdp = table.number(row, "tdp_w");
    if (!tdp) continue;
    const std::string key =
        joule::sensors::estimator::normalise_cpu_model(table.text(row, "model"));
    ASSERT_FALSE(key.empty()) << "line " << table.line_of(row);
    tdp_by_key[key].emplace(*tdp, table.line_of(row));
  }
  std::size_t conflicts = 0;
  for (const auto& [key, tdps] : tdp_by_key) {
    if (tdps.size() < 2) continue;
    if (kDeclaredAmbiguous.count(key)) {
      EXPECT_EQ(tdps.size(), 3u) << key;
      continue;
    }
    ++conflicts;
    std::string lines;
    for (const auto& [tdp, line] : tdps)
      lines += " " + std::to_string(tdp) + " W (line " + std::to_string(line) + ")";
    ADD_FAILURE() << "'" << key << "' resolves by row order between" << lines;
  }
  EXPECT_EQ(conflicts, 0u);
}

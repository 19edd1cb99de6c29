// CPU names resolve by the rule for every device name (refdata/names.hpp):
// the exact normalised name, then a family only one TDP answers; rows of one
// exact name that disagree are a declared range, never row order.
#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <set>
#include <string>

#include <gmock/gmock.h>

#include "refdata/csv.hpp"
#include "sensors/estimator.hpp"

using joule::refdata::ReferenceTable;
using joule::sensors::estimator::CoefficientSource;
using joule::sensors::estimator::lookup_cpu_coefficients;
using ::testing::HasSubstr;

namespace {

// The key two names share when the resolver takes them as the same exact
// name: the normalised model's runs of letters and digits ("xeon e5-2680"
// and "xeon e5 2680" are one name; "celeron 2.20" and "celeron 220" two).
std::string exact_key(std::string_view model) {
  std::string key;
  bool in_word = false;
  for (char c : joule::sensors::estimator::normalise_cpu_model(model)) {
    const bool alnum = std::isalnum(static_cast<unsigned char>(c));
    if (alnum && !in_word && !key.empty()) key += ' ';
    if (alnum) key += c;
    in_word = alnum;
  }
  return key;
}

}  // namespace

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
    const std::string key = exact_key(table.text(row, "model"));
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

// The declared variants resolve to their range, named, not to whichever row
// comes first; one clock variant by its full name is exact.
TEST(CpuNames, TheDeclaredAmbiguousNameIsModelledAcrossItsVariants) {
  const auto ranged = lookup_cpu_coefficients(
      {"Intel(R) EP80579 Integrated Processor with Intel(R) QuickAssist Technology", 1, 1});
  ASSERT_EQ(ranged.source, CoefficientSource::tdp_table) << ranged.description;
  EXPECT_DOUBLE_EQ(ranged.max_per_vcpu.watts, (13.0 + 21.0) / 2);
  EXPECT_NEAR(ranged.relative_uncertainty, 0.40 + 8.0 / 34, 1e-12);
  EXPECT_THAT(ranged.description, HasSubstr("TDP 13-21 W"));
  EXPECT_THAT(ranged.description, HasSubstr("600 MHz (13 W"));
  EXPECT_THAT(ranged.description, HasSubstr("1200 MHz (21 W"));

  const auto exact = lookup_cpu_coefficients({"Intel(R) EP80579 Integrated, 600 MHz", 1, 1});
  ASSERT_EQ(exact.source, CoefficientSource::tdp_table) << exact.description;
  EXPECT_DOUBLE_EQ(exact.max_per_vcpu.watts, 11);
  EXPECT_DOUBLE_EQ(exact.relative_uncertainty, 0.40);
}

// A family whose members disagree is refused, as an ambiguous GPU family is:
// "EP80579" alone is nine rows from 11 to 21 W, and "Core i7-12700" must not
// become the i7-12700K by its prefix.
TEST(CpuNames, AFamilyThatDisagreesOrAPrefixIsNotAMatch) {
  const auto family = lookup_cpu_coefficients({"Intel EP80579", 1, 1});
  EXPECT_EQ(family.source, CoefficientSource::generic_default) << family.description;
  const auto i7 = lookup_cpu_coefficients({"12th Gen Intel(R) Core(TM) i7-12700", 1, 20});
  EXPECT_THAT(i7.description, ::testing::Not(HasSubstr("12700K"))) << i7.description;
}

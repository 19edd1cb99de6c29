// The comparison at matched quality: the ratio of two models' medians with a
// bootstrap interval over both models' seeds, the cheapest model per tier,
// the floor under a model that missed a tier, recurrent against dense, and
// the tables the reports print from them.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "bench/analysis.hpp"
#include "bench/report.hpp"

namespace joule::bench {
namespace {

// --- bootstrap_ratio --------------------------------------------------------

TEST(BootstrapRatio, OneValueEachIsTheirRatio) {
  const Interval ratio = bootstrap_ratio({400}, {100});
  EXPECT_DOUBLE_EQ(ratio.median, 4);
  EXPECT_DOUBLE_EQ(ratio.low, 4);
  EXPECT_DOUBLE_EQ(ratio.high, 4);
  EXPECT_EQ(ratio.n, 1u);
}

TEST(BootstrapRatio, AnEmptySideOrAZeroDenominatorIsNoRatio) {
  for (const Interval& ratio : {bootstrap_ratio({}, {1, 2}), bootstrap_ratio({1, 2}, {}),
                                bootstrap_ratio({1}, {0}), bootstrap_ratio({NAN}, {1})}) {
    EXPECT_EQ(ratio.n, 0u);
    EXPECT_TRUE(std::isnan(ratio.median));
  }
}

TEST(BootstrapRatio, RatioOfMediansWithAnIntervalInsideTheExtremes) {
  const std::vector<double> top = {300, 400, 500};
  const std::vector<double> bottom = {90, 100, 120};
  const Interval ratio = bootstrap_ratio(top, bottom);
  EXPECT_DOUBLE_EQ(ratio.median, 4);
  EXPECT_EQ(ratio.n, 3u);
  // Every resampled ratio lies between the smallest numerator over the
  // largest denominator and the largest over the smallest.
  EXPECT_GE(ratio.low, 300.0 / 120);
  EXPECT_LE(ratio.high, 500.0 / 90);
  EXPECT_LT(ratio.low, ratio.median);
  EXPECT_GT(ratio.high, ratio.median);
  // The same draws for the same seed.
  const Interval again = bootstrap_ratio(top, bottom);
  EXPECT_DOUBLE_EQ(again.low, ratio.low);
  EXPECT_DOUBLE_EQ(again.high, ratio.high);
}

TEST(BootstrapRatio, SpreadOnEitherSideWidensTheInterval) {
  const Interval fixed_bottom = bootstrap_ratio({300, 400, 500}, {100, 100, 100});
  const Interval both = bootstrap_ratio({300, 400, 500}, {80, 100, 125});
  EXPECT_GT(both.high - both.low, fixed_bottom.high - fixed_bottom.low);
}

// --- matched_quality ----------------------------------------------------------

TaskInfo fashion() {
  return {"fashion-mnist", "accuracy", Direction::higher_is_better, {0.84, 0.88}, ""};
}

// Point i (from 1) of a curve costs 100 i J and 10 i s.
RunResult run_of(const std::string& model, const std::string& family, std::uint64_t seed,
                 const std::vector<double>& qualities, StopReason stopped_by) {
  RunResult run;
  run.task = "fashion-mnist";
  run.model = model;
  run.family = family;
  run.seed = seed;
  for (std::size_t i = 0; i < qualities.size(); ++i) {
    const double step = static_cast<double>(i + 1);
    run.curve.push_back({0.5 * step, Seconds{10 * step}, Joules{100 * step}, qualities[i]});
  }
  run.final_quality = qualities.back();
  run.training.energy = run.curve.back().energy;
  run.training.duration = run.curve.back().duration;
  run.stopped_by = stopped_by;
  return run;
}

// mlp (dense) meets 0.84 at its first point (100 J) and plateaus below 0.88
// after 300 J; lstm (recurrent) meets 0.84 at 300, 400 and 500 J and 0.88
// at its sixth point (600 J), where it stops.
std::vector<RunResult> hand_made_runs(const std::string& dense_family) {
  std::vector<RunResult> runs;
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    runs.push_back(run_of("mlp", dense_family, seed, {0.85, 0.86, 0.86}, StopReason::plateau));
    std::vector<double> lstm(1 + seed, 0.70);
    lstm.resize(6, 0.85);
    lstm.back() = 0.89;
    runs.push_back(run_of("lstm", "recurrent", seed, lstm, StopReason::last_tier));
  }
  return runs;
}

const MatchedRatio& find_ratio(const std::vector<MatchedRatio>& ratios, const std::string& model,
                               double tier) {
  for (const MatchedRatio& ratio : ratios) {
    if (ratio.model == model && ratio.tier == tier) return ratio;
  }
  throw std::runtime_error("no ratio for " + model);
}

TEST(MatchedQuality, EachModelAgainstTheCheapestToReachTheTier) {
  const TaskSummary summary = summarize(fashion(), hand_made_runs("dense"));
  const auto& against = summary.matched.against_cheapest;
  ASSERT_EQ(against.size(), 2u);  // lstm at 0.84, mlp at 0.88

  const MatchedRatio& lstm = find_ratio(against, "lstm", 0.84);
  EXPECT_EQ(lstm.reference, "mlp");
  ASSERT_TRUE(lstm.energy.has_value());
  EXPECT_DOUBLE_EQ(lstm.energy->median, 4);  // 400 J against 100 J
  EXPECT_GE(lstm.energy->low, 3);
  EXPECT_LE(lstm.energy->high, 5);
  ASSERT_TRUE(lstm.time.has_value());
  EXPECT_DOUBLE_EQ(lstm.time->median, 4);
  EXPECT_EQ(lstm.seeds_reached, 3u);

  // Only the lstm reached 0.88 (at 600 J); the mlp plateaued after 300 J:
  // the model, not the budget, missed, and a floor of 300 / 600 bounds
  // nothing, so there is none.
  const MatchedRatio& mlp = find_ratio(against, "mlp", 0.88);
  EXPECT_EQ(mlp.reference, "lstm");
  EXPECT_FALSE(mlp.energy.has_value());
  EXPECT_FALSE(mlp.energy_floor.has_value());
  EXPECT_EQ(mlp.missed_by_model, 3u);
  EXPECT_EQ(mlp.missed_by_budget, 0u);
}

TEST(MatchedQuality, AModelStoppedShortOfTheTierGetsTheFloorItsEnergyPutsUnderTheRatio) {
  // mlp meets 0.84 at 100 J; gru spends 800 J without meeting it when its
  // time cap stops it: its ratio is at least x8, and the budget stopped it.
  std::vector<RunResult> runs;
  for (std::uint64_t seed = 1; seed <= 2; ++seed) {
    runs.push_back(run_of("mlp", "dense", seed, {0.85, 0.86}, StopReason::plateau));
    runs.push_back(
        run_of("gru", "recurrent", seed, std::vector<double>(8, 0.8), StopReason::time_cap));
  }
  const TaskSummary summary = summarize(fashion(), runs);
  const MatchedRatio& gru = find_ratio(summary.matched.recurrent_against_dense, "gru", 0.84);
  EXPECT_FALSE(gru.energy.has_value());
  ASSERT_TRUE(gru.energy_floor.has_value());
  EXPECT_DOUBLE_EQ(*gru.energy_floor, 8);
  EXPECT_EQ(gru.missed_by_budget, 2u);
  const Table essay = recurrent_dense_table(summary);
  ASSERT_EQ(essay.rows.size(), 2u);
  EXPECT_EQ(essay.rows[1][1], "≥ ×8.00 energy, not reached (budget)");
}

TEST(MatchedQuality, RecurrentAgainstDenseAtTheTiersTheDenseModelReached) {
  const TaskSummary summary = summarize(fashion(), hand_made_runs("dense"));
  const auto& essay = summary.matched.recurrent_against_dense;
  ASSERT_EQ(essay.size(), 1u);
  EXPECT_EQ(essay[0].model, "lstm");
  EXPECT_EQ(essay[0].reference, "mlp");
  EXPECT_DOUBLE_EQ(essay[0].tier, 0.84);
  ASSERT_TRUE(essay[0].energy.has_value());
  EXPECT_DOUBLE_EQ(essay[0].energy->median, 4);
}

TEST(MatchedQuality, NoDenseFamilyNoEssayComparison) {
  const TaskSummary summary = summarize(fashion(), hand_made_runs(""));
  EXPECT_TRUE(summary.matched.recurrent_against_dense.empty());
  EXPECT_EQ(summary.matched.against_cheapest.size(), 2u);
}

TEST(MatchedQuality, NoTierReachedNoComparison) {
  std::vector<RunResult> runs = {run_of("mlp", "dense", 1, {0.5, 0.6}, StopReason::time_cap)};
  const TaskSummary summary = summarize(fashion(), runs);
  EXPECT_TRUE(summary.matched.against_cheapest.empty());
  EXPECT_TRUE(cheapest_ratio_table(summary).rows.size() == 1);
}

TEST(MatchedQuality, TablesNameTheReferenceAndNeverAWorseNumber) {
  const TaskSummary summary = summarize(fashion(), hand_made_runs("dense"));
  const Table cheapest = cheapest_ratio_table(summary);
  ASSERT_EQ(cheapest.rows.size(), 3u);  // header, lstm, mlp
  EXPECT_EQ(cheapest.rows[0][1], "0.84 (against mlp)");
  EXPECT_EQ(cheapest.rows[0][2], "0.88 (against lstm)");
  for (const auto& row : cheapest.rows) {
    if (row[0] == "lstm") {
      EXPECT_EQ(row[1].rfind("×4.00 [", 0), 0u) << row[1];
      EXPECT_NE(row[1].find("energy, ×4.00"), std::string::npos) << row[1];
      EXPECT_EQ(row[2], "the cheapest");
    }
    if (row[0] == "mlp") {
      EXPECT_EQ(row[1], "the cheapest");
      EXPECT_EQ(row[2], "not reached (model)");
    }
  }
  const Table essay = recurrent_dense_table(summary);
  ASSERT_EQ(essay.rows.size(), 2u);
  EXPECT_EQ(essay.rows[1][0], "lstm against mlp");
}

}  // namespace
}  // namespace joule::bench

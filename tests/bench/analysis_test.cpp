// The analysis: energy-to-target on synthetic curves, the bootstrap, the
// Pareto front and the verdict on hand-made result sets, and summarize().
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "bench/analysis.hpp"
#include "bench/results.hpp"

namespace joule::bench {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A curve whose point i has spent (i + 1) x 100 J, (i + 1) x 10 s and
// (i + 1) x 0.5 epochs, so each reach is checked on all three figures.
std::vector<CurvePoint> curve_of(const std::vector<double>& qualities) {
  std::vector<CurvePoint> curve;
  for (std::size_t i = 0; i < qualities.size(); ++i) {
    const double step = static_cast<double>(i + 1);
    curve.push_back({0.5 * step, Seconds{10 * step}, Joules{100 * step}, qualities[i]});
  }
  return curve;
}

// --- energy-to-target -----------------------------------------------------------

TEST(ReachTier, HigherIsBetterFindsTheFirstPointAtOrAboveTheTier) {
  auto curve = curve_of({0.80, 0.85, 0.90, 0.92});
  auto reach = reach_tier(curve, 0.88, Direction::higher_is_better);
  ASSERT_TRUE(reach.has_value());
  // 0.88 is first met by the third point: 300 J, 30 s, 1.5 epochs, not
  // interpolated between 0.85 and 0.90.
  EXPECT_DOUBLE_EQ(reach->energy.joules, 300);
  EXPECT_DOUBLE_EQ(reach->duration.seconds, 30);
  EXPECT_DOUBLE_EQ(reach->epochs, 1.5);
}

TEST(ReachTier, AnExactHitCounts) {
  auto curve = curve_of({0.80, 0.85, 0.90});
  auto reach = reach_tier(curve, 0.85, Direction::higher_is_better);
  ASSERT_TRUE(reach.has_value());
  EXPECT_DOUBLE_EQ(reach->energy.joules, 200);
}

TEST(ReachTier, NeverReachedIsNulloptNotTheLastPoint) {
  auto curve = curve_of({0.80, 0.85, 0.90});
  EXPECT_FALSE(reach_tier(curve, 0.95, Direction::higher_is_better).has_value());
  EXPECT_FALSE(reach_tier({}, 0.5, Direction::higher_is_better).has_value());
}

TEST(ReachTier, FirstCrossingAfterADip) {
  // Climbs to 0.84, dips to 0.80, then crosses 0.85 at the fifth point (500 J).
  auto curve = curve_of({0.82, 0.84, 0.80, 0.84, 0.86, 0.83, 0.90});
  auto reach = reach_tier(curve, 0.85, Direction::higher_is_better);
  ASSERT_TRUE(reach.has_value());
  EXPECT_DOUBLE_EQ(reach->energy.joules, 500);
  EXPECT_DOUBLE_EQ(reach->epochs, 2.5);
}

TEST(ReachTier, ReachedThenLostStillCountsTheFirstReach) {
  // Training could have stopped at the second point (200 J).
  auto curve = curve_of({0.80, 0.86, 0.81, 0.87});
  auto reach = reach_tier(curve, 0.85, Direction::higher_is_better);
  ASSERT_TRUE(reach.has_value());
  EXPECT_DOUBLE_EQ(reach->energy.joules, 200);
}

TEST(ReachTier, LowerIsBetterForBitsPerCharacter) {
  auto curve = curve_of({3.0, 2.5, 2.2, 2.1});
  auto exact = reach_tier(curve, 2.2, Direction::lower_is_better);
  ASSERT_TRUE(exact.has_value());
  EXPECT_DOUBLE_EQ(exact->energy.joules, 300);
  // 2.6 is first met by 2.5 (the 2nd point); 3.0 is above it.
  auto early = reach_tier(curve, 2.6, Direction::lower_is_better);
  ASSERT_TRUE(early.has_value());
  EXPECT_DOUBLE_EQ(early->energy.joules, 200);
  EXPECT_FALSE(reach_tier(curve, 2.0, Direction::lower_is_better).has_value());
  // The direction matters: a tier of 2.4 "higher is better" is met at once.
  auto wrong_way = reach_tier(curve, 2.4, Direction::higher_is_better);
  ASSERT_TRUE(wrong_way.has_value());
  EXPECT_DOUBLE_EQ(wrong_way->energy.joules, 100);
}

TEST(ReachTier, AFailedEvaluationNeverMeetsATier) {
  auto curve = curve_of({kNaN, 0.9});
  auto reach = reach_tier(curve, 0.5, Direction::higher_is_better);
  ASSERT_TRUE(reach.has_value());
  EXPECT_DOUBLE_EQ(reach->energy.joules, 200);
}

TEST(ReachTier, CostsAddWithUncertaintyWeightedByEnergy) {
  Cost total{Joules{100}, Seconds{10}, 0.10, Joules{20}, Seconds{9}, Seconds{1}};
  total += Cost{Joules{300}, Seconds{30}, 0.02, Joules{60}, Seconds{28}, Seconds{2}};
  EXPECT_DOUBLE_EQ(total.energy.joules, 400);
  EXPECT_DOUBLE_EQ(total.duration.seconds, 40);
  EXPECT_DOUBLE_EQ(total.idle_energy.joules, 80);
  EXPECT_DOUBLE_EQ(total.self_cpu_time.seconds, 37);
  EXPECT_DOUBLE_EQ(total.other_cpu_time.seconds, 3);
  // (0.10 x 100 + 0.02 x 300) / 400 = 16 / 400 = 0.04
  EXPECT_DOUBLE_EQ(total.relative_uncertainty, 0.04);
}

// --- bootstrap ----------------------------------------------------------------------

TEST(Bootstrap, OneValueIsItsOwnInterval) {
  Interval interval = bootstrap_median({4.2});
  EXPECT_EQ(interval.n, 1u);
  EXPECT_DOUBLE_EQ(interval.median, 4.2);
  EXPECT_DOUBLE_EQ(interval.low, 4.2);
  EXPECT_DOUBLE_EQ(interval.high, 4.2);
}

TEST(Bootstrap, NoValuesGiveNaNAndZeroCount) {
  Interval interval = bootstrap_median({});
  EXPECT_EQ(interval.n, 0u);
  EXPECT_TRUE(std::isnan(interval.median));
  EXPECT_TRUE(std::isnan(interval.low));
  EXPECT_TRUE(std::isnan(interval.high));
}

TEST(Bootstrap, MedianOfAnEvenCountIsTheMeanOfTheMiddleTwo) {
  EXPECT_DOUBLE_EQ(bootstrap_median({10, 1, 3, 2}).median, 2.5);
  EXPECT_DOUBLE_EQ(bootstrap_median({5, 1, 9}).median, 5);
}

TEST(Bootstrap, NaNValuesAreLeftOut) {
  Interval interval = bootstrap_median({1, kNaN, 3});
  EXPECT_EQ(interval.n, 2u);
  EXPECT_DOUBLE_EQ(interval.median, 2);
}

TEST(Bootstrap, DeterministicForASeed) {
  const std::vector<double> values = {3.1, 2.7, 5.5, 4.0, 3.3, 6.1, 2.2, 4.8};
  Interval a = bootstrap_median(values, 500, 42);
  Interval b = bootstrap_median(values, 500, 42);
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.high, b.high);
  Interval other = bootstrap_median(values, 500, 43);
  EXPECT_EQ(other.median, a.median);  // the median itself does not depend on the seed
  EXPECT_TRUE(other.low != a.low || other.high != a.high);
}

TEST(Bootstrap, IntervalBracketsTheMedianInsideTheSampleRange) {
  const std::vector<std::vector<double>> samples = {
      {1, 2}, {1, 2, 100}, {5, 5, 5, 6}, {0.3, 0.1, 0.9, 0.4, 0.7, 0.2}, {-4, 8, 1, 1, 3}};
  for (const auto& sample : samples) {
    Interval interval = bootstrap_median(sample);
    const auto [lo, hi] = std::minmax_element(sample.begin(), sample.end());
    EXPECT_LE(interval.low, interval.median);
    EXPECT_GE(interval.high, interval.median);
    EXPECT_GE(interval.low, *lo);
    EXPECT_LE(interval.high, *hi);
  }
}

TEST(Bootstrap, ContainsTheTrueMedianOfASymmetricSample) {
  // 10 and 10 +- k for k = 1..10: symmetric about 10, spread enough that the
  // interval has width on both sides.
  std::vector<double> values = {10};
  for (int k = 1; k <= 10; ++k) {
    values.push_back(10 + k);
    values.push_back(10 - k);
  }
  Interval interval = bootstrap_median(values);
  EXPECT_DOUBLE_EQ(interval.median, 10);
  EXPECT_LT(interval.low, 10);
  EXPECT_GT(interval.high, 10);
  // And it is an interval about the median, not the sample's range.
  EXPECT_GT(interval.low, 0);
  EXPECT_LT(interval.high, 20);
}

TEST(Bootstrap, IntervalIsTheMiddle95PercentOfResampledMedians) {
  // 1..101: a resample's median is <= k exactly when at least 51 of the 101
  // draws are <= k, i.e. P(Binomial(101, k/101) >= 51). That is 2.5% near
  // k = 41 (101p + 1.96 sqrt(101 p (1 - p)) = 50.5 gives 101p ~ 40.7) and,
  // by symmetry, 97.5% near k = 61. The extremes of 2000 resamples lie much
  // further out (~3.5 standard deviations of 5: about 33 and 69).
  std::vector<double> values;
  for (int i = 1; i <= 101; ++i) values.push_back(i);
  Interval interval = bootstrap_median(values);
  EXPECT_DOUBLE_EQ(interval.median, 51);
  EXPECT_GE(interval.low, 38);
  EXPECT_LE(interval.low, 44);
  EXPECT_GE(interval.high, 58);
  EXPECT_LE(interval.high, 64);
}

// --- Pareto front ----------------------------------------------------------------------

TEST(Pareto, HandMadeFrontHigherIsBetter) {
  const std::vector<QualityEnergy> points = {
      {0.90, 1000},  // 0 a: front
      {0.85, 100},   // 1 b: front
      {0.80, 200},   // 2 c: dominated by b (better and cheaper)
      {0.92, 5000},  // 3 d: front, the most accurate
      {0.90, 2000},  // 4 e: dominated by a (same quality, dearer)
      {0.70, 50},    // 5 f: front, the cheapest
  };
  // Sorted by energy: f (50), b (100), a (1000), d (5000).
  EXPECT_EQ(pareto_front(points, Direction::higher_is_better),
            (std::vector<std::size_t>{5, 1, 0, 3}));
}

TEST(Pareto, LowerIsBetterFlipsQuality) {
  const std::vector<QualityEnergy> points = {
      {2.0, 100},  // 0: front (cheapest)
      {1.8, 300},  // 1: front (best)
      {1.9, 400},  // 2: dominated by 1
  };
  EXPECT_EQ(pareto_front(points, Direction::lower_is_better), (std::vector<std::size_t>{0, 1}));
  // Read as higher-is-better, 0 (2.0 at 100 J) dominates both others.
  EXPECT_EQ(pareto_front(points, Direction::higher_is_better), (std::vector<std::size_t>{0}));
}

TEST(Pareto, ExactDuplicatesKeepTheFirst) {
  const std::vector<QualityEnergy> points = {{0.5, 10}, {0.9, 100}, {0.9, 100}};
  EXPECT_EQ(pareto_front(points, Direction::higher_is_better), (std::vector<std::size_t>{0, 1}));
}

TEST(Pareto, MissingFiguresAreNeverOnTheFront) {
  const std::vector<QualityEnergy> points = {{kNaN, 1}, {0.8, 100}, {0.99, kNaN}};
  EXPECT_EQ(pareto_front(points, Direction::higher_is_better), (std::vector<std::size_t>{1}));
  EXPECT_TRUE(pareto_front({}, Direction::higher_is_better).empty());
}

// --- verdict -------------------------------------------------------------------------------

ModelSummary model_at(const std::string& name, double quality, double joules) {
  ModelSummary model;
  model.model = name;
  model.seeds = 1;
  model.quality = {quality, quality, quality, 1};
  model.training_joules = {joules, joules, joules, 1};
  return model;
}

TaskInfo fashion() {
  return {"fashion-mnist", "accuracy", Direction::higher_is_better, {0.84, 0.88, 0.91}, ""};
}

TaskInfo austen() {
  return {"austen-chars", "bits/char", Direction::lower_is_better, {2.3, 2.07}, "n-gram"};
}

TEST(Verdict, HandMadeSetHigherIsBetter) {
  // Best: cnn 0.902. Within 1%: >= 0.902 - 0.00902 = 0.89298, so mlp (0.895)
  // and lstm (0.898) qualify and logreg (0.842) does not. The cheapest of
  // those is mlp at 270 J; cnn used 10,000 J: N = 10000 / 270 = 37.04.
  std::vector<ModelSummary> models = {model_at("logreg", 0.842, 50), model_at("mlp", 0.895, 270),
                                      model_at("cnn", 0.902, 10000),
                                      model_at("lstm", 0.898, 20000)};
  EXPECT_EQ(verdict(fashion(), models),
            "On fashion-mnist the cheapest model within 1% of the best, mlp, reaches 0.895 "
            "accuracy at 1/37 of the energy of the most accurate one, cnn (0.902).");
}

TierSummary reached(double tier, double joules) {
  TierSummary summary;
  summary.tier = tier;
  summary.seeds_reached = 1;
  summary.joules = Interval{joules, joules, joules, 1};
  return summary;
}

TEST(TierContrast, CheapestAgainstDearestAtTheEasiestTierTwoModelsReached) {
  // 0.84: logreg 4.4 J, lstm 366 J, mlp 11.4 J -> 366 / 4.4 = 83.2 -> "1/83".
  // 0.88 was reached by cnn alone, so it is not the tier compared.
  ModelSummary logreg = model_at("logreg", 0.843, 10);
  logreg.tiers = {reached(0.84, 4.4), TierSummary{0.88}, TierSummary{0.91}};
  ModelSummary lstm = model_at("lstm", 0.854, 425);
  lstm.tiers = {reached(0.84, 366), TierSummary{0.88}, TierSummary{0.91}};
  ModelSummary mlp = model_at("mlp", 0.846, 37);
  mlp.tiers = {reached(0.84, 11.4), TierSummary{0.88}, TierSummary{0.91}};
  EXPECT_EQ(tier_contrast(fashion(), {logreg, lstm, mlp}),
            "To reach 0.840 accuracy, logreg needs 4.40 J, 1/83 of the energy of lstm (366 J).");
}

TEST(TierContrast, SkipsTiersFewerThanTwoModelsReached) {
  ModelSummary cnn = model_at("cnn", 0.885, 213);
  cnn.tiers = {TierSummary{0.84}, reached(0.88, 122), TierSummary{0.91}};
  ModelSummary vit = model_at("vit", 0.835, 413);
  vit.tiers = {TierSummary{0.84}, TierSummary{0.88}, TierSummary{0.91}};
  EXPECT_EQ(tier_contrast(fashion(), {cnn, vit}), "");
  EXPECT_EQ(tier_contrast(fashion(), {}), "");
}

TEST(Verdict, HandMadeSetLowerIsBetter) {
  // Best: lstm 1.95 bits/char. Within 1%: <= 1.95 x 1.01 = 1.9695, so the
  // transformer (1.96) qualifies and mlp (2.10) does not. N = 60000 / 12000 = 5.
  std::vector<ModelSummary> models = {model_at("ngram", 2.30, 40), model_at("mlp", 2.10, 3000),
                                      model_at("lstm", 1.95, 60000),
                                      model_at("transformer", 1.96, 12000)};
  EXPECT_EQ(verdict(austen(), models),
            "On austen-chars the cheapest model within 1% of the best, transformer, reaches 1.960 "
            "bits/char at 1/5 of the energy of the most accurate one, lstm (1.950).");
}

TEST(Verdict, JustOutsideOnePercentIsNotCheapest) {
  // 0.9 x 0.99 = 0.891; 0.8909 is outside, so the only candidate is the best.
  std::vector<ModelSummary> models = {model_at("mlp", 0.8909, 10), model_at("cnn", 0.9, 1000)};
  EXPECT_NE(verdict(fashion(), models)
                .find("most accurate model, cnn (0.900 accuracy), is also "
                      "the cheapest within 1% of the best"),
            std::string::npos);
}

TEST(Verdict, SmallRatiosReadPlainly) {
  // 1000 / 800 = 1.25: "80% of the energy"; 1000 / 980 < 1.05: "about the same".
  std::vector<ModelSummary> models = {model_at("mlp", 0.899, 800), model_at("cnn", 0.9, 1000)};
  EXPECT_NE(verdict(fashion(), models).find("at 80% of the energy of the most accurate one, cnn"),
            std::string::npos)
      << verdict(fashion(), models);
  models[0].training_joules.median = 980;
  EXPECT_NE(verdict(fashion(), models).find("at about the same energy as the most accurate one"),
            std::string::npos)
      << verdict(fashion(), models);
  // 1000 / 400 = 2.5: "1/2.5".
  models[0].training_joules.median = 400;
  EXPECT_NE(verdict(fashion(), models).find("at 1/2.5 of the energy"), std::string::npos)
      << verdict(fashion(), models);
}

TEST(Verdict, NothingOrOneModel) {
  EXPECT_NE(verdict(fashion(), {}).find("nothing to compare"), std::string::npos);
  EXPECT_NE(verdict(fashion(), {model_at("mlp", kNaN, 10)}).find("nothing to compare"),
            std::string::npos);
  const std::string one = verdict(fashion(), {model_at("mlp", 0.88, 10)});
  EXPECT_NE(one.find("only mlp"), std::string::npos) << one;
}

// --- summarize ------------------------------------------------------------------------------

InferenceResult inference(const std::string& variant, const std::string& baseline, int batch,
                          double j_per_1000, double latency_ms) {
  InferenceResult result;
  result.variant = variant;
  result.baseline = baseline;
  result.batch = batch;
  result.energy_per_1000 = Joules{j_per_1000};
  result.latency_ms = latency_ms;
  return result;
}

RunResult run_of(const std::string& model, std::uint64_t seed, std::vector<double> qualities,
                 double joules) {
  RunResult run;
  run.task = "fashion-mnist";
  run.model = model;
  run.seed = seed;
  run.parameters = 1000;
  run.curve = curve_of(qualities);
  run.final_quality = qualities.back();
  run.training.energy = Joules{joules};
  run.training.duration = Seconds{joules / 10};
  run.training.idle_energy = Joules{joules / 4};
  return run;
}

const ModelSummary& find_model(const TaskSummary& summary, const std::string& name) {
  for (const ModelSummary& model : summary.models) {
    if (model.model == name) return model;
  }
  throw std::runtime_error("no model " + name);
}

TEST(AnalysisSummarize, TiersNotReachedAndPartialSeeds) {
  // mlp: seeds reach 0.88 at the 3rd (300 J) and 5th (500 J) point; seed 3
  // never does. None reaches 0.91.
  std::vector<RunResult> runs = {
      run_of("mlp", 1, {0.80, 0.85, 0.89}, 1000),
      run_of("mlp", 2, {0.80, 0.85, 0.86, 0.87, 0.885}, 1100),
      run_of("mlp", 3, {0.80, 0.86, 0.87}, 1200),
  };
  TaskSummary summary = summarize(fashion(), runs);
  ASSERT_EQ(summary.models.size(), 1u);
  const ModelSummary& mlp = summary.models[0];
  EXPECT_EQ(mlp.seeds, 3u);
  ASSERT_EQ(mlp.tiers.size(), 3u);
  // 0.84: every seed at its 2nd point, 200 J.
  EXPECT_EQ(mlp.tiers[0].seeds_reached, 3u);
  EXPECT_DOUBLE_EQ(mlp.tiers[0].joules->median, 200);
  // 0.88: two seeds; median of {300, 500} = 400, never the third seed's 1200 J.
  EXPECT_EQ(mlp.tiers[1].seeds_reached, 2u);
  ASSERT_TRUE(mlp.tiers[1].joules.has_value());
  EXPECT_DOUBLE_EQ(mlp.tiers[1].joules->median, 400);
  EXPECT_EQ(mlp.tiers[1].joules->n, 2u);
  EXPECT_DOUBLE_EQ(mlp.tiers[1].seconds->median, 40);
  EXPECT_DOUBLE_EQ(mlp.tiers[1].epochs->median, 2);
  EXPECT_GE(mlp.tiers[1].joules->low, 300);
  EXPECT_LE(mlp.tiers[1].joules->high, 500);
  // 0.91: nobody.
  EXPECT_EQ(mlp.tiers[2].seeds_reached, 0u);
  EXPECT_FALSE(mlp.tiers[2].joules.has_value());
  EXPECT_FALSE(mlp.tiers[2].seconds.has_value());
  // Medians over seeds: quality {0.89, 0.885, 0.87} -> 0.885; energy 1100 J;
  // idle share is a quarter in every run.
  EXPECT_DOUBLE_EQ(mlp.quality.median, 0.885);
  EXPECT_DOUBLE_EQ(mlp.training_joules.median, 1100);
  EXPECT_DOUBLE_EQ(mlp.training_seconds.median, 110);
  EXPECT_DOUBLE_EQ(mlp.idle_share, 0.25);
  EXPECT_DOUBLE_EQ(mlp.parameters, 1000);
}

TEST(AnalysisSummarize, RanksOnTotalTrainingEnergyThenQuality) {
  std::vector<RunResult> runs = {
      run_of("cnn", 1, {0.90}, 9000),     run_of("logreg", 1, {0.84}, 100),
      run_of("mlp", 1, {0.88}, 500),      run_of("twin", 1, {0.89}, 500),
      run_of("other-task", 1, {0.99}, 1),
  };
  runs.back().task = "austen-chars";  // ignored: another task
  TaskSummary summary = summarize(fashion(), runs);
  ASSERT_EQ(summary.models.size(), 4u);
  // 100 J, then the two at 500 J with the better quality (twin 0.89) first, then 9000 J.
  EXPECT_EQ(summary.models[0].model, "logreg");
  EXPECT_EQ(summary.models[1].model, "twin");
  EXPECT_EQ(summary.models[2].model, "mlp");
  EXPECT_EQ(summary.models[3].model, "cnn");
  // Front: logreg (0.84, 100), twin (0.89, 500), cnn (0.90, 9000); mlp is
  // dominated by twin (same energy, lower quality).
  EXPECT_EQ(summary.pareto, (std::vector<std::size_t>{0, 1, 3}));
  // 0.90 x 0.99 = 0.891: only cnn qualifies, so it is also the cheapest.
  EXPECT_NE(summary.sentence.find("most accurate model, cnn"), std::string::npos)
      << summary.sentence;
}

TEST(AnalysisSummarize, DefaultInferenceAndVariantRatios) {
  std::vector<RunResult> runs;
  // Per seed s (1..3): default J/1000 at batch 1 is 10 s, threads=1 costs
  // 2, 3, 2.5 times as much; latency ratio 1.5 throughout.
  const double energy_ratios[] = {2.0, 3.0, 2.5};
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    RunResult run = run_of("cnn", seed, {0.9}, 1000);
    const double base = 10.0 * static_cast<double>(seed);
    run.inference.push_back(inference("default", "", 1, base, 2.0));
    run.inference.push_back(inference("default", "", 64, base / 4, 8.0));
    run.inference.push_back(inference("default", "", 256, base / 8, 20.0));
    run.inference.push_back(
        inference("threads=1", "default", 1, base * energy_ratios[seed - 1], 3.0));
    // At 256, against default at 256: 0.5 and 0.5 latency.
    run.inference.push_back(inference("channels-last", "default", 256, base / 16, 10.0));
    // The baseline never ran at 32: compared with its largest batch, 256.
    run.inference.push_back(inference("batch=32", "default", 32, base / 5, 4.0));
    // A supported variant whose measurement failed in seed 2 only: the
    // ratio comes from the other two seeds, (base / 2) / base = 0.5.
    run.inference.push_back(
        inference("torchscript", "default", 1, seed == 2 ? kNaN : base / 2, 1.0));
    InferenceResult bf16 = inference("bfloat16", "default", 1, kNaN, kNaN);
    bf16.supported = false;
    bf16.note = "no native bfloat16 on this CPU";
    run.inference.push_back(bf16);
    runs.push_back(run);
  }
  TaskSummary summary = summarize(fashion(), runs);
  const ModelSummary& cnn = find_model(summary, "cnn");
  ASSERT_TRUE(cnn.inference_batch1_j_per_1000.has_value());
  EXPECT_DOUBLE_EQ(cnn.inference_batch1_j_per_1000->median, 20);  // {10, 20, 30}
  ASSERT_TRUE(cnn.inference_batch_j_per_1000.has_value());
  EXPECT_EQ(cnn.large_batch, 256);                                // the largest default batch
  EXPECT_DOUBLE_EQ(cnn.inference_batch_j_per_1000->median, 2.5);  // {1.25, 2.5, 3.75}
  EXPECT_DOUBLE_EQ(cnn.latency_batch1_ms->median, 2);

  ASSERT_EQ(cnn.variants.size(), 5u);
  const auto& threads = cnn.variants[0];
  EXPECT_EQ(threads.variant, "threads=1");
  EXPECT_EQ(threads.baseline, "default");
  EXPECT_EQ(threads.batch, 1);
  EXPECT_TRUE(threads.supported);
  EXPECT_DOUBLE_EQ(threads.energy_ratio, 2.5);  // median of {2, 3, 2.5}
  EXPECT_DOUBLE_EQ(threads.latency_ratio, 1.5);
  EXPECT_EQ(threads.n, 3u);
  const auto& layout = cnn.variants[1];
  EXPECT_EQ(layout.variant, "channels-last");
  EXPECT_EQ(layout.batch, 256);
  EXPECT_DOUBLE_EQ(layout.energy_ratio, 0.5);  // (base / 16) / (base / 8)
  EXPECT_DOUBLE_EQ(layout.latency_ratio, 0.5);
  const auto& batch = cnn.variants[2];
  EXPECT_EQ(batch.batch, 32);
  EXPECT_EQ(batch.baseline_batch, 256);
  EXPECT_DOUBLE_EQ(batch.energy_ratio, 1.6);   // (base / 5) / (base / 8), against batch 256
  EXPECT_DOUBLE_EQ(batch.latency_ratio, 0.2);  // 4 / 20
  EXPECT_EQ(threads.baseline_batch, 1);
  const auto& script = cnn.variants[3];
  EXPECT_EQ(script.variant, "torchscript");
  EXPECT_EQ(script.n, 2u);
  EXPECT_DOUBLE_EQ(script.energy_ratio, 0.5);
  EXPECT_DOUBLE_EQ(script.latency_ratio, 0.5);
  const auto& bf16 = cnn.variants[4];
  EXPECT_EQ(bf16.variant, "bfloat16");
  EXPECT_FALSE(bf16.supported);
  EXPECT_EQ(bf16.note, "no native bfloat16 on this CPU");
  EXPECT_EQ(bf16.n, 0u);
  EXPECT_TRUE(std::isnan(bf16.energy_ratio));
}

TEST(AnalysisSummarize, OnlyBatchOneLeavesTheLargeBatchEmpty) {
  RunResult run = run_of("mlp", 1, {0.9}, 1000);
  run.inference.push_back(inference("default", "", 1, 5, 1));
  TaskSummary summary = summarize(fashion(), {run});
  EXPECT_TRUE(summary.models[0].inference_batch1_j_per_1000.has_value());
  EXPECT_FALSE(summary.models[0].inference_batch_j_per_1000.has_value());
  EXPECT_EQ(summary.models[0].large_batch, 0);
}

TEST(AnalysisSummarize, DisturbedRunsAreFlaggedNotPublished) {
  std::vector<RunResult> runs = {run_of("mlp", 1, {0.88}, 1000), run_of("mlp", 2, {0.89}, 1200),
                                 run_of("mlp", 3, {0.50}, 99999)};
  runs[2].disturbed = true;
  runs.push_back(run_of("lstm", 1, {0.87}, 5000));
  runs.back().disturbed = true;
  TaskSummary summary = summarize(fashion(), runs);
  const ModelSummary& mlp = find_model(summary, "mlp");
  EXPECT_EQ(mlp.seeds, 2u);
  EXPECT_EQ(mlp.disturbed_runs, 1u);
  EXPECT_FALSE(mlp.figures_disturbed);
  EXPECT_DOUBLE_EQ(mlp.training_joules.median, 1100);  // {1000, 1200}, not the disturbed 99999
  // Every lstm run was disturbed: its figures are kept, and marked.
  const ModelSummary& lstm = find_model(summary, "lstm");
  EXPECT_EQ(lstm.seeds, 1u);
  EXPECT_EQ(lstm.disturbed_runs, 1u);
  EXPECT_TRUE(lstm.figures_disturbed);
  EXPECT_DOUBLE_EQ(lstm.training_joules.median, 5000);
}

TEST(AnalysisSummarize, LowerIsBetterTask) {
  TaskInfo task = austen();
  std::vector<RunResult> runs = {run_of("ngram", 1, {2.5, 2.3}, 40),
                                 run_of("lstm", 1, {2.6, 2.2, 2.05}, 60000)};
  for (RunResult& run : runs) run.task = task.name;
  TaskSummary summary = summarize(task, runs);
  ASSERT_EQ(summary.models.size(), 2u);
  EXPECT_EQ(summary.models[0].model, "ngram");
  // ngram reaches 2.3 at its 2nd point; lstm at its 2nd (2.2), and 2.07 at its 3rd.
  EXPECT_DOUBLE_EQ(summary.models[0].tiers[0].joules->median, 200);
  EXPECT_EQ(summary.models[0].tiers[1].seeds_reached, 0u);
  EXPECT_DOUBLE_EQ(summary.models[1].tiers[0].joules->median, 200);
  EXPECT_DOUBLE_EQ(summary.models[1].tiers[1].joules->median, 300);
  EXPECT_EQ(summary.pareto, (std::vector<std::size_t>{0, 1}));
}

}  // namespace
}  // namespace joule::bench

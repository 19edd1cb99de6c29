// The fair comparison in the reports: validation beside test, the tuning
// column, who stopped a model that missed a tier, each piece's machine and
// wall time, and results.json's format versions (old files still read, newer
// ones refused).
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "bench/analysis.hpp"
#include "bench/report.hpp"
#include "bench/results_io.hpp"
#include "joule/format.hpp"
#include "support/files.hpp"

namespace joule::bench {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

TaskInfo fashion() {
  return {"fashion-mnist", "accuracy", Direction::higher_is_better, {0.84, 0.9}, "test tiers"};
}

// A run whose validation curve climbs to `validation`, scored `test` on test.
RunResult run_of(const std::string& model, std::uint64_t seed, double validation, double test,
                 StopReason stopped_by) {
  RunResult run;
  run.task = "fashion-mnist";
  run.model = model;
  run.seed = seed;
  run.curve = {{1, Seconds{5}, Joules{50}, validation - 0.02},
               {2, Seconds{10}, Joules{100}, validation}};
  run.training.energy = Joules{100};
  run.training.duration = Seconds{10};
  run.final_quality = validation;
  run.test_quality = test;
  run.stopped_by = stopped_by;
  run.machine = "alpha (Test CPU, 2 logical cores)";
  run.wall_duration = Seconds{75};
  return run;
}

void add_tuning(RunResult& run, double other_joules) {
  run.tuning_trials = {{0.5e-3, run.final_quality - 0.01, {}, StopReason::epoch_cap, false},
                       {1e-3, run.final_quality, run.training, run.stopped_by, true}};
  run.tuning_trials[0].training.energy = Joules{other_joules};
  run.tuning.energy = Joules{other_joules};
}

const ModelSummary& model_named(const TaskSummary& summary, const std::string& name) {
  for (const ModelSummary& model : summary.models) {
    if (model.model == name) return model;
  }
  throw std::runtime_error("no model " + name);
}

std::size_t column(const Table& table, const std::string& header) {
  const auto& row = table.rows.front();
  return static_cast<std::size_t>(std::find(row.begin(), row.end(), header) - row.begin());
}

TEST(FairReport, ValidationAndTestAreReportedSideBySide) {
  const std::vector<RunResult> runs = {run_of("mlp", 1, 0.88, 0.87, StopReason::epoch_cap),
                                       run_of("mlp", 2, 0.89, 0.86, StopReason::epoch_cap)};
  const TaskSummary summary = summarize(fashion(), runs);
  const ModelSummary& mlp = model_named(summary, "mlp");
  EXPECT_DOUBLE_EQ(mlp.quality.median, 0.885);
  EXPECT_DOUBLE_EQ(mlp.test_quality.median, 0.865);

  const Table table = summary_table(summary);
  const std::size_t validation = column(table, "accuracy");
  const std::size_t test = column(table, "test accuracy");
  ASSERT_LT(test, table.rows.front().size());
  EXPECT_EQ(test, validation + 1);
  EXPECT_THAT(table.rows[1][validation], HasSubstr("0.885"));
  EXPECT_THAT(table.rows[1][test], HasSubstr("0.865"));

  const std::string markdown = markdown_report({summary}, {}, "");
  EXPECT_THAT(markdown, HasSubstr("on the validation split"));
  EXPECT_THAT(markdown, HasSubstr("scores the same networks once, at the end"));
  const nlohmann::json json = to_json(summary);
  EXPECT_DOUBLE_EQ(json["models"][0]["test_quality"]["median"].get<double>(), 0.865);
}

TEST(FairReport, TuningEnergyIsItsOwnColumnOnlyWhenModelsWereTuned) {
  std::vector<RunResult> runs = {run_of("mlp", 1, 0.88, 0.87, StopReason::epoch_cap),
                                 run_of("cnn", 1, 0.91, 0.9, StopReason::last_tier)};
  const Table untuned = summary_table(summarize(fashion(), runs));
  EXPECT_EQ(column(untuned, "tuning energy"), untuned.rows.front().size());
  EXPECT_THAT(markdown_report({summarize(fashion(), runs)}, {}, ""), HasSubstr("No tuning"));

  add_tuning(runs[0], 250);
  add_tuning(runs[1], 2000);
  const TaskSummary summary = summarize(fashion(), runs);
  ASSERT_TRUE(model_named(summary, "mlp").tuning_joules.has_value());
  EXPECT_DOUBLE_EQ(model_named(summary, "mlp").tuning_joules->median, 250);
  const Table tuned = summary_table(summary);
  const std::size_t tuning = column(tuned, "tuning energy");
  ASSERT_LT(tuning, tuned.rows.front().size());
  EXPECT_EQ(tuning, column(tuned, "train time") + 1);
  for (std::size_t r = 1; r < tuned.rows.size(); ++r) {
    const bool mlp = tuned.rows[r][1].rfind("mlp", 0) == 0;
    EXPECT_EQ(tuned.rows[r][tuning], mlp ? "250 J" : "2.00 kJ") << tuned.rows[r][1];
  }
  EXPECT_THAT(markdown_report({summary}, {}, ""), HasSubstr("0.5x, 1x, 2x"));
  for (const auto& model : to_json(summary)["models"]) {
    EXPECT_DOUBLE_EQ(model["tuning_joules"]["median"].get<double>(),
                     model["model"] == "mlp" ? 250 : 2000);
  }
}

TEST(FairReport, AMissedTierSaysWhetherTheBudgetOrTheModelStoppedIt) {
  const std::vector<RunResult> runs = {
      run_of("lstm", 1, 0.86, 0.85, StopReason::time_cap),  // still improving at the cap
      run_of("logreg", 1, 0.85, 0.84, StopReason::plateau),
      run_of("gru", 1, 0.86, 0.85, StopReason::time_cap),
      run_of("gru", 2, 0.86, 0.85, StopReason::plateau),
  };
  const TaskSummary summary = summarize(fashion(), runs);
  const TierSummary& lstm = model_named(summary, "lstm").tiers[1];
  EXPECT_EQ(lstm.missed_by_budget, 1u);
  EXPECT_EQ(lstm.missed_by_model, 0u);
  const Table table = summary_table(summary);
  const std::size_t hardest = column(table, "energy to 0.9");
  for (std::size_t r = 1; r < table.rows.size(); ++r) {
    const std::string& model = table.rows[r][1];
    const std::string& cell = table.rows[r][hardest];
    if (model.rfind("lstm", 0) == 0) {
      EXPECT_EQ(cell, "not reached (budget)");
    } else if (model.rfind("logreg", 0) == 0) {
      EXPECT_EQ(cell, "not reached (model)");
    } else {
      EXPECT_EQ(cell, "not reached (budget 1, model 1)") << model;
    }
  }
  EXPECT_EQ(to_json(summary)["models"][0]["tiers"][1]["missed_by_budget"].is_number(), true);
}

TEST(FairReport, EachPieceHasItsMachineAndWallTime) {
  const std::vector<RunResult> runs = {run_of("mlp", 1, 0.88, 0.87, StopReason::epoch_cap),
                                       run_of("mlp", 2, 0.89, 0.86, StopReason::epoch_cap)};
  const TaskSummary summary = summarize(fashion(), runs);
  const Table pieces = piece_table(summary);
  ASSERT_EQ(pieces.rows.size(), 4u);  // header, two pieces, the total
  EXPECT_EQ(pieces.rows[1][2], "alpha (Test CPU, 2 logical cores)");
  EXPECT_EQ(pieces.rows[1][3], fmt::format("{}", Seconds{75}));
  EXPECT_EQ(pieces.rows[3][3], fmt::format("{}", Seconds{150}));
  EXPECT_THAT(markdown_report({summary}, {}, ""), HasSubstr("### Pieces"));
  EXPECT_DOUBLE_EQ(to_json(runs[0])["wall_seconds"].get<double>(), 75);
  EXPECT_DOUBLE_EQ(to_json(summary)["models"][0]["wall_seconds"]["median"].get<double>(), 75);

  MeasurementSetup mixed;
  mixed.machines = {"alpha", "beta"};
  const std::string markdown = markdown_report({summary}, mixed, "");
  EXPECT_THAT(markdown, HasSubstr("MIXED MACHINES"));
  EXPECT_THAT(terminal_table(summary, mixed), HasSubstr("MIXED MACHINES"));
  EXPECT_THAT(markdown_report({summary}, {}, ""), Not(HasSubstr("MIXED")));
}

class ResultsFormat : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("joule-fair-report-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const nlohmann::json& results) {
    support::write_file_atomically(dir_ / "results.json", results.dump());
  }
  nlohmann::json results_with(const RunResult& run) {
    const TaskSummary summary = summarize(fashion(), {run});
    return {{"provenance", to_json(MeasurementSetup{})},
            {"tasks", nlohmann::json::array({to_json(summary)})},
            {"runs", nlohmann::json::array({to_json(run)})}};
  }
  fs::path dir_;
};

TEST_F(ResultsFormat, Format2RoundTripsTheNewFields) {
  RunResult run = run_of("mlp", 1, 0.88, 0.87, StopReason::plateau);
  add_tuning(run, 250);
  nlohmann::json results = results_with(run);
  results["format_version"] = kResultsFormatVersion;
  write(results);
  const BenchResults read = read_bench_results(dir_);
  ASSERT_EQ(read.runs.size(), 1u);
  EXPECT_DOUBLE_EQ(read.runs[0].test_quality, 0.87);
  EXPECT_EQ(read.runs[0].stopped_by, StopReason::plateau);
  EXPECT_EQ(read.runs[0].tuning_trials.size(), 2u);
  EXPECT_DOUBLE_EQ(read.runs[0].wall_duration.seconds, 75);
  EXPECT_EQ(read.runs[0].machine, "alpha (Test CPU, 2 logical cores)");
}

TEST_F(ResultsFormat, Format1WithoutTheNewFieldsStillReads) {
  nlohmann::json results = results_with(run_of("mlp", 1, 0.88, 0.87, StopReason::epoch_cap));
  for (const char* key :
       {"test_quality", "stopped_by", "learning_rate", "tuning", "machine", "wall_seconds"}) {
    results["runs"][0].erase(key);
  }
  write(results);
  const BenchResults read = read_bench_results(dir_);
  ASSERT_EQ(read.runs.size(), 1u);
  EXPECT_DOUBLE_EQ(read.runs[0].final_quality, 0.88);
  EXPECT_TRUE(std::isnan(read.runs[0].test_quality));
  EXPECT_TRUE(read.runs[0].tuning_trials.empty());
  // Format 1 did not record why training stopped: a missed tier says only that.
  EXPECT_EQ(read.runs[0].stopped_by, StopReason::unknown);
  EXPECT_EQ(summary_table(read.summaries[0]).rows[1].back(), "1");  // seeds
  const Table tiers = tier_table(read.summaries[0]);
  EXPECT_EQ(tiers.rows[1][2], "not reached");
}

TEST_F(ResultsFormat, ANewerFormatOrAnUnknownStopReasonIsRefusedByName) {
  nlohmann::json results = results_with(run_of("mlp", 1, 0.88, 0.87, StopReason::epoch_cap));
  results["format_version"] = kResultsFormatVersion + 1;
  write(results);
  try {
    read_bench_results(dir_);
    FAIL() << "no error";
  } catch (const ResultsError& error) {
    EXPECT_THAT(error.what(), HasSubstr("format_version"));
    EXPECT_THAT(error.what(), HasSubstr("newer joule"));
  }
  results["format_version"] = kResultsFormatVersion;
  results["runs"][0]["stopped_by"] = "tired";
  write(results);
  try {
    read_bench_results(dir_);
    FAIL() << "no error";
  } catch (const ResultsError& error) {
    EXPECT_THAT(error.what(), HasSubstr("runs[0].stopped_by"));
    EXPECT_THAT(error.what(), HasSubstr("'tired'"));
  }
}

}  // namespace
}  // namespace joule::bench

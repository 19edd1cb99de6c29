// A benchmark as resumable pieces: what a resume after a kill runs, --only
// and its errors, the refusal of a directory from another benchmark, and
// merging directories of several machines. No training: pieces are written
// as finished runs, the way the driver writes them.
#include "bench/pieces.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "bench/engine/task.hpp"

namespace joule::bench {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("joule-pieces-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

RunResult finished_run(const std::string& task, const std::string& model, std::uint64_t seed,
                       const std::string& machine = "alpha (Test CPU, 2 logical cores)") {
  RunResult run;
  run.task = task;
  run.model = model;
  run.seed = seed;
  run.final_quality = 0.85;
  run.test_quality = 0.84;
  run.stopped_by = StopReason::time_cap;
  run.learning_rate = 1e-3;
  run.training.energy = Joules{100};
  run.training.duration = Seconds{10};
  run.curve.push_back({1.0, Seconds{10}, Joules{100}, 0.85});
  run.machine = machine;
  run.wall_duration = Seconds{42};
  return run;
}

BenchManifest manifest_for(const std::vector<std::string>& tasks, int seeds) {
  BenchManifest manifest;
  manifest.joule_version = "1.2.3";
  manifest.mode = "full";
  manifest.tasks = tasks;
  manifest.seeds = seeds;
  manifest.order_seed = 7;
  manifest.provenance.host = "Test CPU, 2 logical cores";
  manifest.provenance.mode = "full";
  return manifest;
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const std::exception& error) {
    return error.what();
  }
  return "no error";
}

ResumeRequest same_version() {
  ResumeRequest asked;
  asked.joule_version = "1.2.3";
  asked.known_tasks = task_names();
  return asked;
}

TEST(Pieces, ARunRoundTripsThroughItsPieceFile) {
  TempDir dir;
  RunResult run = finished_run("fashion-mnist", "mlp", 2);
  run.tuning_trials = {{0.5e-3, 0.83, run.training, StopReason::plateau, false},
                       {1e-3, 0.85, run.training, StopReason::time_cap, true}};
  run.tuning.energy = Joules{100};
  write_piece(dir.path(), run);
  EXPECT_TRUE(fs::exists(dir.path() / "pieces" / "fashion-mnist" / "mlp-seed2.json"));

  const std::vector<RunResult> read = read_pieces(dir.path());
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].model, "mlp");
  EXPECT_EQ(read[0].seed, 2u);
  EXPECT_DOUBLE_EQ(read[0].final_quality, 0.85);
  EXPECT_DOUBLE_EQ(read[0].test_quality, 0.84);
  EXPECT_EQ(read[0].stopped_by, StopReason::time_cap);
  EXPECT_EQ(read[0].machine, "alpha (Test CPU, 2 logical cores)");
  EXPECT_DOUBLE_EQ(read[0].wall_duration.seconds, 42);
  ASSERT_EQ(read[0].tuning_trials.size(), 2u);
  EXPECT_EQ(read[0].tuning_trials[0].stopped_by, StopReason::plateau);
  EXPECT_TRUE(read[0].tuning_trials[1].chosen);
  EXPECT_DOUBLE_EQ(read[0].tuning.energy.joules, 100);
}

TEST(Pieces, ResumeAfterAKillRunsOnlyThePiecesWithoutAFile) {
  TempDir dir;
  write_manifest(dir.path(), manifest_for({"fashion-mnist"}, 2));
  // Two pieces finished before the kill; the third was being written when
  // it came, which left only the atomic write's temporary file.
  write_piece(dir.path(), finished_run("fashion-mnist", "logreg", 1));
  write_piece(dir.path(), finished_run("fashion-mnist", "mlp", 2));
  std::ofstream(dir.path() / "pieces" / "fashion-mnist" / "mlp-seed1.json.tmp-999") << "{\"ru";

  const std::vector<RunResult> finished = read_pieces(dir.path());
  ASSERT_EQ(finished.size(), 2u);
  const auto plan = plan_runs({"logreg", "mlp"}, 2, 7, {});
  const auto pending = pending_runs("fashion-mnist", plan, finished, {}, {});
  ASSERT_EQ(pending.size(), 2u);
  std::vector<std::string> left;
  for (const PlannedRun& run : pending) left.push_back(fmt::format("{}/{}", run.model, run.seed));
  EXPECT_THAT(left, ::testing::UnorderedElementsAre("logreg/2", "mlp/1"));
  // In the order the whole plan would have run them.
  std::vector<std::string> planned;
  for (const PlannedRun& run : plan) {
    const std::string name = fmt::format("{}/{}", run.model, run.seed);
    if (name == "logreg/2" || name == "mlp/1") planned.push_back(name);
  }
  EXPECT_EQ(left, planned);

  // Everything finished: nothing left.
  std::vector<RunResult> all = finished;
  all.push_back(finished_run("fashion-mnist", "logreg", 2));
  all.push_back(finished_run("fashion-mnist", "mlp", 1));
  EXPECT_TRUE(pending_runs("fashion-mnist", plan, all, {}, {}).empty());
}

TEST(Pieces, APieceInTheWrongPlaceIsNamed) {
  TempDir dir;
  write_piece(dir.path(), finished_run("fashion-mnist", "mlp", 1));
  fs::rename(dir.path() / "pieces" / "fashion-mnist" / "mlp-seed1.json",
             dir.path() / "pieces" / "fashion-mnist" / "cnn-seed1.json");
  const std::string message = error_of([&] { read_pieces(dir.path()); });
  EXPECT_THAT(message, HasSubstr("cnn-seed1.json"));
  EXPECT_THAT(message, HasSubstr("mlp seed 1"));
}

TEST(Pieces, OnlySelectsPiecesAndTheBaselineRunsFirstWhenTheTiersNeedIt) {
  const std::vector<std::string> tasks = {"fashion-mnist", "austen-chars"};
  const auto only = parse_only({"transformer/2"}, tasks, registered_models(), 3);
  const auto plan = plan_runs({"ngram", "transformer"}, 3, 7, {"ngram"});
  const auto pending = pending_runs("austen-chars", plan, {}, only, {"ngram"});
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].model, "ngram");
  EXPECT_EQ(pending[0].seed, 1u);
  EXPECT_EQ(pending[1].model, "transformer");
  EXPECT_EQ(pending[1].seed, 2u);

  // Once a baseline piece exists, its tiers stand and it is not run again.
  const auto later = pending_runs("austen-chars", plan, {finished_run("austen-chars", "ngram", 1)},
                                  only, {"ngram"});
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].model, "transformer");
}

TEST(Pieces, OnlyTakesModelsSeedsTasksAndCommaLists) {
  const std::vector<std::string> tasks = {"fashion-mnist", "austen-chars"};
  const auto only = parse_only({"cnn,mlp/2", "austen-chars:lstm/1"}, tasks, registered_models(), 3);
  ASSERT_EQ(only.size(), 3u);
  EXPECT_TRUE(selected(only, "fashion-mnist", "cnn", 3));
  EXPECT_TRUE(selected(only, "fashion-mnist", "mlp", 2));
  EXPECT_FALSE(selected(only, "fashion-mnist", "mlp", 1));
  EXPECT_TRUE(selected(only, "austen-chars", "lstm", 1));
  EXPECT_FALSE(selected(only, "fashion-mnist", "lstm", 1));
  EXPECT_FALSE(selected(only, "fashion-mnist", "vit", 1));
  EXPECT_TRUE(selected({}, "fashion-mnist", "vit", 1));  // no --only: everything
}

TEST(Pieces, OnlyRefusesUnknownModelsTasksAndSeeds) {
  const std::vector<std::string> tasks = {"fashion-mnist"};
  const auto& registry = registered_models();
  std::string message = error_of([&] { parse_only({"resnet"}, tasks, registry, 3); });
  EXPECT_THAT(message, HasSubstr("'resnet'"));
  EXPECT_THAT(message, HasSubstr("logreg (fashion-mnist)"));
  // A model of a task that is not run here is unknown here.
  EXPECT_THAT(error_of([&] { parse_only({"ngram"}, tasks, registry, 3); }), HasSubstr("'ngram'"));
  EXPECT_THAT(error_of([&] { parse_only({"imagenet:cnn"}, tasks, registry, 3); }),
              HasSubstr("task 'imagenet'"));
  EXPECT_THAT(error_of([&] { parse_only({"cnn/4"}, tasks, registry, 3); }),
              HasSubstr("seed 4 is not one of this benchmark's seeds 1 to 3"));
  EXPECT_THAT(error_of([&] { parse_only({"cnn/0"}, tasks, registry, 3); }), HasSubstr("seed 0"));
  EXPECT_THAT(error_of([&] { parse_only({"cnn/two"}, tasks, registry, 3); }),
              HasSubstr("'two' is not a seed number"));
  EXPECT_THAT(error_of([&] { parse_only({"cnn,,mlp"}, tasks, registry, 3); }),
              HasSubstr("empty item"));
}

TEST(Pieces, TheManifestRoundTripsAndItsAbsenceIsExplained) {
  TempDir dir;
  EXPECT_THAT(error_of([&] { read_manifest(dir.path()); }), HasSubstr("no bench.json"));
  BenchManifest manifest = manifest_for({"fashion-mnist", "austen-chars"}, 3);
  manifest.models = {"mlp", "ngram"};
  manifest.tiers = {0.8, 0.9};
  write_manifest(dir.path(), manifest);
  const BenchManifest read = read_manifest(dir.path());
  EXPECT_EQ(read.joule_version, "1.2.3");
  EXPECT_EQ(read.mode, "full");
  EXPECT_THAT(read.tasks, ElementsAre("fashion-mnist", "austen-chars"));
  EXPECT_THAT(read.models, ElementsAre("mlp", "ngram"));
  EXPECT_EQ(read.seeds, 3);
  EXPECT_EQ(read.order_seed, 7u);
  EXPECT_THAT(read.tiers, ElementsAre(0.8, 0.9));
  EXPECT_EQ(read.provenance.host, "Test CPU, 2 logical cores");

  std::ofstream(dir.path() / "bench.json") << "{\"format_version\": 2, \"mode\": 3}";
  EXPECT_THAT(error_of([&] { read_manifest(dir.path()); }), HasSubstr("bench.json"));
}

TEST(Pieces, ADirectoryOfAnotherVersionTaskSetOrSeedListIsRefusedWithTheReason) {
  const fs::path dir = "/results/run1";
  const BenchManifest recorded = manifest_for({"fashion-mnist"}, 3);
  EXPECT_EQ(error_of([&] { check_resumable(dir, recorded, same_version()); }), "no error");

  ResumeRequest newer = same_version();
  newer.joule_version = "1.3.0";
  std::string message = error_of([&] { check_resumable(dir, recorded, newer); });
  EXPECT_THAT(message, HasSubstr("/results/run1"));
  EXPECT_THAT(message, HasSubstr("joule 1.2.3, this is joule 1.3.0"));

  ResumeRequest tasks = same_version();
  tasks.tasks = std::vector<std::string>{"fashion-mnist", "austen-chars"};
  EXPECT_THAT(error_of([&] { check_resumable(dir, recorded, tasks); }),
              HasSubstr("its tasks are fashion-mnist, not fashion-mnist, austen-chars"));

  ResumeRequest seeds = same_version();
  seeds.seeds = 5;
  EXPECT_THAT(error_of([&] { check_resumable(dir, recorded, seeds); }),
              HasSubstr("3 seed(s) per model, not 5"));

  ResumeRequest quick = same_version();
  quick.mode = "quick";
  EXPECT_THAT(error_of([&] { check_resumable(dir, recorded, quick); }),
              HasSubstr("full mode benchmark, not quick mode"));

  BenchManifest unknown = recorded;
  unknown.tasks = {"imagenet"};
  EXPECT_THAT(error_of([&] { check_resumable(dir, unknown, same_version()); }),
              HasSubstr("task 'imagenet' is unknown"));
}

TEST(Pieces, MergingJoinsMachinesKeepsTheFirstOfADuplicateAndRefusesOtherVersions) {
  TempDir one;
  TempDir two;
  write_manifest(one.path(), manifest_for({"fashion-mnist"}, 2));
  write_manifest(two.path(), manifest_for({"fashion-mnist", "austen-chars"}, 3));
  write_piece(one.path(), finished_run("fashion-mnist", "mlp", 1, "alpha"));
  write_piece(two.path(), finished_run("fashion-mnist", "mlp", 1, "beta"));
  write_piece(two.path(), finished_run("austen-chars", "ngram", 1, "beta"));
  fs::create_directories(two.path() / "records");
  std::ofstream(two.path() / "records" / "austen-chars-ngram-seed1.json") << "{}";

  const MergedPieces merged = merge_directories({one.path(), two.path()});
  ASSERT_EQ(merged.runs.size(), 2u);
  EXPECT_EQ(merged.runs[0].machine, "alpha");  // the first directory's mlp
  EXPECT_EQ(merged.runs[1].model, "ngram");
  EXPECT_THAT(machines_of(merged.runs), ElementsAre("alpha", "beta"));
  EXPECT_THAT(merged.manifest.tasks, ElementsAre("fashion-mnist", "austen-chars"));
  EXPECT_EQ(merged.manifest.seeds, 3);
  EXPECT_EQ(merged.manifest.merged_from.size(), 2u);
  EXPECT_EQ(merged.record_files.size(), 1u);
  ASSERT_EQ(merged.notes.size(), 1u);
  EXPECT_THAT(merged.notes[0], HasSubstr("mlp seed 1 is in more than one directory"));

  MeasurementSetup provenance;
  provenance.machines = machines_of(merged.runs);
  EXPECT_THAT(mixed_machines_line(provenance), HasSubstr("MIXED MACHINES"));
  EXPECT_THAT(mixed_machines_line(provenance), HasSubstr("alpha; beta"));
  provenance.machines.pop_back();
  EXPECT_EQ(mixed_machines_line(provenance), "");

  BenchManifest other = manifest_for({"fashion-mnist"}, 2);
  other.joule_version = "0.9.0";
  write_manifest(two.path(), other);
  EXPECT_THAT(error_of([&] {
                merge_directories({one.path(), two.path()});
              }),
              HasSubstr("joule version 0.9.0 there, 1.2.3 in " + one.path().string()));
  other = manifest_for({"fashion-mnist"}, 2);
  other.mode = "quick";
  write_manifest(two.path(), other);
  EXPECT_THAT(error_of([&] {
                merge_directories({one.path(), two.path()});
              }),
              HasSubstr("mode quick there, full in"));
  EXPECT_THAT(error_of([&] { merge_directories({one.path() / "nowhere"}); }),
              HasSubstr("no bench.json"));
}

}  // namespace
}  // namespace joule::bench

// `joule bench` end to end: the hand-over to joule-bench, its outputs, its
// ledger records, and its errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "record/json_io.hpp"
#include "record/ledger.hpp"
#include "support/subprocess.hpp"

using joule::testing::run_joule;

namespace {

namespace fs = std::filesystem;

const fs::path kBench = fs::path(JOULE_BINARY_DIR) / "joule-bench";
const fs::path kFashion = "/usr/share/datasets/fashion-mnist";

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class BenchCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kBench)) GTEST_SKIP() << "joule-bench not built (JOULE_BUILD_BENCH=OFF)";
    dir_ = fs::temp_directory_path() / ("joule-bench-cli-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(BenchCommand, ListsTheRegisteredModelsOfBothTasks) {
  auto result = run_joule({"bench", "--list-models"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* name : {"logreg", "cnn", "vit", "ngram", "window-mlp", "transformer"}) {
    EXPECT_NE(result.out.find(name), std::string::npos) << name << "\n" << result.out;
  }
  EXPECT_NE(result.out.find("Hochreiter & Schmidhuber (1997)"), std::string::npos);
}

TEST_F(BenchCommand, AMissingExecutableIsExplained) {
  auto result = run_joule({"bench", "--quick"}, {{"JOULE_BENCH", "/nonexistent/joule-bench"}});
  EXPECT_EQ(result.exit_code, 127);
  EXPECT_NE(result.err.find("/nonexistent/joule-bench"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("libtorch-dev"), std::string::npos) << result.err;
}

TEST_F(BenchCommand, MissingDataNamesThePackage) {
  auto result =
      run_joule({"bench", "--quick", "--models", "logreg", "--no-ledger", "--fashion-mnist",
                 (dir_ / "nowhere").string(), "--out", (dir_ / "out").string()});
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_NE(result.err.find("dataset-fashion-mnist"), std::string::npos) << result.err;
}

TEST_F(BenchCommand, UnknownModelIsRejectedWithTheKnownOnes) {
  auto result = run_joule({"bench", "--models", "resnet", "--no-ledger"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("resnet"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("logreg (fashion-mnist)"), std::string::npos) << result.err;
}

TEST_F(BenchCommand, QuickRunWritesReportsAndOneLedgerRecordPerSeed) {
  if (!fs::exists(kFashion)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const fs::path out = dir_ / "out";
  const fs::path ledger = dir_ / "ledger.sqlite";
  // The records must hold energy, which only a sensor that counts can give:
  // the estimator counts on every machine, where a VM may expose a psys
  // counter that reads 0 (the meter warns of it).
  auto result = run_joule(
      {"bench", "--quick", "--models", "logreg", "--seeds", "2", "--no-variants", "--threads", "1",
       "--order-seed", "5", "--out", out.string(), "--ledger", ledger.string()},
      {{"JOULE_SENSORS", "estimator"}});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("run order seed 5"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("BLAS:"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("1 intra-op thread"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("logreg"), std::string::npos) << result.out;

  const auto json = nlohmann::json::parse(read_file(out / "results.json"));
  ASSERT_EQ(json["runs"].size(), 2u) << json.dump(2);
  for (const auto& run : json["runs"]) {
    EXPECT_EQ(run["model"], "logreg");
    EXPECT_GT(run["final_quality"].get<double>(), 0.5);  // far above chance (0.1)
    EXPECT_FALSE(run["curve"].empty());
  }
  EXPECT_EQ(json["tasks"].size(), 1u);
  const std::string summary = read_file(out / "summary.md");
  EXPECT_NE(summary.find("| logreg"), std::string::npos) << summary;
  const std::string svg = read_file(out / "fashion-mnist-pareto.svg");
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("logreg"), std::string::npos);

  for (const char* seed : {"1", "2"}) {
    const auto record = joule::record::read_json_file(
        out / "records" / (std::string("fashion-mnist-logreg-seed") + seed + ".json"));
    EXPECT_EQ(record.tags.at("seed"), seed);
    EXPECT_EQ(record.tags.at("bench"), "fashion-mnist");
  }

  joule::record::Ledger book(ledger, joule::record::Ledger::Mode::read_only);
  joule::record::LedgerFilter bench_runs;
  bench_runs.tags = {{"bench", "fashion-mnist"}};
  const auto records = book.list(bench_runs);
  ASSERT_EQ(records.size(), 2u);
  std::set<std::string> seeds;
  for (const auto& record : records) {
    EXPECT_EQ(record.tags.at("model"), "logreg");
    EXPECT_GT(record.totals.machine_energy_j, 0);
    EXPECT_FALSE(record.phases.empty());
    seeds.insert(record.tags.at("seed"));
  }
  EXPECT_EQ(seeds, (std::set<std::string>{"1", "2"}));
}

TEST_F(BenchCommand, OnlyAndResumeSplitABenchmarkIntoPieces) {
  if (!fs::exists(kFashion)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const fs::path out = dir_ / "pieces";
  const std::vector<std::string> common = {"--no-ledger", "--no-variants", "--threads", "1"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), common.begin(), common.end());
    return run_joule(args, {{"JOULE_SENSORS", "estimator"}});
  };
  // The first piece only, as if the run had been killed after it.
  auto first = with({"bench", "--quick", "--models", "logreg", "--seeds", "2", "--only", "logreg/1",
                     "--out", out.string()});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_TRUE(fs::exists(out / "bench.json"));
  EXPECT_TRUE(fs::exists(out / "pieces" / "fashion-mnist" / "logreg-seed1.json"));
  EXPECT_FALSE(fs::exists(out / "pieces" / "fashion-mnist" / "logreg-seed2.json"));
  const std::string first_piece = read_file(out / "pieces" / "fashion-mnist" / "logreg-seed1.json");

  // A fresh run into it is refused; a resume with another seed count too.
  auto again = with({"bench", "--quick", "--models", "logreg", "--out", out.string()});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("--resume"), std::string::npos) << again.err;
  auto seeds = with({"bench", "--resume", out.string(), "--seeds", "3"});
  EXPECT_EQ(seeds.exit_code, 2);
  EXPECT_NE(seeds.err.find("2 seed(s) per model, not 3"), std::string::npos) << seeds.err;
  auto unknown = with({"bench", "--resume", out.string(), "--only", "resnet"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("'resnet'"), std::string::npos) << unknown.err;

  // The resume runs the missing piece only and reports on both.
  auto resumed = with({"bench", "--resume", out.string()});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_NE(resumed.out.find("1 piece(s) already finished"), std::string::npos) << resumed.out;
  EXPECT_EQ(read_file(out / "pieces" / "fashion-mnist" / "logreg-seed1.json"), first_piece);
  const auto json = nlohmann::json::parse(read_file(out / "results.json"));
  EXPECT_EQ(json["format_version"], 2);
  ASSERT_EQ(json["runs"].size(), 2u);
  for (const auto& run : json["runs"]) {
    EXPECT_GT(run["test_quality"].get<double>(), 0.5);
    EXPECT_GT(run["wall_seconds"].get<double>(), 0);
    EXPECT_FALSE(run["machine"].get<std::string>().empty());
  }
  const std::string summary = read_file(out / "summary.md");
  EXPECT_NE(summary.find("test accuracy"), std::string::npos) << summary;
  EXPECT_NE(summary.find("No tuning"), std::string::npos) << summary;
  EXPECT_NE(summary.find("### Pieces"), std::string::npos) << summary;

  // Merging it with itself keeps each piece once, on one machine.
  auto merged =
      with({"bench", "--merge", out.string(), out.string(), "--out", (dir_ / "merged").string()});
  ASSERT_EQ(merged.exit_code, 0) << merged.out << merged.err;
  EXPECT_NE(merged.out.find("in more than one directory"), std::string::npos) << merged.out;
  EXPECT_EQ(nlohmann::json::parse(read_file(dir_ / "merged" / "results.json"))["runs"].size(), 2u);
}

}  // namespace

// The bench results.json as the budget reads it: both formats joule bench
// has written read alike, and a newer one is refused rather than half read.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "budget/bench_file.hpp"
#include "budget_test_support.hpp"
#include "joule/data_error.hpp"
#include "support/files.hpp"

namespace {

namespace fs = std::filesystem;
using joule::budget::testing::examples_dir;

class BenchFormat : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = fs::temp_directory_path() / ("joule-bench-format-" + std::to_string(::getpid()));
    const auto text = joule::support::read_file(examples_dir() / "bench-quick-results.json");
    ASSERT_TRUE(text.has_value());
    example_ = nlohmann::json::parse(*text);
  }
  void TearDown() override { fs::remove(path_); }
  void write(const nlohmann::json& results) {
    joule::support::write_file_atomically(path_, results.dump());
  }
  fs::path path_;
  nlohmann::json example_;
};

TEST_F(BenchFormat, Format2ReadsLikeFormat1) {
  write(example_);
  const auto format1 = joule::budget::load_bench_file(path_);
  example_["format_version"] = 2;
  write(example_);
  const auto format2 = joule::budget::load_bench_file(path_);
  ASSERT_EQ(format1.tasks.size(), format2.tasks.size());
  ASSERT_FALSE(format2.tasks.empty());
  EXPECT_EQ(format1.tasks[0].models.size(), format2.tasks[0].models.size());
}

TEST_F(BenchFormat, ANewerFormatIsRefusedNamingIt) {
  example_["format_version"] = 3;
  write(example_);
  try {
    joule::budget::load_bench_file(path_);
    FAIL() << "no error";
  } catch (const joule::DataError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("format_version 3"), std::string::npos) << message;
    EXPECT_NE(message.find(path_.string()), std::string::npos) << message;
  }
}

}  // namespace

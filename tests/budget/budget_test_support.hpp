#pragma once
// Helpers for the budget tests: scenario files in a temporary directory, and
// options that keep joule.toml, the time zone and the developer's ledger out.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "joule/budget.hpp"

namespace joule::budget::testing {

inline std::filesystem::path examples_dir() {
  return std::filesystem::path(JOULE_FIXTURES_DIR) / ".." / ".." / "examples" / "budget";
}

class ScenarioDir {
 public:
  ScenarioDir() {
    dir_ = std::filesystem::temp_directory_path() /
           ("joule-budget-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~ScenarioDir() { std::filesystem::remove_all(dir_); }
  ScenarioDir(const ScenarioDir&) = delete;
  ScenarioDir& operator=(const ScenarioDir&) = delete;

  std::filesystem::path write(const std::string& name, const std::string& text) const {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }
  const std::filesystem::path& path() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

inline BudgetOptions isolated(std::vector<std::string> what_ifs = {}) {
  BudgetOptions o;
  o.what_ifs = std::move(what_ifs);
  o.read_config_files = false;
  o.guess_from_time_zone = false;
  o.ledger = std::filesystem::temp_directory_path() / "joule-budget-no-ledger.sqlite";
  return o;
}

// A deployment the error tests change one key of.
inline std::string minimal_scenario(const std::string& extra_top = "",
                                    const std::string& deployment_keys = "") {
  return extra_top + R"(
horizon_years = 1

[inference]
energy_per_request = "1J"
requests_per_day = 1000

[[deployment]]
country = "FR"
device = "server-cpu"
)" + deployment_keys;
}

}  // namespace joule::budget::testing

#pragma once
// Fills a ledger through the record API for the CLI end-to-end tests, until
// `joule run` can do it, and gives each test its own directory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "record/ledger.hpp"
#include "record/sample_record.hpp"

namespace joule::testing {

struct CliLedger {
  std::filesystem::path dir;
  std::filesystem::path path;
  CliLedger() {
    dir = std::filesystem::temp_directory_path() /
          ("joule-cli-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    path = dir / "ledger.sqlite";
  }
  ~CliLedger() { std::filesystem::remove_all(dir); }

  // Three finished runs on three days, with distinct tags and commands.
  void fill() {
    record::Ledger ledger(path);
    auto a = sample_record("20240501-120000-aaaa0001");
    a.started_at = "2024-05-01T12:00:00.000Z";
    a.command = {"python", "train.py", "--model", "resnet"};
    a.tags = {{"model", "resnet"}};
    auto b = sample_record("20240502-120000-bbbb0002");
    b.started_at = "2024-05-02T12:00:00.000Z";
    b.command = {"python", "train.py", "--model", "bert"};
    b.tags = {{"model", "bert"}};
    b.totals.attributed_energy_j *= 2;
    b.carbon->total_co2e_g.central *= 2;
    auto c = sample_record("20240503-120000-cccc0003");
    c.started_at = "2024-05-03T12:00:00.000Z";
    c.command = {"make", "bench"};
    c.tags = {};
    for (const auto& r : {a, b, c}) ledger.finish_run(r);
  }

  std::map<std::string, std::string> env() const { return {{"JOULE_LEDGER", path.string()}}; }
};

}  // namespace joule::testing

#pragma once
// Temporary directories and record builders shared by the ledger tests.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "record/run_record.hpp"
#include "support/postgres_server.hpp"

namespace joule::testing {

struct LedgerDir {
  std::filesystem::path path;
  LedgerDir() {
    // Parameterised tests are named "Name/Param": one directory, not two.
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    path = std::filesystem::temp_directory_path() /
           ("joule-ledger-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~LedgerDir() {
    std::error_code ec;
    std::filesystem::permissions(path, std::filesystem::perms::owner_all, ec);
    std::filesystem::remove_all(path, ec);
  }
  std::filesystem::path ledger() const { return path / "ledger.sqlite"; }
};

inline std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

enum class Backend { sqlite, postgresql };

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::sqlite ? "SQLite" : "PostgreSQL";
}

// The ledger's location for a test of either backend: a file in the test's
// directory, or a fresh database on the binary's PostgreSQL server.
class OnBothBackends : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::sqlite) {
      location_ = dir_.ledger().string();
      return;
    }
    PostgresServer* server = PostgresServer::shared();
    if (server == nullptr) {
      const std::string& why = PostgresServer::why_unavailable();
      // Not installed: skipped, saying so. Installed but failing: a failure.
      if (why.find("not found") == std::string::npos) FAIL() << why;
      GTEST_SKIP() << why;
    }
    location_ = server->fresh_database_url();
  }
  bool on_postgres() const { return GetParam() == Backend::postgresql; }
  const std::string& location() const { return location_; }

  LedgerDir dir_;
  std::string location_;
};

#define JOULE_ON_BOTH_BACKENDS(Suite)                                                              \
  INSTANTIATE_TEST_SUITE_P(                                                                        \
      Backends, Suite,                                                                             \
      ::testing::Values(::joule::testing::Backend::sqlite, ::joule::testing::Backend::postgresql), \
      ::joule::testing::backend_name)

// A running record with the given energy so far.
inline record::RunRecord running_record(const std::string& id, double energy_j,
                                        std::vector<std::string> command = {"sleep", "1"}) {
  record::RunRecord r;
  r.id = id;
  r.status = record::RunStatus::running;
  r.started_at = "2024-05-01T12:00:00.000Z";
  r.command = std::move(command);
  r.duration_s = energy_j / 100;
  r.totals.machine_energy_j = energy_j;
  r.totals.attributed_energy_j = energy_j / 2;
  r.domains = {{"cpu:package-0", "package-0", Component::cpu_package, Provenance::measured,
                energy_j, energy_j / 2, 100, 0.05, "/sys/class/powercap/intel-rapl:0", true}};
  return r;
}

}  // namespace joule::testing

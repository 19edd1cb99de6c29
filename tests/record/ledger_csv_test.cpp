// The CSV line stored beside each ended run (ledger schema 3): `joule export
// --csv` prints it as stored when it is this build's layout, and reads the
// record as before otherwise, on both stores; older ledgers keep exporting.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "record/csv_io.hpp"
#include "record/json_io.hpp"
#include "record/ledger.hpp"
#include "record/ledger_test_support.hpp"
#include "record/sample_record.hpp"

namespace joule::record {
namespace {

using joule::testing::LedgerDir;
using joule::testing::PostgresServer;
using joule::testing::running_record;
using joule::testing::sample_record;

void sqlite_exec(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string said = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << said;
}

std::vector<std::string> csv_lines(const Ledger& ledger, const LedgerFilter& filter = {}) {
  std::vector<std::string> lines;
  ledger.for_each_csv_line(filter, [&](std::string_view line) { lines.emplace_back(line); });
  return lines;
}

// What export printed before lines were stored: each record read, then
// formatted.
std::vector<std::string> decoded_lines(const Ledger& ledger, const LedgerFilter& filter = {}) {
  std::vector<std::string> lines;
  ledger.for_each(filter, [&](const RunRecord& r) { lines.push_back(csv_row(r)); });
  return lines;
}

class LedgerCsv : public joule::testing::OnBothBackends {
 protected:
  // Runs SQL on the test's store, behind the ledger's back.
  void exec(const std::string& sql) {
    if (!on_postgres()) {
      sqlite_exec(location(), sql);
      return;
    }
    const std::string& url = location();
    const auto begin = url.find("@/") + 2;
    PostgresServer::shared()->sql(sql, url.substr(begin, url.find('?') - begin));
  }
  // A run begun by a process that has exited since: interrupted on read.
  void begin_in_dead_process(const std::string& id) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      try {
        Ledger(location()).begin_run(running_record(id, 7));
      } catch (...) {
        _exit(1);
      }
      _exit(0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
};
JOULE_ON_BOTH_BACKENDS(LedgerCsv);

TEST_P(LedgerCsv, AFinishedRunsStoredLineIsItsCsvRow) {
  Ledger ledger(location());
  const RunRecord run = sample_record("20240501-120000-0000abcd");
  ledger.finish_run(run);
  // Garbage in the JSON would not matter to a stored line that is used.
  const auto lines = csv_lines(ledger);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], csv_row(run));
  EXPECT_EQ(lines[0], csv_row(ledger.get(run.id)));
  exec("UPDATE runs SET csv_row = 'stored\n'");
  EXPECT_EQ(csv_lines(ledger), std::vector<std::string>{"stored\n"});
}

TEST_P(LedgerCsv, AStaleOrMissingLineIsMadeFromTheRecord) {
  Ledger ledger(location());
  ledger.finish_run(sample_record("20240501-120000-00000001"));
  ledger.finish_run(sample_record("20240501-120001-00000002"));
  const auto expected = decoded_lines(ledger);
  ASSERT_EQ(expected.size(), 2u);
  exec("UPDATE runs SET csv_row = 'stale\n', csv_layout = 'r0-old' WHERE id LIKE '%1'");
  exec("UPDATE runs SET csv_row = NULL, csv_layout = NULL WHERE id LIKE '%2'");
  EXPECT_EQ(csv_lines(ledger), expected);
}

TEST_P(LedgerCsv, RunningRowsAreJudgedOnReadAndFiltersHoldAsBefore) {
  Ledger ledger(location());
  ledger.finish_run(sample_record("20240501-110000-00000001"));
  begin_in_dead_process("20240501-120000-00000002");
  ledger.begin_run(running_record("20240501-130000-00000003", 5));  // alive: this process
  auto failed = sample_record("20240501-140000-00000004");
  failed.status = RunStatus::failed_to_start;
  ledger.finish_run(failed);
  // Even a line stored with a running row (an older writer, a copy) is not
  // trusted: the row may read as interrupted.
  exec("UPDATE runs SET csv_row = 'never\n', csv_layout = '" + csv_layout_id() +
       "' WHERE status = 'running'");

  const auto all = csv_lines(ledger);
  EXPECT_EQ(all, decoded_lines(ledger));
  ASSERT_EQ(all.size(), 4u);
  EXPECT_NE(all[1].find(",interrupted,"), std::string::npos) << all[1];
  EXPECT_NE(all[2].find(",running,"), std::string::npos) << all[2];
  for (auto status : {RunStatus::interrupted, RunStatus::running, RunStatus::finished,
                      RunStatus::failed_to_start}) {
    LedgerFilter filter;
    filter.status = status;
    const auto lines = csv_lines(ledger, filter);
    EXPECT_EQ(lines, decoded_lines(ledger, filter)) << to_string(status);
    EXPECT_EQ(lines.size(), 1u) << to_string(status);
  }
}

TEST_P(LedgerCsv, PruningWithDownsampleStoresTheThinnedRunsLine) {
  Ledger ledger(location());
  auto run = sample_record("20240501-120000-0000abcd");
  run.timeline.domain_ids = {"cpu:package-0"};
  for (int i = 0; i < 10; ++i) run.timeline.points.push_back({i * 1.0, {i * 10.0}});
  ledger.finish_run(run);
  ASSERT_EQ(ledger.prune("2030-01-01T00:00:00.000Z", 3).thinned, 1u);
  const auto lines = csv_lines(ledger);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines, decoded_lines(ledger));
  EXPECT_NE(lines[0].find("thinned"), std::string::npos) << lines[0];
}

TEST_P(LedgerCsv, ACopiedRunArrivesWithItsLine) {
  Ledger source(dir_.path / "source.sqlite");
  const RunRecord run = sample_record("20240501-120000-0000abcd");
  source.finish_run(run);
  Ledger ledger(location());
  ASSERT_EQ(ledger.copy_from(source).copied, 1u);
  EXPECT_EQ(csv_lines(ledger), std::vector<std::string>{csv_row(run)});
  exec("UPDATE runs SET csv_row = 'stored\n' WHERE csv_row IS NOT NULL");
  EXPECT_EQ(csv_lines(ledger), std::vector<std::string>{"stored\n"});
}

// Layout 2: the runs table before the CSV line's columns.
constexpr const char* kLayoutTwo =
    "CREATE TABLE runs (id TEXT PRIMARY KEY, started_at TEXT NOT NULL, ended_at TEXT NOT NULL "
    "DEFAULT '', status TEXT NOT NULL, command TEXT NOT NULL, cwd TEXT NOT NULL DEFAULT '', "
    "duration_s REAL NOT NULL DEFAULT 0, machine_energy_j REAL NOT NULL DEFAULT 0, "
    "attributed_energy_j REAL NOT NULL DEFAULT 0, co2e_g REAL, owner_pid INTEGER NOT NULL "
    "DEFAULT 0, owner_boot_id TEXT NOT NULL DEFAULT '', owner_start_ticks INTEGER NOT NULL "
    "DEFAULT 0, checkpoint_at TEXT NOT NULL DEFAULT '', record TEXT NOT NULL, owner_host TEXT "
    "NOT NULL DEFAULT '');"
    "CREATE INDEX runs_started_id ON runs(started_at, id);"
    "CREATE INDEX runs_status ON runs(status);"
    "CREATE TABLE run_tags (run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, key "
    "TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key));"
    "CREATE INDEX run_tags_key_value ON run_tags(key, value);"
    "PRAGMA user_version=2;";

TEST(LedgerCsvMigration, ASqliteLedgerOfLayoutTwoKeepsExportingAndIsUpgradedByAWriter) {
  LedgerDir dir;
  const RunRecord old_run = sample_record("20240501-120000-0000abcd");
  std::string json = to_json(old_run).dump();
  for (std::size_t at = 0; (at = json.find('\'', at)) != std::string::npos; at += 2)
    json.insert(at, 1, '\'');
  sqlite_exec(dir.ledger(), std::string(kLayoutTwo) +
                                "INSERT INTO runs (id, started_at, status, command, record) "
                                "VALUES ('20240501-120000-0000abcd', '2024-05-01T12:00:00.000Z', "
                                "'finished', 'make', '" +
                                json + "');");
  {
    Ledger reader(dir.ledger(), Ledger::Mode::read_only);  // never adds the columns
    EXPECT_EQ(csv_lines(reader), std::vector<std::string>{csv_row(old_run)});
  }
  Ledger writer(dir.ledger());
  const RunRecord new_run = sample_record("20240502-120000-0000abcd");
  writer.finish_run(new_run);
  Ledger reader(dir.ledger(), Ledger::Mode::read_only);
  EXPECT_EQ(csv_lines(reader), (std::vector<std::string>{csv_row(old_run), csv_row(new_run)}));
  sqlite_exec(dir.ledger(), "UPDATE runs SET csv_row = 'stored\n' WHERE csv_row IS NOT NULL");
  EXPECT_EQ(csv_lines(reader), (std::vector<std::string>{csv_row(old_run), "stored\n"}));
}

TEST(LedgerCsvMigration, APostgresLedgerOfLayoutTwoIsReadAndUpgradedByAWriter) {
  PostgresServer* server = PostgresServer::shared();
  if (server == nullptr) GTEST_SKIP() << PostgresServer::why_unavailable();
  const std::string url = server->fresh_database_url();
  const auto begin = url.find("@/") + 2;
  const std::string db = url.substr(begin, url.find('?') - begin);
  const RunRecord old_run = sample_record("20240501-120000-0000abcd");
  {
    Ledger made(url);
    made.finish_run(old_run);
  }
  // Back to layout 2, as a joule of that layout left it.
  server->sql("ALTER TABLE runs DROP COLUMN csv_row, DROP COLUMN csv_layout", db);
  server->sql("UPDATE joule_meta SET value = '2' WHERE key = 'schema_version'", db);
  {
    Ledger reader(url, Ledger::Mode::read_only);
    EXPECT_EQ(csv_lines(reader), std::vector<std::string>{csv_row(old_run)});
  }
  const RunRecord new_run = sample_record("20240502-120000-0000abcd");
  Ledger(url).finish_run(new_run);
  Ledger reader(url, Ledger::Mode::read_only);
  EXPECT_EQ(csv_lines(reader), (std::vector<std::string>{csv_row(old_run), csv_row(new_run)}));
  server->sql("UPDATE runs SET csv_row = 'stored' || chr(10) WHERE csv_row IS NOT NULL", db);
  EXPECT_EQ(csv_lines(reader), (std::vector<std::string>{csv_row(old_run), "stored\n"}));
  server->sql("UPDATE joule_meta SET value = '4' WHERE key = 'schema_version'", db);
  EXPECT_THROW(Ledger{url}, LedgerError);  // a newer layout is still refused
}

}  // namespace
}  // namespace joule::record

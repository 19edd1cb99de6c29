// Where the ledger is and what is wrong with it: URLs and their schemes, the
// PostgreSQL failures a user meets (server down, wrong password, another
// layout), joule.toml's [ledger] url, dates with zones, and SQLite files of
// the previous layout.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <fstream>

#include "record/json_io.hpp"
#include "record/ledger.hpp"
#include "record/ledger_test_support.hpp"
#include "record/sample_record.hpp"

namespace joule::record {
namespace {

using joule::testing::LedgerDir;
using joule::testing::PostgresServer;
using joule::testing::running_record;

LedgerError open_error(const std::string& location, Ledger::Mode mode = Ledger::Mode::read_write) {
  try {
    Ledger ledger(location, mode);
  } catch (const LedgerError& e) {
    return e;
  }
  ADD_FAILURE() << "opened " << location;
  return LedgerError(LedgerError::Kind::unavailable, "");
}

PostgresServer* server_or_skip() {
  PostgresServer* server = PostgresServer::shared();
  if (server == nullptr) {
    ADD_FAILURE() << PostgresServer::why_unavailable();
  }
  return server;
}

TEST(LedgerLocation, UnknownSchemeNamesWhatIsExpected) {
  auto e = open_error("mysql://db.example.org/joule");
  EXPECT_EQ(e.kind(), LedgerError::Kind::bad_location);
  EXPECT_NE(std::string(e.what()).find("unknown scheme 'mysql'"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("postgresql://"), std::string::npos) << e.what();
  EXPECT_FALSE(std::filesystem::exists("mysql:"));
}

TEST(LedgerLocation, JouleTomlNamesTheLedgerAfterTheEnvironment) {
  LedgerDir dir;
  std::ofstream(dir.path / "joule.toml")
      << "country = \"FR\"\n[ledger]\nurl = \"postgresql://joule@db/team\"\n";
  const auto old_cwd = std::filesystem::current_path();
  const char* old_env = std::getenv("JOULE_LEDGER");
  const std::string saved = old_env ? old_env : "";
  std::filesystem::current_path(dir.path);
  unsetenv("JOULE_LEDGER");
  EXPECT_EQ(Ledger::resolve_path("").string(), "postgresql://joule@db/team");
  setenv("JOULE_LEDGER", "/env/ledger.sqlite", 1);
  EXPECT_EQ(Ledger::resolve_path("").string(), "/env/ledger.sqlite");
  std::ofstream(dir.path / "joule.toml") << "[ledger]\nurll = \"x\"\n";
  unsetenv("JOULE_LEDGER");
  try {
    Ledger::resolve_path("");
    ADD_FAILURE() << "a misspelt key was ignored";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("unknown key 'urll' in [ledger]"), std::string::npos)
        << e.what();
  }
  std::filesystem::current_path(old_cwd);
  if (old_env) setenv("JOULE_LEDGER", saved.c_str(), 1);
}

TEST(LedgerLocation, DatesWithZonesAndTheLocalZone) {
  EXPECT_EQ(date_bound("2024-05-01T12:30+02:00", false), "2024-05-01T10:30:00.000Z");
  EXPECT_EQ(date_bound("2024-05-01T12:30:15-0500", true), "2024-05-01T17:30:15.999Z");
  EXPECT_EQ(date_bound("2024-05-01 23:00+05", false), "2024-05-01T18:00:00.000Z");
  EXPECT_EQ(date_bound("2024-05-01Z", true), "2024-05-01T23:59:59.999Z");
  EXPECT_FALSE(date_bound("2024-05-01T12:30+ab", false));
  const char* old_tz = std::getenv("TZ");
  const std::string saved = old_tz ? old_tz : "";
  setenv("TZ", "Europe/Paris", 1);
  tzset();
  // Summer (+02:00) and winter (+01:00) each get their own offset.
  EXPECT_EQ(date_bound("2024-07-01", false, TimeZone::local), "2024-06-30T22:00:00.000Z");
  EXPECT_EQ(date_bound("2024-01-15", true, TimeZone::local), "2024-01-15T22:59:59.999Z");
  // An explicit zone wins over the local one.
  EXPECT_EQ(date_bound("2024-07-01T00:00Z", false, TimeZone::local), "2024-07-01T00:00:00.000Z");
  if (old_tz) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

// A file of layout 1 (no owner host, the old started_at index) reads as it
// is and is upgraded by the first writer.
TEST(LedgerLocation, SqliteLayoutOneIsReadAndUpgraded) {
  LedgerDir dir;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.ledger().c_str(), &db), SQLITE_OK);
    const char* v1 =
        "CREATE TABLE runs (id TEXT PRIMARY KEY, started_at TEXT NOT NULL, ended_at TEXT NOT NULL "
        "DEFAULT '', status TEXT NOT NULL, command TEXT NOT NULL, cwd TEXT NOT NULL DEFAULT '', "
        "duration_s REAL NOT NULL DEFAULT 0, machine_energy_j REAL NOT NULL DEFAULT 0, "
        "attributed_energy_j REAL NOT NULL DEFAULT 0, co2e_g REAL, owner_pid INTEGER NOT NULL "
        "DEFAULT 0, owner_boot_id TEXT NOT NULL DEFAULT '', owner_start_ticks INTEGER NOT NULL "
        "DEFAULT 0, checkpoint_at TEXT NOT NULL DEFAULT '', record TEXT NOT NULL);"
        "CREATE INDEX runs_started_at ON runs(started_at);"
        "CREATE INDEX runs_status ON runs(status); CREATE INDEX runs_command ON runs(command);"
        "CREATE TABLE run_tags (run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, key "
        "TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key));"
        "PRAGMA user_version=1;";
    ASSERT_EQ(sqlite3_exec(db, v1, nullptr, nullptr, nullptr), SQLITE_OK);
    const std::string json =
        to_json(joule::testing::sample_record("20240501-120000-0000abcd")).dump();
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(db,
                       "INSERT INTO runs (id, started_at, status, command, record) VALUES "
                       "('20240501-120000-0000abcd', '2024-05-01T12:00:00.000Z', 'finished', "
                       "'make', ?1)",
                       -1, &insert, nullptr);
    sqlite3_bind_text(insert, 1, json.c_str(), -1, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(insert), SQLITE_DONE);
    sqlite3_finalize(insert);
    sqlite3_close(db);
  }
  {
    Ledger reader(dir.ledger(), Ledger::Mode::read_only);
    EXPECT_EQ(reader.get("20240501").id, "20240501-120000-0000abcd");
  }
  Ledger writer(dir.ledger());
  writer.finish_run(joule::testing::sample_record("20240502-120000-0000abcd"));
  Ledger reader(dir.ledger(), Ledger::Mode::read_only);
  EXPECT_EQ(reader.list().size(), 2u);
  EXPECT_EQ(reader.latest(1).at(0).id, "20240502-120000-0000abcd");
  EXPECT_TRUE(reader.check().empty());
  sqlite3* db = nullptr;
  sqlite3_open(dir.ledger().c_str(), &db);
  sqlite3_stmt* version = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &version, nullptr);
  ASSERT_EQ(sqlite3_step(version), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(version, 0), kLedgerSchemaVersion);
  sqlite3_finalize(version);
  sqlite3_close(db);
}

TEST(LedgerLocation, PasswordsAreNeverShown) {
  EXPECT_EQ(Ledger::shown("postgresql://ada:hunter2@db:5432/joule"),
            "postgresql://ada:***@db:5432/joule");
  EXPECT_EQ(Ledger::shown("postgres://db/joule?user=ada&password=hunter2&sslmode=require"),
            "postgres://db/joule?user=ada&password=***&sslmode=require");
  EXPECT_EQ(Ledger::shown("postgresql://ada@db/joule"), "postgresql://ada@db/joule");
  EXPECT_EQ(Ledger::shown("/home/ada:x@y/ledger.sqlite"), "/home/ada:x@y/ledger.sqlite");
}

TEST(LedgerPostgreSQL, UnreachableServerIsAClearErrorAndTheRunGoesOn) {
  const std::string url = "postgresql://joule:hunter2@/joule?host=/nonexistent-joule-dir&port=5999";
  auto e = open_error(url);
  EXPECT_EQ(e.kind(), LedgerError::Kind::unavailable);
  EXPECT_NE(std::string(e.what()).find("cannot connect"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("/nonexistent-joule-dir"), std::string::npos) << e.what();
  // What `joule run` uses warns, once, and carries on.
  RunJournal journal(url);
  auto run = running_record("20240501-120000-00000001", 5);
  journal.begin(run);
  journal.checkpoint(run);
  journal.finish(run);
  EXPECT_FALSE(journal.healthy());
  auto warnings = journal.take_warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("ledger not written"), std::string::npos);
  EXPECT_EQ(warnings[0].find("hunter2"), std::string::npos) << warnings[0];
  EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
}

TEST(LedgerPostgreSQL, WrongPasswordIsRefusedWithoutShowingIt) {
  PostgresServer* server = server_or_skip();
  if (server == nullptr) return;
  server->sql("CREATE DATABASE carols OWNER carol");
  auto e = open_error(server->url("carols", "carol", "s3cret-guess"));
  EXPECT_EQ(e.kind(), LedgerError::Kind::refused);
  EXPECT_NE(std::string(e.what()).find("password"), std::string::npos) << e.what();
  EXPECT_EQ(std::string(e.what()).find("s3cret-guess"), std::string::npos) << e.what();
  Ledger ledger(server->url("carols", "carol", "right"));
  EXPECT_EQ(ledger.path().string().find("right"), std::string::npos) << ledger.path();
  ledger.finish_run(joule::testing::sample_record());
  EXPECT_EQ(ledger.list().size(), 1u);
}

TEST(LedgerPostgreSQL, AnotherLayoutVersionIsRefusedAndNothingIsWritten) {
  PostgresServer* server = server_or_skip();
  if (server == nullptr) return;
  const std::string url = server->fresh_database_url();
  const std::string db = url.substr(url.find("@/") + 2, url.find('?') - url.find("@/") - 2);
  { Ledger create(url); }
  server->sql("UPDATE joule_meta SET value = '99' WHERE key = 'schema_version'", db);
  auto newer = open_error(url);
  EXPECT_EQ(newer.kind(), LedgerError::Kind::newer_schema);
  EXPECT_NE(std::string(newer.what()).find("upgrade joule"), std::string::npos) << newer.what();
  RunJournal journal(url);
  journal.finish(joule::testing::sample_record());
  EXPECT_FALSE(journal.healthy());
  server->sql("UPDATE joule_meta SET value = '2' WHERE key = 'schema_version'", db);
  EXPECT_TRUE(Ledger(url).list().empty());  // nothing was half-written meanwhile

  const std::string foreign = server->fresh_database_url();
  const std::string foreign_db =
      foreign.substr(foreign.find("@/") + 2, foreign.find('?') - foreign.find("@/") - 2);
  server->sql("CREATE TABLE runs (x INTEGER)", foreign_db);
  auto e = open_error(foreign);
  EXPECT_EQ(e.kind(), LedgerError::Kind::newer_schema);
  EXPECT_NE(std::string(e.what()).find("not a joule ledger"), std::string::npos) << e.what();
}

TEST(LedgerPostgreSQL, MissingDatabaseIsRefused) {
  PostgresServer* server = server_or_skip();
  if (server == nullptr) return;
  auto e = open_error(server->url("no_such_db"));
  EXPECT_EQ(e.kind(), LedgerError::Kind::refused);
  EXPECT_NE(std::string(e.what()).find("no_such_db"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace joule::record

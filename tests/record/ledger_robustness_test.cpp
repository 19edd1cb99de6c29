// What the ledger promises beyond the happy path: concurrent writers lose
// nothing, a killed joule leaves an interrupted run with its checkpointed
// energy, a corrupt file is reported and left alone, an unwritable ledger is
// a warning rather than a lost run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <fstream>
#include <set>

#include "record/ledger.hpp"
#include "record/ledger_test_support.hpp"
#include "record/process_identity.hpp"

namespace joule::record {
namespace {

using joule::testing::file_bytes;
using joule::testing::LedgerDir;
using joule::testing::running_record;

// Runs `body` in a forked child; returns its exit status (or 128+signal).
template <typename F>
int in_child(F&& body) {
  pid_t pid = fork();
  if (pid == 0) {
    int code = 1;
    try {
      code = body();
    } catch (const std::exception& e) {
      fmt::print(stderr, "child {}: {}\n", getpid(), e.what());
    }
    _exit(code);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class LedgerConcurrency : public joule::testing::OnBothBackends {};
JOULE_ON_BOTH_BACKENDS(LedgerConcurrency);

TEST_P(LedgerConcurrency, EightConcurrentWriterProcessesLoseNothing) {
  constexpr int kWriters = 8;
  constexpr int kRunsEach = 6;
  constexpr int kCheckpoints = 4;
  std::vector<pid_t> children;
  for (int w = 0; w < kWriters; ++w) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int code = 0;
      try {
        // Every child opens the (possibly not yet existing) ledger itself, as
        // separate `joule run` processes would, racing to create it.
        Ledger ledger(location());
        for (int i = 0; i < kRunsEach; ++i) {
          auto run = running_record(fmt::format("20240501-120000-w{}r{}", w, i), 0,
                                    {"writer", std::to_string(w)});
          run.tags = {{"writer", std::to_string(w)}};
          ledger.begin_run(run);
          for (int c = 1; c <= kCheckpoints; ++c) {
            run.totals.machine_energy_j = c * 10.0;
            ledger.checkpoint(run);
          }
          run.status = RunStatus::finished;
          run.totals.machine_energy_j = 1000.0 * w + i;
          run.exit.exit_code = 0;
          ledger.finish_run(run);
        }
      } catch (const std::exception& e) {
        fmt::print(stderr, "writer {}: {}\n", w, e.what());
        code = 1;
      }
      _exit(code);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a writer failed";
  }

  Ledger ledger(location(), Ledger::Mode::read_only);
  auto runs = ledger.list();
  ASSERT_EQ(runs.size(), static_cast<std::size_t>(kWriters * kRunsEach));
  std::set<std::string> ids;
  for (const auto& r : runs) {
    ids.insert(r.id);
    EXPECT_EQ(r.status, RunStatus::finished) << r.id;
    int w = 0, i = 0;
    ASSERT_EQ(std::sscanf(r.id.c_str(), "20240501-120000-w%dr%d", &w, &i), 2);
    EXPECT_DOUBLE_EQ(r.totals.machine_energy_j, 1000.0 * w + i) << r.id;
  }
  EXPECT_EQ(ids.size(), runs.size());
  LedgerFilter by_tag;
  by_tag.tags = {{"writer", "3"}};
  EXPECT_EQ(ledger.list(by_tag).size(), static_cast<std::size_t>(kRunsEach));
}

TEST_P(LedgerConcurrency, SigkilledOwnerLeavesInterruptedRunWithCheckpointedEnergy) {
  { Ledger create(location()); }
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(ready[0]);
    try {
      Ledger ledger(location());
      auto run = running_record("20240501-120000-killed01", 0, {"train", "--long"});
      ledger.begin_run(run);
      run.totals.machine_energy_j = 1234.5;
      run.duration_s = 12;
      ledger.checkpoint(run);
    } catch (const std::exception& e) {
      fmt::print(stderr, "child: {}\n", e.what());
      _exit(1);
    }
    (void)!write(ready[1], "k", 1);
    for (;;) pause();  // mid-run: waits to be killed
  }
  close(ready[1]);
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1) << "the child never checkpointed";
  close(ready[0]);

  {
    // While its owner lives, the run is running, not interrupted.
    Ledger ledger(location(), Ledger::Mode::read_only);
    EXPECT_EQ(ledger.get("20240501-120000-killed01").status, RunStatus::running);
  }
  kill(pid, SIGKILL);
  // Wait for it to die without reaping it: as a zombie it must already count
  // as gone (a parent that never reaps must not keep runs "running").
  siginfo_t info{};
  ASSERT_EQ(waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT), 0);
  {
    Ledger ledger(location(), Ledger::Mode::read_only);
    EXPECT_EQ(ledger.get("20240501-120000-killed01").status, RunStatus::interrupted);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));

  Ledger ledger(location());
  auto runs = ledger.list();
  ASSERT_EQ(runs.size(), 1u);
  const auto& run = runs[0];
  EXPECT_EQ(run.status, RunStatus::interrupted);
  EXPECT_DOUBLE_EQ(run.totals.machine_energy_j, 1234.5);
  EXPECT_DOUBLE_EQ(run.duration_s, 12);
  EXPECT_FALSE(run.ended_at.empty());  // the last checkpoint's time
  ASSERT_FALSE(run.warnings.empty());
  EXPECT_NE(run.warnings.back().find("interrupted"), std::string::npos);
  LedgerFilter interrupted;
  interrupted.status = RunStatus::interrupted;
  EXPECT_EQ(ledger.list(interrupted).size(), 1u);
  LedgerFilter running;
  running.status = RunStatus::running;
  EXPECT_TRUE(ledger.list(running).empty());
}

TEST(LedgerRobustness, ProcessIdentityTellsAReusedPidApart) {
  auto self = current_process_identity();
  EXPECT_EQ(self.pid, getpid());
  EXPECT_FALSE(self.boot_id.empty());
  EXPECT_GT(self.start_ticks, 0u);
  EXPECT_TRUE(process_alive(self));
  auto reused = self;
  reused.start_ticks += 1;  // same pid, another process
  EXPECT_FALSE(process_alive(reused));
  auto other_boot = self;
  other_boot.boot_id = "00000000-0000-0000-0000-000000000000";
  EXPECT_FALSE(process_alive(other_boot));
  ProcessIdentity nobody{self.host, 0, self.boot_id, 1};
  EXPECT_FALSE(process_alive(nobody));
}

void expect_corrupt_and_untouched(const std::filesystem::path& path) {
  const std::string before = file_bytes(path);
  for (auto mode : {Ledger::Mode::read_write, Ledger::Mode::read_only}) {
    try {
      Ledger ledger(path, mode);
      ledger.list();
      ADD_FAILURE() << "a corrupt ledger opened";
    } catch (const LedgerError& e) {
      EXPECT_EQ(e.kind(), LedgerError::Kind::corrupt) << e.what();
      std::string message = e.what();
      EXPECT_NE(message.find(path.string()), std::string::npos) << message;
      EXPECT_NE(message.find("mv '"), std::string::npos) << message;  // how to recover
      EXPECT_NE(message.find("--ledger"), std::string::npos) << message;
    }
  }
  // A journal (what `joule run` uses) warns and also leaves the file alone.
  RunJournal journal(path);
  journal.begin(running_record("20240501-120000-00000001", 1));
  journal.finish(running_record("20240501-120000-00000001", 2));
  EXPECT_FALSE(journal.healthy());
  auto warnings = journal.take_warnings();
  ASSERT_EQ(warnings.size(), 1u);  // said once, not at every checkpoint
  EXPECT_NE(warnings[0].find("corrupt"), std::string::npos);
  EXPECT_EQ(file_bytes(path), before);
}

TEST(LedgerRobustness, GarbageFileIsReportedAndNeverOverwritten) {
  LedgerDir dir;
  std::string garbage;
  for (int i = 0; i < 5000; ++i) garbage += static_cast<char>((i * 7919) % 251);
  std::ofstream(dir.ledger(), std::ios::binary) << garbage;
  expect_corrupt_and_untouched(dir.ledger());
  EXPECT_EQ(file_bytes(dir.ledger()), garbage);
  EXPECT_FALSE(std::filesystem::exists(dir.ledger().string() + "-wal"));
}

// Readers find the damage with PRAGMA quick_check; a writer (joule run does
// not run that whole-file check) finds it when its write touches a damaged
// b-tree page, and leaves the file alone.
TEST(LedgerRobustness, DamagedDatabaseIsReportedToReadersAndWriters) {
  LedgerDir dir;
  {
    Ledger ledger(dir.ledger());
    for (int i = 0; i < 200; ++i) {
      auto run = running_record(fmt::format("20240501-120000-{:08}", i), i);
      run.warnings.assign(20, std::string(100, 'x'));  // spread the rows over many pages
      ledger.finish_run(run);
    }
  }
  // The last connection closed: the WAL is checkpointed into the main file.
  ASSERT_FALSE(std::filesystem::exists(dir.ledger().string() + "-wal"));
  auto size = std::filesystem::file_size(dir.ledger());
  ASSERT_GT(size, 8 * 4096u);
  {
    // Keep the header (so it still looks like SQLite) but scribble over the
    // b-tree pages in the middle.
    std::fstream f(dir.ledger(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(2 * 4096);
    std::string scribble(4 * 4096, '\x5a');
    f.write(scribble.data(), static_cast<std::streamsize>(scribble.size()));
  }
  expect_corrupt_and_untouched(dir.ledger());
}

TEST(LedgerRobustness, UnwritableLocationIsAWarningNotALostRun) {
  LedgerDir dir;
  // A regular file where the ledger's directory should be: the directory
  // cannot be created, even by root (for whom a 0555 directory is writable).
  std::ofstream(dir.path / "not-a-dir") << "x";
  auto path = dir.path / "not-a-dir" / "ledger.sqlite";
  try {
    Ledger ledger(path);
    FAIL();
  } catch (const LedgerError& e) {
    EXPECT_EQ(e.kind(), LedgerError::Kind::unavailable);
    EXPECT_NE(std::string(e.what()).find("not-a-dir"), std::string::npos);
  }
  RunJournal journal(path);
  auto run = running_record("20240501-120000-00000001", 5);
  journal.begin(run);
  journal.checkpoint(run);
  journal.finish(run);
  EXPECT_FALSE(journal.healthy());
  auto warnings = journal.take_warnings();
  ASSERT_FALSE(warnings.empty());
  EXPECT_NE(warnings[0].find("ledger not written"), std::string::npos);
}

TEST(LedgerRobustness, ReadOnlyDirectoryIsAWarning) {
  if (geteuid() == 0) GTEST_SKIP() << "root writes into a 0555 directory anyway";
  LedgerDir dir;
  auto ro = dir.path / "ro";
  std::filesystem::create_directories(ro);
  chmod(ro.c_str(), 0555);
  RunJournal journal(ro / "ledger.sqlite");
  journal.begin(running_record("20240501-120000-00000001", 5));
  EXPECT_FALSE(journal.healthy());
  EXPECT_FALSE(journal.take_warnings().empty());
}

TEST(LedgerRobustness, FullDiskIsAWarningAndTheLedgerStaysReadable) {
  LedgerDir dir;
  {
    Ledger ledger(dir.ledger());
    ledger.finish_run(running_record("20240501-120000-00000001", 1));
  }
  // In a child, cap the file size so the next growth fails as a full disk
  // would (EFBIG/ENOSPC both surface as SQLITE_FULL).
  int code = in_child([&] {
    signal(SIGXFSZ, SIG_IGN);
    RunJournal journal(dir.ledger());
    if (!journal.healthy()) return 2;
    rlimit limit{64 * 1024, 64 * 1024};
    setrlimit(RLIMIT_FSIZE, &limit);
    auto big = running_record("20240501-120000-00000002", 2);
    big.timeline.domain_ids = {"cpu:package-0"};
    for (int i = 0; i < 20000; ++i) big.timeline.points.push_back({i * 0.1, {i * 1.0}});
    journal.begin(big);
    if (journal.healthy()) return 3;
    auto warnings = journal.take_warnings();
    if (warnings.empty()) return 4;
    fmt::print(stderr, "warning as shown: {}\n", warnings[0]);
    return 0;
  });
  EXPECT_EQ(code, 0);
  Ledger ledger(dir.ledger(), Ledger::Mode::read_only);
  EXPECT_EQ(ledger.get("20240501-120000-00000001").status, RunStatus::finished);
}

TEST(LedgerRobustness, NewerLayoutIsRefusedClearly) {
  LedgerDir dir;
  { Ledger ledger(dir.ledger()); }
  int code = in_child([&] {
    // Simulate a future joule having upgraded the file.
    std::string cmd =
        fmt::format("sqlite3 '{}' 'PRAGMA user_version=99' 2>/dev/null", dir.ledger().string());
    return std::system(cmd.c_str()) == 0 ? 0 : 5;
  });
  if (code != 0) GTEST_SKIP() << "sqlite3 shell not available";
  try {
    Ledger ledger(dir.ledger());
    FAIL();
  } catch (const LedgerError& e) {
    EXPECT_EQ(e.kind(), LedgerError::Kind::newer_schema);
    EXPECT_NE(std::string(e.what()).find("upgrade joule"), std::string::npos);
  }
}

}  // namespace
}  // namespace joule::record

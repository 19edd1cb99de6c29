// The ledger seen from the command line: interrupted runs and corrupt files.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "cli/ledger_cli_support.hpp"
#include "support/subprocess.hpp"

namespace {

using joule::testing::CliLedger;
using joule::testing::run_joule;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(LedgerCli, CorruptLedgerGivesClearErrorAndIsNotOverwritten) {
  CliLedger ledger;
  const std::string garbage = "this is not a database\n" + std::string(4096, '\x07');
  std::ofstream(ledger.path, std::ios::binary) << garbage;
  for (auto args : std::vector<std::vector<std::string>>{
           {"ls"}, {"show", "2024"}, {"export", "--json"}, {"compare", "a", "b"}}) {
    auto r = run_joule(args, ledger.env());
    EXPECT_NE(r.exit_code, 0) << args[0];
    EXPECT_TRUE(has(r.err, ledger.path.string())) << r.err;
    EXPECT_TRUE(has(r.err, "corrupt")) << r.err;
    EXPECT_TRUE(has(r.err, "mv '")) << r.err;
  }
  EXPECT_EQ(bytes(ledger.path), garbage);
}

TEST(LedgerCli, KilledRunShowsAsInterruptedWithCheckpointedEnergy) {
  CliLedger ledger;
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(ready[0]);
    try {
      joule::record::Ledger l(ledger.path);
      auto run = joule::testing::sample_record("20240501-120000-dead0001");
      run.status = joule::record::RunStatus::running;
      run.exit = {};
      run.carbon.reset();
      run.sci.reset();
      run.totals.machine_energy_j = 4321;
      run.totals.attributed_energy_j = 4000;
      l.begin_run(run);
      l.checkpoint(run);
    } catch (...) {
      _exit(1);
    }
    (void)!write(ready[1], "k", 1);
    for (;;) pause();
  }
  close(ready[1]);
  char byte;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  close(ready[0]);
  kill(pid, SIGKILL);
  int status;
  waitpid(pid, &status, 0);

  auto ls = run_joule({"ls"}, ledger.env());
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_TRUE(has(ls.out, "interrupted")) << ls.out;
  EXPECT_TRUE(has(ls.out, "4.00 kJ")) << ls.out;
  auto show = run_joule({"show", "20240501-120000-dead"}, ledger.env());
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_TRUE(has(show.out, "interrupted - figures up to the last checkpoint")) << show.out;
  EXPECT_TRUE(has(show.out, "4.32 kJ")) << show.out;
}

}  // namespace

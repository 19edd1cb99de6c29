// The /proc parsers: /proc/PID/stat and /proc/stat.
#include "support/proc.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace joule::support {
namespace {

namespace fs = std::filesystem;

TEST(ProcessStat, ParsesCommWithSpacesAndParentheses) {
  auto stat = parse_process_stat(
      "4242 (my (odd) name) R 17 4242 17 0 -1 4194304 100 0 0 0 250 30 7 3 20 0 1 0 46512 "
      "3133440 392 18446744073709551615 1 2 3\n");
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->pid, 4242);
  EXPECT_EQ(stat->comm, "my (odd) name");
  EXPECT_EQ(stat->state, 'R');
  EXPECT_EQ(stat->ppid, 17);
  EXPECT_EQ(stat->pgrp, 4242);
  EXPECT_EQ(stat->session, 17);
  EXPECT_EQ(stat->utime_ticks, 250u);
  EXPECT_EQ(stat->stime_ticks, 30u);
  EXPECT_EQ(stat->cutime_ticks, 7u);
  EXPECT_EQ(stat->cstime_ticks, 3u);
  EXPECT_EQ(stat->start_ticks, 46512u);
  EXPECT_EQ(stat->with_children_ticks(), 290u);
}

TEST(ProcessStat, CommMayEndInAParenthesisAndSpace) {
  auto stat = parse_process_stat("7 (a) b) ) Z 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 99 0 0");
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->comm, "a) b) ");
  EXPECT_EQ(stat->state, 'Z');
  EXPECT_EQ(stat->start_ticks, 99u);
}

TEST(ProcessStat, RejectsMalformedText) {
  EXPECT_FALSE(parse_process_stat(""));
  EXPECT_FALSE(parse_process_stat("12 (x"));
  EXPECT_FALSE(parse_process_stat("x (y) R 1 2 3"));
  EXPECT_FALSE(parse_process_stat("12 (y) R 1 2"));  // truncated
  EXPECT_FALSE(parse_process_stat("12 (y) RR 1 2 3 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 99"));
  EXPECT_FALSE(parse_process_stat("12 (y) R 1 2 3 0 -1 0 0 0 0 0 x 2 0 0 20 0 1 0 99"));
}

TEST(ProcessStat, ReadsThisProcess) {
  auto stat = read_process_stat("/proc", ::getpid());
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->pid, ::getpid());
  EXPECT_EQ(stat->ppid, ::getppid());
  EXPECT_EQ(stat->state, 'R');
  EXPECT_GT(stat->start_ticks, 0u);
  EXPECT_FALSE(read_process_stat("/nonexistent-joule-proc", ::getpid()));
}

TEST(ProcStat, SumsBusyAndIdleFieldsAndCountsCpus) {
  // user nice system idle iowait irq softirq steal guest guest_nice
  const auto stat = parse_proc_stat(
      "cpu  100 2 30 1000 7 4 5 6 50 0\n"
      "cpu0 60 1 20 500 3 2 3 3 25 0\n"
      "cpu1 40 1 10 500 4 2 2 3 25 0\n"
      "intr 1 2 3\n");
  EXPECT_EQ(stat.total.busy_jiffies, 100u + 2 + 30 + 4 + 5 + 6);  // guest is already in user
  EXPECT_EQ(stat.total.idle_jiffies, 1007u);
  ASSERT_EQ(stat.per_cpu.size(), 2u);
  EXPECT_EQ(stat.per_cpu[0].busy_jiffies, 60u + 1 + 20 + 2 + 3 + 3);
  EXPECT_EQ(stat.cpu_ids, (std::vector<int>{0, 1}));
}

TEST(ProcStat, OldKernelsWithFourFieldsParse) {
  const auto stat = parse_proc_stat("cpu 10 0 5 100\ncpu0 10 0 5 100\n");
  EXPECT_EQ(stat.total.busy_jiffies, 15u);
  EXPECT_EQ(stat.total.idle_jiffies, 100u);
}

TEST(ProcStat, TooFewFieldsNamesTheLineEnd) {
  try {
    parse_proc_stat("cpu 10 0 5\n");
    FAIL() << "expected a ProcParseError";
  } catch (const ProcParseError& e) {
    EXPECT_EQ(e.line(), 1u);
    EXPECT_EQ(e.column(), 11u);
    EXPECT_NE(std::string(e.what()).find("expected at least 4 jiffy counts"), std::string::npos);
  }
}

TEST(ProcStat, BadFieldNamesLineAndColumn) {
  try {
    parse_proc_stat("cpu  1 2 3 4 5\ncpu0 1 x2 3 4 5\n");
    FAIL() << "expected a ProcParseError";
  } catch (const ProcParseError& e) {
    EXPECT_EQ(e.line(), 2u);
    EXPECT_EQ(e.column(), 8u);
    EXPECT_EQ(std::string(e.what()), "expected a whole number of jiffies, found 'x2'");
  }
  EXPECT_THROW(parse_proc_stat("cpux 1 2 3 4\ncpu 1 2 3 4\n"), ProcParseError);
}

TEST(ProcStat, MissingAggregateLineIsAnError) {
  EXPECT_THROW(parse_proc_stat("cpu0 1 2 3 4\n"), ProcParseError);
  EXPECT_THROW(parse_proc_stat(""), ProcParseError);
}

class MachineBusyCpu : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / fmt::format("joule-support-proc-{}", ::getpid());
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void write_stat(const std::string& text) { std::ofstream(root_ / "stat") << text; }

  fs::path root_;
};

TEST_F(MachineBusyCpu, CountsEveryBusyFieldButIdleAndIowait) {
  // busy = user + nice + system + irq + softirq + steal = 100+5+50+1+2+3 jiffies
  write_stat("cpu  100 5 50 1000 7 1 2 3 0 0\ncpu0 100 5 50 1000 7 1 2 3 0 0\n");
  auto busy = read_machine_busy_cpu(root_);
  ASSERT_TRUE(busy);
  EXPECT_NEAR(busy->seconds, 161 / clock_ticks_per_second(), 1e-12);
}

TEST_F(MachineBusyCpu, MissingOrMalformedStatGivesNothing) {
  EXPECT_FALSE(read_machine_busy_cpu(root_));
  write_stat("cpu 1 2\n");
  EXPECT_FALSE(read_machine_busy_cpu(root_));
  write_stat("");
  EXPECT_FALSE(read_machine_busy_cpu(root_));
}

TEST(MachineBusyCpuReal, ReadsTheRealProc) {
  auto busy = read_machine_busy_cpu();
  ASSERT_TRUE(busy);
  EXPECT_GT(busy->seconds, 0.0);
  EXPECT_EQ(clock_ticks_per_second(), static_cast<double>(::sysconf(_SC_CLK_TCK)));
}

}  // namespace
}  // namespace joule::support

#include "run/process_tree.hpp"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace fs = std::filesystem;
using joule::run::ProcessTree;

namespace {

// A fake /proc with one stat file per process, as the kernel writes them.
class FakeProc {
 public:
  FakeProc() {
    root_ = fs::temp_directory_path() / fmt::format("joule-proc-{}-{}", getpid(), counter_++);
    fs::create_directories(root_);
  }
  ~FakeProc() { fs::remove_all(root_); }
  void add(int pid, int ppid, int pgrp, int utime, int stime, int cutime = 0, int cstime = 0,
           char state = 'S', int start = 1000) {
    fs::create_directories(root_ / std::to_string(pid));
    std::ofstream(root_ / std::to_string(pid) / "stat") << fmt::format(
        "{} (proc {}) {} {} {} {} 0 -1 4194304 0 0 0 0 {} {} {} {} 20 0 1 0 {} "
        "1000 10 18446744073709551615\n",
        pid, pid, state, ppid, pgrp, pgrp, utime, stime, cutime, cstime, start);
  }
  // The kernel's /proc/PID/task/TID/children: the children thread TID forked.
  void children(int pid, int tid, const std::string& pids) {
    fs::create_directories(root_ / std::to_string(pid) / "task" / std::to_string(tid));
    std::ofstream(root_ / std::to_string(pid) / "task" / std::to_string(tid) / "children") << pids;
  }
  void remove(int pid) { fs::remove_all(root_ / std::to_string(pid)); }
  const fs::path& root() const { return root_; }

 private:
  static inline int counter_ = 0;
  fs::path root_;
};

double ticks(int n) {
  return n / joule::support::clock_ticks_per_second();
}

}  // namespace

TEST(ProcessTree, FollowsChildrenGroupAndOrphansButNotStrangers) {
  FakeProc proc;
  const int supervisor = 50;
  proc.add(supervisor, 1, 50, 900, 900);  // joule itself: not counted
  proc.add(100, supervisor, 100, 10, 5);  // the command
  proc.add(101, 100, 100, 20, 0, 4, 1);   // its child, which reaped a grandchild
  proc.add(102, 1, 100, 7, 0);            // reparented to init, still in the group
  proc.add(103, supervisor, 103, 30, 0);  // detached (setsid), reparented to joule
  proc.add(104, 103, 103, 2, 0);          // child of the detached one
  proc.add(200, 1, 200, 5000, 0);         // someone else's process
  ProcessTree tree(100, {proc.root(), supervisor, 100});
  tree.scan();
  EXPECT_EQ(tree.live_count(), 5u);
  EXPECT_DOUBLE_EQ(tree.cpu_time().seconds, ticks(15 + 25 + 7 + 30 + 2));
  auto pids = tree.live_pids();
  EXPECT_EQ(std::count(pids.begin(), pids.end(), 200), 0);
}

TEST(ProcessTree, WalksTheChildrenFilesWhenTheKernelHasThem) {
  FakeProc proc;
  const int supervisor = 50;
  proc.add(supervisor, 1, 50, 900, 900);
  proc.children(supervisor, supervisor, "");
  proc.children(supervisor, 51, "100 103 ");  // forked by joule's second thread
  proc.add(100, supervisor, 100, 10, 5);
  proc.children(100, 100, "101 ");
  proc.children(100, 120, "105 ");  // a child forked by another thread of the command
  proc.add(101, 100, 100, 20, 0, 4, 1);
  proc.add(105, 100, 105, 3, 0);
  proc.add(103, supervisor, 103, 30, 0);  // detached, reparented to joule
  proc.children(103, 103, "104");
  proc.add(104, 103, 103, 2, 0);
  // Claims the command as its parent, but no children file lists it: proof
  // that the walk, not a scan of every process, found the tree.
  proc.add(300, 100, 300, 7000, 0);
  ProcessTree tree(100, {proc.root(), supervisor, 100});
  tree.scan();
  auto pids = tree.live_pids();
  std::sort(pids.begin(), pids.end());
  EXPECT_EQ(pids, (std::vector<pid_t>{100, 101, 103, 104, 105}));
  EXPECT_DOUBLE_EQ(tree.cpu_time().seconds, ticks(15 + 25 + 3 + 30 + 2));
}

// A children file holds one "PID " per child, so it can be far longer than
// a stat line: a parallel build under joule has hundreds.
TEST(ProcessTree, WalkReadsALongChildrenFileToItsEnd) {
  FakeProc proc;
  proc.add(50, 1, 50, 0, 0);
  proc.children(50, 50, "1000000");
  proc.add(1000000, 50, 1000000, 1, 0);
  std::string children;
  for (int pid = 1000001; pid <= 1000300; ++pid) {
    proc.add(pid, 1000000, 1000000, 1, 0);
    children += fmt::format("{} ", pid);
  }
  ASSERT_GT(children.size(), 2000u);
  proc.children(1000000, 1000000, children + "\n");
  ProcessTree tree(1000000, {proc.root(), 50, 0});
  tree.scan();
  EXPECT_TRUE(tree.walks_children_files());
  EXPECT_EQ(tree.live_count(), 301u);
  EXPECT_DOUBLE_EQ(tree.cpu_time().seconds, ticks(301));
}

TEST(ProcessTree, WalkKeepsATrackedProcessNoChildrenFileListsAnyMore) {
  FakeProc proc;
  proc.add(50, 1, 50, 0, 0);
  proc.children(50, 50, "100");
  proc.add(100, 50, 100, 10, 0);
  proc.children(100, 100, "101");
  proc.add(101, 100, 101, 10, 0);
  ProcessTree tree(100, {proc.root(), 50, 100});
  tree.scan();
  EXPECT_EQ(tree.live_count(), 2u);
  proc.children(100, 100, "");
  proc.add(101, 1, 101, 40, 0);  // reparented past joule
  tree.scan();
  EXPECT_EQ(tree.live_count(), 2u);
  EXPECT_DOUBLE_EQ(tree.cpu_time().seconds, ticks(50));
}

TEST(ProcessTree, KeepsTrackedProcessesAfterTheyAreReparented) {
  FakeProc proc;
  proc.add(100, 50, 100, 10, 0);
  proc.add(101, 100, 101, 10, 0);  // its own group: found only through its parent
  ProcessTree tree(100, {proc.root(), 50, 100});
  tree.scan();
  EXPECT_EQ(tree.live_count(), 2u);
  proc.add(101, 1, 101, 40, 0);  // parent gone from view, reparented to init
  tree.scan();
  EXPECT_EQ(tree.live_count(), 2u);
  EXPECT_DOUBLE_EQ(tree.cpu_time().seconds, ticks(50));
}

TEST(ProcessTree, DoesNotFollowAReusedPid) {
  FakeProc proc;
  proc.add(100, 50, 100, 10, 0);
  proc.add(101, 100, 101, 10, 0, 0, 0, 'S', 1000);
  ProcessTree tree(100, {proc.root(), 50, 100});
  tree.scan();
  proc.add(101, 1, 101, 99, 0, 0, 0, 'S', 5000);  // a stranger got the pid
  tree.scan();
  EXPECT_EQ(tree.live_count(), 1u);
}

TEST(ProcessTree, ReapedTimeReplacesLiveTimeAndZombiesAreNotCountedTwice) {
  FakeProc proc;
  proc.add(100, 50, 100, 10, 0);
  ProcessTree tree(100, {proc.root(), 50, 100});
  tree.scan();
  EXPECT_DOUBLE_EQ(tree.cpu_time().seconds, ticks(10));
  proc.add(100, 50, 100, 12, 0, 0, 0, 'Z');  // exited, not yet reaped by joule
  tree.scan();
  EXPECT_EQ(tree.live_count(), 0u);
  tree.add_reaped(100, {ticks(12)});
  proc.remove(100);
  tree.scan();
  EXPECT_DOUBLE_EQ(tree.cpu_time().seconds, ticks(12));
}

TEST(ProcessTree, CpuTimeNeverDecreases) {
  FakeProc proc;
  proc.add(100, 50, 100, 10, 0);
  proc.add(101, 100, 100, 30, 0);
  ProcessTree tree(100, {proc.root(), 50, 100});
  tree.scan();
  EXPECT_DOUBLE_EQ(tree.cpu_time().seconds, ticks(40));
  proc.remove(101);  // auto-reaped by a parent that ignores SIGCHLD: time vanishes
  tree.scan();
  EXPECT_DOUBLE_EQ(tree.cpu_time().seconds, ticks(40));
}

TEST(ProcessTree, CountsARealChildThatBurnsCpu) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    setpgid(0, 0);
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    volatile unsigned long x = 0;
    while (std::chrono::steady_clock::now() < until) x = x + 1;
    _exit(0);
  }
  setpgid(child, child);
  ProcessTree tree(child, {"/proc", getpid(), child});
  usleep(200 * 1000);
  tree.scan();
  EXPECT_EQ(tree.live_count(), 1u);
  EXPECT_GT(tree.cpu_time().seconds, 0.0);
  int status = 0;
  waitpid(child, &status, 0);
}

// The real /proc, walked through the children files where this kernel has
// them: a live child with a grandchild in a session of its own (found only
// through its parent), and a grandchild that detached and was reparented to
// this process, the subreaper.
TEST(ProcessTree, FollowsRealGrandchildrenThroughTheChildrenFiles) {
  if (!fs::exists(fmt::format("/proc/{}/task/{}/children", getpid(), getpid()))) {
    GTEST_SKIP() << "this kernel has no /proc/PID/task/TID/children";
  }
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    setpgid(0, 0);
    for (int i = 0; i < 2; ++i) {
      if (fork() == 0) {  // two grandchildren, each in a session of its own
        setsid();
        (void)!write(ready[1], "x", 1);
        usleep(600 * 1000);
        _exit(0);
      }
    }
    usleep(300 * 1000);  // stays alive a while, then leaves its children behind
    _exit(0);
  }
  char bytes[2] = {};
  ASSERT_EQ(read(ready[0], bytes, 1), 1);
  ASSERT_EQ(read(ready[0], bytes + 1, 1), 1);
  ProcessTree tree(child, {"/proc", getpid(), child});
  tree.scan();
  EXPECT_TRUE(tree.walks_children_files());
  EXPECT_EQ(tree.live_count(), 3u);  // the child and both grandchildren
  int status = 0;
  waitpid(child, &status, 0);  // the grandchildren are now this process's children
  tree.scan();
  EXPECT_EQ(tree.live_count(), 2u);
  while (wait(&status) > 0) {
  }
  close(ready[0]);
  close(ready[1]);
  prctl(PR_SET_CHILD_SUBREAPER, 0);
}

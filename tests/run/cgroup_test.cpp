#include "run/cgroup.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace fs = std::filesystem;
using namespace joule::run;

TEST(Cgroup, FindsTheUnifiedLine) {
  EXPECT_EQ(parse_unified_cgroup("0::/user.slice/user-1000.slice/session-2.scope\n"),
            "/user.slice/user-1000.slice/session-2.scope");
  EXPECT_EQ(parse_unified_cgroup("9:name=systemd:/\n4:memory:/x\n0::/\n"), "/");
  EXPECT_FALSE(parse_unified_cgroup("4:memory:/x\n1:cpu:/\n"));
}

TEST(Cgroup, ReadsUsageFromCpuStat) {
  auto usage = parse_cpu_stat_usage("usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n");
  ASSERT_TRUE(usage);
  EXPECT_DOUBLE_EQ(usage->seconds, 2.5);
  EXPECT_FALSE(parse_cpu_stat_usage("user_usec 1\n"));
  EXPECT_FALSE(parse_cpu_stat_usage("usage_usec lots\n"));
}

TEST(Cgroup, JouleCgroupTakesOffOrNothingAndRefusesTheRest) {
  EXPECT_TRUE(cgroup_wanted(nullptr));
  EXPECT_TRUE(cgroup_wanted(""));
  EXPECT_FALSE(cgroup_wanted("off"));
  for (const char* typo : {"OFF", "0", "no", "false", "of"}) {
    try {
      cgroup_wanted(typo);
      ADD_FAILURE() << "JOULE_CGROUP=" << typo << " accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("off"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(typo), std::string::npos) << e.what();
    }
  }
}

class FakeHierarchy : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / fmt::format("joule-cgroup-{}", getpid());
    fs::create_directories(root_ / "mnt/user.slice/job");
    std::ofstream(root_ / "self_cgroup") << "0::/user.slice/job\n";
    std::ofstream(root_ / "mnt/user.slice/job/cgroup.procs");
  }
  void TearDown() override { fs::remove_all(root_); }
  CgroupOptions options() const { return {root_ / "mnt", root_ / "self_cgroup", false}; }
  fs::path root_;
};

TEST_F(FakeHierarchy, CreatesReadsAndReleasesTheRunCgroup) {
  // The kernel makes a cgroup's files on mkdir; the fake hierarchy has them
  // ready (create() accepts an existing directory).
  const fs::path dir = root_ / "mnt/user.slice/job/joule-4242";
  fs::create_directories(dir);
  std::ofstream(dir / "cgroup.procs");
  auto created = RunCgroup::create(4242, options());
  ASSERT_TRUE(created.cgroup) << created.reason;
  EXPECT_EQ(created.cgroup->path(), dir);
  std::ofstream(dir / "cpu.stat") << "usage_usec 1500000\n";
  std::ofstream(dir / "cgroup.procs") << "777\n";
  auto usage = created.cgroup->cpu_usage();
  ASSERT_TRUE(usage);
  EXPECT_DOUBLE_EQ(usage->seconds, 1.5);
  EXPECT_EQ(created.cgroup->pids(), std::vector<pid_t>{777});
  EXPECT_TRUE(created.cgroup->release());
  EXPECT_FALSE(fs::exists(dir));
  // The leftover process was moved back to the parent.
  std::ifstream parent(root_ / "mnt/user.slice/job/cgroup.procs");
  std::string moved;
  parent >> moved;
  EXPECT_EQ(moved, "777");
}

TEST_F(FakeHierarchy, SaysWhyWhenTheDirectoryIsNotACgroup) {
  auto created = RunCgroup::create(4243, options());  // mkdir makes no cgroup.procs here
  EXPECT_FALSE(created.cgroup);
  EXPECT_NE(created.reason.find("not writable"), std::string::npos) << created.reason;
  EXPECT_FALSE(fs::exists(root_ / "mnt/user.slice/job/joule-4243"));
}

TEST_F(FakeHierarchy, SaysWhyWhenThereIsNoUnifiedHierarchy) {
  std::ofstream(root_ / "self_cgroup") << "4:memory:/x\n";
  auto created = RunCgroup::create(1, options());
  EXPECT_FALSE(created.cgroup);
  EXPECT_NE(created.reason.find("no cgroup v2"), std::string::npos) << created.reason;
}

TEST_F(FakeHierarchy, RefusesAMountThatIsNotCgroup2) {
  auto opts = options();
  opts.require_cgroup2 = true;  // a temporary directory is not cgroup2fs
  auto created = RunCgroup::create(1, opts);
  EXPECT_FALSE(created.cgroup);
  EXPECT_NE(created.reason.find("not a cgroup v2 mount"), std::string::npos) << created.reason;
}

// Energy by cgroup: each gets its CPU-time share of the CPU-side domains, per
// interval, as `joule run` attributes a command.
#include <gtest/gtest.h>

#include "serve/serve_support.hpp"
#include "serve/workloads.hpp"

namespace joule::serve {
namespace {

using joule::testing::make_temp_dir;
using joule::testing::replace_file;
using joule::testing::rewrite_in_place;

DomainInfo package() {
  DomainInfo d;
  d.id = "cpu:package-0";
  d.component = Component::cpu_package;
  return d;
}

Measurement interval_of(double joules) {
  Measurement m;
  m.domains.push_back({"cpu:package-0", Component::cpu_package, Provenance::measured,
                       Joules{joules}, Watts{}, 0.05, true});
  m.total = Joules{joules};
  return m;
}

class Workloads : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("workloads");
    std::filesystem::create_directories(dir_ / "proc");
    for (const auto* c : {"system.slice/a.service", "system.slice/b.service", "user.slice/u1"}) {
      std::filesystem::create_directories(dir_ / "cgroup" / c);
    }
    state(1000, 0, 0);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Machine busy jiffies; a's and b's CPU time in microseconds.
  void state(unsigned long long busy_jiffies, unsigned long long a_us, unsigned long long b_us) {
    replace_file(dir_ / "proc/stat", fmt::format("cpu  {} 0 0 100 0 0 0 0 0 0\n", busy_jiffies));
    rewrite_in_place(dir_ / "cgroup/system.slice/a.service/cpu.stat",
                     fmt::format("usage_usec {}\n", a_us));
    rewrite_in_place(dir_ / "cgroup/system.slice/b.service/cpu.stat",
                     fmt::format("usage_usec {}\n", b_us));
    rewrite_in_place(dir_ / "cgroup/user.slice/u1/cpu.stat", "usage_usec 0\n");
  }

  // A zero rescan interval walks the tree at every interval; tests of what
  // happens between walks give an hour, which no test lasts.
  WorkloadOptions options(std::size_t max = 500,
                          std::chrono::seconds rescan = std::chrono::seconds(0)) const {
    WorkloadOptions o;
    o.rescan_interval = rescan;
    o.root = dir_ / "cgroup";
    o.proc_root = dir_ / "proc";
    o.depth = 2;
    o.max_cgroups = max;
    return o;
  }

  std::filesystem::path dir_;
};

TEST_F(Workloads, EachCgroupGetsItsCpuTimeShareOfEachInterval) {
  WorkloadAttribution w(options(), {package()});
  w.add(interval_of(10));  // first sight: a baseline, no energy yet
  // 2 busy CPU-seconds (200 jiffies): a used 1.5 s, b 0.5 s.
  state(1200, 1'500'000, 500'000);
  w.add(interval_of(100));
  // Then 2 more: a 0.2 s, b 1.8 s; power was lower.
  state(1400, 1'700'000, 2'300'000);
  w.add(interval_of(20));
  auto energy = w.energy();
  ASSERT_EQ(energy.size(), 3u);
  EXPECT_EQ(energy[0].cgroup, "system.slice/a.service");
  EXPECT_NEAR(energy[0].attributed.joules, 0.75 * 100 + 0.1 * 20, 1e-9);
  EXPECT_EQ(energy[1].cgroup, "system.slice/b.service");
  EXPECT_NEAR(energy[1].attributed.joules, 0.25 * 100 + 0.9 * 20, 1e-9);
  EXPECT_EQ(energy[2].cgroup, "user.slice/u1");
  EXPECT_EQ(energy[2].attributed.joules, 0.0);
  EXPECT_NE(w.method().find("cpu.stat"), std::string::npos);
}

TEST_F(Workloads, CardinalityIsBoundedAndVanishedCgroupsAreDropped) {
  WorkloadAttribution w(options(2), {package()});
  w.add(interval_of(1));
  EXPECT_EQ(w.energy().size(), 2u);
  EXPECT_EQ(w.left_out(), 1u);
  std::filesystem::remove_all(dir_ / "cgroup/system.slice/a.service");
  w.add(interval_of(1));
  auto energy = w.energy();
  ASSERT_EQ(energy.size(), 2u);
  EXPECT_EQ(energy[0].cgroup, "system.slice/b.service");
  EXPECT_EQ(w.left_out(), 0u);
}

TEST_F(Workloads, BetweenWalksARemovedCgroupIsDroppedWhenItsCpuStatStopsReading) {
  WorkloadAttribution w(options(500, std::chrono::hours(1)), {package()});
  w.add(interval_of(1));
  state(1200, 1'000'000, 1'000'000);
  w.add(interval_of(100));
  ASSERT_EQ(w.energy().size(), 3u);
  // The kernel answers ENODEV to a read of a removed cgroup's open cpu.stat;
  // the fixture's file system keeps the removed file readable, so the file
  // is emptied instead, which no more reads as a cpu.stat.
  rewrite_in_place(dir_ / "cgroup/system.slice/a.service/cpu.stat", "");
  w.add(interval_of(1));
  auto energy = w.energy();
  ASSERT_EQ(energy.size(), 2u);
  EXPECT_EQ(energy[0].cgroup, "system.slice/b.service");
  EXPECT_NEAR(energy[0].attributed.joules, 50.0, 1e-9);
}

TEST_F(Workloads, ACgroupCreatedBetweenWalksIsFoundAtTheNextAndCountsFromThen) {
  const auto created = dir_ / "cgroup/system.slice/c.service";
  // Walking at every interval: c is found at the first interval after it
  // appears, and its CPU time before that is not charged to that interval.
  WorkloadAttribution each(options(), {package()});
  each.add(interval_of(1));
  std::filesystem::create_directories(created);
  rewrite_in_place(created / "cpu.stat", "usage_usec 9000000\n");
  state(1200, 1'000'000, 0);
  each.add(interval_of(100));
  auto energy = each.energy();
  ASSERT_EQ(energy.size(), 4u);
  EXPECT_EQ(energy[2].cgroup, "system.slice/c.service");
  EXPECT_EQ(energy[2].attributed.joules, 0.0);
  rewrite_in_place(created / "cpu.stat", "usage_usec 10000000\n");  // 1 s of 2 busy s
  state(1400, 2'000'000, 0);
  each.add(interval_of(100));
  EXPECT_NEAR(each.energy()[2].attributed.joules, 50.0, 1e-9);

  // Walking once an hour: a cgroup created since the last walk is not seen.
  WorkloadAttribution hourly(options(500, std::chrono::hours(1)), {package()});
  std::filesystem::remove_all(created);
  hourly.add(interval_of(1));
  std::filesystem::create_directories(created);
  rewrite_in_place(created / "cpu.stat", "usage_usec 1\n");
  hourly.add(interval_of(1));
  EXPECT_EQ(hourly.energy().size(), 3u);
}

// Open descriptors of this process.
std::size_t open_descriptors() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
    ++n;
  return n;
}

TEST_F(Workloads, HoldsOneDescriptorPerExportedCgroupAndClosesThoseThatGo) {
  const std::size_t before = open_descriptors();
  {
    WorkloadAttribution w(options(2), {package()});
    w.add(interval_of(1));
    EXPECT_EQ(open_descriptors(), before + 2);  // --max-cgroups bounds them
    std::filesystem::remove_all(dir_ / "cgroup/system.slice/a.service");
    w.add(interval_of(1));
    EXPECT_EQ(w.energy().size(), 2u);
    EXPECT_EQ(open_descriptors(), before + 2);  // a's closed, u1's opened
  }
  EXPECT_EQ(open_descriptors(), before);
}

TEST(CgroupsAtDepth, ListsDirectoriesAtExactlyThatDepth) {
  const auto dir = make_temp_dir("depth");
  std::filesystem::create_directories(dir / "a/b/c");
  std::filesystem::create_directories(dir / "d");
  std::ofstream(dir / "a/cpu.stat") << "usage_usec 1\n";
  EXPECT_EQ(cgroups_at_depth(dir, 1), (std::vector<std::filesystem::path>{dir / "a", dir / "d"}));
  EXPECT_EQ(cgroups_at_depth(dir, 2), (std::vector<std::filesystem::path>{dir / "a/b"}));
  EXPECT_TRUE(cgroups_at_depth(dir / "missing", 1).empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace joule::serve

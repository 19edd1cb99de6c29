// RAPL through powercap on recorded-shape trees: a two-socket Intel server
// with every domain, an AMD EPYC with packages only, wrapping counters, bad
// files, and a counter only root may read.
#include <gmock/gmock.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "joule/discovery.hpp"
#include "sensors/backends.hpp"
#include "sensors/sysfs_fixture.hpp"

namespace joule {
namespace {

using sysfs_testing::disjoint_ids;
using sysfs_testing::FakeTree;
using sysfs_testing::find_domain;
using sysfs_testing::index_of;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr std::uint64_t kRangeUj = 262143328850;  // a real Xeon's max_energy_range_uj

void add_zone(FakeTree& tree, const std::string& dir, const std::string& name,
              std::uint64_t energy_uj, std::uint64_t range_uj = kRangeUj) {
  const std::string zone = "class/powercap/" + dir;
  tree.write(zone + "/name", name);
  tree.write(zone + "/energy_uj", std::to_string(energy_uj));
  tree.write(zone + "/max_energy_range_uj", std::to_string(range_uj));
  tree.write(zone + "/enabled", "1");
}

// Two Xeon sockets, each with core, uncore and dram subzones, and psys; plus
// the things a real tree has that are not zones.
void build_intel_server(FakeTree& tree, bool with_psys = true) {
  tree.write("class/powercap/intel-rapl/enabled", "1");  // the control type
  for (int p = 0; p < 2; ++p) {
    const std::string top = "intel-rapl:" + std::to_string(p);
    add_zone(tree, top, "package-" + std::to_string(p), 1000000 + p);
    add_zone(tree, top + ":0", "core", 2000000 + p);
    add_zone(tree, top + ":1", "uncore", 3000000 + p);
    add_zone(tree, top + ":2", "dram", 4000000 + p, 65712999613);
  }
  if (with_psys) add_zone(tree, "intel-rapl:2", "psys", 9000000);
  // The MMIO interface duplicates package-0; it must not be counted again.
  add_zone(tree, "intel-rapl-mmio:0", "package-0", 5);
  tree.write_proc("cpuinfo",
                  "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) "
                  "Gold 6248 CPU @ 2.50GHz\n");
}

ProbeResult probe(const SensorConfig& config) {
  ProbeResult result;
  sensors::probe_rapl_powercap(config, result);
  return result;
}

TEST(RaplPowercap, TwoSocketIntelServerHasEveryDomainNested) {
  FakeTree tree;
  build_intel_server(tree);
  const ProbeResult result = probe(tree.config());

  ASSERT_EQ(result.reports.size(), 1u);
  const BackendReport& report = result.reports[0];
  EXPECT_EQ(report.backend, "rapl-powercap");
  EXPECT_EQ(report.state, BackendState::active);
  EXPECT_THAT(report.reason, HasSubstr("2 packages, 9 domains"));
  EXPECT_TRUE(report.remedy.empty());
  ASSERT_EQ(result.sensors.size(), 1u);
  const Sensor& sensor = *result.sensors[0];
  EXPECT_EQ(sensor.backend(), "rapl-powercap");

  std::vector<std::string> ids;
  for (const auto& d : sensor.domains()) ids.push_back(d.id);
  EXPECT_THAT(ids, UnorderedElementsAre("cpu:package-0", "cpu:core-0", "cpu:uncore-0", "dram:0",
                                        "cpu:package-1", "cpu:core-1", "cpu:uncore-1", "dram:1",
                                        "system:psys"));

  const DomainInfo* pkg1 = find_domain(sensor, "cpu:package-1");
  ASSERT_NE(pkg1, nullptr);
  EXPECT_EQ(pkg1->component, Component::cpu_package);
  EXPECT_EQ(pkg1->kind, ReadingKind::energy_counter);
  EXPECT_EQ(pkg1->provenance, Provenance::measured);
  // The package holds its own core and uncore, never dram or the other socket's.
  EXPECT_THAT(pkg1->contains, UnorderedElementsAre("cpu:core-1", "cpu:uncore-1"));
  EXPECT_THAT(pkg1->label, HasSubstr("Xeon(R) Gold 6248"));
  EXPECT_EQ(pkg1->source, (tree.sys() / "class/powercap/intel-rapl:1/energy_uj").string());
  ASSERT_TRUE(pkg1->wrap_range.has_value());
  EXPECT_DOUBLE_EQ(pkg1->wrap_range->joules, 262143.32885);
  EXPECT_DOUBLE_EQ(pkg1->resolution, 1e-6);
  EXPECT_GT(pkg1->relative_uncertainty, 0.0);
  EXPECT_LE(pkg1->relative_uncertainty, 0.10);

  EXPECT_EQ(find_domain(sensor, "cpu:core-0")->component, Component::cpu_core);
  EXPECT_EQ(find_domain(sensor, "cpu:uncore-0")->component, Component::cpu_uncore);
  const DomainInfo* dram1 = find_domain(sensor, "dram:1");
  EXPECT_EQ(dram1->component, Component::dram);
  EXPECT_DOUBLE_EQ(dram1->wrap_range->joules, 65712.999613);
  EXPECT_TRUE(dram1->contains.empty());

  const DomainInfo* psys = find_domain(sensor, "system:psys");
  EXPECT_EQ(psys->component, Component::psys);
  EXPECT_THAT(psys->contains,
              UnorderedElementsAre("cpu:package-0", "cpu:core-0", "cpu:uncore-0", "dram:0",
                                   "cpu:package-1", "cpu:core-1", "cpu:uncore-1", "dram:1"));
  EXPECT_EQ(disjoint_ids(sensor), std::set<std::string>{"system:psys"});

  // Every counter reads back in joules.
  auto& mutable_sensor = *result.sensors[0];
  std::vector<Reading> readings(sensor.domains().size());
  mutable_sensor.read(readings);
  for (const auto& r : readings) EXPECT_EQ(r.status, ReadStatus::ok) << r.error;
  EXPECT_DOUBLE_EQ(readings[index_of(sensor, "cpu:package-1")].counter.joules, 1.000001);
  EXPECT_DOUBLE_EQ(readings[index_of(sensor, "dram:0")].counter.joules, 4.0);
  EXPECT_DOUBLE_EQ(readings[index_of(sensor, "system:psys")].counter.joules, 9.0);
}

TEST(RaplPowercap, WithoutPsysTheTotalIsPackagesAndDram) {
  FakeTree tree;
  build_intel_server(tree, /*with_psys=*/false);
  const ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  EXPECT_EQ(disjoint_ids(*result.sensors[0]),
            (std::set<std::string>{"cpu:package-0", "cpu:package-1", "dram:0", "dram:1"}));
}

TEST(RaplPowercap, AmdEpycWithPackagesOnly) {
  FakeTree tree;
  // Zen exposes the intel-rapl tree with one package zone per socket.
  add_zone(tree, "intel-rapl:0", "package-0", 123456789, 65532610987);
  add_zone(tree, "intel-rapl:1", "package-1", 987654321, 65532610987);
  tree.write_proc("cpuinfo",
                  "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7763 "
                  "64-Core Processor\n");
  const ProbeResult result = probe(tree.config());

  ASSERT_EQ(result.reports.size(), 1u);
  EXPECT_EQ(result.reports[0].state, BackendState::active);
  EXPECT_THAT(result.reports[0].reason, HasSubstr("2 packages, 2 domains (package)"));
  ASSERT_EQ(result.sensors.size(), 1u);
  const Sensor& sensor = *result.sensors[0];
  ASSERT_EQ(sensor.domains().size(), 2u);
  for (const auto& d : sensor.domains()) {
    EXPECT_EQ(d.component, Component::cpu_package);
    EXPECT_TRUE(d.contains.empty());
    // AMD's RAPL is modelled by the SMU: a wider figure than Intel's.
    EXPECT_DOUBLE_EQ(d.relative_uncertainty, 0.10);
    EXPECT_THAT(d.label, HasSubstr("EPYC 7763"));
  }
  EXPECT_EQ(disjoint_ids(sensor), (std::set<std::string>{"cpu:package-0", "cpu:package-1"}));
  std::vector<Reading> readings(2);
  result.sensors[0]->read(readings);
  EXPECT_DOUBLE_EQ(readings[index_of(sensor, "cpu:package-1")].counter.joules, 987.654321);
}

TEST(RaplPowercap, SubzonesOnlyInsideTheirParentAreFound) {
  FakeTree tree;
  add_zone(tree, "intel-rapl:0", "package-0", 10);
  add_zone(tree, "intel-rapl:0/intel-rapl:0:0", "core", 20);
  const ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  const DomainInfo* pkg = find_domain(*result.sensors[0], "cpu:package-0");
  ASSERT_NE(pkg, nullptr);
  EXPECT_THAT(pkg->contains, UnorderedElementsAre("cpu:core-0"));
}

TEST(RaplPowercap, NoTreeIsAbsentWithHowToEnable) {
  FakeTree tree;
  const ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.reports.size(), 1u);
  EXPECT_EQ(result.reports[0].state, BackendState::absent);
  EXPECT_THAT(result.reports[0].reason, HasSubstr("class/powercap"));
  EXPECT_THAT(result.reports[0].remedy, HasSubstr("modprobe intel_rapl_msr"));
  // powercap learnt AMD in 5.11 ("powercap: Add AMD Fam17h RAPL support") and
  // Hygon in 5.13; perf learnt AMD earlier, in 5.8.
  EXPECT_THAT(result.reports[0].remedy, HasSubstr("AMD Zen needs Linux 5.11"));
  EXPECT_THAT(result.reports[0].remedy, HasSubstr("Hygon 5.13"));
  EXPECT_TRUE(result.sensors.empty());
}

TEST(RaplPowercap, CountersThatWrapManyTimesAreCorrectedByTheirRange) {
  FakeTree tree;
  const std::uint64_t range = 1000000;  // 1 J, so a few steps cross it
  add_zone(tree, "intel-rapl:0", "package-0", 0, range);
  ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  Sensor& sensor = *result.sensors[0];
  const double wrap_j = sensor.domains()[0].wrap_range->joules;
  EXPECT_DOUBLE_EQ(wrap_j, 1.0);

  // Advance 0.7 J per step for 50 steps: the counter wraps 35 times. The
  // sensor returns the raw counter; correcting it with wrap_range (what the
  // meter does) must give back every joule.
  std::uint64_t true_uj = 0;
  std::vector<Reading> reading(1);
  sensor.read(reading);
  double previous = reading[0].counter.joules;
  double corrected = 0;
  int wraps = 0;
  for (int step = 0; step < 50; ++step) {
    true_uj += 700000;
    tree.write("class/powercap/intel-rapl:0/energy_uj", std::to_string(true_uj % range));
    sensor.read(reading);
    ASSERT_EQ(reading[0].status, ReadStatus::ok) << reading[0].error;
    double delta = reading[0].counter.joules - previous;
    if (delta < 0) {
      delta += wrap_j;
      ++wraps;
    }
    corrected += delta;
    previous = reading[0].counter.joules;
  }
  EXPECT_EQ(wraps, 35);
  EXPECT_NEAR(corrected, 35.0, 1e-9);
}

TEST(RaplPowercap, NonNumericCounterIsUnavailableNamingThePathThenRecovers) {
  FakeTree tree;
  add_zone(tree, "intel-rapl:0", "package-0", 5000000);
  ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  Sensor& sensor = *result.sensors[0];
  const auto path = tree.write("class/powercap/intel-rapl:0/energy_uj", "garbage");
  std::vector<Reading> reading(1);
  EXPECT_NO_THROW(sensor.read(reading));
  EXPECT_EQ(reading[0].status, ReadStatus::unavailable);
  EXPECT_THAT(reading[0].error, HasSubstr(path.string()));
  EXPECT_THAT(reading[0].error, HasSubstr("'garbage'"));

  tree.write("class/powercap/intel-rapl:0/energy_uj", "6000000");
  sensor.read(reading);
  EXPECT_EQ(reading[0].status, ReadStatus::ok);
  EXPECT_TRUE(reading[0].error.empty());
  EXPECT_DOUBLE_EQ(reading[0].counter.joules, 6.0);
}

// A zone removed while joule reads it (hot-unplug, the driver unbound) is
// gone, not merely unreadable: the meter then keeps its energy up to the last
// reading and says when it vanished. The other zones read on.
TEST(RaplPowercap, AZoneRemovedMidRunIsGoneAndTheOthersReadOn) {
  FakeTree tree;
  add_zone(tree, "intel-rapl:0", "package-0", 5000000);
  add_zone(tree, "intel-rapl:1", "package-1", 0);
  sysfs_testing::VanishingFile counter;
  counter.link_at(tree.sys() / "class/powercap/intel-rapl:1/energy_uj");
  ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  Sensor& sensor = *result.sensors[0];
  const std::size_t removed = index_of(sensor, "cpu:package-1");
  std::vector<Reading> readings(sensor.domains().size());
  sensor.read(readings);
  EXPECT_EQ(readings[removed].status, ReadStatus::ok);

  counter.vanish();
  sensor.read(readings);
  EXPECT_EQ(readings[removed].status, ReadStatus::gone);
  EXPECT_THAT(readings[removed].error, HasSubstr("intel-rapl:1/energy_uj"));
  EXPECT_THAT(readings[removed].error, HasSubstr("no longer there"));
  EXPECT_EQ(readings[index_of(sensor, "cpu:package-0")].status, ReadStatus::ok);
}

TEST(RaplPowercap, BadRangeSkipsTheZoneAndSaysWhichFile) {
  FakeTree tree;
  add_zone(tree, "intel-rapl:0", "package-0", 10);
  add_zone(tree, "intel-rapl:0:0", "core", 10);
  const auto bad = tree.write("class/powercap/intel-rapl:0:0/max_energy_range_uj", "lots");
  const ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  EXPECT_EQ(result.sensors[0]->domains().size(), 1u);
  EXPECT_EQ(result.reports[0].state, BackendState::active);
  EXPECT_THAT(result.reports[0].reason, HasSubstr(bad.string()));
  EXPECT_THAT(result.reports[0].reason, HasSubstr("'lots'"));
}

// energy_uj is mode 0400 root:root since Linux 5.10. Tests run as root, so
// the probe runs in a child that has dropped to nobody (65534) and sends its
// report back through a pipe.
TEST(RaplPowercap, RootOnlyCounterIsRefusedWithTheFix) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to create a root-only file and drop privileges";
  FakeTree tree;
  add_zone(tree, "intel-rapl:0", "package-0", 42);
  add_zone(tree, "intel-rapl:0:0", "core", 42);
  // Every directory on the way must be traversable by nobody.
  for (auto p = tree.sys() / "class/powercap/intel-rapl:0:0"; p != tree.root().parent_path();
       p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) ::chmod(p.c_str(), (st.st_mode & 07777) | 0555);
  }
  for (const char* zone : {"intel-rapl:0", "intel-rapl:0:0"}) {
    const auto file = tree.sys() / "class/powercap" / zone / "energy_uj";
    ASSERT_EQ(::chown(file.c_str(), 0, 0), 0);
    ASSERT_EQ(::chmod(file.c_str(), 0400), 0);
  }

  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    // Drop supplementary groups too, or root's group 0 would linger.
    if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
        ::setresuid(65534, 65534, 65534) != 0) {
      _exit(2);
    }
    const ProbeResult result = probe(tree.config());
    std::string message;
    if (result.reports.size() == 1) {
      const auto& r = result.reports[0];
      message = std::string(to_string(r.state)) + '\n' + r.reason + '\n' + r.remedy + '\n' +
                std::to_string(result.sensors.size());
    }
    const char* data = message.data();
    std::size_t left = message.size();
    while (left > 0) {
      const ssize_t n = ::write(fds[1], data, left);
      if (n <= 0) _exit(3);
      data += n;
      left -= static_cast<std::size_t>(n);
    }
    _exit(0);
  }
  ::close(fds[1]);
  std::string message;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, n);
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);

  std::vector<std::string> lines;
  for (std::size_t start = 0;;) {
    const auto nl = message.find('\n', start);
    lines.push_back(message.substr(start, nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  ASSERT_EQ(lines.size(), 4u) << message;
  EXPECT_EQ(lines[0], "refused");
  EXPECT_THAT(lines[1], HasSubstr("root only"));
  EXPECT_THAT(lines[1], HasSubstr("CVE-2020-8694"));
  EXPECT_THAT(lines[1], HasSubstr("intel-rapl:0/energy_uj"));
  EXPECT_THAT(lines[2], HasSubstr("chmod o+r"));
  EXPECT_THAT(lines[2], HasSubstr("energy_uj"));
  EXPECT_EQ(lines[3], "0");  // no sensor: nothing half-readable is kept
}

}  // namespace
}  // namespace joule

// RAPL through perf_event with perf_event_open replaced: the fake returns the
// descriptor of an ordinary file holding an 8-byte count, so the real event
// parsing, socket selection, scaling and reading all run.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "joule/discovery.hpp"
#include "sensors/backends.hpp"
#include "sensors/rapl_perf.hpp"
#include "sensors/sysfs_fixture.hpp"

namespace joule {
namespace {

using sysfs_testing::disjoint_ids;
using sysfs_testing::FakeTree;
using sysfs_testing::find_domain;
using sysfs_testing::index_of;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr double kScale = 2.3283064365386962890625e-10;  // 2^-32 J, as on Intel

// Counts the fake "kernel" holds, one file per (config, cpu).
class FakePerf {
 public:
  explicit FakePerf(const FakeTree& tree) : dir_(tree.root() / "perf") {
    std::filesystem::create_directories(dir_);
  }

  sensors::PerfEventOpen opener() {
    return [this](const perf_event_attr& attr, int cpu) {
      calls.push_back({attr.type, attr.config, cpu});
      if (fail_with != 0) {
        errno = fail_with;
        return -1;
      }
      const auto path = file(attr.config, cpu);
      if (!std::filesystem::exists(path)) set(attr.config, cpu, 0);
      return ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    };
  }

  void set(std::uint64_t config, int cpu, std::uint64_t count) {
    std::ofstream out(file(config, cpu), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(&count), sizeof count);
  }

  struct Call {
    std::uint32_t type;
    std::uint64_t config;
    int cpu;
  };
  std::vector<Call> calls;
  int fail_with = 0;

 private:
  std::filesystem::path file(std::uint64_t config, int cpu) const {
    return dir_ / ("config" + std::to_string(config) + "-cpu" + std::to_string(cpu));
  }
  std::filesystem::path dir_;
};

// A two-socket machine whose CPUs alternate between sockets, with the power
// PMU advertising package, cores, ram and psys events.
void build_power_pmu(FakeTree& tree) {
  const std::string pmu = "bus/event_source/devices/power/";
  tree.write(pmu + "type", "23");
  tree.write(pmu + "format/event", "config:0-7");
  tree.write(pmu + "cpumask", "0-1");
  const std::vector<std::pair<std::string, std::string>> events = {{"energy-pkg", "event=0x02"},
                                                                   {"energy-cores", "event=0x01"},
                                                                   {"energy-ram", "event=0x03"},
                                                                   {"energy-psys", "event=0x05"}};
  for (const auto& [name, config] : events) {
    const std::string event = pmu + "events/" + name;
    tree.write(event, config);
    tree.write(event + ".scale", "2.3283064365386962890625e-10");
    tree.write(event + ".unit", "Joules");
  }
  for (int cpu = 0; cpu < 4; ++cpu) {
    tree.write("devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/physical_package_id",
               std::to_string(cpu % 2));
  }
  tree.write("devices/system/cpu/cpufreq/boost", "1");  // not a CPU
  tree.write_proc("sys/kernel/perf_event_paranoid", "2");
}

ProbeResult probe(const SensorConfig& config, FakePerf& perf) {
  ProbeResult result;
  sensors::probe_rapl_perf_with(config, result, perf.opener());
  return result;
}

TEST(RaplPerf, OpensEachEventOncePerSocketAndScalesCounts) {
  FakeTree tree;
  build_power_pmu(tree);
  FakePerf perf(tree);
  ProbeResult result = probe(tree.config(), perf);

  ASSERT_EQ(result.reports.size(), 1u);
  EXPECT_EQ(result.reports[0].backend, "rapl-perf");
  EXPECT_EQ(result.reports[0].state, BackendState::active) << result.reports[0].reason;
  EXPECT_THAT(result.reports[0].reason, HasSubstr("2 packages, 6 domains"));
  // perf's psys reads 0 off the owning package or when the BIOS disables
  // it: beside the packages it is left out, never made to contain them.
  EXPECT_THAT(result.reports[0].reason, HasSubstr("energy-psys left out"));
  ASSERT_EQ(result.sensors.size(), 1u);
  Sensor& sensor = *result.sensors[0];
  EXPECT_EQ(sensor.backend(), "rapl-perf");

  // One CPU per package (cpu0 for socket 0, cpu1 for socket 1), psys too.
  std::map<std::uint64_t, std::vector<int>> cpus_by_config;
  for (const auto& call : perf.calls) {
    EXPECT_EQ(call.type, 23u);
    cpus_by_config[call.config].push_back(call.cpu);
  }
  EXPECT_THAT(cpus_by_config[0x02], UnorderedElementsAre(0, 1));
  EXPECT_THAT(cpus_by_config[0x01], UnorderedElementsAre(0, 1));
  EXPECT_THAT(cpus_by_config[0x03], UnorderedElementsAre(0, 1));
  EXPECT_THAT(cpus_by_config[0x05], UnorderedElementsAre(0, 1));

  std::vector<std::string> ids;
  for (const auto& d : sensor.domains()) ids.push_back(d.id);
  EXPECT_THAT(ids, UnorderedElementsAre("cpu:package-0", "cpu:package-1", "cpu:core-0",
                                        "cpu:core-1", "dram:0", "dram:1"));
  const DomainInfo* pkg1 = find_domain(sensor, "cpu:package-1");
  EXPECT_EQ(pkg1->component, Component::cpu_package);
  EXPECT_EQ(pkg1->kind, ReadingKind::energy_counter);
  EXPECT_THAT(pkg1->contains, UnorderedElementsAre("cpu:core-1"));
  EXPECT_FALSE(pkg1->wrap_range.has_value());  // the kernel keeps a 64-bit count
  EXPECT_DOUBLE_EQ(pkg1->resolution, kScale);
  EXPECT_THAT(pkg1->source, HasSubstr("config 0x2 cpu 1"));

  // count x scale = joules, re-read through the same descriptor each time.
  std::vector<Reading> readings(sensor.domains().size());
  perf.set(0x02, 1, std::uint64_t{1} << 32);
  sensor.read(readings);
  EXPECT_EQ(readings[index_of(sensor, "cpu:package-1")].status, ReadStatus::ok);
  EXPECT_DOUBLE_EQ(readings[index_of(sensor, "cpu:package-1")].counter.joules, 1.0);
  EXPECT_DOUBLE_EQ(readings[index_of(sensor, "cpu:package-0")].counter.joules, 0.0);
  perf.set(0x02, 1, std::uint64_t{3} << 32);
  perf.set(0x03, 0, std::uint64_t{1} << 31);
  sensor.read(readings);
  EXPECT_DOUBLE_EQ(readings[index_of(sensor, "cpu:package-1")].counter.joules, 3.0);
  EXPECT_DOUBLE_EQ(readings[index_of(sensor, "dram:0")].counter.joules, 0.5);
}

// A two-socket Sapphire Rapids whose PMU offers energy-psys alone, owned by
// socket 1: the kernel exposes the event on every package since "perf/x86/
// rapl: Fix psys-energy event on Intel SPR platform", and a CPU of a package
// that does not own psys reads 0.
TEST(RaplPerf, PsysIsReadOnThePackageThatOwnsIt) {
  FakeTree tree;
  const std::string pmu = "bus/event_source/devices/power/";
  tree.write(pmu + "type", "23");
  tree.write(pmu + "format/event", "config:0-7");
  tree.write(pmu + "cpumask", "0,56");
  tree.write(pmu + "events/energy-psys", "event=0x05");
  tree.write(pmu + "events/energy-psys.scale", "2.3283064365386962890625e-10");
  tree.write(pmu + "events/energy-psys.unit", "Joules");
  for (int cpu = 0; cpu < 112; cpu += 28) {
    tree.write("devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/physical_package_id",
               std::to_string(cpu / 56));
  }
  // Sapphire Rapids: family 6, model 143 (0x8F), whose psys steps in whole
  // joules under the 2^-32 J scale (RAPL_UNIT_QUIRK_INTEL_SPR).
  tree.write_proc("cpuinfo",
                  "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 143\n");
  FakePerf perf(tree);
  perf.set(0x05, 56, std::uint64_t{1} << 32);  // the owner has counted 1 J when probed
  ProbeResult result = probe(tree.config(), perf);
  ASSERT_EQ(result.sensors.size(), 1u);
  Sensor& sensor = *result.sensors[0];
  ASSERT_EQ(sensor.domains().size(), 1u);
  EXPECT_EQ(sensor.domains()[0].id, "system:psys");
  EXPECT_DOUBLE_EQ(sensor.domains()[0].resolution, 1.0);
  EXPECT_TRUE(sensor.domains()[0].contains.empty());
  std::vector<int> cpus;
  for (const auto& call : perf.calls) cpus.push_back(call.cpu);
  EXPECT_THAT(cpus, UnorderedElementsAre(0, 56));

  std::vector<Reading> readings(1);
  perf.set(0x05, 56, std::uint64_t{250} << 32);  // the owner: 250 J
  perf.set(0x05, 0, 0);                          // not the owner: 0, always
  sensor.read(readings);
  EXPECT_EQ(readings[0].status, ReadStatus::ok);
  EXPECT_DOUBLE_EQ(readings[0].counter.joules, 250.0);
}

// A VM whose PMU offers energy-psys alone and never counts it: the probe
// waits for it to move, then leaves it out instead of reporting 0 W.
TEST(RaplPerf, PsysAloneThatNeverCountsIsLeftOut) {
  FakeTree tree;
  const std::string pmu = "bus/event_source/devices/power/";
  tree.write(pmu + "type", "23");
  tree.write(pmu + "format/event", "config:0-7");
  tree.write(pmu + "cpumask", "0");
  tree.write(pmu + "events/energy-psys", "event=0x05");
  tree.write(pmu + "events/energy-psys.scale", "2.3283064365386962890625e-10");
  tree.write(pmu + "events/energy-psys.unit", "Joules");
  tree.write("devices/system/cpu/cpu0/topology/physical_package_id", "0");
  FakePerf perf(tree);
  const auto start = std::chrono::steady_clock::now();
  ProbeResult result = probe(tree.config(), perf);
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(result.sensors.empty());
  ASSERT_EQ(result.reports.size(), 1u);
  EXPECT_EQ(result.reports[0].state, BackendState::absent);
  EXPECT_THAT(result.reports[0].reason, HasSubstr("energy-psys read 0 J for 20 ms"));
  EXPECT_GE(waited, std::chrono::milliseconds(20));

  // The same PMU on a platform whose psys counts is kept.
  FakePerf counting(tree);
  counting.set(0x05, 0, 12345);
  ProbeResult kept = probe(tree.config(), counting);
  ASSERT_EQ(kept.sensors.size(), 1u);
  EXPECT_EQ(kept.sensors[0]->domains()[0].id, "system:psys");
}

TEST(RaplPerf, NotProbedWhenPowercapAlreadyReadsTheDomains) {
  FakeTree tree;
  build_power_pmu(tree);
  tree.write("class/powercap/intel-rapl:0/name", "package-0");
  tree.write("class/powercap/intel-rapl:0/energy_uj", "1");
  tree.write("class/powercap/intel-rapl:0/max_energy_range_uj", "262143328850");
  ProbeResult result;
  sensors::probe_rapl_powercap(tree.config(), result);
  ASSERT_EQ(result.sensors.size(), 1u);

  FakePerf perf(tree);
  sensors::probe_rapl_perf_with(tree.config(), result, perf.opener());
  EXPECT_TRUE(perf.calls.empty());
  EXPECT_EQ(result.sensors.size(), 1u);
  const BackendReport* report = sysfs_testing::find_report(result, "rapl-perf");
  ASSERT_NE(report, nullptr);
  EXPECT_EQ(report->state, BackendState::absent);
  EXPECT_THAT(report->reason, HasSubstr("not needed: rapl-powercap already reads these domains"));
}

TEST(RaplPerf, PermissionDeniedIsRefusedWithParanoidLevelAndFix) {
  FakeTree tree;
  build_power_pmu(tree);
  FakePerf perf(tree);
  perf.fail_with = EACCES;
  const ProbeResult result = probe(tree.config(), perf);
  ASSERT_EQ(result.reports.size(), 1u);
  const BackendReport& report = result.reports[0];
  EXPECT_EQ(report.state, BackendState::refused);
  EXPECT_THAT(report.reason, HasSubstr("Permission denied"));
  EXPECT_THAT(report.reason, HasSubstr("perf_event_paranoid is 2"));
  EXPECT_THAT(report.remedy, HasSubstr("sysctl -w kernel.perf_event_paranoid=0"));
  EXPECT_THAT(report.remedy, HasSubstr("cap_perfmon"));
  EXPECT_TRUE(result.sensors.empty());
}

TEST(RaplPerf, NoPowerPmuIsAbsent) {
  FakeTree tree;
  FakePerf perf(tree);
  const ProbeResult result = probe(tree.config(), perf);
  ASSERT_EQ(result.reports.size(), 1u);
  EXPECT_EQ(result.reports[0].state, BackendState::absent);
  EXPECT_THAT(result.reports[0].reason, HasSubstr("bus/event_source/devices/power"));
  EXPECT_THAT(result.reports[0].remedy, HasSubstr("modprobe"));
  // "perf/x86/rapl: Add AMD Fam17h RAPL support" landed in Linux 5.8.
  EXPECT_THAT(result.reports[0].remedy, HasSubstr("AMD Zen needs Linux 5.8"));
  EXPECT_TRUE(perf.calls.empty());
}

TEST(RaplPerf, EventTermsAreDepositedIntoTheirFormatBits) {
  FakeTree tree;
  build_power_pmu(tree);
  const std::string pmu = "bus/event_source/devices/power/";
  tree.write(pmu + "events/energy-pkg", "event=0x02,umask=0x3");
  tree.write(pmu + "format/umask", "config:8-15");
  FakePerf perf(tree);
  const ProbeResult result = probe(tree.config(), perf);
  ASSERT_EQ(result.sensors.size(), 1u);
  bool seen = false;
  for (const auto& call : perf.calls) seen |= call.config == 0x302;
  EXPECT_TRUE(seen);
}

TEST(RaplPerf, BadScaleSkipsTheEventNamingTheFile) {
  FakeTree tree;
  build_power_pmu(tree);
  const auto bad =
      tree.write("bus/event_source/devices/power/events/energy-ram.scale", "one quarter");
  FakePerf perf(tree);
  const ProbeResult result = probe(tree.config(), perf);
  ASSERT_EQ(result.sensors.size(), 1u);
  EXPECT_EQ(find_domain(*result.sensors[0], "dram:0"), nullptr);
  EXPECT_NE(find_domain(*result.sensors[0], "cpu:package-0"), nullptr);
  EXPECT_THAT(result.reports[0].reason, HasSubstr(bad.string()));
}

TEST(RaplPerf, FallsBackToTheCpumaskWithoutTopology) {
  FakeTree tree;
  build_power_pmu(tree);
  std::filesystem::remove_all(tree.sys() / "devices/system/cpu");
  tree.write("bus/event_source/devices/power/cpumask", "0,28");
  FakePerf perf(tree);
  const ProbeResult result = probe(tree.config(), perf);
  std::vector<int> pkg_cpus;
  for (const auto& call : perf.calls) {
    if (call.config == 0x02) pkg_cpus.push_back(call.cpu);
  }
  EXPECT_THAT(pkg_cpus, UnorderedElementsAre(0, 28));
}

// Cascade Lake-AP (Xeon Platinum 9200): two dies per package, RAPL MSRs per
// die. arch/x86/events/rapl.c keeps one rapl_pmu per die since Linux 5.3
// ("perf/x86/intel/rapl: Support multi-die/package", topology_logical_die_id;
// PERF_PMU_SCOPE_DIE since 6.13, "perf/x86/rapl: Clean up cpumask and
// hotplug"), and the PMU's cpumask lists the first CPU of each die.
// topology/die_id is the die within its package (Linux 5.2,
// Documentation/ABI/stable/sysfs-devices-system-cpu). Here: 2 packages x 2
// dies x 2 CPUs, cpus 0-1 package 0 die 0, 2-3 package 0 die 1, and so on.
void build_cascade_lake_ap(FakeTree& tree) {
  build_power_pmu(tree);
  tree.write("bus/event_source/devices/power/cpumask", "0,2,4,6");
  for (int cpu = 0; cpu < 8; ++cpu) {
    const std::string topology = "devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
    tree.write(topology + "physical_package_id", std::to_string(cpu / 4));
    tree.write(topology + "die_id", std::to_string(cpu / 2 % 2));
  }
}

TEST(RaplPerf, CascadeLakeApOpensOneEventPerDie) {
  FakeTree tree;
  build_cascade_lake_ap(tree);
  FakePerf perf(tree);
  ProbeResult result = probe(tree.config(), perf);
  ASSERT_EQ(result.sensors.size(), 1u);
  const Sensor& sensor = *result.sensors[0];

  std::vector<int> pkg_cpus;
  for (const auto& call : perf.calls) {
    if (call.config == 0x02) pkg_cpus.push_back(call.cpu);
  }
  EXPECT_THAT(pkg_cpus, UnorderedElementsAre(0, 2, 4, 6));
  EXPECT_THAT(disjoint_ids(sensor),
              UnorderedElementsAre("cpu:package-0-die-0", "cpu:package-0-die-1",
                                   "cpu:package-1-die-0", "cpu:package-1-die-1", "dram:0-die-0",
                                   "dram:0-die-1", "dram:1-die-0", "dram:1-die-1"));
  EXPECT_THAT(find_domain(sensor, "cpu:package-0-die-1")->contains,
              UnorderedElementsAre("cpu:core-0-die-1"));
  EXPECT_THAT(result.reports[0].reason, HasSubstr("4 dies"));
}

TEST(RaplPerf, OneCpuPerPackageInTheCpumaskIsPackageScope) {
  FakeTree tree;
  build_cascade_lake_ap(tree);
  tree.write("bus/event_source/devices/power/cpumask", "0,4");  // AMD: package-scoped
  FakePerf perf(tree);
  ProbeResult result = probe(tree.config(), perf);
  ASSERT_EQ(result.sensors.size(), 1u);
  EXPECT_THAT(disjoint_ids(*result.sensors[0]),
              UnorderedElementsAre("cpu:package-0", "cpu:package-1", "dram:0", "dram:1"));
}

}  // namespace
}  // namespace joule

// RAPL powercap trees laid out as the kernel lays them out, not as joule
// expects them.
//
// Sources (Linux, drivers/powercap/):
// - powercap_sys.c, powercap_register_zone(): a zone's device is named
//   dev_set_name("%s:%x", parent, id) with the id from an idr, so the
//   eleventh top-level zone is "intel-rapl:a" and the sixteenth "intel-rapl:f".
// - intel_rapl_common.c, rapl_add_package_cpuslocked(): when the RAPL MSRs
//   are not package-scoped and the CPU has more than one die per package,
//   each die is its own rapl_package named "package-%d-die-%d" (physical
//   package, die), registered as a top-level zone with its own subzones.
//   On AMD, Linux 6.10 started to report CCDs as dies (CPUID 0x80000026);
//   until "rapl_msrs_are_pkg_scope()" (perf/x86/rapl: "Fix the energy-pkg
//   event for AMD CPUs", and the powercap twin) every CCD became such a zone,
//   each reading the one package-scoped MSR again.
// - intel_rapl_common.c, rapl_init_domains(): the platform domain is "psys"
//   on rapl_package 0 and "psys-%d" (the physical package id) on others;
//   rapl_package_register_powercap() registers it with parent NULL, right
//   after its package's zone, so it takes the next top-level id.
//   rapl_check_domain() skips a domain whose counter reads 0: since
//   "powercap/intel_rapl: enumerate Psys RAPL domain together with package
//   RAPL domain" (2020) psys is probed on every package and only the package
//   that owns it (not always package 0, e.g. Sapphire Rapids) registers one.
// - AMD's "core" subzone (RAPL_DOMAIN_PP0, "powercap: Add AMD Fam17h RAPL
//   support", Linux 5.11) reads MSR_AMD_CORE_ENERGY_STATUS, a per-core
//   counter, and intel_rapl_msr.c reads every MSR on the package's lead CPU:
//   the zone is that one core's energy. The kernel's perf side says the same
//   ("perf/x86/rapl: Add core energy counter support for AMD CPUs", 2024:
//   "AMD's per-core energy counters").
// - powercap_sys.c, create_constraints(): each constraint X of a zone gets
//   constraint_X_name, constraint_X_power_limit_uw and, where the driver has
//   get_max_power, constraint_X_max_power_uw (Documentation/ABI/testing/
//   sysfs-class-powercap). intel_rapl_common.c names them "long_term",
//   "short_term" and "peak_power"; a limit the domain lacks reads 0.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>

#include <fmt/format.h>

#include "joule/discovery.hpp"
#include "sensors/backends.hpp"
#include "sensors/sysfs_fixture.hpp"

namespace joule {
namespace {

using sysfs_testing::disjoint_ids;
using sysfs_testing::FakeTree;
using sysfs_testing::find_domain;
using sysfs_testing::find_report;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr std::uint64_t kRangeUj = 262143328850;

void add_zone(FakeTree& tree, const std::string& dir, const std::string& name,
              std::uint64_t energy_uj) {
  const std::string zone = "class/powercap/" + dir;
  tree.write(zone + "/name", name);
  tree.write(zone + "/energy_uj", std::to_string(energy_uj));
  tree.write(zone + "/max_energy_range_uj", std::to_string(kRangeUj));
  tree.write(zone + "/enabled", "0");
}

// The kernel's "%s:%x".
std::string zone_dir(int top) {
  return fmt::format("intel-rapl:{:x}", top);
}

void write_cpuinfo(FakeTree& tree, const std::string& vendor, const std::string& model) {
  tree.write_proc("cpuinfo",
                  "processor\t: 0\nvendor_id\t: " + vendor + "\nmodel name\t: " + model + "\n");
}

// cpuinfo gives family and model in decimal: Sapphire Rapids is 6 / 143 (0x8F).
void write_cpuinfo_with_model(FakeTree& tree, const std::string& model_name, int family,
                              int model) {
  tree.write_proc("cpuinfo", fmt::format("processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: "
                                         "{}\nmodel\t\t: {}\nmodel name\t: {}\n",
                                         family, model, model_name));
}

ProbeResult probe(const SensorConfig& config) {
  ProbeResult result;
  sensors::probe_rapl_powercap(config, result);
  return result;
}

std::set<std::string> ids(const Sensor& sensor) {
  std::set<std::string> out;
  for (const auto& d : sensor.domains()) out.insert(d.id);
  return out;
}

// A two-socket EPYC on Linux 6.10 with 8 CCDs a socket: sixteen top-level
// zones intel-rapl:0 ... intel-rapl:f, each with its core subzone
// (intel-rapl:N:0), every die of a socket reading the socket's counter.
void build_epyc_per_ccd(FakeTree& tree) {
  tree.write("class/powercap/intel-rapl/enabled", "1");
  for (int package = 0; package < 2; ++package) {
    for (int die = 0; die < 8; ++die) {
      const std::string dir = zone_dir(package * 8 + die);
      const std::uint64_t package_uj = 5000000 + static_cast<std::uint64_t>(package);
      add_zone(tree, dir, "package-" + std::to_string(package) + "-die-" + std::to_string(die),
               package_uj);
      add_zone(tree, dir + ":0", "core", 100000 + static_cast<std::uint64_t>(die));
    }
  }
  write_cpuinfo(tree, "AuthenticAMD", "AMD EPYC 9654 96-Core Processor");
}

TEST(RaplPowercapKernelLayout, HexadecimalZoneIdsAreAllRead) {
  FakeTree tree;
  build_epyc_per_ccd(tree);
  const ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  const Sensor& sensor = *result.sensors[0];
  // All sixteen die zones and their cores, intel-rapl:a ... intel-rapl:f included.
  EXPECT_EQ(sensor.domains().size(), 32u);
  const DomainInfo* last = find_domain(sensor, "cpu:package-1-die-7");
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->source, (tree.sys() / "class/powercap/intel-rapl:f/energy_uj").string());
  EXPECT_EQ(last->component, Component::cpu_package);
  const DomainInfo* core = find_domain(sensor, "cpu:one-core-1-die-7");
  ASSERT_NE(core, nullptr);
  EXPECT_EQ(core->source, (tree.sys() / "class/powercap/intel-rapl:f:0/energy_uj").string());
}

// A one-socket Zen as "powercap: Add AMD Fam17h RAPL support" registers it:
// intel-rapl:0 "package-0" and intel-rapl:0:0 "core".
TEST(RaplPowercapKernelLayout, AmdCoreZoneIsOneCoreNotAllCores) {
  FakeTree tree;
  tree.write("class/powercap/intel-rapl/enabled", "1");
  add_zone(tree, "intel-rapl:0", "package-0", 5000000);
  add_zone(tree, "intel-rapl:0:0", "core", 100000);
  write_cpuinfo(tree, "AuthenticAMD", "AMD Ryzen 9 5950X 16-Core Processor");
  const ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  const Sensor& sensor = *result.sensors[0];
  EXPECT_EQ(find_domain(sensor, "cpu:core-0"), nullptr);
  const DomainInfo* core = find_domain(sensor, "cpu:one-core-0");
  ASSERT_NE(core, nullptr);
  // Component cpu_core means the cores of a package; this is one core.
  EXPECT_NE(core->component, Component::cpu_core);
  EXPECT_THAT(core->label, HasSubstr("one core"));
  EXPECT_THAT(core->label, HasSubstr("not all cores"));
  // It is inside the package, never in the total.
  EXPECT_THAT(disjoint_ids(sensor), UnorderedElementsAre("cpu:package-0"));

  // Intel's core zone (PP0) is every core of the package.
  FakeTree intel;
  intel.write("class/powercap/intel-rapl/enabled", "1");
  add_zone(intel, "intel-rapl:0", "package-0", 5000000);
  add_zone(intel, "intel-rapl:0:0", "core", 100000);
  write_cpuinfo(intel, "GenuineIntel", "Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz");
  const ProbeResult intel_result = probe(intel.config());
  ASSERT_EQ(intel_result.sensors.size(), 1u);
  const DomainInfo* cores = find_domain(*intel_result.sensors[0], "cpu:core-0");
  ASSERT_NE(cores, nullptr);
  EXPECT_EQ(cores->component, Component::cpu_core);
}

TEST(RaplPowercapKernelLayout, AmdPerDieZonesAreOnePackageCountedOnce) {
  FakeTree tree;
  build_epyc_per_ccd(tree);
  const ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  const Sensor& sensor = *result.sensors[0];
  // AMD's RAPL MSRs are package-scoped: every die zone of a socket is the
  // socket again, so the first die stands for the socket and holds the rest.
  EXPECT_THAT(disjoint_ids(sensor),
              UnorderedElementsAre("cpu:package-0-die-0", "cpu:package-1-die-0"));
  const DomainInfo* first = find_domain(sensor, "cpu:package-1-die-0");
  ASSERT_NE(first, nullptr);
  EXPECT_THAT(first->contains, ::testing::Contains("cpu:package-1-die-7"));
  EXPECT_THAT(first->contains, ::testing::Not(::testing::Contains("cpu:package-0-die-1")));
  const BackendReport* report = find_report(result, "rapl-powercap");
  ASSERT_NE(report, nullptr);
  EXPECT_THAT(report->reason, HasSubstr("2 packages"));
  EXPECT_THAT(report->reason, HasSubstr("counted once"));
}

// Cascade Lake-AP (Xeon Platinum 9282): two dies a socket, RAPL MSRs
// die-scoped, so each die is a real, separate zone with its own dram.
void build_cascade_lake_ap(FakeTree& tree) {
  tree.write("class/powercap/intel-rapl/enabled", "1");
  for (int package = 0; package < 2; ++package) {
    for (int die = 0; die < 2; ++die) {
      const std::string dir = zone_dir(package * 2 + die);
      add_zone(tree, dir, "package-" + std::to_string(package) + "-die-" + std::to_string(die),
               1000000);
      add_zone(tree, dir + ":0", "dram", 200000);
    }
  }
  write_cpuinfo(tree, "GenuineIntel", "Intel(R) Xeon(R) Platinum 9282 CPU @ 2.60GHz");
}

TEST(RaplPowercapKernelLayout, IntelPerDieZonesAreSiblings) {
  FakeTree tree;
  build_cascade_lake_ap(tree);
  const ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  const Sensor& sensor = *result.sensors[0];
  EXPECT_THAT(disjoint_ids(sensor),
              UnorderedElementsAre("cpu:package-0-die-0", "cpu:package-0-die-1",
                                   "cpu:package-1-die-0", "cpu:package-1-die-1", "dram:0-die-0",
                                   "dram:0-die-1", "dram:1-die-0", "dram:1-die-1"));
  const BackendReport* report = find_report(result, "rapl-powercap");
  ASSERT_NE(report, nullptr);
  EXPECT_THAT(report->reason, HasSubstr("2 packages, 8 domains"));
}

// A two-socket Sapphire Rapids whose psys belongs to package 1: the kernel
// names it "psys-1" and registers it after package-1's zone.
void build_spr_psys_on_package_1(FakeTree& tree, bool psys_on_package_0_too) {
  tree.write("class/powercap/intel-rapl/enabled", "1");
  int top = 0;
  for (int package = 0; package < 2; ++package) {
    const std::string dir = zone_dir(top++);
    add_zone(tree, dir, "package-" + std::to_string(package), 3000000);
    add_zone(tree, dir + ":0", "dram", 400000);
    if (package == 0 && psys_on_package_0_too) add_zone(tree, zone_dir(top++), "psys", 9000000);
    if (package == 1) add_zone(tree, zone_dir(top++), "psys-1", 9000000);
  }
  write_cpuinfo(tree, "GenuineIntel", "Intel(R) Xeon(R) Platinum 8480+");
}

TEST(RaplPowercapKernelLayout, PsysOfPackageOneHoldsThePackagesAndDram) {
  FakeTree tree;
  build_spr_psys_on_package_1(tree, false);
  const ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  const Sensor& sensor = *result.sensors[0];
  const DomainInfo* psys = find_domain(sensor, "system:psys-1");
  ASSERT_NE(psys, nullptr);
  EXPECT_EQ(psys->component, Component::psys);
  EXPECT_EQ(psys->source, (tree.sys() / "class/powercap/intel-rapl:2/energy_uj").string());
  EXPECT_THAT(psys->contains,
              UnorderedElementsAre("cpu:package-0", "dram:0", "cpu:package-1", "dram:1"));
  EXPECT_THAT(disjoint_ids(sensor), UnorderedElementsAre("system:psys-1"));
}

TEST(RaplPowercapKernelLayout, TwoPsysZonesAreOnePlatformCountedOnce) {
  FakeTree tree;
  build_spr_psys_on_package_1(tree, true);
  const ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  const Sensor& sensor = *result.sensors[0];
  EXPECT_THAT(ids(sensor), UnorderedElementsAre("cpu:package-0", "dram:0", "system:psys",
                                                "cpu:package-1", "dram:1", "system:psys-1"));
  // Each psys is the whole platform seen from one socket: the first holds
  // the other, never both in a total.
  EXPECT_THAT(disjoint_ids(sensor), UnorderedElementsAre("system:psys"));
  EXPECT_THAT(find_domain(sensor, "system:psys")->contains, ::testing::Contains("system:psys-1"));
  EXPECT_THAT(find_domain(sensor, "system:psys-1")->contains,
              ::testing::Not(::testing::Contains("system:psys")));
}

// Sapphire Rapids (6/0x8F) and Emerald Rapids (6/0xCF) count psys in whole
// joules (rapl_defaults_spr_server); a Skylake client (6/0x5E) does not.
TEST(RaplPowercapKernelLayout, PsysResolutionIsOneJouleOnSapphireAndEmeraldRapids) {
  struct Case {
    int model;
    double resolution_j;
  };
  for (const Case& c : {Case{0x8F, 1.0}, Case{0xCF, 1.0}, Case{0x5E, 1e-6}}) {
    FakeTree tree;
    build_spr_psys_on_package_1(tree, false);
    write_cpuinfo_with_model(tree, "Intel(R) Xeon(R)", 6, c.model);
    const ProbeResult result = probe(tree.config());
    ASSERT_EQ(result.sensors.size(), 1u);
    const DomainInfo* psys = find_domain(*result.sensors[0], "system:psys-1");
    ASSERT_NE(psys, nullptr);
    EXPECT_DOUBLE_EQ(psys->resolution, c.resolution_j) << "model " << c.model;
    EXPECT_DOUBLE_EQ(find_domain(*result.sensors[0], "cpu:package-0")->resolution, 1e-6);
  }
}

// A desktop package with PL1 65 W, PL2 202 W and 125 W in PKG_POWER_INFO,
// and a dram zone whose limit reads 0.
TEST(RaplPowercapKernelLayout, MaxPowerIsTheHighestConstraintOrThePhysicalBound) {
  FakeTree tree;
  add_zone(tree, "intel-rapl:0", "package-0", 5000000);
  const std::string package = "class/powercap/intel-rapl:0/";
  tree.write(package + "constraint_0_name", "long_term");
  tree.write(package + "constraint_0_power_limit_uw", "65000000");
  tree.write(package + "constraint_0_max_power_uw", "125000000");
  tree.write(package + "constraint_1_name", "short_term");
  tree.write(package + "constraint_1_power_limit_uw", "202000000");
  add_zone(tree, "intel-rapl:0:1", "dram", 400000);
  tree.write("class/powercap/intel-rapl:0:1/constraint_0_name", "long_term");
  tree.write("class/powercap/intel-rapl:0:1/constraint_0_power_limit_uw", "0");
  write_cpuinfo(tree, "GenuineIntel", "13th Gen Intel(R) Core(TM) i9-13900K");
  const ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  const DomainInfo* pkg = find_domain(*result.sensors[0], "cpu:package-0");
  ASSERT_NE(pkg, nullptr);
  ASSERT_TRUE(pkg->max_power);
  EXPECT_DOUBLE_EQ(pkg->max_power->watts, 202.0);
  const DomainInfo* dram = find_domain(*result.sensors[0], "dram:0");
  ASSERT_NE(dram, nullptr);
  ASSERT_TRUE(dram->max_power);
  EXPECT_DOUBLE_EQ(dram->max_power->watts, sensors::physical_max_power(Component::dram).watts);
}

}  // namespace
}  // namespace joule

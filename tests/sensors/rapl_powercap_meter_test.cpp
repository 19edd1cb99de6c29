// rapl-powercap under the real meter: counters rewritten across
// max_energy_range_uj many times come out as the exact energy that went in,
// and the total sums the package but not the core nested inside it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "joule/meter.hpp"
#include "sensors/backends.hpp"
#include "sensors/sysfs_fixture.hpp"

namespace joule {
namespace {

using sysfs_testing::FakeTree;

TEST(RaplPowercapMeter, ManyWrapsGiveTheExactEnergy) {
  constexpr std::uint64_t kRangeUj = 262143328850;  // a real Xeon's range
  FakeTree tree;
  const std::string pkg = "class/powercap/intel-rapl:0/";
  const std::string core = "class/powercap/intel-rapl:0:0/";
  tree.write(pkg + "name", "package-0");
  tree.write(core + "name", "core");
  for (const auto& zone : {pkg, core}) {
    tree.write(zone + "max_energy_range_uj", std::to_string(kRangeUj));
    // The samples below are microseconds apart yet step 0.3-0.4 of the
    // range: a limit of 10^9 W lets this compressed time pass the meter's
    // check that each step is one the zone could draw.
    tree.write(zone + "constraint_0_max_power_uw", "1000000000000000");
  }
  // Start near the top of the range so the first step already wraps.
  std::uint64_t pkg_uj = kRangeUj - 1000;
  std::uint64_t core_uj = 17;
  tree.write(pkg + "energy_uj", std::to_string(pkg_uj));
  tree.write(core + "energy_uj", std::to_string(core_uj));

  ProbeResult result;
  sensors::probe_rapl_powercap(tree.config(), result);
  ASSERT_EQ(result.sensors.size(), 1u);
  MeterOptions options;
  options.start_sampler = false;  // the test takes every sample itself
  Meter meter(std::move(result.sensors), options);
  ASSERT_EQ(meter.domains().size(), 2u);
  const Snapshot start = meter.snapshot();

  // 0.4 of the range per sample (under half, so no wrap can be missed): 60
  // samples wrap the package counter 24 times; the core moves 0.3 per sample.
  const std::uint64_t pkg_step = kRangeUj / 10 * 4;
  const std::uint64_t core_step = kRangeUj / 10 * 3;
  std::uint64_t pkg_total_uj = 0;
  std::uint64_t core_total_uj = 0;
  for (int sample = 0; sample < 60; ++sample) {
    pkg_uj = (pkg_uj + pkg_step) % kRangeUj;
    core_uj = (core_uj + core_step) % kRangeUj;
    pkg_total_uj += pkg_step;
    core_total_uj += core_step;
    tree.write(pkg + "energy_uj", std::to_string(pkg_uj));
    tree.write(core + "energy_uj", std::to_string(core_uj));
    meter.snapshot();
  }
  const Measurement m = meter.measure(start, meter.snapshot());

  ASSERT_EQ(m.domains.size(), 2u);
  const DomainEnergy& p = m.domains[0].id == "cpu:package-0" ? m.domains[0] : m.domains[1];
  const DomainEnergy& c = m.domains[0].id == "cpu:core-0" ? m.domains[0] : m.domains[1];
  ASSERT_EQ(p.id, "cpu:package-0");
  ASSERT_EQ(c.id, "cpu:core-0");
  // Exact to the counter's resolution (1 uJ); doubles cannot do better in joules.
  EXPECT_NEAR(p.energy.joules, static_cast<double>(pkg_total_uj) * 1e-6, 1e-6);
  EXPECT_NEAR(c.energy.joules, static_cast<double>(core_total_uj) * 1e-6, 1e-6);
  EXPECT_TRUE(p.in_total);
  EXPECT_FALSE(c.in_total);  // inside the package
  EXPECT_NEAR(m.total.joules, static_cast<double>(pkg_total_uj) * 1e-6, 1e-6);
  for (const auto& warning : m.warnings) {
    EXPECT_EQ(warning.find("could not be read"), std::string::npos) << warning;
    EXPECT_EQ(warning.find("missed"), std::string::npos) << warning;
  }
}

}  // namespace
}  // namespace joule

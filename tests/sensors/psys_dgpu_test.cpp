// A laptop with Intel psys beside an NVIDIA discrete GPU. What psys covers is
// up to the board: the Intel SDM (vol. 4, MSR_PLATFORM_ENERGY_COUNTER, 64DH)
// calls it the platform's total energy, valid only where "both platform
// vendor hardware implementation and BIOS enablement support it", and the
// charger's PSYS output it sums is wired by the OEM; intel_rapl_common.c
// registers it as a top-level "psys" zone right after package-0, with no
// word on what feeds it. A dGPU may sit on the same adapter/battery rail or
// not, and nothing in sysfs or NVML says which. joule cannot know, so gpu:0
// is never inside psys: both are in the total, and docs/sensors.md says a
// psys laptop may count the dGPU twice.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "joule/discovery.hpp"
#include "joule/meter.hpp"
#include "sensors/nvml_fake.hpp"
#include "sensors/sysfs_fixture.hpp"

namespace joule {
namespace {

using sysfs_testing::FakeTree;
using ::testing::Contains;
using ::testing::Not;

void add_zone(FakeTree& tree, const std::string& dir, const std::string& name) {
  const std::string zone = "class/powercap/" + dir;
  tree.write(zone + "/name", name);
  tree.write(zone + "/energy_uj", "1000000");
  tree.write(zone + "/max_energy_range_uj", "262143328850");
  tree.write(zone + "/enabled", "0");
}

TEST(PsysBesideDiscreteGpu, TheGpuIsNotInsidePsysAndBothCount) {
  FakeTree tree;
  add_zone(tree, "intel-rapl:0", "package-0");
  add_zone(tree, "intel-rapl:0:0", "core");
  add_zone(tree, "intel-rapl:0:1", "uncore");
  add_zone(tree, "intel-rapl:1", "psys");
  tree.write_proc(
      "cpuinfo", "vendor_id\t: GenuineIntel\nmodel name\t: 13th Gen Intel(R) Core(TM) i7-13700H\n");
  testing::FakeNvml nvml;
  nvml.set_device_count(1);

  SensorConfig config = tree.config();
  config.nvml_library = testing::FakeNvml::kPath;
  config.only_backends = {"rapl-powercap", "nvml"};
  config.estimator = EstimatorMode::off;
  ProbeResult result = discover_sensors(config);
  ASSERT_EQ(result.sensors.size(), 2u);

  Meter meter(std::move(result.sensors), MeterOptions{.start_sampler = false});
  const Snapshot start = meter.snapshot();
  const Measurement m = meter.measure(start, meter.snapshot());
  bool psys_counted = false;
  bool gpu_counted = false;
  for (std::size_t i = 0; i < meter.domains().size(); ++i) {
    const DomainInfo& d = meter.domains()[i];
    if (d.id == "system:psys") {
      psys_counted = m.domains[i].in_total;
      EXPECT_THAT(d.contains, Not(Contains("gpu:0")));
    }
    if (d.id == "gpu:0") gpu_counted = m.domains[i].in_total;
  }
  EXPECT_TRUE(psys_counted);
  EXPECT_TRUE(gpu_counted);
}

}  // namespace
}  // namespace joule

// Discovery through the NVML backend: what it finds on the fake two-GPU
// machine, and what it says when it finds nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "joule/discovery.hpp"
#include "sensors/backends.hpp"
#include "sensors/nvml_fake.hpp"

namespace joule {
namespace {

using ::testing::HasSubstr;

ProbeResult probe(const SensorConfig& config) {
  ProbeResult result;
  sensors::probe_nvml(config, result);
  return result;
}

TEST(NvmlProbe, EveryGpuBecomesADomain) {
  testing::FakeNvml fake;
  const ProbeResult result = probe(fake.config());

  ASSERT_EQ(result.reports.size(), 1u);
  EXPECT_EQ(result.reports[0].backend, "nvml");
  EXPECT_EQ(result.reports[0].state, BackendState::active);
  EXPECT_TRUE(result.reports[0].remedy.empty());
  ASSERT_EQ(result.sensors.size(), 1u);
  const Sensor& sensor = *result.sensors[0];
  EXPECT_EQ(sensor.backend(), "nvml");
  ASSERT_EQ(sensor.domains().size(), 2u);

  const DomainInfo& counter = sensor.domains()[0];
  EXPECT_EQ(counter.id, "gpu:0");
  EXPECT_EQ(counter.label, "Fake H100");
  EXPECT_EQ(counter.component, Component::gpu);
  EXPECT_EQ(counter.kind, ReadingKind::energy_counter);
  EXPECT_EQ(counter.provenance, Provenance::measured);
  EXPECT_EQ(counter.source, std::string(testing::FakeNvml::kPath) +
                                " device 0 (GPU-00000000-fake-0000-0000-000000000000)");
  EXPECT_FALSE(counter.wrap_range.has_value());  // 64-bit mJ: no wrap in practice
  EXPECT_DOUBLE_EQ(counter.resolution, 0.001);
  EXPECT_DOUBLE_EQ(counter.relative_uncertainty, 0.05);
  EXPECT_TRUE(counter.contains.empty());

  const DomainInfo& power = sensor.domains()[1];
  EXPECT_EQ(power.id, "gpu:1");
  EXPECT_EQ(power.label, "Fake T4");
  EXPECT_EQ(power.component, Component::gpu);
  EXPECT_EQ(power.kind, ReadingKind::power);
  EXPECT_EQ(power.provenance, Provenance::measured);
  EXPECT_THAT(power.source, HasSubstr("device 1 (GPU-11111111-fake"));
  EXPECT_DOUBLE_EQ(power.resolution, 0.001);
  EXPECT_GT(power.relative_uncertainty, counter.relative_uncertainty);

  // The report says which reading each GPU uses, and its power limit (the
  // enforced limit, or the management limit where that is not supported).
  EXPECT_THAT(result.reports[0].reason, HasSubstr("gpu:0 Fake H100: energy counter, limit 700 W"));
  EXPECT_THAT(result.reports[0].reason,
              HasSubstr("gpu:1 Fake T4: power only (energy counter: Not Supported), integrated, "
                        "limit 70 W"));
}

// MIG instances are not GPUs of their own: the board stays one domain, read
// through the parent handle, and the report says its energy is every
// instance's together.
TEST(NvmlProbe, GpuInMigModeIsOneBoardAndSaysSo) {
  testing::FakeNvml fake;
  fake.set_mig_instances(0, 3);
  ProbeResult result = probe(fake.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  Sensor& sensor = *result.sensors[0];
  ASSERT_EQ(sensor.domains().size(), 2u);
  EXPECT_EQ(sensor.domains()[0].id, "gpu:0");
  EXPECT_EQ(sensor.domains()[0].kind, ReadingKind::energy_counter);
  EXPECT_THAT(result.reports[0].reason,
              HasSubstr("gpu:0 Fake H100: energy counter, limit 700 W, MIG mode with 3 "
                        "instance(s): the whole board's energy"));
  // The T4 is not in MIG mode: one mention, the H100's.
  const std::string& reason = result.reports[0].reason;
  EXPECT_EQ(reason.find("MIG mode"), reason.rfind("MIG mode"));
  std::vector<Reading> readings(2);
  fake.set_energy_mj(0, 2500000);
  sensor.read(readings);
  EXPECT_EQ(readings[0].status, ReadStatus::ok);
  EXPECT_DOUBLE_EQ(readings[0].counter.joules, 2500.0);
}

TEST(NvmlProbe, EveryGpuWithoutCounterFallsBackToPower) {
  testing::FakeNvml fake;
  fake.set_energy_supported(0, false);
  const ProbeResult result = probe(fake.config());

  ASSERT_EQ(result.sensors.size(), 1u);
  for (const DomainInfo& domain : result.sensors[0]->domains()) {
    EXPECT_EQ(domain.kind, ReadingKind::power) << domain.id;
    EXPECT_DOUBLE_EQ(domain.relative_uncertainty, 0.10) << domain.id;
  }
}

TEST(NvmlProbe, FoundThroughDiscoveryAndTheEnvironment) {
  testing::FakeNvml fake;
  ASSERT_EQ(setenv("JOULE_NVML_LIBRARY", testing::FakeNvml::kPath, 1), 0);
  SensorConfig config = SensorConfig::from_environment();
  unsetenv("JOULE_NVML_LIBRARY");
  EXPECT_EQ(config.nvml_library, testing::FakeNvml::kPath);

  config.only_backends = {"nvml"};
  const ProbeResult result = discover_sensors(config);
  ASSERT_EQ(result.sensors.size(), 1u);
  EXPECT_EQ(result.sensors[0]->domains().size(), 2u);
}

TEST(NvmlProbe, MissingLibraryIsAbsentWithRemedy) {
  SensorConfig config;
  config.nvml_library = "/nonexistent/libnvidia-ml.so.1";
  const ProbeResult result = probe(config);

  EXPECT_TRUE(result.sensors.empty());
  ASSERT_EQ(result.reports.size(), 1u);
  EXPECT_EQ(result.reports[0].state, BackendState::absent);
  EXPECT_THAT(result.reports[0].reason, HasSubstr("/nonexistent/libnvidia-ml.so.1"));
  EXPECT_EQ(result.reports[0].remedy,
            "install the NVIDIA driver, or set JOULE_NVML_LIBRARY to the path of "
            "libnvidia-ml.so.1");
}

TEST(NvmlProbe, InitVersionMismatchIsRefusedWithNvmlsMessage) {
  testing::FakeNvml fake;
  fake.set_init_error(18);  // NVML_ERROR_LIB_RM_VERSION_MISMATCH
  const ProbeResult result = probe(fake.config());

  EXPECT_TRUE(result.sensors.empty());
  ASSERT_EQ(result.reports.size(), 1u);
  EXPECT_EQ(result.reports[0].state, BackendState::refused);
  EXPECT_THAT(result.reports[0].reason, HasSubstr("Driver/library version mismatch"));
  EXPECT_THAT(result.reports[0].reason, HasSubstr("NVML error 18"));
  EXPECT_THAT(result.reports[0].remedy, HasSubstr("reboot"));
}

TEST(NvmlProbe, InitDriverNotLoadedIsAbsent) {
  testing::FakeNvml fake;
  fake.set_init_error(9);  // NVML_ERROR_DRIVER_NOT_LOADED
  const ProbeResult result = probe(fake.config());

  EXPECT_TRUE(result.sensors.empty());
  ASSERT_EQ(result.reports.size(), 1u);
  EXPECT_EQ(result.reports[0].state, BackendState::absent);
  EXPECT_THAT(result.reports[0].reason, HasSubstr("nvmlInit failed: Driver Not Loaded"));
  EXPECT_FALSE(result.reports[0].remedy.empty());
  EXPECT_EQ(fake.init_count(), 0);
}

TEST(NvmlProbe, NoGpuIsAbsentAndShutsNvmlDown) {
  testing::FakeNvml fake;
  fake.set_device_count(0);
  const ProbeResult result = probe(fake.config());

  EXPECT_TRUE(result.sensors.empty());
  ASSERT_EQ(result.reports.size(), 1u);
  EXPECT_EQ(result.reports[0].state, BackendState::absent);
  EXPECT_THAT(result.reports[0].reason, HasSubstr("sees no NVIDIA GPU"));
  EXPECT_EQ(fake.init_count(), 0);  // nvmlShutdown matched our nvmlInit
}

TEST(NvmlProbe, NvmlStaysInitializedWhileTheSensorLives) {
  testing::FakeNvml fake;
  {
    const ProbeResult result = probe(fake.config());
    ASSERT_EQ(result.sensors.size(), 1u);
    EXPECT_EQ(fake.init_count(), 1);
  }
  EXPECT_EQ(fake.init_count(), 0);
}

TEST(NvmlProbe, GpuLostBeforeDiscoveryIsSkippedOthersKept) {
  testing::FakeNvml fake;
  fake.set_lost(0, true);
  const ProbeResult result = probe(fake.config());

  ASSERT_EQ(result.sensors.size(), 1u);
  ASSERT_EQ(result.sensors[0]->domains().size(), 1u);
  // Ids keep NVML's index, so gpu:1 stays gpu:1 whatever happened to gpu:0.
  EXPECT_EQ(result.sensors[0]->domains()[0].id, "gpu:1");
  EXPECT_EQ(result.reports[0].state, BackendState::active);
  EXPECT_THAT(result.reports[0].reason, HasSubstr("gpu:0 skipped: GPU is lost"));
}

TEST(NvmlProbe, NoReadableGpuIsAbsent) {
  testing::FakeNvml fake;
  fake.set_lost(0, true);
  fake.set_lost(1, true);
  const ProbeResult result = probe(fake.config());

  EXPECT_TRUE(result.sensors.empty());
  ASSERT_EQ(result.reports.size(), 1u);
  EXPECT_EQ(result.reports[0].state, BackendState::absent);
  EXPECT_THAT(result.reports[0].reason, HasSubstr("2 GPU(s), none readable"));
  EXPECT_EQ(fake.init_count(), 0);
}

}  // namespace
}  // namespace joule

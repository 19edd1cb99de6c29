// The ROCm SMI backend on the fake four-GPU machine: what it finds, what it
// says when it finds nothing, and its readings under the real meter (counter
// exact across a wrap, power integrated, a vanishing board a warning).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <thread>

#include "joule/meter.hpp"
#include "sensors/backends.hpp"
#include "sensors/rocm_smi_fake.hpp"
#include "sensors/rocm_smi_library.hpp"

namespace joule {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr double kResolutionJ = 15.3e-6;  // the fake's 15.3 uJ per count, as a float
constexpr float kResolutionUjFloat = 15.3f;

ProbeResult probe(const SensorConfig& config) {
  ProbeResult result;
  sensors::probe_rocm_smi(config, result);
  return result;
}

TEST(RocmSmiProbe, EveryGpuBecomesADomainWithItsReadingAndPciAddress) {
  testing::FakeRocmSmi fake;
  const ProbeResult result = probe(fake.config());
  ASSERT_EQ(result.reports.size(), 1u);
  EXPECT_EQ(result.reports[0].backend, "rocm-smi");
  EXPECT_EQ(result.reports[0].state, BackendState::active);
  ASSERT_EQ(result.sensors.size(), 1u);
  const auto& domains = result.sensors[0]->domains();
  ASSERT_EQ(domains.size(), 4u);

  const DomainInfo& counter = domains[0];
  EXPECT_EQ(counter.id, "gpu:amd-0");
  EXPECT_EQ(counter.label, "Fake MI250X");
  EXPECT_EQ(counter.component, Component::gpu);
  EXPECT_EQ(counter.kind, ReadingKind::energy_counter);
  EXPECT_EQ(counter.provenance, Provenance::measured);
  EXPECT_EQ(counter.pci_address, "0000:03:00.0");
  EXPECT_THAT(counter.source, HasSubstr("device 0 (PCI 0000:03:00.0)"));
  EXPECT_NEAR(counter.resolution, static_cast<double>(kResolutionUjFloat) * 1e-6, 1e-15);
  ASSERT_TRUE(counter.wrap_range.has_value());
  EXPECT_NEAR(counter.wrap_range->joules, std::ldexp(counter.resolution, 64), 1.0);
  EXPECT_DOUBLE_EQ(counter.relative_uncertainty, 0.05);

  const DomainInfo& power = domains[2];
  EXPECT_EQ(power.id, "gpu:amd-2");
  EXPECT_EQ(power.kind, ReadingKind::power);
  EXPECT_EQ(power.pci_address, "0000:43:00.0");
  EXPECT_GT(power.relative_uncertainty, counter.relative_uncertainty);
  EXPECT_THAT(result.reports[0].reason,
              AllOf(HasSubstr("gpu:amd-0 Fake MI250X: energy counter, 15.3 uJ per count"),
                    HasSubstr("gpu:amd-2 Fake W6800: power only (energy counter: "
                              "RSMI_STATUS_NOT_SUPPORTED"),
                    HasSubstr("from rsmi_dev_power_ave_get"), HasSubstr("cap 500 W")));
}

TEST(RocmSmiProbe, SocketPowerIsPreferredWhereTheLibraryAndBoardHaveIt) {
  testing::FakeRocmSmi fake;
  fake.set_socket_power_supported(2, true);
  const ProbeResult result = probe(fake.config());
  EXPECT_THAT(result.reports[0].reason,
              HasSubstr("gpu:amd-2 Fake W6800: power only (energy counter: "
                        "RSMI_STATUS_NOT_SUPPORTED: The requested information or action is not "
                        "available), from rsmi_dev_current_socket_power_get"));
}

TEST(RocmSmiProbe, WithoutTheAmdgpuModuleTheLibraryIsNotLoaded) {
  testing::FakeRocmSmi fake;
  std::filesystem::remove_all(fake.tree().sys() / "module");
  const ProbeResult result = probe(fake.config());
  ASSERT_EQ(result.reports.size(), 1u);
  EXPECT_EQ(result.reports[0].state, BackendState::absent);
  EXPECT_THAT(result.reports[0].reason, HasSubstr("amdgpu kernel module is not loaded"));
  EXPECT_EQ(fake.init_count(), 0);
  EXPECT_TRUE(result.sensors.empty());
}

TEST(RocmSmiProbe, MissingLibraryInitFailureAndNoGpuAreExplained) {
  testing::FakeRocmSmi fake;
  SensorConfig config = fake.config();
  config.rocm_smi_library = "/nonexistent/librocm_smi64.so.1";
  ProbeResult result = probe(config);
  EXPECT_EQ(result.reports[0].state, BackendState::absent);
  EXPECT_THAT(result.reports[0].reason, HasSubstr("cannot load /nonexistent/librocm_smi64.so.1"));
  EXPECT_THAT(result.reports[0].remedy, HasSubstr("JOULE_ROCM_SMI_LIBRARY"));

  fake.set_init_error(sensors::rocm_smi::kPermission);
  result = probe(fake.config());
  EXPECT_EQ(result.reports[0].state, BackendState::refused);
  EXPECT_THAT(result.reports[0].reason, HasSubstr("rsmi_init failed: RSMI_STATUS_PERMISSION"));
  EXPECT_THAT(result.reports[0].remedy, HasSubstr("/dev/kfd"));

  fake.set_init_error(0);
  fake.set_device_count(0);
  result = probe(fake.config());
  EXPECT_EQ(result.reports[0].state, BackendState::absent);
  EXPECT_THAT(result.reports[0].reason, HasSubstr("sees no AMD GPU"));
  // Every rsmi_init the backend made is matched by rsmi_shut_down.
  EXPECT_EQ(fake.init_count(), 0);
}

TEST(RocmSmiLibrary, BdfIdDecodesAsRocmSmiLaysItOut) {
  // domain 0x0001, bus 0xc1, device 0x1f, function 3, a partition id in bits 31-28
  const std::uint64_t bdf =
      (std::uint64_t{1} << 32) | (0x3u << 28) | (0xc1u << 8) | (0x1fu << 3) | 0x3u;
  EXPECT_EQ(sensors::rocm_smi::format_bdf_id(bdf), "0001:c1:1f.3");
}

// amdgpu's hwmon power1_average of a dGPU is the same SMU reading ROCm SMI
// reads: the board is counted once, through ROCm SMI, and hwmon says so.
TEST(RocmSmiProbe, ADgpuHwmonAlsoSeesIsCountedOnceThroughRocmSmi) {
  testing::FakeRocmSmi fake;
  auto& tree = fake.tree();
  auto amdgpu_hwmon = [&](const std::string& hwmon, const std::string& pci) {
    tree.write("class/hwmon/" + hwmon + "/name", "amdgpu");
    tree.write("class/hwmon/" + hwmon + "/power1_average", "123000000");
    const auto device = tree.sys() / "devices/pci0000:00" / pci;
    std::filesystem::create_directories(device);
    std::filesystem::create_directory_symlink(device,
                                              tree.sys() / "class/hwmon" / hwmon / "device");
  };
  amdgpu_hwmon("hwmon0", "0000:03:00.0");  // gpu:amd-0
  amdgpu_hwmon("hwmon1", "0000:99:00.0");  // a board ROCm SMI does not list
  ProbeResult result;
  sensors::probe_rocm_smi(fake.config(), result);
  sensors::probe_hwmon(fake.config(), result);
  ASSERT_EQ(result.sensors.size(), 2u);
  const auto& hwmon = result.sensors[1]->domains();
  ASSERT_EQ(hwmon.size(), 1u);
  EXPECT_THAT(hwmon[0].source, HasSubstr("hwmon1"));
  EXPECT_THAT(result.reports[1].reason,
              HasSubstr("skipped hwmon0 (amdgpu: the same board as gpu:amd-0)"));
}

class RocmSmiMeter : public ::testing::Test {
 protected:
  std::unique_ptr<Meter> make_meter() {
    ProbeResult result = probe(fake_.config());
    EXPECT_EQ(result.sensors.size(), 1u);
    MeterOptions options;
    options.interval = 5ms;
    options.start_sampler = false;
    return std::make_unique<Meter>(std::move(result.sensors), options);
  }
  testing::FakeRocmSmi fake_;
};

TEST_F(RocmSmiMeter, CounterExactAcrossAWrapPowerIntegrated) {
  fake_.vanish_after(3, 0);
  const std::uint64_t near_top = ~std::uint64_t{0} - 1000;
  fake_.set_energy_count(0, near_top);
  auto meter = make_meter();
  const Snapshot start = meter->start();
  fake_.set_energy_count(0, 999);                 // 1000 counts to the top, then 1000 more
  fake_.set_energy_count(1, 2'000'000 + 65'359);  // ~1 J
  fake_.set_power_uw(2, 250'000'000);
  std::this_thread::sleep_for(20ms);
  const Measurement m = meter->stop(start);
  const double resolution_j = static_cast<double>(kResolutionUjFloat) * 1e-6;
  EXPECT_NEAR(m.domains[0].energy.joules, 2000 * resolution_j, 0.1);  // double near 2^64 J
  EXPECT_NEAR(m.domains[1].energy.joules, 65'359 * resolution_j, 1e-9);
  EXPECT_NEAR(m.domains[2].energy.joules, 0.5 * (150 + 250) * m.duration.seconds, 1e-9);
  EXPECT_NEAR(kResolutionJ, resolution_j, 1e-12);
  EXPECT_TRUE(m.warnings.empty()) << ::testing::PrintToString(m.warnings);
}

TEST_F(RocmSmiMeter, AVanishingBoardIsAWarningAndAPartialFigure) {
  auto meter = make_meter();  // the probe read gpu:amd-3 once: 9 reads left
  const Snapshot start = meter->start();
  fake_.set_energy_count(3, 4'000'000 + 100'000);
  fake_.set_energy_count(0, 1'000'000 + 100'000);
  meter->snapshot();
  // Reads keep failing after the board goes; after 30 in a row it is gone.
  for (int i = 0; i < 40; ++i) meter->snapshot();
  fake_.set_energy_count(0, 1'000'000 + 200'000);
  const Measurement m = meter->stop(start);
  EXPECT_NEAR(m.domains[3].energy.joules, 100'000 * static_cast<double>(kResolutionUjFloat) * 1e-6,
              1e-9);
  EXPECT_NEAR(m.domains[0].energy.joules, 200'000 * static_cast<double>(kResolutionUjFloat) * 1e-6,
              1e-9);
  EXPECT_THAT(m.warnings, Contains(AllOf(HasSubstr("gpu:amd-3"), HasSubstr("disappeared"),
                                         HasSubstr("RSMI_STATUS_FILE_ERROR"))));
}

}  // namespace
}  // namespace joule

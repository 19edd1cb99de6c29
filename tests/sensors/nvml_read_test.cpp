// Reading the NVML backend's domains: counter in joules, power fallback in
// watts, and a GPU that falls off the bus mid-run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "joule/discovery.hpp"
#include "sensors/backends.hpp"
#include "sensors/nvml_fake.hpp"

namespace joule {
namespace {

using ::testing::HasSubstr;

class NvmlRead : public ::testing::Test {
 protected:
  void SetUp() override {
    ProbeResult result;
    sensors::probe_nvml(fake_.config(), result);
    ASSERT_EQ(result.sensors.size(), 1u);
    sensor_ = std::move(result.sensors[0]);
    ASSERT_EQ(sensor_->domains().size(), 2u);
  }

  std::vector<Reading> read() {
    std::vector<Reading> readings(sensor_->domains().size());
    sensor_->read(readings);
    return readings;
  }

  testing::FakeNvml fake_;
  std::unique_ptr<Sensor> sensor_;
};

TEST_F(NvmlRead, EnergyCounterIsInJoules) {
  fake_.set_energy_mj(0, 1'234'567);
  auto readings = read();
  EXPECT_EQ(readings[0].status, ReadStatus::ok);
  EXPECT_DOUBLE_EQ(readings[0].counter.joules, 1234.567);

  // Past 32 bits of millijoules (~4.3 MJ, a day at 50 W): the counter is 64-bit.
  fake_.set_energy_mj(0, 5'000'000'000'123ULL);
  readings = read();
  EXPECT_EQ(readings[0].status, ReadStatus::ok);
  EXPECT_DOUBLE_EQ(readings[0].counter.joules, 5'000'000'000.123);
}

TEST_F(NvmlRead, GpuWithoutCounterFallsBackToPowerInWatts) {
  auto readings = read();
  EXPECT_EQ(readings[1].status, ReadStatus::ok);
  EXPECT_DOUBLE_EQ(readings[1].power.watts, 70.0);

  fake_.set_power_mw(1, 123'456);
  readings = read();
  EXPECT_EQ(readings[1].status, ReadStatus::ok);
  EXPECT_DOUBLE_EQ(readings[1].power.watts, 123.456);
}

TEST_F(NvmlRead, VanishedGpuIsGoneWhileTheOtherKeepsReading) {
  ASSERT_EQ(read()[0].status, ReadStatus::ok);

  fake_.set_lost(0, true);  // XID 79: fell off the bus
  for (int sample = 0; sample < 3; ++sample) {
    fake_.set_power_mw(1, 80'000 + 1'000 * sample);
    const auto readings = read();
    EXPECT_EQ(readings[0].status, ReadStatus::gone);
    EXPECT_THAT(readings[0].error, HasSubstr("gpu:0"));
    EXPECT_THAT(readings[0].error, HasSubstr("GPU is lost"));
    EXPECT_EQ(readings[1].status, ReadStatus::ok);
    EXPECT_DOUBLE_EQ(readings[1].power.watts, 80.0 + sample);
  }

  // Gone is final: its handle is stale even if the driver answers again.
  fake_.set_lost(0, false);
  EXPECT_EQ(read()[0].status, ReadStatus::gone);
}

TEST_F(NvmlRead, PowerOnlyGpuThatVanishesIsGoneToo) {
  fake_.set_lost(1, true);
  const auto readings = read();
  EXPECT_EQ(readings[0].status, ReadStatus::ok);
  EXPECT_EQ(readings[1].status, ReadStatus::gone);
  EXPECT_THAT(readings[1].error, HasSubstr("gpu:1 Fake T4: GPU is lost (NVML error 15)"));
}

TEST_F(NvmlRead, PowerFallbackPrefersTheInstantaneousFieldValue) {
  // On Ampere and later nvmlDeviceGetPowerUsage lags a step by up to a second.
  fake_.set_power_mw(1, 70'000);
  fake_.set_instant_power_mw(1, 250'000);
  const auto readings = read();
  EXPECT_EQ(readings[1].status, ReadStatus::ok);
  EXPECT_DOUBLE_EQ(readings[1].power.watts, 250.0);
}

TEST(NvmlPowerSource, DriverWithoutTheInstantFieldFallsBackToPowerUsage) {
  testing::FakeNvml fake;
  fake.set_instant_power_supported(1, false);
  fake.set_power_mw(1, 70'000);
  fake.set_instant_power_mw(1, 250'000);
  ProbeResult result;
  sensors::probe_nvml(fake.config(), result);
  ASSERT_EQ(result.sensors.size(), 1u);
  EXPECT_THAT(result.reports.back().reason,
              HasSubstr("limit 70 W, power from nvmlDeviceGetPowerUsage, a 1 s average"));
  std::vector<Reading> readings(result.sensors[0]->domains().size());
  result.sensors[0]->read(readings);
  EXPECT_EQ(readings[1].status, ReadStatus::ok);
  EXPECT_DOUBLE_EQ(readings[1].power.watts, 70.0);
}

// NVML_ERROR_UNKNOWN and NVML_ERROR_TIMEOUT (nvml.h), which busy boards return
// now and then before answering again.
constexpr int kNvmlErrorUnknown = 999;
constexpr int kNvmlErrorTimeout = 10;

TEST_F(NvmlRead, TransientReadErrorsAreUnavailableThenReadingResumes) {
  fake_.fail_next_reads(0, 3, kNvmlErrorUnknown);
  fake_.fail_next_reads(1, 2, kNvmlErrorTimeout);
  for (int sample = 0; sample < 2; ++sample) {
    const auto readings = read();
    EXPECT_EQ(readings[0].status, ReadStatus::unavailable);
    EXPECT_THAT(readings[0].error, HasSubstr("gpu:0 Fake H100: Unknown Error (NVML error 999)"));
    EXPECT_EQ(readings[1].status, ReadStatus::unavailable);
    EXPECT_THAT(readings[1].error, HasSubstr("Timeout (NVML error 10)"));
  }
  auto readings = read();
  EXPECT_EQ(readings[0].status, ReadStatus::unavailable);
  EXPECT_EQ(readings[1].status, ReadStatus::ok);

  fake_.set_energy_mj(0, 2'000'000);
  readings = read();
  EXPECT_EQ(readings[0].status, ReadStatus::ok);
  EXPECT_DOUBLE_EQ(readings[0].counter.joules, 2000.0);
}

TEST_F(NvmlRead, ReadErrorThatPersistsForManySamplesMakesTheGpuGone) {
  fake_.fail_next_reads(0, 1'000, kNvmlErrorUnknown);
  int unavailable = 0;
  Reading last;
  for (int sample = 0; sample < 100 && last.status != ReadStatus::gone; ++sample) {
    last = read()[0];
    if (last.status == ReadStatus::unavailable) ++unavailable;
  }
  EXPECT_EQ(last.status, ReadStatus::gone);
  EXPECT_THAT(last.error, HasSubstr("Unknown Error"));
  // Several seconds of samples at the default interval, not one.
  EXPECT_GE(unavailable, 10);
  EXPECT_LT(unavailable, 100);
}

}  // namespace
}  // namespace joule

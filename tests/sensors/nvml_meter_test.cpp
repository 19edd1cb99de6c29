// The NVML backend under the real meter: the counter GPU's energy is exact,
// the power-only GPU's is integrated, and a GPU that vanishes is a warning
// while the other keeps counting.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "joule/meter.hpp"
#include "sensors/backends.hpp"
#include "sensors/nvml_fake.hpp"

namespace joule {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

class NvmlMeter : public ::testing::Test {
 protected:
  std::unique_ptr<Meter> make_meter(bool sampler) {
    ProbeResult result;
    sensors::probe_nvml(fake_.config(), result);
    EXPECT_EQ(result.sensors.size(), 1u);
    MeterOptions options;
    options.interval = 5ms;
    options.start_sampler = sampler;
    return std::make_unique<Meter>(std::move(result.sensors), options);
  }

  testing::FakeNvml fake_;
};

TEST_F(NvmlMeter, CounterExactPowerIntegratedVanishedGpuWarned) {
  auto meter = make_meter(/*sampler=*/false);
  ASSERT_EQ(meter->domains().size(), 2u);
  ASSERT_EQ(meter->domains()[0].id, "gpu:0");
  ASSERT_EQ(meter->domains()[1].id, "gpu:1");

  const Snapshot start = meter->start();  // gpu:0 at 1 000 000 mJ, gpu:1 at 70 W
  fake_.set_energy_mj(0, 1'000'000 + 123'456);
  fake_.set_power_mw(1, 170'000);
  std::this_thread::sleep_for(20ms);
  const Snapshot middle = meter->snapshot();
  fake_.set_energy_mj(0, 1'000'000 + 200'000);
  std::this_thread::sleep_for(20ms);
  const Measurement m = meter->stop(start);

  // The counter's difference, to the millijoule, however long the interval.
  EXPECT_NEAR(m.domains[0].energy.joules, 200.0, 1e-9);
  // Power between samples is integrated by trapezoids on the snapshot clock.
  const double first_s = seconds_between(start.at, middle.at).seconds;
  const double second_s = seconds_between(middle.at, m.end).seconds;
  const double expected_j = 0.5 * (70 + 170) * first_s + 170 * second_s;
  EXPECT_NEAR(m.domains[1].energy.joules, expected_j, 1e-9);
  EXPECT_NEAR(m.total.joules, 200.0 + expected_j, 1e-9);
  EXPECT_EQ(m.total_provenance, Provenance::measured);
  EXPECT_TRUE(m.warnings.empty());

  // gpu:0 falls off the bus: its energy stops at the last good reading, a
  // warning says so, and gpu:1 keeps counting.
  const Snapshot before_loss = meter->snapshot();
  fake_.set_energy_mj(0, 1'000'000 + 999'999);  // never seen: the GPU is gone
  fake_.set_lost(0, true);
  std::this_thread::sleep_for(10ms);
  const Measurement after = meter->stop(before_loss);
  EXPECT_DOUBLE_EQ(after.domains[0].energy.joules, 0.0);
  EXPECT_NEAR(after.domains[1].energy.joules, 170 * after.duration.seconds, 1e-9);
  EXPECT_THAT(after.warnings, Contains(AllOf(HasSubstr("gpu:0"), HasSubstr("disappeared"),
                                             HasSubstr("GPU is lost"))));
  EXPECT_THAT(meter->warnings(), Contains(HasSubstr("gpu:0")));
}

TEST_F(NvmlMeter, SamplerReadsThroughTheDlopenedLibrary) {
  auto meter = make_meter(/*sampler=*/true);
  const Snapshot start = meter->start();
  for (int step = 1; step <= 10; ++step) {
    fake_.set_energy_mj(0, 1'000'000 + 10'000ULL * step);  // 10 J per step
    std::this_thread::sleep_for(5ms);
  }
  const Measurement m = meter->stop(start);
  meter->stop_sampler();
  EXPECT_NEAR(m.domains[0].energy.joules, 100.0, 1e-9);
  EXPECT_NEAR(m.domains[1].energy.joules, 70 * m.duration.seconds, 1e-6);
  EXPECT_GT(meter->timeline().size(), 2u);
  EXPECT_TRUE(m.warnings.empty());
}

}  // namespace
}  // namespace joule

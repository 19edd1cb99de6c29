// A RAPL counter that restarts from zero (after resume from suspend, a CPU
// hot-unplug or an intel_rapl / amd_energy reload) falls just as a wrapped
// counter does. The powercap ABI (Documentation/ABI/testing/
// sysfs-class-powercap) gives each zone max_energy_range_uj, the point where
// energy_uj wraps, and constraint_N_power_limit_uw / constraint_N_max_power_uw,
// the most it may draw; only the power bound tells the two apart.
#include <gtest/gtest.h>

#include <chrono>

#include "joule/meter.hpp"
#include "meter/accumulator.hpp"
#include "meter/fake_sensor.hpp"

using namespace joule;
using joule::testing::counter_domain;
using joule::testing::FakeSensor;

namespace {

// A real max_energy_range_uj (262143328850 µJ), in joules.
constexpr double kWrapJ = 262143.328850;

DomainInfo package_limited_to(double max_power_w) {
  auto d = counter_domain("cpu:package-0", Component::cpu_package, kWrapJ);
  d.max_power = Watts{max_power_w};
  return d;
}

MonotonicTime after(double seconds) {
  return MonotonicTime{} + std::chrono::duration_cast<MonotonicClock::duration>(
                               std::chrono::duration<double>(seconds));
}

Reading counter_at(double joules) {
  return Reading{ReadStatus::ok, Joules{joules}, Watts{}, ""};
}

}  // namespace

TEST(CounterReset, ResetAfterASecondAtFiftyWattsIsLeftOutWithAWarningNamingTheDomain) {
  meter::DomainAccumulator acc(package_limited_to(50));
  EXPECT_FALSE(acc.update(counter_at(100000), after(0)));
  EXPECT_FALSE(acc.update(counter_at(100050), after(1)));  // 50 W for 1 s
  // Reset to near 0: read as a wrap this would add kWrapJ - 100050 + 3 J.
  auto warning = acc.update(counter_at(3), after(2));
  ASSERT_TRUE(warning);
  EXPECT_NE(warning->find("cpu:package-0"), std::string::npos);
  EXPECT_NE(warning->find("reset"), std::string::npos);
  EXPECT_FALSE(acc.update(counter_at(53), after(3)));  // counting resumes from the reset
  EXPECT_DOUBLE_EQ(acc.total().joules, 100.0);
  EXPECT_EQ(acc.wraps(), 0u);
}

TEST(CounterReset, DropFromTheTopOfTheRangeToNearZeroCountsOnlyWhatThePowerAllows) {
  // From near the top to near 0 is what a wrap looks like: it adds the few
  // joules between the two, never the whole range.
  meter::DomainAccumulator acc(package_limited_to(50));
  acc.update(counter_at(kWrapJ - 20), after(0));
  EXPECT_FALSE(acc.update(counter_at(30), after(1)));
  EXPECT_NEAR(acc.total().joules, 50.0, 1e-6);
  EXPECT_EQ(acc.wraps(), 1u);
}

TEST(CounterReset, GenuineWrapAtHighPowerIsStillCounted) {
  // A 400 W limit with turbo above it: 700 W for 1 s across the wrap point.
  meter::DomainAccumulator acc(package_limited_to(400));
  acc.update(counter_at(kWrapJ - 300), after(0));
  EXPECT_FALSE(acc.update(counter_at(400), after(1)));
  EXPECT_NEAR(acc.total().joules, 700.0, 1e-6);
  EXPECT_EQ(acc.wraps(), 1u);
}

TEST(CounterReset, ResetOfACounterWithoutWrapRangeIsCheckedAsWell) {
  auto gpu = counter_domain("gpu:0", Component::gpu, 0);
  gpu.max_power = Watts{700};
  meter::DomainAccumulator acc(gpu);
  acc.update(counter_at(5000), after(0));
  // The driver reloaded and its counter restarted: 300 J in 1 s is plausible.
  acc.update(counter_at(300), after(1));
  EXPECT_DOUBLE_EQ(acc.total().joules, 300.0);
  // But a restart that reads 90 kJ a second later is not.
  auto warning = acc.update(counter_at(90000), after(2));
  ASSERT_TRUE(warning);
  EXPECT_NE(warning->find("gpu:0"), std::string::npos);
  EXPECT_DOUBLE_EQ(acc.total().joules, 300.0);
}

TEST(CounterReset, MeterLeavesAResetOutOfTheTotalAndSaysSo) {
  auto sensor = std::make_unique<FakeSensor>(std::vector{package_limited_to(50)});
  FakeSensor* fake = sensor.get();
  fake->set_counter(0, 1000);
  std::vector<std::unique_ptr<Sensor>> sensors;
  sensors.push_back(std::move(sensor));
  Meter meter(std::move(sensors), MeterOptions{.start_sampler = false});
  auto start = meter.snapshot();
  fake->set_counter(0, 20);  // reset: as a wrap, ~261 kJ in microseconds
  auto m = meter.measure(start, meter.snapshot());
  EXPECT_DOUBLE_EQ(m.domains[0].energy.joules, 0.0);
  EXPECT_DOUBLE_EQ(m.total.joules, 0.0);
  bool named = false;
  for (const auto& w : m.warnings) named |= w.find("cpu:package-0 advanced") != std::string::npos;
  EXPECT_TRUE(named);
}

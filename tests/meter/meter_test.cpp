#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "joule/meter.hpp"
#include "meter/fake_sensor.hpp"

using namespace joule;
using joule::testing::counter_domain;
using joule::testing::FakeSensor;
using joule::testing::power_domain;

namespace {

struct Rig {
  FakeSensor* sensor = nullptr;
  std::unique_ptr<Meter> meter;
};

Rig make_rig(std::vector<DomainInfo> domains, std::vector<double> initial,
             MeterOptions options = {.start_sampler = false}) {
  auto sensor = std::make_unique<FakeSensor>(domains);
  for (std::size_t i = 0; i < domains.size(); ++i) {
    if (domains[i].kind == ReadingKind::energy_counter) {
      sensor->set_counter(i, initial[i]);
    } else {
      sensor->set_power(i, initial[i]);
    }
  }
  Rig rig;
  rig.sensor = sensor.get();
  std::vector<std::unique_ptr<Sensor>> sensors;
  sensors.push_back(std::move(sensor));
  rig.meter = std::make_unique<Meter>(std::move(sensors), options);
  return rig;
}

bool has_warning_containing(const std::vector<std::string>& warnings, std::string_view text) {
  for (const auto& w : warnings) {
    if (w.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST(Meter, CounterDeltasAreWrapCorrected) {
  auto rig = make_rig({counter_domain("cpu:package-0", Component::cpu_package, 1000)}, {900});
  auto start = rig.meter->snapshot();
  for (double raw : {100.0, 600.0, 50.0}) {  // wraps twice: +200, +500, +450
    rig.sensor->set_counter(0, raw);
    rig.meter->snapshot();
  }
  auto m = rig.meter->measure(start, rig.meter->snapshot());
  EXPECT_DOUBLE_EQ(m.domains[0].energy.joules, 1150.0);
  EXPECT_DOUBLE_EQ(m.total.joules, 1150.0);
}

TEST(Meter, ManyWrapsAreNeverLost) {
  const double wrap = 262143.328850;  // a real max_energy_range_uj, in joules
  auto rig = make_rig({counter_domain("cpu:package-0", Component::cpu_package, wrap)}, {0});
  auto start = rig.meter->snapshot();
  double raw = 0;
  double expected = 0;
  for (int i = 0; i < 1000; ++i) {  // 0.37 of a wrap per step: ~370 wraps
    const double step = wrap * 0.37;
    raw = std::fmod(raw + step, wrap);
    expected += step;
    rig.sensor->set_counter(0, raw);
    rig.meter->snapshot();
  }
  auto m = rig.meter->measure(start, rig.meter->snapshot());
  EXPECT_NEAR(m.domains[0].energy.joules, expected, expected * 1e-12);
  EXPECT_FALSE(has_warning_containing(m.warnings, "missed"));
}

TEST(Meter, StepOverHalfTheWrapRangeWarnsOfAPossiblyMissedWrap) {
  auto rig = make_rig({counter_domain("cpu:package-0", Component::cpu_package, 1000)}, {0});
  rig.sensor->set_counter(0, 700);
  rig.meter->snapshot();
  EXPECT_TRUE(has_warning_containing(rig.meter->warnings(), "a wrap may have been missed"));
}

TEST(Meter, CounterWithoutWrapRangeThatFallsIsTreatedAsAReset) {
  auto rig = make_rig({counter_domain("gpu:0", Component::gpu, 0)}, {5000});
  auto start = rig.meter->snapshot();
  rig.sensor->set_counter(0, 30);
  auto m = rig.meter->measure(start, rig.meter->snapshot());
  EXPECT_DOUBLE_EQ(m.domains[0].energy.joules, 30.0);
  EXPECT_TRUE(has_warning_containing(m.warnings, "assumed reset"));
}

TEST(Meter, PowerIsIntegratedWithTheTrapezoidRuleUpToTheSnapshot) {
  auto rig = make_rig({power_domain("gpu:0", Component::gpu)}, {20});
  auto s1 = rig.meter->snapshot();  // reads 20 W
  rig.sensor->set_power(0, 40);
  auto s2 = rig.meter->snapshot();  // reads 40 W
  auto m = rig.meter->measure(s1, s2);
  const double dt = seconds_between(s1.at, s2.at).seconds;
  ASSERT_GT(dt, 0);
  EXPECT_NEAR(m.domains[0].energy.joules, 0.5 * (20 + 40) * dt, 1e-12);
  EXPECT_NEAR(m.mean_power.watts, 30.0, 1e-9);
}

TEST(Meter, UnavailableReadingIsBridgedNotLost) {
  auto rig = make_rig({counter_domain("cpu:package-0", Component::cpu_package, 1000)}, {10});
  auto start = rig.meter->snapshot();
  rig.sensor->set_status(0, ReadStatus::unavailable, "EIO");
  rig.meter->snapshot();
  rig.sensor->set_counter(0, 110);
  auto m = rig.meter->measure(start, rig.meter->snapshot());
  EXPECT_DOUBLE_EQ(m.domains[0].energy.joules, 100.0);
  EXPECT_TRUE(has_warning_containing(m.warnings, "EIO"));
}

TEST(Meter, VanishedDomainKeepsItsEnergyAndTheOthersContinue) {
  auto rig = make_rig(
      {counter_domain("gpu:0", Component::gpu, 0), counter_domain("gpu:1", Component::gpu, 0)},
      {0, 0});
  auto start = rig.meter->snapshot();
  rig.sensor->set_counter(0, 50);
  rig.sensor->set_counter(1, 70);
  rig.meter->snapshot();
  rig.sensor->set_status(1, ReadStatus::gone, "GPU is lost");
  rig.sensor->set_counter(0, 80);
  rig.meter->snapshot();
  rig.sensor->set_counter(0, 100);
  rig.sensor->set_counter(1, 9999);  // must be ignored: the device is gone
  auto m = rig.meter->measure(start, rig.meter->snapshot());
  EXPECT_DOUBLE_EQ(m.domains[0].energy.joules, 100.0);
  EXPECT_DOUBLE_EQ(m.domains[1].energy.joules, 70.0);
  EXPECT_DOUBLE_EQ(m.total.joules, 170.0);
  EXPECT_TRUE(has_warning_containing(m.warnings, "gpu:1 disappeared "));
  EXPECT_TRUE(has_warning_containing(m.warnings, "after measuring began (GPU is lost)"));
}

TEST(Meter, TotalSumsOnlyDisjointDomains) {
  auto package = counter_domain("cpu:package-0", Component::cpu_package, 1e6);
  package.contains = {"cpu:core-0"};
  auto core = counter_domain("cpu:core-0", Component::cpu_core, 1e6);
  auto dram = counter_domain("dram:0", Component::dram, 1e6);
  auto gpu = power_domain("gpu:0", Component::gpu);
  auto rig = make_rig({package, core, dram, gpu}, {0, 0, 0, 0});
  auto start = rig.meter->snapshot();
  rig.sensor->set_counter(0, 100);
  rig.sensor->set_counter(1, 60);
  rig.sensor->set_counter(2, 10);
  auto m = rig.meter->measure(start, rig.meter->snapshot());
  EXPECT_TRUE(m.domains[0].in_total);
  EXPECT_FALSE(m.domains[1].in_total);
  EXPECT_TRUE(m.domains[2].in_total);
  EXPECT_DOUBLE_EQ(m.total.joules, 110.0);  // package + dram; core is inside package
}

TEST(Meter, PsysContainsPackagesAndDram) {
  auto psys = counter_domain("system:psys", Component::psys, 1e6);
  psys.contains = {"cpu:package-0", "dram:0"};
  auto rig = make_rig({psys, counter_domain("cpu:package-0", Component::cpu_package, 1e6),
                       counter_domain("dram:0", Component::dram, 1e6)},
                      {0, 0, 0});
  auto start = rig.meter->snapshot();
  rig.sensor->set_counter(0, 150);
  rig.sensor->set_counter(1, 100);
  rig.sensor->set_counter(2, 20);
  auto m = rig.meter->measure(start, rig.meter->snapshot());
  EXPECT_DOUBLE_EQ(m.total.joules, 150.0);
}

TEST(Meter, TotalUncertaintyAndProvenanceFollowTheSummedDomains) {
  auto measured = counter_domain("cpu:package-0", Component::cpu_package, 1e6, 0.05);
  auto modelled = counter_domain("dram:estimated", Component::dram, 1e6, 0.5);
  modelled.provenance = Provenance::modelled;
  auto rig = make_rig({measured, modelled}, {0, 0});
  auto start = rig.meter->snapshot();
  rig.sensor->set_counter(0, 300);
  rig.sensor->set_counter(1, 100);
  auto m = rig.meter->measure(start, rig.meter->snapshot());
  EXPECT_EQ(m.total_provenance, Provenance::modelled);
  EXPECT_NEAR(m.total_relative_uncertainty, (300 * 0.05 + 100 * 0.5) / 400.0, 1e-12);
}

// psys on Sapphire Rapids steps in whole joules: over a 10 J interval one
// step is a tenth of the figure, beside the sensor's own 5 %.
TEST(Meter, CounterResolutionWidensTheUncertaintyOfShortIntervals) {
  auto psys = counter_domain("system:psys", Component::psys, 1e6, 0.05);
  psys.resolution = 1.0;
  auto rig = make_rig({psys}, {0});
  auto start = rig.meter->snapshot();
  rig.sensor->set_counter(0, 10);
  auto m = rig.meter->measure(start, rig.meter->snapshot());
  EXPECT_NEAR(m.domains[0].relative_uncertainty, 0.05 + 1.0 / 10.0, 1e-12);
  EXPECT_NEAR(m.total_relative_uncertainty, 0.15, 1e-12);
}

TEST(Meter, AllMeasuredTotalIsMeasured) {
  auto rig = make_rig({counter_domain("cpu:package-0", Component::cpu_package, 1e6)}, {0});
  auto start = rig.meter->snapshot();
  rig.sensor->set_counter(0, 5);
  EXPECT_EQ(rig.meter->measure(start, rig.meter->snapshot()).total_provenance,
            Provenance::measured);
}

TEST(Meter, TimelineStaysBoundedAndKeepsBothEnds) {
  auto rig = make_rig({counter_domain("cpu:package-0", Component::cpu_package, 1e9)}, {0},
                      {.timeline_capacity = 8, .start_sampler = false});
  for (int i = 1; i <= 100; ++i) {
    rig.sensor->set_counter(0, i);
    rig.meter->snapshot();
  }
  auto samples = rig.meter->timeline();
  EXPECT_LE(samples.size(), 8u);
  EXPECT_GE(samples.size(), 3u);
  EXPECT_DOUBLE_EQ(samples.front().energy[0].joules, 0.0);
  EXPECT_DOUBLE_EQ(samples.back().energy[0].joules, 100.0);
  for (std::size_t i = 1; i < samples.size(); ++i) {
    EXPECT_LT(samples[i - 1].at, samples[i].at);
    EXPECT_LE(samples[i - 1].energy[0], samples[i].energy[0]);
  }
}

TEST(Meter, IntervalLongerThanAQuarterWrapPeriodIsShortenedWithAWarning) {
  // 100 J wraps in 0.2 s at the assumed 500 W package maximum.
  auto rig = make_rig({counter_domain("cpu:package-0", Component::cpu_package, 100)}, {0},
                      {.interval = std::chrono::seconds(1), .start_sampler = false});
  EXPECT_EQ(rig.meter->interval(), std::chrono::milliseconds(50));
  EXPECT_TRUE(has_warning_containing(rig.meter->warnings(), "sampling interval shortened"));
  EXPECT_EQ(safe_interval(counter_domain("x", Component::gpu, 0), Watts{100}),
            std::chrono::nanoseconds::max());
  // A 64-bit count of 15.3 uJ steps (ROCm SMI) wraps after 282 TJ: no limit,
  // not a nanosecond count that overflows.
  EXPECT_EQ(safe_interval(counter_domain("y", Component::gpu, 2.82e14), Watts{1500}),
            std::chrono::nanoseconds::max());
}

TEST(Meter, CountersAloneAreSampledAtTheCounterInterval) {
  const MeterOptions options{.interval = std::chrono::milliseconds(100),
                             .counter_interval = std::chrono::seconds(1),
                             .start_sampler = false};
  auto counters = make_rig({counter_domain("cpu:estimated", Component::cpu_package, 0),
                            counter_domain("dram:estimated", Component::dram, 0)},
                           {0, 0}, options);
  EXPECT_EQ(counters.meter->interval(), std::chrono::seconds(1));
  // A power reading must be integrated: the whole meter keeps the interval.
  auto mixed = make_rig({counter_domain("cpu:estimated", Component::cpu_package, 0),
                         power_domain("gpu:0", Component::gpu)},
                        {0, 0}, options);
  EXPECT_EQ(mixed.meter->interval(), std::chrono::milliseconds(100));
  // A counter that wraps quickly still shortens it.
  auto wrapping =
      make_rig({counter_domain("cpu:package-0", Component::cpu_package, 1000)}, {0}, options);
  EXPECT_EQ(wrapping.meter->interval(), std::chrono::milliseconds(500));
  // Without a counter interval, the interval is kept.
  auto plain = make_rig({counter_domain("cpu:estimated", Component::cpu_package, 0)}, {0},
                        {.interval = std::chrono::milliseconds(100), .start_sampler = false});
  EXPECT_EQ(plain.meter->interval(), std::chrono::milliseconds(100));
}

TEST(Meter, SamplerReadsInTheBackgroundAndAccountsItsOwnCpuTime) {
  auto rig = make_rig({counter_domain("cpu:package-0", Component::cpu_package, 1e9)}, {0},
                      {.interval = std::chrono::milliseconds(1), .start_sampler = true});
  EXPECT_TRUE(rig.meter->sampling());
  const int before = rig.sensor->reads();
  for (int i = 0; i < 2000 && rig.sensor->reads() < before + 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  rig.meter->stop_sampler();
  EXPECT_FALSE(rig.meter->sampling());
  EXPECT_GE(rig.sensor->reads(), before + 20);
  EXPECT_GT(rig.meter->sampler_cpu_time().seconds, 0.0);
  const int after_stop = rig.sensor->reads();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(rig.sensor->reads(), after_stop);
}

TEST(Meter, RejectsDuplicateIdsForeignSnapshotsAndBadIntervals) {
  std::vector<std::unique_ptr<Sensor>> sensors;
  sensors.push_back(
      std::make_unique<FakeSensor>(std::vector{counter_domain("gpu:0", Component::gpu, 0)}));
  sensors.push_back(
      std::make_unique<FakeSensor>(std::vector{counter_domain("gpu:0", Component::gpu, 0)}));
  EXPECT_THROW(Meter(std::move(sensors), {.start_sampler = false}), std::invalid_argument);
  EXPECT_THROW(Meter({}, {.interval = std::chrono::nanoseconds(0), .start_sampler = false}),
               std::invalid_argument);

  auto rig = make_rig({counter_domain("gpu:0", Component::gpu, 0)}, {0});
  Snapshot foreign;
  EXPECT_THROW(rig.meter->measure(foreign, rig.meter->snapshot()), std::invalid_argument);
  auto early = rig.meter->snapshot();
  auto late = rig.meter->snapshot();
  EXPECT_THROW(rig.meter->measure(late, early), std::invalid_argument);
}

TEST(Meter, NoSensorsIsAWarningNotACrash) {
  Meter meter({}, {.start_sampler = false});
  auto m = meter.stop(meter.start());
  EXPECT_DOUBLE_EQ(m.total.joules, 0.0);
  EXPECT_TRUE(has_warning_containing(m.warnings, "no energy sensor"));
}

namespace {

TEST(Meter, CounterThatNeverAdvancesOverSecondsIsNamedInAWarning) {
  auto rig = make_rig({counter_domain("system:psys", Component::psys, 0),
                       counter_domain("cpu:package-0", Component::cpu_package, 0)},
                      {0, 10});
  Snapshot from = rig.meter->snapshot();
  rig.sensor->set_counter(1, 40);
  Snapshot to = rig.meter->snapshot();
  to.at = from.at + std::chrono::seconds(3);
  Measurement m = rig.meter->measure(from, to);
  EXPECT_TRUE(has_warning_containing(m.warnings, "system:psys read 0 J over 3"))
      << m.warnings.size();
  EXPECT_FALSE(has_warning_containing(m.warnings, "cpu:package-0 read 0 J"));
}

TEST(Meter, ShortMeasurementOfAStillCounterIsNoWarning) {
  auto rig = make_rig({counter_domain("system:psys", Component::psys, 0)}, {5});
  Snapshot from = rig.meter->snapshot();
  Snapshot to = rig.meter->snapshot();
  to.at = from.at + std::chrono::milliseconds(500);
  Measurement m = rig.meter->measure(from, to);
  EXPECT_FALSE(has_warning_containing(m.warnings, "read 0 J"));
}

}  // namespace

// The estimator sensor over a /proc fixture whose CPU times the test advances:
// the dynamic energy is exactly (max - min) x busy CPU seconds, the static part
// n x min x elapsed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

#include "estimator_fixture.hpp"
#include "sensors/backends.hpp"
#include "sensors/estimator.hpp"

namespace joule::sensors::estimator {
namespace {

using joule::testing::FakeProc;
using ::testing::HasSubstr;

struct ManualClock {
  MonotonicTime now{};
  void advance(double seconds) {
    now += std::chrono::duration_cast<MonotonicClock::duration>(
        std::chrono::duration<double>(seconds));
  }
};

std::vector<Reading> read_all(Sensor& sensor) {
  std::vector<Reading> out(sensor.domains().size());
  sensor.read(out);
  return out;
}

TEST(EstimatorSensor, DeclaresTwoModelledCounters) {
  FakeProc proc(4);
  EstimatorSensor sensor({proc.root()});
  ASSERT_EQ(sensor.domains().size(), 2u);
  const auto& cpu = sensor.domains()[0];
  EXPECT_EQ(cpu.id, "cpu:estimated");
  EXPECT_EQ(cpu.component, Component::cpu_package);
  EXPECT_EQ(cpu.kind, ReadingKind::energy_counter);
  EXPECT_EQ(cpu.provenance, Provenance::modelled);
  EXPECT_FALSE(cpu.wrap_range.has_value());
  EXPECT_DOUBLE_EQ(cpu.relative_uncertainty, 0.30);
  EXPECT_THAT(cpu.label, HasSubstr("Ice Lake"));
  EXPECT_THAT(cpu.label, HasSubstr("cpu_power_per_vcpu.csv line 115"));
  const auto& dram = sensor.domains()[1];
  EXPECT_EQ(dram.id, "dram:estimated");
  EXPECT_EQ(dram.component, Component::dram);
  EXPECT_EQ(dram.provenance, Provenance::modelled);
  EXPECT_THAT(dram.label, HasSubstr("memory_power.csv line 22"));
}

TEST(EstimatorSensor, EnergyIsStaticPlusDynamicExactlyWithAControlledClock) {
  FakeProc proc(4);
  ManualClock clock;
  EstimatorSensor sensor({proc.root(), true, true, [&] { return clock.now; }});
  const auto& c = *sensor.cpu_coefficients();
  const double min_w = c.min_per_vcpu.watts, max_w = c.max_per_vcpu.watts;

  clock.advance(2.0);
  proc.advance(0, 150, 50);  // 1.5 busy CPU seconds on cpu0
  proc.advance(3, 30, 170);  // 0.3 on cpu3
  auto r = read_all(sensor);
  ASSERT_EQ(r[0].status, ReadStatus::ok) << r[0].error;
  const double first = 4 * min_w * 2.0 + (max_w - min_w) * 1.8;
  EXPECT_NEAR(r[0].counter.joules, first, 1e-9);
  EXPECT_NEAR(r[1].counter.joules, 6.0 * 2.0, 1e-9);  // 16 GiB x 0.375 W/GB

  // No time passes, only CPU time: the whole increase is dynamic.
  proc.advance(1, 400);
  r = read_all(sensor);
  EXPECT_NEAR(r[0].counter.joules - first, (max_w - min_w) * 4.0, 1e-9);

  // Time passes with idle CPUs: the whole increase is static.
  clock.advance(10.0);
  proc.advance(2, 0, 1000);
  r = read_all(sensor);
  EXPECT_NEAR(r[0].counter.joules - first - (max_w - min_w) * 4.0, 4 * min_w * 10.0, 1e-9);
  EXPECT_NEAR(r[1].counter.joules, 6.0 * 12.0, 1e-9);
}

TEST(EstimatorSensor, DynamicPartIsExactAndStaticPartBoundedOnTheRealClock) {
  FakeProc proc(2);
  const auto before_create = MonotonicClock::now();
  EstimatorSensor sensor({proc.root()});
  const auto after_create = MonotonicClock::now();
  const double min_w = sensor.cpu_coefficients()->min_per_vcpu.watts;
  const double max_w = sensor.cpu_coefficients()->max_per_vcpu.watts;

  const auto before_first = MonotonicClock::now();
  const double e0 = read_all(sensor)[0].counter.joules;
  const auto after_first = MonotonicClock::now();
  proc.advance(0, 123);
  proc.advance(1, 77);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto before_second = MonotonicClock::now();
  const double e1 = read_all(sensor)[0].counter.joules;
  const auto after_second = MonotonicClock::now();

  const double dynamic = (max_w - min_w) * 2.0;  // 200 jiffies
  const double static_j = e1 - e0 - dynamic;
  // The static part covers the time between the two reads' clock samples.
  const double lo = 2 * min_w * seconds_between(after_first, before_second).seconds;
  const double hi = 2 * min_w * seconds_between(before_first, after_second).seconds;
  EXPECT_GE(static_j, lo - 1e-12);
  EXPECT_LE(static_j, hi + 1e-12);
  EXPECT_GE(e0, 0.0);
  EXPECT_LE(e0, 2 * min_w * seconds_between(before_create, after_first).seconds + 1e-12);
  (void)after_create;
}

TEST(EstimatorSensor, UnreadableStatIsTransientAndTheGapIsStillCounted) {
  FakeProc proc(1);
  ManualClock clock;
  EstimatorSensor sensor({proc.root(), true, false, [&] { return clock.now; }});
  ASSERT_EQ(sensor.domains().size(), 1u);
  const double min_w = sensor.cpu_coefficients()->min_per_vcpu.watts;
  std::filesystem::rename(proc.root() / "stat", proc.root() / "stat.away");
  clock.advance(5);
  auto r = read_all(sensor);
  EXPECT_EQ(r[0].status, ReadStatus::unavailable);
  EXPECT_THAT(r[0].error, HasSubstr("stat"));
  std::filesystem::rename(proc.root() / "stat.away", proc.root() / "stat");
  clock.advance(5);
  r = read_all(sensor);
  EXPECT_EQ(r[0].status, ReadStatus::ok);
  EXPECT_NEAR(r[0].counter.joules, min_w * 10, 1e-9);
}

TEST(EstimatorSensor, MalformedStatIsUnavailableWithFileLineColumn) {
  FakeProc proc(1);
  EstimatorSensor sensor({proc.root()});
  proc.write("stat", "cpu  1 2 3 4\ncpu0 1 2 oops 4\n");
  auto r = read_all(sensor);
  EXPECT_EQ(r[0].status, ReadStatus::unavailable);
  EXPECT_THAT(r[0].error, HasSubstr("stat:2:10: expected a whole number"));
}

// A measured sensor standing in for RAPL.
class FakeMeasuredSensor : public Sensor {
 public:
  explicit FakeMeasuredSensor(std::vector<Component> components) {
    for (std::size_t i = 0; i < components.size(); ++i) {
      DomainInfo d;
      d.id = "fake:" + std::to_string(i);
      d.component = components[i];
      domains_.push_back(d);
    }
  }
  std::string_view backend() const override { return "fake"; }
  const std::vector<DomainInfo>& domains() const override { return domains_; }
  void read(std::span<Reading> out) override {
    for (auto& r : out) r = Reading{};
  }

 private:
  std::vector<DomainInfo> domains_;
};

std::vector<std::string> domain_ids(const ProbeResult& result) {
  std::vector<std::string> ids;
  for (const auto& s : result.sensors) {
    for (const auto& d : s->domains()) ids.push_back(d.id);
  }
  return ids;
}

TEST(EstimatorProbe, AutoOnABareVmEstimatesBothAndSaysItIsAModel) {
  FakeProc proc(2, "AMD EPYC");
  SensorConfig config;
  config.proc_root = proc.root();
  ProbeResult result;
  probe_estimator(config, result);
  EXPECT_THAT(domain_ids(result), ::testing::ElementsAre("cpu:estimated", "dram:estimated"));
  ASSERT_EQ(result.reports.size(), 1u);
  const auto& report = result.reports[0];
  EXPECT_EQ(report.backend, "estimator");
  EXPECT_EQ(report.state, BackendState::active);
  EXPECT_THAT(report.reason, HasSubstr("a model, not a measurement"));
  EXPECT_THAT(report.reason, HasSubstr("no measured CPU package counter"));
  EXPECT_THAT(report.reason, HasSubstr("generic default"));
  EXPECT_THAT(report.remedy, HasSubstr("RAPL"));
}

TEST(EstimatorProbe, AutoStepsAsideForAMeasuredPackage) {
  FakeProc proc(2);
  SensorConfig config;
  config.proc_root = proc.root();
  ProbeResult result;
  result.sensors.push_back(std::make_unique<FakeMeasuredSensor>(
      std::vector<Component>{Component::cpu_package, Component::cpu_core}));
  probe_estimator(config, result);
  // Only DRAM is left to model.
  EXPECT_THAT(domain_ids(result), ::testing::ElementsAre("fake:0", "fake:1", "dram:estimated"));
  EXPECT_EQ(result.reports.back().state, BackendState::active);
  EXPECT_THAT(result.reports.back().reason, HasSubstr("no measured DRAM counter"));
}

TEST(EstimatorProbe, AutoAddsNothingWhenPsysCoversEverything) {
  FakeProc proc(2);
  SensorConfig config;
  config.proc_root = proc.root();
  ProbeResult result;
  result.sensors.push_back(std::make_unique<FakeMeasuredSensor>(std::vector{Component::psys}));
  probe_estimator(config, result);
  EXPECT_EQ(result.sensors.size(), 1u);
  EXPECT_EQ(result.reports.back().state, BackendState::disabled);
  EXPECT_THAT(result.reports.back().reason, HasSubstr("not needed"));
}

TEST(EstimatorProbe, OnForcesTheModelBesideMeasuredCounters) {
  FakeProc proc(2);
  SensorConfig config;
  config.proc_root = proc.root();
  config.estimator = EstimatorMode::on;
  ProbeResult result;
  result.sensors.push_back(std::make_unique<FakeMeasuredSensor>(
      std::vector<Component>{Component::cpu_package, Component::dram}));
  probe_estimator(config, result);
  EXPECT_THAT(domain_ids(result),
              ::testing::ElementsAre("fake:0", "fake:1", "cpu:estimated", "dram:estimated"));
  EXPECT_THAT(result.reports.back().reason, HasSubstr("JOULE_ESTIMATOR=on"));
}

TEST(EstimatorProbe, OffIsHandledByTheRegistry) {
  SensorConfig config;
  config.estimator = EstimatorMode::off;
  EXPECT_FALSE(config.allows("estimator"));
}

TEST(EstimatorProbe, ModeIsAutoOnOrOffAndAnythingElseNamesThem) {
  for (auto mode : {EstimatorMode::automatic, EstimatorMode::on, EstimatorMode::off}) {
    EXPECT_EQ(parse_estimator_mode(to_string(mode)), mode);
  }
  EXPECT_EQ(parse_estimator_mode("auto"), EstimatorMode::automatic);
  EXPECT_THAT([] { (void)parse_estimator_mode("yes"); },
              ::testing::ThrowsMessage<std::invalid_argument>(::testing::AllOf(
                  HasSubstr("JOULE_ESTIMATOR='yes'"), HasSubstr("auto, on or off"))));
}

TEST(EstimatorProbe, FromEnvironmentReadsJouleEstimator) {
  const char* before = std::getenv("JOULE_ESTIMATOR");
  const std::string saved = before ? before : "";
  ::setenv("JOULE_ESTIMATOR", "off", 1);
  EXPECT_EQ(SensorConfig::from_environment().estimator, EstimatorMode::off);
  ::setenv("JOULE_ESTIMATOR", "maybe", 1);
  EXPECT_THROW(SensorConfig::from_environment(), std::invalid_argument);
  if (before) {
    ::setenv("JOULE_ESTIMATOR", saved.c_str(), 1);
  } else {
    ::unsetenv("JOULE_ESTIMATOR");
  }
}

TEST(EstimatorProbe, MissingProcIsAbsentWithARemedy) {
  SensorConfig config;
  config.proc_root = "/nonexistent/joule-proc";
  ProbeResult result;
  probe_estimator(config, result);
  EXPECT_TRUE(result.sensors.empty());
  EXPECT_EQ(result.reports.back().state, BackendState::absent);
  EXPECT_THAT(result.reports.back().reason, HasSubstr("/nonexistent/joule-proc/stat"));
  EXPECT_THAT(result.reports.back().remedy, HasSubstr("JOULE_PROC_ROOT"));
}

TEST(EstimatorProbe, WithoutMeminfoTheCpuModelStillRuns) {
  FakeProc proc(2);
  std::filesystem::remove(proc.root() / "meminfo");
  SensorConfig config;
  config.proc_root = proc.root();
  ProbeResult result;
  probe_estimator(config, result);
  EXPECT_THAT(domain_ids(result), ::testing::ElementsAre("cpu:estimated"));
  EXPECT_THAT(result.reports.back().reason, HasSubstr("DRAM not modelled"));
}

}  // namespace
}  // namespace joule::sensors::estimator

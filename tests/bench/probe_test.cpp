// The probe: energy from joule's meter around one stretch of work, the
// machine's other CPU use from /proc/stat, and idle power charged to it.
#include "bench/probe.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "meter/fake_sensor.hpp"

namespace joule::bench {
namespace {

namespace fs = std::filesystem;
using joule::testing::counter_domain;
using joule::testing::FakeSensor;
using joule::testing::power_domain;

class ProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    proc_ = fs::temp_directory_path() / fmt::format("joule-probe-{}", ::getpid());
    fs::create_directories(proc_);
    write_stat(1000, 0);
  }
  void TearDown() override { fs::remove_all(proc_); }

  // user nice system idle iowait irq softirq steal, in clock ticks.
  void write_stat(long user_ticks, long steal_ticks) {
    std::ofstream(proc_ / "stat") << "cpu  " << user_ticks << " 5 20 9000 7 1 2 " << steal_ticks
                                  << " 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n";
  }

  fs::path proc_;
};

TEST_F(ProbeTest, MissingStatCountsNoOtherCpuRatherThanGarbage) {
  fs::remove(proc_ / "stat");
  auto sensor = std::make_unique<FakeSensor>(
      std::vector<DomainInfo>{counter_domain("cpu:package-0", Component::cpu_package, 0, 0.05)});
  std::vector<std::unique_ptr<Sensor>> sensors;
  sensors.push_back(std::move(sensor));
  MeterProbe probe(
      std::make_unique<Meter>(std::move(sensors), MeterOptions{.start_sampler = false}), proc_);
  const Cost cost = probe.measure([] {});
  EXPECT_EQ(cost.other_cpu_time.seconds, 0);
}

TEST_F(ProbeTest, MeasuresCounterEnergyAndOtherProcessesCpuTime) {
  auto sensor = std::make_unique<FakeSensor>(
      std::vector<DomainInfo>{counter_domain("cpu:package-0", Component::cpu_package, 0, 0.05)});
  FakeSensor* fake = sensor.get();
  fake->set_counter(0, 100);
  std::vector<std::unique_ptr<Sensor>> sensors;
  sensors.push_back(std::move(sensor));
  MeterProbe probe(
      std::make_unique<Meter>(std::move(sensors), MeterOptions{.start_sampler = false}), proc_);

  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const Cost cost = probe.measure([&] {
    fake->set_counter(0, 142.5);
    write_stat(1000 + static_cast<long>(3 * ticks), 0);  // 3 s of CPU by someone
  });
  EXPECT_DOUBLE_EQ(cost.energy.joules, 42.5);
  EXPECT_NEAR(cost.relative_uncertainty, 0.05, 1e-12);
  EXPECT_GT(cost.duration.seconds, 0);
  // This process used almost none of those 3 s.
  EXPECT_GT(cost.other_cpu_time.seconds, 2.5);
  EXPECT_LE(cost.other_cpu_time.seconds, 3.0);
  EXPECT_EQ(cost.idle_energy.joules, 0);  // no idle power measured yet
  EXPECT_FALSE(probe.modelled_only());
  EXPECT_NE(probe.describe_sources().find("measured: cpu:package-0"), std::string::npos);
}

TEST_F(ProbeTest, IdlePowerIsChargedToLaterMeasurements) {
  auto sensor = std::make_unique<FakeSensor>(
      std::vector<DomainInfo>{power_domain("gpu:0", Component::gpu, 0.05)});
  FakeSensor* fake = sensor.get();
  fake->set_power(0, 20);
  std::vector<std::unique_ptr<Sensor>> sensors;
  sensors.push_back(std::move(sensor));
  MeterProbe probe(
      std::make_unique<Meter>(std::move(sensors), MeterOptions{.start_sampler = false}), proc_);

  const Watts idle = probe.measure_idle(std::chrono::milliseconds(50));
  EXPECT_NEAR(idle.watts, 20, 1e-6);
  fake->set_power(0, 60);  // busy: read as 60 W at both ends of the measurement
  const Cost cost =
      probe.measure([] { std::this_thread::sleep_for(std::chrono::milliseconds(50)); });
  EXPECT_NEAR(cost.energy.joules, 60 * cost.duration.seconds, 1e-6);
  EXPECT_NEAR(cost.idle_energy.joules, 20 * cost.duration.seconds, 1e-6);
  EXPECT_LT(cost.idle_energy.joules, cost.energy.joules);
}

TEST_F(ProbeTest, ModelledOnlyWhenNoDomainIsMeasured) {
  DomainInfo estimated = counter_domain("cpu:estimated", Component::cpu_package, 0, 0.5);
  estimated.provenance = Provenance::modelled;
  std::vector<std::unique_ptr<Sensor>> sensors;
  sensors.push_back(std::make_unique<FakeSensor>(std::vector<DomainInfo>{estimated}));
  MeterProbe probe(
      std::make_unique<Meter>(std::move(sensors), MeterOptions{.start_sampler = false}), proc_);
  EXPECT_TRUE(probe.modelled_only());
  EXPECT_DOUBLE_EQ(probe.relative_uncertainty(), 0.5);
  EXPECT_NE(probe.describe_sources().find("modelled"), std::string::npos);
  EXPECT_NE(probe.describe_sources().find("±50%"), std::string::npos);
}

}  // namespace
}  // namespace joule::bench

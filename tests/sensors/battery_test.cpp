// Battery discharge on generated power_supply trees: power_now, current_now x
// voltage_now, and no reading (with the reason) while charging or full.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "joule/discovery.hpp"
#include "sensors/backends.hpp"
#include "sensors/sysfs_fixture.hpp"

namespace joule {
namespace {

using sysfs_testing::FakeTree;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

ProbeResult probe(const SensorConfig& config) {
  ProbeResult result;
  sensors::probe_battery(config, result);
  return result;
}

void add_mains(FakeTree& tree) {
  tree.write("class/power_supply/AC/type", "Mains");
  tree.write("class/power_supply/AC/online", "0");
}

class StubSensor final : public Sensor {
 public:
  StubSensor() {
    DomainInfo d;
    d.id = "cpu:package-0";
    d.component = Component::cpu_package;
    domains_.push_back(d);
  }
  std::string_view backend() const override { return "rapl-powercap"; }
  const std::vector<DomainInfo>& domains() const override { return domains_; }
  void read(std::span<Reading>) override {}

 private:
  std::vector<DomainInfo> domains_;
};

TEST(Battery, PowerNowWhileDischarging) {
  FakeTree tree;
  add_mains(tree);
  tree.write("class/power_supply/BAT0/type", "Battery");
  tree.write("class/power_supply/BAT0/status", "Discharging");
  tree.write("class/power_supply/BAT0/power_now", "14250000");
  tree.write("class/power_supply/BAT0/model_name", "5B10W13930");
  // A wireless mouse's battery is not the machine's.
  tree.write("class/power_supply/hidpp_battery_0/type", "Battery");
  tree.write("class/power_supply/hidpp_battery_0/scope", "Device");
  tree.write("class/power_supply/hidpp_battery_0/status", "Discharging");
  tree.write("class/power_supply/hidpp_battery_0/power_now", "1000");

  ProbeResult result;
  result.sensors.push_back(std::make_unique<StubSensor>());
  sensors::probe_battery(tree.config(), result);

  const BackendReport* report = sysfs_testing::find_report(result, "battery");
  ASSERT_NE(report, nullptr);
  EXPECT_EQ(report->state, BackendState::active);
  EXPECT_THAT(report->reason, HasSubstr("BAT0 discharging"));
  ASSERT_EQ(result.sensors.size(), 2u);
  Sensor& sensor = *result.sensors[1];
  EXPECT_EQ(sensor.backend(), "battery");
  ASSERT_EQ(sensor.domains().size(), 1u);
  const DomainInfo& d = sensor.domains()[0];
  EXPECT_EQ(d.id, "battery:BAT0");
  EXPECT_EQ(d.component, Component::battery);
  EXPECT_EQ(d.kind, ReadingKind::power);
  EXPECT_THAT(d.label, HasSubstr("5B10W13930"));
  EXPECT_EQ(d.source, (tree.sys() / "class/power_supply/BAT0/power_now").string());
  // Discharge is the whole machine's draw: the CPU package is inside it.
  EXPECT_THAT(d.contains, UnorderedElementsAre("cpu:package-0"));

  std::vector<Reading> readings(1);
  sensor.read(readings);
  EXPECT_EQ(readings[0].status, ReadStatus::ok) << readings[0].error;
  EXPECT_DOUBLE_EQ(readings[0].power.watts, 14.25);
}

TEST(Battery, CurrentTimesVoltageWithoutPowerNow) {
  FakeTree tree;
  tree.write("class/power_supply/BAT1/type", "Battery");
  tree.write("class/power_supply/BAT1/status", "Discharging");
  tree.write("class/power_supply/BAT1/current_now", "1500000");   // 1.5 A
  tree.write("class/power_supply/BAT1/voltage_now", "11400000");  // 11.4 V
  ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  Sensor& sensor = *result.sensors[0];
  EXPECT_EQ(sensor.domains()[0].id, "battery:BAT1");
  EXPECT_THAT(sensor.domains()[0].source, HasSubstr("voltage_now"));
  std::vector<Reading> readings(1);
  sensor.read(readings);
  EXPECT_EQ(readings[0].status, ReadStatus::ok) << readings[0].error;
  EXPECT_NEAR(readings[0].power.watts, 17.1, 1e-9);

  // Some gauges sign the current (negative while discharging).
  tree.write("class/power_supply/BAT1/current_now", "-1000000");
  sensor.read(readings);
  EXPECT_NEAR(readings[0].power.watts, 11.4, 1e-9);
}

TEST(Battery, ChargingOrFullIsUnavailableWithTheReason) {
  FakeTree tree;
  tree.write("class/power_supply/BAT0/type", "Battery");
  tree.write("class/power_supply/BAT0/status", "Charging");
  tree.write("class/power_supply/BAT0/power_now", "30000000");

  ProbeResult result;
  result.sensors.push_back(std::make_unique<StubSensor>());
  sensors::probe_battery(tree.config(), result);
  const BackendReport* report = sysfs_testing::find_report(result, "battery");
  ASSERT_NE(report, nullptr);
  EXPECT_EQ(report->state, BackendState::active);
  EXPECT_THAT(report->reason, HasSubstr("BAT0 Charging: readings unavailable"));
  ASSERT_EQ(result.sensors.size(), 2u);
  Sensor& sensor = *result.sensors[1];
  // On the charger it claims nothing, so the CPU package stays in totals.
  EXPECT_THAT(sensor.domains()[0].contains, IsEmpty());

  std::vector<Reading> readings(1);
  sensor.read(readings);
  EXPECT_EQ(readings[0].status, ReadStatus::unavailable);
  EXPECT_THAT(readings[0].error, HasSubstr("Charging"));
  EXPECT_THAT(readings[0].error, HasSubstr("only while discharging"));

  tree.write("class/power_supply/BAT0/status", "Full");
  sensor.read(readings);
  EXPECT_EQ(readings[0].status, ReadStatus::unavailable);
  EXPECT_THAT(readings[0].error, HasSubstr("Full"));

  // Unplugged: readings resume through the same open files.
  tree.write("class/power_supply/BAT0/status", "Discharging");
  tree.write("class/power_supply/BAT0/power_now", "9000000");
  sensor.read(readings);
  EXPECT_EQ(readings[0].status, ReadStatus::ok);
  EXPECT_TRUE(readings[0].error.empty());
  EXPECT_DOUBLE_EQ(readings[0].power.watts, 9.0);
}

TEST(Battery, NonNumericPowerNamesThePath) {
  FakeTree tree;
  tree.write("class/power_supply/BAT0/type", "Battery");
  tree.write("class/power_supply/BAT0/status", "Discharging");
  const auto path = tree.write("class/power_supply/BAT0/power_now", "unknown");
  ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  std::vector<Reading> readings(1);
  EXPECT_NO_THROW(result.sensors[0]->read(readings));
  EXPECT_EQ(readings[0].status, ReadStatus::unavailable);
  EXPECT_THAT(readings[0].error, HasSubstr(path.string()));
}

TEST(Battery, NoBatteryIsAbsent) {
  FakeTree tree;
  add_mains(tree);
  const ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.reports.size(), 1u);
  EXPECT_EQ(result.reports[0].backend, "battery");
  EXPECT_EQ(result.reports[0].state, BackendState::absent);
  EXPECT_THAT(result.reports[0].reason, HasSubstr("no battery"));
  EXPECT_FALSE(result.reports[0].remedy.empty());
  EXPECT_THAT(result.sensors, IsEmpty());
}

}  // namespace
}  // namespace joule

// Battery discharge on generated power_supply trees: power_now, current_now x
// voltage_now, and no reading (with the reason) while charging, full or on
// mains. The trees follow the kernel's own layouts:
//  - drivers/acpi/battery.c: a battery whose firmware reports capacity in mWh
//    exposes power_now and voltage_now (energy_battery_props) and no
//    current_now; one in mAh exposes current_now (charge_battery_props).
//    acpi_battery_get_property() fails power_now and current_now with -ENODEV
//    while the firmware's present rate is unknown (ACPI_BATTERY_VALUE_UNKNOWN).
//  - drivers/acpi/ac.c: the adapter is a power_supply of type "Mains" whose
//    `online` is 1 while plugged in.
//  - Documentation/ABI/testing/sysfs-class-power: charge_behaviour
//    "inhibit-charge" and "force-discharge" act "while AC is attached", so a
//    plugged-in laptop can report status Discharging.
// A read failing with ENODEV cannot be made in a temporary directory; a
// directory named power_now stands in for it: it opens, and every read fails.
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

void add_mains(FakeTree& tree, bool online = false) {
  tree.write("class/power_supply/AC/type", "Mains");
  tree.write("class/power_supply/AC/online", online ? "1" : "0");
}

// An ACPI battery reporting in mWh (energy_battery_props): power_now and
// voltage_now, no current_now.
void add_acpi_energy_battery(FakeTree& tree, std::string_view status) {
  tree.write("class/power_supply/BAT0/type", "Battery");
  tree.write("class/power_supply/BAT0/status", status);
  tree.write("class/power_supply/BAT0/power_now", "14250000");
  tree.write("class/power_supply/BAT0/voltage_now", "11400000");
}

// What acpi_battery_get_property() does while the present rate is unknown:
// power_now is listed, opens, and fails every read (ENODEV there).
void make_power_now_unreadable(FakeTree& tree, std::string_view battery) {
  const auto path = tree.sys() / "class/power_supply" / battery / "power_now";
  std::filesystem::remove(path);
  std::filesystem::create_directories(path);
}

const DomainInfo* battery_domain(const ProbeResult& result) {
  for (const auto& sensor : result.sensors) {
    if (sensor->backend() == "battery") return &sensor->domains().at(0);
  }
  return nullptr;
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

TEST(Battery, OnTheChargerBesideOtherDomainsItIsLeftOut) {
  // Plugged in at discovery, the battery does not measure the machine, and
  // once unplugged its draw would contain the CPU package that the meter
  // already counts: it must never be added on top.
  FakeTree tree;
  add_mains(tree, /*online=*/true);
  add_acpi_energy_battery(tree, "Charging");

  ProbeResult result;
  result.sensors.push_back(std::make_unique<StubSensor>());
  sensors::probe_battery(tree.config(), result);
  EXPECT_EQ(battery_domain(result), nullptr);
  const BackendReport* report = sysfs_testing::find_report(result, "battery");
  ASSERT_NE(report, nullptr);
  EXPECT_NE(report->state, BackendState::active);
  EXPECT_THAT(report->reason, HasSubstr("BAT0 Charging"));
  EXPECT_THAT(report->reason, HasSubstr("cpu:package-0"));
  EXPECT_FALSE(report->remedy.empty());
}

TEST(Battery, AloneChargingOrFullIsUnavailableWithTheReason) {
  FakeTree tree;
  add_mains(tree, /*online=*/true);
  add_acpi_energy_battery(tree, "Charging");
  tree.write("class/power_supply/BAT0/power_now", "30000000");

  ProbeResult result = probe(tree.config());
  const BackendReport* report = sysfs_testing::find_report(result, "battery");
  ASSERT_NE(report, nullptr);
  EXPECT_EQ(report->state, BackendState::active);
  EXPECT_THAT(report->reason, HasSubstr("BAT0 Charging: readings unavailable"));
  ASSERT_EQ(result.sensors.size(), 1u);
  Sensor& sensor = *result.sensors[0];
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
  tree.write("class/power_supply/AC/online", "0");
  tree.write("class/power_supply/BAT0/status", "Discharging");
  tree.write("class/power_supply/BAT0/power_now", "9000000");
  sensor.read(readings);
  EXPECT_EQ(readings[0].status, ReadStatus::ok);
  EXPECT_TRUE(readings[0].error.empty());
  EXPECT_DOUBLE_EQ(readings[0].power.watts, 9.0);
}

TEST(Battery, PluggedInLaptopReportingDischargingDoesNotMeasureThePlatform) {
  // charge_behaviour=force-discharge (or an adapter weaker than the load):
  // status says Discharging while the adapter is online, so the battery
  // carries only part of the machine's draw.
  FakeTree tree;
  add_mains(tree, /*online=*/true);
  add_acpi_energy_battery(tree, "Discharging");

  ProbeResult result;
  result.sensors.push_back(std::make_unique<StubSensor>());
  sensors::probe_battery(tree.config(), result);
  const DomainInfo* d = battery_domain(result);
  EXPECT_TRUE(d == nullptr || d->contains.empty());
  const BackendReport* report = sysfs_testing::find_report(result, "battery");
  ASSERT_NE(report, nullptr);
  EXPECT_THAT(report->reason, HasSubstr("mains"));

  // Alone, it is exposed but reads nothing while the adapter is online.
  ProbeResult alone = probe(tree.config());
  ASSERT_EQ(alone.sensors.size(), 1u);
  std::vector<Reading> readings(1);
  alone.sensors[0]->read(readings);
  EXPECT_EQ(readings[0].status, ReadStatus::unavailable);
  EXPECT_THAT(readings[0].error, HasSubstr("online"));
}

TEST(Battery, UnpluggedMidRunStopsReadingWhenPluggedBackIn) {
  FakeTree tree;
  add_mains(tree);
  add_acpi_energy_battery(tree, "Discharging");
  ProbeResult result;
  result.sensors.push_back(std::make_unique<StubSensor>());
  sensors::probe_battery(tree.config(), result);
  ASSERT_EQ(result.sensors.size(), 2u);
  Sensor& sensor = *result.sensors[1];
  EXPECT_THAT(sensor.domains()[0].contains, UnorderedElementsAre("cpu:package-0"));
  std::vector<Reading> readings(1);
  sensor.read(readings);
  EXPECT_EQ(readings[0].status, ReadStatus::ok) << readings[0].error;

  // Plugged in while the firmware still says Discharging.
  tree.write("class/power_supply/AC/online", "1");
  sensor.read(readings);
  EXPECT_EQ(readings[0].status, ReadStatus::unavailable);
  EXPECT_THAT(readings[0].error, HasSubstr("AC/online"));
}

TEST(Battery, AcpiRateUnknownAtDiscoveryClaimsNothing) {
  // An mWh ACPI battery whose firmware does not know the rate yet: power_now
  // fails and there is no current_now to fall back to. Claiming the other
  // domains would leave the total at 0 J.
  FakeTree tree;
  add_mains(tree);
  add_acpi_energy_battery(tree, "Discharging");
  make_power_now_unreadable(tree, "BAT0");

  ProbeResult result;
  result.sensors.push_back(std::make_unique<StubSensor>());
  sensors::probe_battery(tree.config(), result);
  const DomainInfo* d = battery_domain(result);
  EXPECT_TRUE(d == nullptr || d->contains.empty());
  const BackendReport* report = sysfs_testing::find_report(result, "battery");
  ASSERT_NE(report, nullptr);
  EXPECT_THAT(report->reason, HasSubstr("power_now"));
}

TEST(Battery, PowerNowFailingFallsBackToCurrentTimesVoltage) {
  // A fuel gauge that lists power_now but cannot compute it, beside
  // current_now and voltage_now.
  FakeTree tree;
  add_mains(tree);
  add_acpi_energy_battery(tree, "Discharging");
  make_power_now_unreadable(tree, "BAT0");
  tree.write("class/power_supply/BAT0/current_now", "-1500000");

  ProbeResult result;
  result.sensors.push_back(std::make_unique<StubSensor>());
  sensors::probe_battery(tree.config(), result);
  const DomainInfo* d = battery_domain(result);
  ASSERT_NE(d, nullptr);
  EXPECT_THAT(d->source, HasSubstr("current_now"));
  EXPECT_THAT(d->contains, UnorderedElementsAre("cpu:package-0"));
  std::vector<Reading> readings(1);
  result.sensors[1]->read(readings);
  EXPECT_EQ(readings[0].status, ReadStatus::ok) << readings[0].error;
  EXPECT_NEAR(readings[0].power.watts, 17.1, 1e-9);
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

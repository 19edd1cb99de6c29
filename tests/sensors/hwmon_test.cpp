// hwmon on generated trees: microwatt power and microjoule energy channels
// with labels, Jetson INA3221 rails (voltage x current), amd_energy beside
// RAPL, whole-board meters that contain the rest, and bad files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "joule/discovery.hpp"
#include "sensors/backends.hpp"
#include "sensors/sysfs_fixture.hpp"

namespace joule {
namespace {

using sysfs_testing::FakeTree;
using sysfs_testing::find_domain;
using sysfs_testing::index_of;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

ProbeResult probe(const SensorConfig& config) {
  ProbeResult result;
  sensors::probe_hwmon(config, result);
  return result;
}

// A sensor that claims one RAPL package, standing for an earlier backend.
class StubSensor final : public Sensor {
 public:
  explicit StubSensor(std::string id, Component component = Component::cpu_package) {
    DomainInfo d;
    d.id = std::move(id);
    d.component = component;
    domains_.push_back(d);
  }
  std::string_view backend() const override { return "rapl-powercap"; }
  const std::vector<DomainInfo>& domains() const override { return domains_; }
  void read(std::span<Reading>) override {}

 private:
  std::vector<DomainInfo> domains_;
};

TEST(Hwmon, PowerInMicrowattsAndEnergyInMicrojoulesWithLabels) {
  FakeTree tree;
  tree.write("class/hwmon/hwmon0/name", "coretemp");  // temperatures only
  tree.write("class/hwmon/hwmon0/temp1_input", "45000");
  tree.write("class/hwmon/hwmon1/name", "scmi_sensors");
  tree.write("class/hwmon/hwmon1/power1_input", "2500000");
  tree.write("class/hwmon/hwmon1/power1_label", "gpu power");
  tree.write("class/hwmon/hwmon1/power2_input", "1250000");  // no label
  tree.write("class/hwmon/hwmon1/energy1_input", "7000000");
  tree.write("class/hwmon/hwmon1/energy1_label", "DDR");
  ProbeResult result = probe(tree.config());

  ASSERT_EQ(result.reports.size(), 1u);
  EXPECT_EQ(result.reports[0].backend, "hwmon");
  EXPECT_EQ(result.reports[0].state, BackendState::active);
  EXPECT_THAT(result.reports[0].reason, HasSubstr("3 domains"));
  ASSERT_EQ(result.sensors.size(), 1u);
  Sensor& sensor = *result.sensors[0];
  EXPECT_EQ(sensor.backend(), "hwmon");

  const DomainInfo* gpu = find_domain(sensor, "hwmon:scmi_sensors-gpu_power");
  ASSERT_NE(gpu, nullptr);
  EXPECT_EQ(gpu->kind, ReadingKind::power);
  EXPECT_EQ(gpu->component, Component::gpu);
  EXPECT_THAT(gpu->label, HasSubstr("gpu power"));
  EXPECT_EQ(gpu->source, (tree.sys() / "class/hwmon/hwmon1/power1_input").string());
  const DomainInfo* unlabelled = find_domain(sensor, "hwmon:scmi_sensors-power2");
  ASSERT_NE(unlabelled, nullptr);
  EXPECT_EQ(unlabelled->component, Component::other);
  const DomainInfo* ddr = find_domain(sensor, "hwmon:scmi_sensors-DDR");
  ASSERT_NE(ddr, nullptr);
  EXPECT_EQ(ddr->kind, ReadingKind::energy_counter);
  EXPECT_EQ(ddr->component, Component::dram);

  std::vector<Reading> readings(sensor.domains().size());
  sensor.read(readings);
  for (const auto& r : readings) EXPECT_EQ(r.status, ReadStatus::ok) << r.error;
  EXPECT_DOUBLE_EQ(readings[index_of(sensor, gpu->id)].power.watts, 2.5);
  EXPECT_DOUBLE_EQ(readings[index_of(sensor, unlabelled->id)].power.watts, 1.25);
  EXPECT_DOUBLE_EQ(readings[index_of(sensor, ddr->id)].counter.joules, 7.0);

  tree.write("class/hwmon/hwmon1/energy1_input", "9500000");
  sensor.read(readings);
  EXPECT_DOUBLE_EQ(readings[index_of(sensor, ddr->id)].counter.joules, 9.5);
}

TEST(Hwmon, JetsonInaRailsFromVoltageTimesCurrentInsideTheInputRail) {
  FakeTree tree;
  // Orin: one INA3221, channels 1-3; in4-6 are shunt voltages.
  const std::string dev = "class/hwmon/hwmon2/";
  tree.write(dev + "name", "ina3221");
  const char* labels[] = {"VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"};
  const char* millivolts[] = {"5000", "4990", "4980"};
  const char* milliamps[] = {"1200", "400", "300"};
  for (int k = 1; k <= 3; ++k) {
    const std::string n = std::to_string(k);
    tree.write(dev + "in" + n + "_label", labels[k - 1]);
    tree.write(dev + "in" + n + "_input", millivolts[k - 1]);
    tree.write(dev + "curr" + n + "_input", milliamps[k - 1]);
    tree.write(dev + "in" + std::to_string(k + 3) + "_input", "12");
  }
  ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  Sensor& sensor = *result.sensors[0];
  ASSERT_EQ(sensor.domains().size(), 3u);

  const DomainInfo* in = find_domain(sensor, "hwmon:ina3221-VDD_IN");
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->component, Component::system);
  EXPECT_EQ(in->kind, ReadingKind::power);
  EXPECT_THAT(in->contains,
              UnorderedElementsAre("hwmon:ina3221-VDD_CPU_GPU_CV", "hwmon:ina3221-VDD_SOC"));
  EXPECT_EQ(find_domain(sensor, "hwmon:ina3221-VDD_CPU_GPU_CV")->component, Component::other);

  std::vector<Reading> readings(3);
  sensor.read(readings);
  EXPECT_DOUBLE_EQ(readings[index_of(sensor, in->id)].power.watts, 6.0);  // 5 V x 1.2 A
  EXPECT_DOUBLE_EQ(readings[index_of(sensor, "hwmon:ina3221-VDD_SOC")].power.watts, 4.98 * 0.3);
}

// The INA3221 summation channel, as Documentation/hwmon/ina3221.rst lays it
// out: in[123]_input bus voltages (mV), curr[123]_input currents (mA),
// in[456]_input the shunt voltages (uV) of channels 1-3, in7_input/in7_label
// the summed shunt voltage and curr4_input the summed current (mA). in4 x
// curr4 is no power at all, and curr4 repeats channels 1-3.
TEST(Hwmon, Ina3221SummationChannelIsNoRail) {
  FakeTree tree;
  const std::string dev = "class/hwmon/hwmon3/";
  tree.write(dev + "name", "ina3221");
  const char* labels[] = {"VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0"};
  for (int k = 1; k <= 3; ++k) {
    const std::string n = std::to_string(k);
    tree.write(dev + "in" + n + "_label", labels[k - 1]);
    tree.write(dev + "in" + n + "_input", "5000");
    tree.write(dev + "curr" + n + "_input", "800");
    tree.write(dev + "in" + std::to_string(k + 3) + "_input", "4000");  // uV across the shunt
  }
  tree.write(dev + "in7_label", "sum of shunt voltages");
  tree.write(dev + "in7_input", "12000");
  tree.write(dev + "curr4_input", "2400");
  ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  Sensor& sensor = *result.sensors[0];
  std::vector<std::string> ids;
  for (const auto& d : sensor.domains()) ids.push_back(d.id);
  EXPECT_THAT(ids, UnorderedElementsAre("hwmon:ina3221-VDD_GPU_SOC", "hwmon:ina3221-VDD_CPU_CV",
                                        "hwmon:ina3221-VIN_SYS_5V0"));
}

TEST(Hwmon, SysRailsArePartsNotTheBoardTotal) {
  FakeTree tree;
  // TX2-style rail names: only VDD_IN is the board's input.
  const std::string dev = "class/hwmon/hwmon1/";
  tree.write(dev + "name", "ina3221");
  const char* labels[] = {"VDD_IN", "VDD_SYS_GPU", "VDD_SYS_DDR"};
  for (int k = 1; k <= 3; ++k) {
    const std::string n = std::to_string(k);
    tree.write(dev + "in" + n + "_label", labels[k - 1]);
    tree.write(dev + "in" + n + "_input", "5000");
    tree.write(dev + "curr" + n + "_input", "100");
  }
  ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  const Sensor& sensor = *result.sensors[0];
  EXPECT_EQ(find_domain(sensor, "hwmon:ina3221-VDD_IN")->component, Component::system);
  EXPECT_EQ(find_domain(sensor, "hwmon:ina3221-VDD_SYS_GPU")->component, Component::gpu);
  EXPECT_EQ(find_domain(sensor, "hwmon:ina3221-VDD_SYS_DDR")->component, Component::dram);
  EXPECT_THAT(find_domain(sensor, "hwmon:ina3221-VDD_IN")->contains,
              UnorderedElementsAre("hwmon:ina3221-VDD_SYS_GPU", "hwmon:ina3221-VDD_SYS_DDR"));
}

TEST(Hwmon, AmdEnergySocketsContainCoresWithoutRapl) {
  FakeTree tree;
  const std::string dev = "class/hwmon/hwmon3/";
  tree.write(dev + "name", "amd_energy");
  tree.write(dev + "energy1_input", "1000000");
  tree.write(dev + "energy1_label", "Ecore000");
  tree.write(dev + "energy2_input", "2000000");
  tree.write(dev + "energy2_label", "Ecore001");
  tree.write(dev + "energy3_input", "9000000");
  tree.write(dev + "energy3_label", "Esocket0");
  ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  const DomainInfo* socket = find_domain(*result.sensors[0], "hwmon:amd_energy-Esocket0");
  ASSERT_NE(socket, nullptr);
  EXPECT_EQ(socket->component, Component::cpu_package);
  EXPECT_THAT(socket->contains,
              UnorderedElementsAre("hwmon:amd_energy-Ecore000", "hwmon:amd_energy-Ecore001"));
  EXPECT_EQ(find_domain(*result.sensors[0], "hwmon:amd_energy-Ecore000")->component,
            Component::cpu_core);
}

TEST(Hwmon, AmdEnergyIsSkippedWhenRaplAlreadyMeasuresTheCpu) {
  FakeTree tree;
  tree.write("class/hwmon/hwmon3/name", "amd_energy");
  tree.write("class/hwmon/hwmon3/energy1_input", "9000000");
  tree.write("class/hwmon/hwmon3/energy1_label", "Esocket0");
  ProbeResult result;
  result.sensors.push_back(std::make_unique<StubSensor>("cpu:package-0"));
  sensors::probe_hwmon(tree.config(), result);
  EXPECT_EQ(result.sensors.size(), 1u);  // only the stub
  const BackendReport* report = sysfs_testing::find_report(result, "hwmon");
  ASSERT_NE(report, nullptr);
  EXPECT_EQ(report->state, BackendState::absent);
  EXPECT_THAT(report->reason, HasSubstr("RAPL already measures the CPU"));
}

TEST(Hwmon, AcpiPowerMeterContainsWhatEarlierBackendsFound) {
  FakeTree tree;
  // Old drivers keep attributes in the device directory.
  tree.write("class/hwmon/hwmon0/name", "power_meter");
  tree.write("class/hwmon/hwmon0/device/power1_average", "312000000");
  ProbeResult result;
  result.sensors.push_back(std::make_unique<StubSensor>("cpu:package-0"));
  sensors::probe_hwmon(tree.config(), result);
  ASSERT_EQ(result.sensors.size(), 2u);
  Sensor& sensor = *result.sensors[1];
  const DomainInfo* meter = find_domain(sensor, "hwmon:power_meter-power1");
  ASSERT_NE(meter, nullptr);
  EXPECT_EQ(meter->component, Component::system);
  EXPECT_THAT(meter->contains, UnorderedElementsAre("cpu:package-0"));
  std::vector<Reading> readings(1);
  sensor.read(readings);
  EXPECT_DOUBLE_EQ(readings[0].power.watts, 312.0);
}

// An hwmon device removed mid-run (a PSU or a board unplugged, its driver
// unbound) is gone, so the meter keeps its energy so far and says when.
TEST(Hwmon, ADeviceRemovedMidRunIsGone) {
  FakeTree tree;
  tree.write("class/hwmon/hwmon0/name", "power_meter");
  const auto power = tree.write("class/hwmon/hwmon0/device/power1_average", "312000000");
  sysfs_testing::VanishingFile vanishing;
  vanishing.link_at(power);
  ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  Sensor& sensor = *result.sensors[0];
  std::vector<Reading> readings(1);
  sensor.read(readings);
  EXPECT_EQ(readings[0].status, ReadStatus::ok);
  vanishing.vanish();
  sensor.read(readings);
  EXPECT_EQ(readings[0].status, ReadStatus::gone);
  EXPECT_THAT(readings[0].error, HasSubstr("power1_average"));
}

// L4T 32.x (JetPack 4: Nano, TX1, TX2, Xavier): the INA3221 is behind NVIDIA's
// ina3221x IIO driver, not hwmon. Layout from the L4T 32.5 Development Guide,
// "Power Management for Jetson Nano": /sys/bus/i2c/drivers/ina3221x/6-0040/
// iio:device0/in_power0_input (mW) with rail_name_0 POM_5V_IN. joule does not
// read it and must not tell the user to load a hwmon driver.
TEST(Hwmon, OldJetsonIioInaIsNamedAsUnsupported) {
  FakeTree tree;
  tree.write("class/hwmon/hwmon0/name", "thermal-fan-est");
  tree.write("class/hwmon/hwmon0/temp1_input", "36000");
  const std::string iio = "bus/i2c/drivers/ina3221x/6-0040/iio:device0/";
  tree.write(iio + "rail_name_0", "POM_5V_IN");
  tree.write(iio + "in_power0_input", "2345");
  tree.write(iio + "in_voltage0_input", "5048");
  tree.write(iio + "in_current0_input", "464");
  const ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.reports.size(), 1u);
  EXPECT_EQ(result.reports[0].state, BackendState::absent);
  EXPECT_THAT(result.reports[0].remedy, HasSubstr("ina3221x IIO driver (L4T 32.x)"));
  EXPECT_THAT(result.reports[0].remedy, HasSubstr("does not read"));
  EXPECT_THAT(result.sensors, IsEmpty());
}

// A 2-socket GH200 (GH200 NVL2) as the ACPI power meter driver lays it out
// (drivers/hwmon/acpi_power_meter.c with the legacy hwmon_device_register():
// name and every attribute on the ACPI device, hwmonN/device/): one meter per
// rail, power1_average in uW over power1_average_interval ms, the rail named
// only by power1_oem_info, the _PMD OEM string of NVIDIA's firmware
// (edk2-nvidia TH500 SSDT: "Grace Power Socket 2"). NVIDIA's Grace
// Performance Tuning Guide, "Power Telemetry": Module is the whole superchip
// (Grace, Hopper, HBM, LPDDR5X, regulator loss), Grace the CPU socket with its
// memory, CPU the cores' rail, SysIO the SoC rail.
void write_grace_meter(FakeTree& tree, int hwmon, const std::string& oem_info, long microwatts) {
  const std::string dev = "class/hwmon/hwmon" + std::to_string(hwmon) + "/device/";
  tree.write(dev + "name", "power_meter");
  tree.write(dev + "power1_average", std::to_string(microwatts));
  tree.write(dev + "power1_average_interval", "50");
  tree.write(dev + "power1_accuracy", "95.0%");
  tree.write(dev + "power1_is_battery", "0");
  tree.write(dev + "power1_model_number", "");
  tree.write(dev + "power1_serial_number", "");
  tree.write(dev + "power1_oem_info", oem_info);
}

TEST(Hwmon, GraceHopperRailsNestPerSocket) {
  FakeTree tree;
  int hwmon = 1;
  for (int socket = 0; socket < 2; ++socket) {
    const std::string n = std::to_string(socket);
    write_grace_meter(tree, hwmon++, "Module Power Socket " + n, 600000000);
    write_grace_meter(tree, hwmon++, "Grace Power Socket " + n, 150000000);
    write_grace_meter(tree, hwmon++, "CPU Power Socket " + n, 90000000);
    write_grace_meter(tree, hwmon++, "SysIO Power Socket " + n, 20000000);
  }
  ProbeResult result;
  result.sensors.push_back(std::make_unique<StubSensor>("gpu:0", Component::gpu));
  sensors::probe_hwmon(tree.config(), result);
  ASSERT_EQ(result.sensors.size(), 2u);
  const Sensor& sensor = *result.sensors[1];
  ASSERT_EQ(sensor.domains().size(), 8u);
  for (const char* n : {"0", "1"}) {
    const std::string s = n;
    const DomainInfo* module = find_domain(sensor, "hwmon:power_meter-Module_Power_Socket_" + s);
    const DomainInfo* grace = find_domain(sensor, "hwmon:power_meter-Grace_Power_Socket_" + s);
    const DomainInfo* cpu = find_domain(sensor, "hwmon:power_meter-CPU_Power_Socket_" + s);
    const DomainInfo* sysio = find_domain(sensor, "hwmon:power_meter-SysIO_Power_Socket_" + s);
    ASSERT_NE(module, nullptr);
    ASSERT_NE(grace, nullptr);
    ASSERT_NE(cpu, nullptr);
    ASSERT_NE(sysio, nullptr);
    EXPECT_EQ(module->component, Component::system);
    EXPECT_EQ(grace->component, Component::cpu_package);
    EXPECT_EQ(cpu->component, Component::cpu_core);
    EXPECT_EQ(sysio->component, Component::cpu_uncore);
    EXPECT_THAT(module->contains, UnorderedElementsAre("gpu:0", grace->id, cpu->id, sysio->id));
    EXPECT_THAT(grace->contains, UnorderedElementsAre(cpu->id, sysio->id));
    EXPECT_THAT(cpu->contains, IsEmpty());
  }
  // Only the two modules are outside every other domain: each socket once.
  std::set<std::string> contained;
  for (const auto& d : sensor.domains()) contained.insert(d.contains.begin(), d.contains.end());
  std::vector<std::string> top;
  for (const auto& d : sensor.domains()) {
    if (!contained.count(d.id)) top.push_back(d.id);
  }
  EXPECT_THAT(top, UnorderedElementsAre("hwmon:power_meter-Module_Power_Socket_0",
                                        "hwmon:power_meter-Module_Power_Socket_1"));
}

// A Grace CPU Superchip has no Module meter: each Grace socket is the top.
TEST(Hwmon, GraceSuperchipSocketsAreTheTop) {
  FakeTree tree;
  write_grace_meter(tree, 0, "Grace Power Socket 0", 150000000);
  write_grace_meter(tree, 1, "CPU Power Socket 0", 90000000);
  write_grace_meter(tree, 2, "SysIO Power Socket 0", 20000000);
  write_grace_meter(tree, 3, "Grace Power Socket 1", 140000000);
  write_grace_meter(tree, 4, "CPU Power Socket 1", 80000000);
  write_grace_meter(tree, 5, "SysIO Power Socket 1", 20000000);
  ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  const Sensor& sensor = *result.sensors[0];
  const DomainInfo* grace = find_domain(sensor, "hwmon:power_meter-Grace_Power_Socket_1");
  const DomainInfo* sysio = find_domain(sensor, "hwmon:power_meter-SysIO_Power_Socket_0");
  ASSERT_NE(grace, nullptr);
  ASSERT_NE(sysio, nullptr);
  EXPECT_THAT(grace->contains, UnorderedElementsAre("hwmon:power_meter-CPU_Power_Socket_1",
                                                    "hwmon:power_meter-SysIO_Power_Socket_1"));
  EXPECT_THAT(sysio->contains, IsEmpty());
}

// amdgpu as drivers/gpu/drm/amd/pm/amdgpu_pm.c registers it (with_info:
// attributes in hwmonN/): power1_average in uW, "average power used by the
// SoC ... On APUs this includes the CPU" (Documentation/gpu/amdgpu/thermal.rst),
// and in1_input/in1_label "vddnb", which hwmon_attributes_visible() shows only
// on APUs ("only APUs have vddnb"); no freq2 (mclk) on APUs.
void write_amdgpu(FakeTree& tree, int hwmon, bool apu) {
  const std::string dev = "class/hwmon/hwmon" + std::to_string(hwmon) + "/";
  tree.write(dev + "name", "amdgpu");
  tree.write(dev + "temp1_input", "45000");
  tree.write(dev + "temp1_label", "edge");
  tree.write(dev + "in0_input", "1100");
  tree.write(dev + "in0_label", "vddgfx");
  tree.write(dev + "freq1_input", "400000000");
  tree.write(dev + "freq1_label", "sclk");
  tree.write(dev + "power1_average", "15000000");
  tree.write(dev + "power1_cap", "25000000");
  if (apu) {
    tree.write(dev + "in1_input", "900");
    tree.write(dev + "in1_label", "vddnb");
  } else {
    tree.write(dev + "freq2_input", "1000000000");
    tree.write(dev + "freq2_label", "mclk");
  }
}

TEST(Hwmon, AmdApuPowerContainsThePackage) {
  FakeTree tree;
  write_amdgpu(tree, 0, /*apu=*/true);
  ProbeResult result;
  result.sensors.push_back(std::make_unique<StubSensor>("cpu:package-0"));
  sensors::probe_hwmon(tree.config(), result);
  ASSERT_EQ(result.sensors.size(), 2u);
  const DomainInfo* apu = find_domain(*result.sensors[1], "hwmon:amdgpu-power1");
  ASSERT_NE(apu, nullptr);
  EXPECT_EQ(apu->component, Component::gpu);
  EXPECT_THAT(apu->contains, UnorderedElementsAre("cpu:package-0"));
}

TEST(Hwmon, AmdDiscreteGpuIsBesideThePackage) {
  FakeTree tree;
  write_amdgpu(tree, 0, /*apu=*/false);
  ProbeResult result;
  result.sensors.push_back(std::make_unique<StubSensor>("cpu:package-0"));
  sensors::probe_hwmon(tree.config(), result);
  ASSERT_EQ(result.sensors.size(), 2u);
  const DomainInfo* gpu = find_domain(*result.sensors[1], "hwmon:amdgpu-power1");
  ASSERT_NE(gpu, nullptr);
  EXPECT_THAT(gpu->contains, IsEmpty());
}

// amd_hsmp_hwmon as drivers/platform/x86/amd/hsmp/hwmon.c registers it: one
// device per socket, power1_input the socket power (HSMP_GET_SOCKET_POWER, mW
// x 1000 = uW), power1_cap and power1_cap_max; no label.
void write_hsmp(FakeTree& tree, int hwmon) {
  const std::string dev = "class/hwmon/hwmon" + std::to_string(hwmon) + "/";
  tree.write(dev + "name", "amd_hsmp_hwmon");
  tree.write(dev + "power1_input", "182000000");
  tree.write(dev + "power1_cap", "280000000");
  tree.write(dev + "power1_cap_max", "400000000");
}

TEST(Hwmon, AmdHsmpSocketPowerIsSkippedBesideRapl) {
  FakeTree tree;
  write_hsmp(tree, 2);
  write_hsmp(tree, 3);
  ProbeResult result;
  result.sensors.push_back(std::make_unique<StubSensor>("cpu:package-0"));
  sensors::probe_hwmon(tree.config(), result);
  EXPECT_EQ(result.sensors.size(), 1u);  // only the stub
  const BackendReport* report = sysfs_testing::find_report(result, "hwmon");
  ASSERT_NE(report, nullptr);
  EXPECT_THAT(report->reason, HasSubstr("RAPL already measures the CPU"));

  // Without RAPL, each is a socket.
  ProbeResult alone = probe(tree.config());
  ASSERT_EQ(alone.sensors.size(), 1u);
  for (const auto& d : alone.sensors[0]->domains()) {
    EXPECT_EQ(d.component, Component::cpu_package) << d.id;
  }
}

// xe as drivers/gpu/drm/xe/xe_hwmon.c registers it on a discrete card:
// channel 1 "card", channel 2 "pkg" (xe_hwmon_read_label), energy in uJ;
// Documentation/ABI/testing/sysfs-driver-intel-xe-hwmon: energy1_input is the
// card's energy, energy2_input the GPU package's, which is on the card.
TEST(Hwmon, XeCardEnergyContainsItsPackage) {
  FakeTree tree;
  const std::string dev = "class/hwmon/hwmon4/";
  tree.write(dev + "name", "xe");
  tree.write(dev + "energy1_input", "9000000");
  tree.write(dev + "energy1_label", "card");
  tree.write(dev + "energy2_input", "6000000");
  tree.write(dev + "energy2_label", "pkg");
  tree.write(dev + "power1_max", "0");
  tree.write(dev + "power1_label", "card");
  tree.write(dev + "power2_max", "150000000");
  tree.write(dev + "power2_label", "pkg");
  ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  const Sensor& sensor = *result.sensors[0];
  const DomainInfo* card = find_domain(sensor, "hwmon:xe-card");
  const DomainInfo* pkg = find_domain(sensor, "hwmon:xe-pkg");
  ASSERT_NE(card, nullptr);
  ASSERT_NE(pkg, nullptr);
  EXPECT_EQ(card->component, Component::gpu);
  EXPECT_EQ(pkg->component, Component::gpu);
  EXPECT_THAT(card->contains, UnorderedElementsAre("hwmon:xe-pkg"));
  EXPECT_THAT(sysfs_testing::disjoint_ids(sensor), UnorderedElementsAre("hwmon:xe-card"));
}

TEST(Hwmon, NoPowerChannelsIsAbsentNamingWhatWasSeen) {
  FakeTree tree;
  tree.write("class/hwmon/hwmon0/name", "coretemp");
  tree.write("class/hwmon/hwmon0/temp1_input", "45000");
  tree.write("class/hwmon/hwmon1/name", "nvme");
  const ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.reports.size(), 1u);
  EXPECT_EQ(result.reports[0].state, BackendState::absent);
  EXPECT_THAT(result.reports[0].reason, HasSubstr("coretemp, nvme"));
  EXPECT_THAT(result.reports[0].remedy, HasSubstr("amd_energy"));
  EXPECT_THAT(result.sensors, IsEmpty());

  FakeTree empty;
  const ProbeResult none = probe(empty.config());
  EXPECT_EQ(none.reports[0].state, BackendState::absent);
  EXPECT_THAT(none.reports[0].reason, HasSubstr("class/hwmon"));
}

TEST(Hwmon, BadFilesNameTheirPath) {
  FakeTree tree;
  tree.write("class/hwmon/hwmon0/name", "ina219");
  tree.write("class/hwmon/hwmon0/power1_input", "1000000");
  const auto broken = tree.write("class/hwmon/hwmon0/power2_input", "n/a");
  ProbeResult result = probe(tree.config());
  ASSERT_EQ(result.sensors.size(), 1u);
  EXPECT_EQ(result.sensors[0]->domains().size(), 1u);  // the broken one is skipped...
  EXPECT_THAT(result.reports[0].reason, HasSubstr(broken.string()));  // ...and named

  // A channel that breaks after discovery is unavailable, not an exception.
  const auto good = tree.write("class/hwmon/hwmon0/power1_input", "oops");
  std::vector<Reading> readings(1);
  EXPECT_NO_THROW(result.sensors[0]->read(readings));
  EXPECT_EQ(readings[0].status, ReadStatus::unavailable);
  EXPECT_THAT(readings[0].error, HasSubstr(good.string()));
}

}  // namespace
}  // namespace joule

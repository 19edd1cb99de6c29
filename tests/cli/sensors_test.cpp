// `joule sensors` end to end, against fixture trees.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sensors/sysfs_fixture.hpp"
#include "support/subprocess.hpp"

using joule::sysfs_testing::FakeTree;
using joule::testing::run_joule;

namespace {

void write_package(FakeTree& tree, int socket, std::uint64_t energy_uj) {
  const std::string zone = "class/powercap/intel-rapl:" + std::to_string(socket);
  tree.write(zone + "/name", "package-" + std::to_string(socket));
  tree.write(zone + "/energy_uj", std::to_string(energy_uj));
  tree.write(zone + "/max_energy_range_uj", "262143328850");
  const std::string dram = zone + "/intel-rapl:" + std::to_string(socket) + ":0";
  tree.write(dram + "/name", "dram");
  tree.write(dram + "/energy_uj", "1000");
  tree.write(dram + "/max_energy_range_uj", "65712999613");
}

std::map<std::string, std::string> fixture_env(const FakeTree& tree) {
  return {{"JOULE_SYSFS_ROOT", tree.sys().string()},
          {"JOULE_NVML_LIBRARY", "/nonexistent/libnvidia-ml.so.1"},
          {"JOULE_ESTIMATOR", "auto"}};
}

const nlohmann::json* find_by(const nlohmann::json& array, std::string_view key,
                              std::string_view value) {
  for (const auto& item : array) {
    if (item.at(key) == value) return &item;
  }
  return nullptr;
}

}  // namespace

TEST(SensorsCommand, JsonListsFixtureDomainsWithProvenanceWrapAndSource) {
  FakeTree tree;
  write_package(tree, 0, 5000000);
  write_package(tree, 1, 7000000);
  auto result = run_joule({"sensors", "--json", "--sample", "0"}, fixture_env(tree));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto json = nlohmann::json::parse(result.out);
  const auto* package = find_by(json["domains"], "id", "cpu:package-1");
  ASSERT_NE(package, nullptr) << result.out;
  EXPECT_EQ((*package)["provenance"], "measured");
  EXPECT_EQ((*package)["kind"], "energy-counter");
  EXPECT_DOUBLE_EQ((*package)["wrap_range_j"].get<double>(), 262143.32885);
  EXPECT_NE((*package)["source"].get<std::string>().find("intel-rapl:1"), std::string::npos);
  EXPECT_NE(find_by(json["domains"], "id", "dram:0"), nullptr);
  // Measured RAPL package counters exist, so the estimator must step aside.
  EXPECT_EQ(find_by(json["domains"], "id", "cpu:estimated"), nullptr);
  const auto* nvml = find_by(json["backends"], "backend", "nvml");
  ASSERT_NE(nvml, nullptr);
  EXPECT_EQ((*nvml)["state"], "absent");
  EXPECT_FALSE((*nvml)["remedy"].get<std::string>().empty());
  EXPECT_EQ((*find_by(json["backends"], "backend", "rapl-powercap"))["state"], "active");
}

TEST(SensorsCommand, OnlyTheEstimatorStillExitsZeroAndSaysItIsAModel) {
  FakeTree tree;
  tree.write("class/.keep", "");
  auto result = run_joule({"sensors", "--sample", "0.05"}, fixture_env(tree));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("cpu:estimated"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("modelled"), std::string::npos);
  EXPECT_NE(result.out.find("rapl-powercap  absent"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("to enable:"), std::string::npos);
}

TEST(SensorsCommand, SampledPowerOfAnIdleCounterIsZeroAndTotalsSkipNestedDomains) {
  FakeTree tree;
  // An Intel CPU whatever the host is: on AMD the core zone is one core,
  // named cpu:one-core-0.
  tree.write_proc("cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\n");
  write_package(tree, 0, 1000);
  tree.write("class/powercap/intel-rapl:0/intel-rapl:0:1/name", "core");
  tree.write("class/powercap/intel-rapl:0/intel-rapl:0:1/energy_uj", "10");
  tree.write("class/powercap/intel-rapl:0/intel-rapl:0:1/max_energy_range_uj", "262143328850");
  auto env = fixture_env(tree);
  env["JOULE_PROC_ROOT"] = tree.proc().string();
  auto result = run_joule({"sensors", "--json", "--sample", "0.05"}, env);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto json = nlohmann::json::parse(result.out);
  const auto* core = find_by(json["domains"], "id", "cpu:core-0");
  ASSERT_NE(core, nullptr) << result.out;
  EXPECT_FALSE((*core)["in_total"].get<bool>());
  EXPECT_DOUBLE_EQ((*core)["sampled_power_w"].get<double>(), 0.0);  // the fixture never moves
  EXPECT_DOUBLE_EQ(json["sample"]["total_power_w"].get<double>(), 0.0);
}

TEST(SensorsCommand, RejectsABadSampleDuration) {
  auto result = run_joule({"sensors", "--sample", "-3"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("--sample"), std::string::npos) << result.err;
}

// A GH200 socket's ACPI power meters (legacy acpi_power_meter layout, the
// rail named in power1_oem_info as NVIDIA's firmware writes it; see
// tests/sensors/hwmon_test.cpp) next to a RAPL-less host: `joule sensors`
// says which meter contains which, and why, in text and in JSON.
TEST(SensorsCommand, StatesTheContainmentItAssumes) {
  FakeTree tree;
  const char* rails[] = {"Module", "Grace", "CPU", "SysIO"};
  for (int k = 0; k < 4; ++k) {
    const std::string dev = "class/hwmon/hwmon" + std::to_string(k + 1) + "/device/";
    tree.write(dev + "name", "power_meter");
    tree.write(dev + "power1_average", "100000000");
    tree.write(dev + "power1_average_interval", "50");
    tree.write(dev + "power1_oem_info", std::string(rails[k]) + " Power Socket 0");
  }
  auto text = run_joule({"sensors", "--sample", "0"}, fixture_env(tree));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("hwmon:power_meter-Module_Power_Socket_0 contains "
                          "hwmon:power_meter-Grace_Power_Socket_0, "
                          "hwmon:power_meter-CPU_Power_Socket_0, "
                          "hwmon:power_meter-SysIO_Power_Socket_0 (a GH200 module meter"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("hwmon:power_meter-Grace_Power_Socket_0 contains "
                          "hwmon:power_meter-CPU_Power_Socket_0, "
                          "hwmon:power_meter-SysIO_Power_Socket_0 (a Grace socket meter"),
            std::string::npos)
      << text.out;

  auto result = run_joule({"sensors", "--json", "--sample", "0"}, fixture_env(tree));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto json = nlohmann::json::parse(result.out);
  const auto* module = find_by(json["domains"], "id", "hwmon:power_meter-Module_Power_Socket_0");
  ASSERT_NE(module, nullptr) << result.out;
  EXPECT_NE((*module)["containment_note"].get<std::string>().find("module"), std::string::npos);
  const auto* cpu = find_by(json["domains"], "id", "hwmon:power_meter-CPU_Power_Socket_0");
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ((*cpu)["containment_note"], "");
}

TEST(SensorsCommand, APackageSaysItContainsItsCores) {
  FakeTree tree;
  tree.write_proc("cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\n");
  write_package(tree, 0, 1000);
  tree.write("class/powercap/intel-rapl:0/intel-rapl:0:1/name", "core");
  tree.write("class/powercap/intel-rapl:0/intel-rapl:0:1/energy_uj", "10");
  tree.write("class/powercap/intel-rapl:0/intel-rapl:0:1/max_energy_range_uj", "262143328850");
  auto env = fixture_env(tree);
  env["JOULE_PROC_ROOT"] = tree.proc().string();
  auto result = run_joule({"sensors", "--sample", "0"}, env);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("cpu:package-0 contains "), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("(a package includes its cores and uncore)"), std::string::npos)
      << result.out;
}

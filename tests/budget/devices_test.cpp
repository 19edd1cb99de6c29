// data/devices.csv: every class has its figures and their sources, and the
// second seed essay's claim can be checked against it.
#include <gtest/gtest.h>

#include "budget/devices.hpp"

namespace {

using joule::budget::DeviceTable;

TEST(BudgetDevices, EveryClassCarriesItsSources) {
  const auto& table = DeviceTable::embedded();
  ASSERT_GE(table.classes().size(), 7u);
  for (const auto& d : table.classes()) {
    EXPECT_GT(d.peak_gflops, 0) << d.name;
    EXPECT_GT(d.active_power.watts, 0) << d.name;
    EXPECT_FALSE(d.peak_source.empty()) << d.name;
    EXPECT_FALSE(d.active_source.empty()) << d.name;
    EXPECT_FALSE(d.idle_source.empty()) << d.name;
    EXPECT_FALSE(d.embodied_item.empty()) << d.name;
    EXPECT_LE(d.idle_w.low, d.idle_w.central) << d.name;
    EXPECT_LE(d.idle_w.central, d.idle_w.high) << d.name;
  }
  for (const char* kind : {"phone-soc", "laptop-cpu", "desktop-gpu", "dc-gpu-a100", "server-cpu"}) {
    EXPECT_NE(table.find(kind), nullptr) << kind;
  }
}

TEST(BudgetDevices, GpuRowsTakeTheirBoardPowerFromGpuPower) {
  const auto* gpu = DeviceTable::embedded().find("desktop-gpu");
  ASSERT_NE(gpu, nullptr);
  EXPECT_EQ(gpu->active_power.watts, 450);  // RTX 4090, gpu_power.csv
  EXPECT_NE(gpu->active_source.find("gpu_power.csv"), std::string::npos) << gpu->active_source;
}

TEST(BudgetDevices, TheEssaysFourIphonesAndTwentyTimes) {
  // "a consumer GPU idles at about four iPhones' worth, and peaks at about 20x that"
  const auto& table = DeviceTable::embedded();
  const auto* gpu = table.find("desktop-gpu");
  const auto* phone = table.find("phone-soc");
  ASSERT_TRUE(gpu && phone);
  EXPECT_DOUBLE_EQ(gpu->idle_w.central / phone->active_power.watts, 4);
  EXPECT_DOUBLE_EQ(gpu->active_power.watts / gpu->idle_w.central, 22.5);
}

TEST(BudgetDevices, ModelledEnergyIsFlopsOverSustainedEfficiency) {
  const auto* a100 = DeviceTable::embedded().find("dc-gpu-a100");
  ASSERT_NE(a100, nullptr);
  // 1e12 FLOPs at 312 TFLOPS / 400 W, sustained 10 / 30 / 60 % of peak.
  const auto e = DeviceTable::modelled_joules(*a100, 1e12);
  EXPECT_DOUBLE_EQ(e.central, 1e12 * 400 / 312e12 / 0.3);
  EXPECT_DOUBLE_EQ(e.low, 1e12 * 400 / 312e12 / 0.6);
  EXPECT_DOUBLE_EQ(e.high, 1e12 * 400 / 312e12 / 0.1);
}

}  // namespace

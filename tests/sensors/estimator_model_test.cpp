// The estimator's pure pieces: /proc parsing and the CPU/DRAM table lookups.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "refdata/csv.hpp"
#include "sensors/estimator.hpp"

namespace joule::sensors::estimator {
namespace {

using ::testing::HasSubstr;

TEST(EstimatorProcStat, SumsBusyAndIdleFieldsAndCountsCpus) {
  // user nice system idle iowait irq softirq steal guest guest_nice
  const auto stat = parse_proc_stat(
      "cpu  100 2 30 1000 7 4 5 6 50 0\n"
      "cpu0 60 1 20 500 3 2 3 3 25 0\n"
      "cpu1 40 1 10 500 4 2 2 3 25 0\n"
      "intr 1 2 3\n",
      "fixture/stat");
  EXPECT_EQ(stat.total.busy_jiffies, 100u + 2 + 30 + 4 + 5 + 6);  // guest is already in user
  EXPECT_EQ(stat.total.idle_jiffies, 1007u);
  ASSERT_EQ(stat.per_cpu.size(), 2u);
  EXPECT_EQ(stat.per_cpu[0].busy_jiffies, 60u + 1 + 20 + 2 + 3 + 3);
  EXPECT_EQ(stat.cpu_ids, (std::vector<int>{0, 1}));
  EXPECT_DOUBLE_EQ(jiffies_to_seconds(250), 2.5);
}

TEST(EstimatorProcStat, OldKernelsWithFourFieldsParse) {
  const auto stat = parse_proc_stat("cpu 10 0 5 100\ncpu0 10 0 5 100\n", "old/stat");
  EXPECT_EQ(stat.total.busy_jiffies, 15u);
  EXPECT_EQ(stat.total.idle_jiffies, 100u);
}

TEST(EstimatorProcStat, BadFieldNamesLineAndColumn) {
  try {
    parse_proc_stat("cpu  1 2 3 4 5\ncpu0 1 x2 3 4 5\n", "fixture/stat");
    FAIL() << "expected a DataError";
  } catch (const refdata::DataError& e) {
    EXPECT_EQ(e.line(), 2u);
    EXPECT_EQ(e.column(), 8u);
    EXPECT_THAT(e.what(), HasSubstr("fixture/stat:2:8: expected a whole number of jiffies"));
  }
  EXPECT_THROW(parse_proc_stat("cpu0 1 2 3 4\n", "no/aggregate"), refdata::DataError);
}

TEST(EstimatorProcInfo, CpuinfoAndMeminfo) {
  const auto info = parse_cpuinfo(
      "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz\nphysical id\t: 0\n\n"
      "processor\t: 1\nmodel name\t: Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz\nphysical id\t: 1\n");
  EXPECT_EQ(info.model_name, "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz");
  EXPECT_EQ(info.sockets, 2);
  EXPECT_EQ(info.logical_cpus, 2);
  EXPECT_EQ(parse_cpuinfo("").sockets, 1);
  EXPECT_FALSE(info.hypervisor);
  // The flag, as a whole word only: "hypervisor_x" is not it.
  EXPECT_TRUE(parse_cpuinfo("processor\t: 0\nflags\t\t: fpu vme hypervisor lahf_lm\n").hypervisor);
  EXPECT_FALSE(parse_cpuinfo("processor\t: 0\nflags\t\t: fpu hypervisor_x\n").hypervisor);
  EXPECT_EQ(parse_meminfo_total_kib("MemTotal:       24683620 kB\nMemFree: 1 kB\n"), 24683620u);
  EXPECT_EQ(parse_meminfo_total_kib("MemFree: 1 kB\n"), std::nullopt);
}

TEST(EstimatorCpuModel, NormalisesLikeTheTable) {
  EXPECT_EQ(normalise_cpu_model("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz"),
            "xeon platinum 8375c");
  EXPECT_EQ(normalise_cpu_model("AMD Ryzen 7 5800X 8-Core Processor"), "ryzen 7 5800x");
  EXPECT_EQ(normalise_cpu_model("AMD Ryzen 7 7840U w/ Radeon  780M Graphics"), "ryzen 7 7840u");
  EXPECT_EQ(normalise_cpu_model("Intel\u00ae Core\u2122 i7-12700K"), "core i7-12700k");
  EXPECT_EQ(normalise_cpu_model("12th Gen Intel(R) Core(TM) i7-12700K"), "core i7-12700k");
}

TEST(EstimatorCpuModel, PerVcpuRowForAKnownMicroarchitecture) {
  CpuInfo info{"Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", 1, 8};
  EXPECT_EQ(microarchitecture_for(info.model_name), "Ice Lake");
  const auto c = lookup_cpu_coefficients(info);
  EXPECT_EQ(c.source, CoefficientSource::per_vcpu_table);
  EXPECT_EQ(c.microarchitecture, "Ice Lake");
  // Ice Lake is only in the 2026 regeneration; AWS is preferred.
  EXPECT_DOUBLE_EQ(c.min_per_vcpu.watts, 0.767);
  EXPECT_DOUBLE_EQ(c.max_per_vcpu.watts, 3.758);
  EXPECT_DOUBLE_EQ(c.relative_uncertainty, 0.30);
  EXPECT_THAT(c.description, HasSubstr("Ice Lake"));
  EXPECT_THAT(c.description, HasSubstr("cpu_power_per_vcpu.csv line 115"));
}

TEST(EstimatorCpuModel, CcfAppValuesArePreferredWhereTheyExist) {
  const auto c = lookup_cpu_coefficients({"Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", 1, 4});
  EXPECT_EQ(c.microarchitecture, "Cascade Lake");
  EXPECT_DOUBLE_EQ(c.min_per_vcpu.watts, 0.64);
  EXPECT_DOUBLE_EQ(c.max_per_vcpu.watts, 3.97);
}

TEST(EstimatorCpuModel, ModelNumberRulesCoverCloudCustomParts) {
  // Not in cpu_power.csv: the generation digit of the model number decides.
  EXPECT_EQ(microarchitecture_for("AMD EPYC 7Z53 64-Core Processor"), "EPYC 3rd Gen");
  EXPECT_EQ(microarchitecture_for("AMD EPYC 7R32"), "EPYC 2nd Gen");
  EXPECT_EQ(microarchitecture_for("AMD EPYC 9R45"), "EPYC 5th Gen");  // AWS custom Turin
  EXPECT_EQ(microarchitecture_for("Intel(R) Xeon(R) Platinum 8999M CPU @ 2.10GHz"), std::nullopt);
  EXPECT_EQ(microarchitecture_for("Intel(R) Xeon(R) Platinum 8488Q CPU"), "Sapphire Rapids");
  // Cooper Lake (3rd gen H parts) has no CCF row.
  EXPECT_EQ(microarchitecture_for("Intel(R) Xeon(R) Platinum 8399HL"), std::nullopt);
}

TEST(EstimatorCpuModel, TurinUsesTheRowRecomputedFromItsSpecpowerRuns) {
  const auto c = lookup_cpu_coefficients({"AMD EPYC 9R45 96-Core Processor", 1, 8});
  ASSERT_EQ(c.source, CoefficientSource::per_vcpu_table) << c.description;
  EXPECT_EQ(c.microarchitecture, "EPYC 5th Gen");
  EXPECT_DOUBLE_EQ(c.min_per_vcpu.watts, 0.235);
  EXPECT_DOUBLE_EQ(c.max_per_vcpu.watts, 1.323);
}

TEST(EstimatorCpuModel, TdpRowWhenTheArchitectureHasNoPerVcpuRow) {
  // Alder Lake-S is a client part: TDP 125 W over 20 threads.
  const auto c = lookup_cpu_coefficients({"12th Gen Intel(R) Core(TM) i7-12700K", 1, 20});
  ASSERT_EQ(c.source, CoefficientSource::tdp_table) << c.description;
  EXPECT_DOUBLE_EQ(c.max_per_vcpu.watts, 125.0 / 20);
  EXPECT_DOUBLE_EQ(c.min_per_vcpu.watts, kTdpIdleFraction * 125.0 / 20);
  EXPECT_DOUBLE_EQ(c.relative_uncertainty, 0.40);
  EXPECT_THAT(c.description, HasSubstr("cpu_power.csv line 2755"));
}

TEST(EstimatorCpuModel, UnknownCpuGetsTheGenericDefaultWithTheWidestRange) {
  // What this project's CI VMs report.
  const auto c = lookup_cpu_coefficients({"AMD EPYC", 1, 2});
  EXPECT_EQ(c.source, CoefficientSource::generic_default);
  EXPECT_DOUBLE_EQ(c.min_per_vcpu.watts, 0.74);
  EXPECT_DOUBLE_EQ(c.max_per_vcpu.watts, 3.5);
  EXPECT_DOUBLE_EQ(c.relative_uncertainty, 0.50);
  EXPECT_THAT(c.description, HasSubstr("cpu_power_per_vcpu.csv line 59"));
  const auto none = lookup_cpu_coefficients({"", 1, 4});
  EXPECT_EQ(none.source, CoefficientSource::generic_default);
  EXPECT_THAT(none.description, HasSubstr("no 'model name'"));
  EXPECT_GT(c.relative_uncertainty,
            lookup_cpu_coefficients({"Intel(R) Core(TM) i7-12700K", 1, 20}).relative_uncertainty);
}

TEST(EstimatorDram, ThreeWattsPerEightGib) {
  const auto m = dram_model(16ull * 1024 * 1024);
  EXPECT_DOUBLE_EQ(m.gib, 16.0);
  EXPECT_DOUBLE_EQ(m.power.watts, 6.0);
  EXPECT_DOUBLE_EQ(m.relative_uncertainty, 0.50);
  EXPECT_THAT(m.description, HasSubstr("memory_power.csv line 22"));
}

}  // namespace
}  // namespace joule::sensors::estimator

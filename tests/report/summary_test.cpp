#include <gtest/gtest.h>

#include <cmath>

#include "record/sample_record.hpp"
#include "report/format.hpp"
#include "report/summary.hpp"

namespace joule::report {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Summary, ShowsEveryFigureWithItsProvenance) {
  auto text = render_summary(joule::testing::sample_record());
  // Header: id, status, command, host.
  EXPECT_TRUE(contains(text, "20240501-120000-0000abcd  finished (exit 0)")) << text;
  EXPECT_TRUE(contains(text, "python train.py --epochs 3")) << text;
  EXPECT_TRUE(contains(text, "NVIDIA A100-SXM4-80GB")) << text;
  EXPECT_TRUE(contains(text, "1 min 40 s")) << text;
  // Per-domain energy with measured/modelled and uncertainty and source.
  EXPECT_TRUE(contains(text, "gpu:0")) << text;
  EXPECT_TRUE(contains(text, "30.0 kJ")) << text;
  EXPECT_TRUE(contains(text, "measured")) << text;
  EXPECT_TRUE(contains(text, "±5.0%")) << text;
  EXPECT_TRUE(contains(text, "/sys/class/powercap/intel-rapl:0")) << text;
  EXPECT_TRUE(contains(text, "cpu:core-0 *")) << text;  // nested: shown, not summed
  // Machine vs idle vs attributed.
  EXPECT_TRUE(contains(text, "machine     37.0 kJ")) << text;
  EXPECT_TRUE(contains(text, "idle        15.0 kJ")) << text;
  EXPECT_TRUE(contains(text, "measured before the run")) << text;
  EXPECT_TRUE(contains(text, "attributed  35.2 kJ (95.1% of machine)")) << text;
  // Carbon range with location/PUE and how they were decided.
  EXPECT_TRUE(contains(text, "930 mg")) << text;
  EXPECT_TRUE(contains(text, "FR (--location flag)")) << text;
  EXPECT_TRUE(contains(text, "PUE         1.20 (--pue flag)")) << text;
  EXPECT_TRUE(contains(text, "56 gCO2e/kWh [40 – 80]")) << text;
  // SCI per unit, phases, overhead, warnings.
  EXPECT_TRUE(contains(text, "SCI")) << text;
  EXPECT_TRUE(contains(text, "per sample")) << text;
  EXPECT_TRUE(contains(text, "epoch 1")) << text;
  EXPECT_TRUE(contains(text, "joule used 250 ms of CPU time")) << text;
  EXPECT_TRUE(contains(text, "! gpu:0 power limit changed")) << text;
}

TEST(Summary, SaysWhatIsMissingRatherThanPrintingZeros) {
  record::RunRecord run;
  run.id = "20240501-120000-00000001";
  run.status = record::RunStatus::interrupted;
  auto text = render_summary(run);
  EXPECT_TRUE(contains(text, "interrupted - figures up to the last checkpoint")) << text;
  EXPECT_TRUE(contains(text, "no energy domain")) << text;
  EXPECT_TRUE(contains(text, "Carbon\n  not computed")) << text;
  EXPECT_FALSE(contains(text, "SCI")) << text;
  EXPECT_FALSE(contains(text, "Warnings")) << text;
}

TEST(Summary, SmallPerUnitEnergyKeepsItsDigits) {
  auto run = joule::testing::sample_record();
  run.totals.attributed_energy_j = 1.29;
  run.units = {{"sample", 1000}};
  auto text = render_summary(run);
  EXPECT_TRUE(contains(text, "1000 sample: 1.29 mJ per sample attributed")) << text;
  EXPECT_FALSE(contains(text, "0.00 J")) << text;
}

TEST(Summary, CarbonTermsInGramsTakeAPrefix) {
  auto run = joule::testing::sample_record();
  run.carbon->terms.push_back({"operational emissions", 7.89e-8, "gCO2e", "computed"});
  auto text = render_summary(run);
  EXPECT_TRUE(contains(text, "78.9 ng")) << text;
  EXPECT_FALSE(contains(text, "7.89e-08")) << text;
}

TEST(Summary, SignalAndStartFailure) {
  auto run = joule::testing::sample_record();
  run.exit = {std::nullopt, 9, ""};
  EXPECT_TRUE(contains(render_summary(run), "killed by signal 9"));
  run.status = record::RunStatus::failed_to_start;
  run.exit = {};
  run.exit.error = "No such file or directory";
  EXPECT_TRUE(contains(render_summary(run), "failed-to-start (No such file or directory)"));
}

TEST(Format, ScalesAndUnits) {
  EXPECT_EQ(fmt::format("{}", Joules{812}), "812 J");
  EXPECT_EQ(fmt::format("{}", Joules{12345}), "12.3 kJ");
  EXPECT_EQ(fmt::format("{}", Joules{4.51e6}), "4.51 MJ");
  EXPECT_EQ(fmt::format("{:Wh}", Joules{3600}), "1.00 Wh");
  EXPECT_EQ(fmt::format("{}", Seconds{0.5}), "500 ms");
  EXPECT_EQ(fmt::format("{}", Seconds{303}), "5 min 03 s");
  EXPECT_EQ(fmt::format("{}", Seconds{7440}), "2 h 04 min");
  EXPECT_EQ(fmt::format("{}", GramsCO2e{0.012}), "12.0 mg");
  EXPECT_EQ(fmt::format("{}", GramsCO2e{0.0000186}), "18.6 µg");
  EXPECT_EQ(fmt::format("{}", GramsCO2e{4560}), "4.56 kg");
  EXPECT_EQ(format_ratio(1.234), "×1.23");
  EXPECT_EQ(format_count(50000), "50000");
}

TEST(Format, SmallFiguresTakeAPrefixRatherThanPrintingZero) {
  EXPECT_EQ(fmt::format("{}", Joules{0.00129}), "1.29 mJ");
  EXPECT_EQ(fmt::format("{}", Joules{2.5e-6}), "2.50 µJ");
  EXPECT_EQ(fmt::format("{}", Watts{0.045}), "45.0 mW");
  EXPECT_EQ(fmt::format("{}", Seconds{0.0123}), "12.3 ms");
  EXPECT_EQ(fmt::format("{:Wh}", Joules{1.8}), "500 µWh");
}

// The label's figures: one unit whatever the size, never a row of zeros.
TEST(Format, AFixedUnitKeepsThreeSignificantDigits) {
  EXPECT_EQ(fmt::format("{:kWh}", Joules{4.32e6}), "1.20 kWh");
  EXPECT_EQ(fmt::format("{:kWh}", Joules{4320}), "0.00120 kWh");
  EXPECT_EQ(fmt::format("{:kWh}", Joules{16.5}), "4.58×10⁻⁶ kWh");
  EXPECT_EQ(fmt::format("{:kWh}", Joules{3.6e9}), "1000 kWh");
  EXPECT_EQ(fmt::format("{:kWh}", Joules{0}), "0 kWh");
  EXPECT_EQ(fmt::format("{:kWh>14}", Joules{3.6e6}), "      1.00 kWh");
  EXPECT_EQ(fmt::format("{:g}", GramsCO2e{0.00217}), "0.00217 g");
  EXPECT_EQ(fmt::format("{:g}", GramsCO2e{9.9996e-5}), "1.00×10⁻⁴ g");
  EXPECT_EQ(fmt::format("{:g}", GramsCO2e{4560}), "4560 g");
}

TEST(Format, RoundingUpTakesTheNextPrefix) {
  EXPECT_EQ(fmt::format("{}", Joules{999.7}), "1.00 kJ");
  EXPECT_EQ(fmt::format("{}", Joules{0.99996}), "1.00 J");
  EXPECT_EQ(fmt::format("{}", Watts{9.996}), "10.0 W");
  EXPECT_EQ(fmt::format("{}", GramsCO2e{1.2e6}), "1.20 t");
}

TEST(Format, ZeroNotANumberAndWidth) {
  EXPECT_EQ(fmt::format("{}", Joules{0}), "0 J");
  EXPECT_EQ(fmt::format("{}", Seconds{0}), "0 s");
  EXPECT_EQ(fmt::format("{}", Watts{std::nan("")}), "n/a");
  EXPECT_EQ(fmt::format("{:>8}", Joules{812}), "   812 J");
  EXPECT_EQ(fmt::format("{:Wh<10}|", Joules{3.6e6}), "1.00 kWh  |");
  EXPECT_EQ(fmt::format("{}", Joules{-1500}), "-1.50 kJ");
}

TEST(Format, TableAlignsUtf8Cells) {
  auto table = render_table({{"a", "value"}, {"long name", "±1.0%"}}, {false, true}, "");
  EXPECT_EQ(table, "a          value\nlong name  ±1.0%\n");
}

}  // namespace
}  // namespace joule::report

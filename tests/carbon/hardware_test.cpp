// plan_hardware: the devices of M from stated options over detected hardware,
// each resolved through embodied.csv and gpu_power.csv with its rows named.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "carbon/config_file.hpp"
#include "joule/carbon.hpp"
#include "refdata/csv.hpp"
#include "test_support.hpp"

using namespace joule::carbon;
using joule::carbon::testing::isolated;
using joule::carbon::testing::resolve_isolated;
using ::testing::HasSubstr;

namespace {

ResolvedContext france() {
  auto o = isolated();
  o.country = "FR";
  return resolve_isolated(o);
}

DetectedHardware bare_metal() {
  DetectedHardware d;
  d.cpu_model = "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz";
  d.sockets = 2;
  d.logical_cpus = 128;
  d.threads_per_package = 64;
  d.memory_gb = 256;
  d.read_from = "fixture";
  return d;
}

const joule::Seconds kDay{86400};

TEST(PlanHardware, ABareMetalServerIsModelledFromItsSocketsAndMemory) {
  const auto d = bare_metal();
  const auto plan = plan_hardware(france(), {}, &d, kDay);
  ASSERT_EQ(plan.inputs.size(), 1u);
  const auto& figure = *plan.inputs[0].figure;
  // CCF: 1000 kg baseline + 1 more socket x 100 kg + 240 GB above 16 x 1.388 kg.
  EXPECT_NEAR(figure.kg.central, 1000 + 100 + 240 * 1.388, 1e-9);
  EXPECT_EQ(figure.provenance, "modelled");
  ASSERT_EQ(figure.rows.size(), 4u);
  EXPECT_THAT(figure.rows[0], HasSubstr("Rack server baseline"));
  EXPECT_THAT(figure.rows[1], HasSubstr("CCF: additional CPU socket"));
  EXPECT_THAT(figure.rows[2], HasSubstr("CCF: DRAM above 16 GB"));
  EXPECT_EQ(plan.inputs[0].share, 1.0);
  EXPECT_EQ(plan.inputs[0].time_reserved.seconds, 86400);

  const auto fp = footprint(france(), {}, plan, FunctionalUnit{});
  ASSERT_EQ(fp.embodied_parts.size(), 1u);
  // 1 day of a 34,560 h (CCF) lifetime.
  EXPECT_NEAR(fp.embodied_parts[0].grams.central, figure.kg.central * 1000 * 24 / 34560, 1e-6);
  for (const auto& w : fp.warnings) EXPECT_THAT(w, ::testing::Not(HasSubstr("not included")));
}

TEST(PlanHardware, AVmHoldsItsVcpusShareOfATwoSocketHost) {
  auto d = bare_metal();
  d.virtual_machine = true;
  d.vm_evidence = "hypervisor flag";
  d.sockets = 1;
  d.logical_cpus = 16;
  d.memory_gb = 64;
  const auto plan = plan_hardware(france(), {}, &d, kDay);
  ASSERT_EQ(plan.inputs.size(), 1u);
  EXPECT_DOUBLE_EQ(plan.inputs[0].share, 16.0 / 128);
  EXPECT_THAT(plan.inputs[0].share_source, HasSubstr("VM: 16 vCPUs"));
  // The host's memory is the VM's scaled by the share: 512 GB.
  EXPECT_NEAR(plan.inputs[0].figure->kg.central, 1000 + 100 + (512 - 16) * 1.388, 1e-9);
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_THAT(plan.notes[0], HasSubstr("this machine is a VM"));

  d.threads_per_package.reset();  // a CPU cpu_power.csv does not know
  const auto unknown = plan_hardware(france(), {}, &d, kDay);
  EXPECT_EQ(unknown.inputs[0].share, 1.0);
  EXPECT_THAT(unknown.inputs[0].share_source, HasSubstr("an upper bound"));
}

TEST(PlanHardware, LaptopsAndDesktopsAreTheirTableRows) {
  auto d = bare_metal();
  d.chassis = "laptop";
  const auto plan = plan_hardware(france(), {}, &d, kDay);
  EXPECT_EQ(plan.inputs[0].figure->name, "Laptop (professional)");
}

TEST(PlanHardware, DetectedGpusAreGroupedByModel) {
  auto d = bare_metal();
  d.gpus = {"NVIDIA H100 PCIe", "NVIDIA A100-SXM4-40GB", "NVIDIA A100-SXM4-40GB"};
  const auto plan = plan_hardware(france(), {}, &d, kDay);
  ASSERT_EQ(plan.inputs.size(), 3u);
  EXPECT_EQ(plan.inputs[2].count, 2);
  EXPECT_EQ(plan.inputs[2].figure->variant, "NVIDIA A100 SXM4 40GB/80GB");
  EXPECT_THAT(plan.inputs[2].how_decided, HasSubstr("detected: 2 x NVIDIA A100-SXM4-40GB"));
}

TEST(PlanHardware, AnUnknownDetectedGpuIsAGenericCardSaidSo) {
  auto d = bare_metal();
  d.gpus = {"Fake T4"};
  const auto plan = plan_hardware(france(), {}, &d, kDay);
  ASSERT_EQ(plan.inputs.size(), 2u);
  EXPECT_THAT(plan.inputs[1].figure->source, HasSubstr("'Fake T4' is not in gpu_power.csv"));
  EXPECT_THAT(plan.inputs[1].figure->source, HasSubstr("CCF/Teads 150"));
}

TEST(PlanHardware, StatedOptionsReplaceTheirPartAndAreChecked) {
  const auto d = bare_metal();
  HardwareOptions o;
  o.embodied = "gpu-server";
  o.gpu = "H100 SXM5";
  o.gpus = 8;
  o.lifetime_years = 6;
  o.given_by = "command line";
  const auto plan = plan_hardware(france(), o, &d, kDay);
  ASSERT_EQ(plan.inputs.size(), 2u);
  EXPECT_EQ(plan.inputs[0].device, "gpu-server");
  EXPECT_EQ(plan.inputs[0].how_decided, "embodied = gpu-server (command line)");
  EXPECT_EQ(plan.inputs[1].device, "NVIDIA H100 SXM5");
  EXPECT_EQ(plan.inputs[1].lifetime_years, 6);

  HardwareOptions family;
  family.gpu = "A100";
  EXPECT_THROW(
      {
        try {
          check_hardware(family);
        } catch (const CarbonError& e) {
          EXPECT_THAT(e.what(), HasSubstr("ambiguous"));
          EXPECT_THAT(e.what(), HasSubstr("NVIDIA A100 PCIe 80GB"));
          throw;
        }
      },
      CarbonError);
  HardwareOptions share_alone;
  share_alone.share = "0.5";
  EXPECT_THROW(plan_hardware(france(), share_alone, nullptr, kDay), CarbonError);
  HardwareOptions none;
  none.embodied = "none";
  const auto left_out = plan_hardware(france(), none, &d, kDay);
  EXPECT_TRUE(left_out.left_out);
  EXPECT_TRUE(left_out.inputs.empty());
}

TEST(PlanHardware, JouleTomlHardwareIsBelowTheOptions) {
  const auto config = parse_config_text(
      "[hardware]\nembodied = \"server\"\ngpu = \"H100 SXM5\"\ngpus = 4\nshare = \"1/2\"\n",
      "/p/joule.toml");
  ASSERT_TRUE(config.hardware);
  EXPECT_EQ(config.hardware->given_by, "/p/joule.toml [hardware]");
  auto ctx = france();
  ctx.hardware = config.hardware;
  HardwareOptions o;
  o.gpus = 2;
  o.given_by = "command line";
  const auto plan = plan_hardware(ctx, o, nullptr, kDay);
  ASSERT_EQ(plan.inputs.size(), 2u);
  EXPECT_EQ(plan.inputs[0].share, 0.5);
  EXPECT_EQ(plan.inputs[1].count, 2);
  EXPECT_THAT(plan.inputs[1].how_decided, HasSubstr("gpus = 2 (command line)"));

  EXPECT_THROW(parse_config_text("[hardware]\ngpus = -1\n", "/p/joule.toml"),
               joule::refdata::DataError);
  EXPECT_THROW(parse_config_text("[hardware]\nmodel = \"x\"\n", "/p/joule.toml"),
               joule::refdata::DataError);
}

}  // namespace

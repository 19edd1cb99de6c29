// Hand-computed cases for O, M, SCI and the propagation of ranges.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "carbon/estimate.hpp"
#include "carbon/modelled_energy.hpp"
#include "carbon/quantity.hpp"
#include "test_support.hpp"

using namespace joule;
using namespace joule::carbon;
using joule::carbon::testing::isolated;
using joule::carbon::testing::resolve_isolated;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {
ResolvedContext country(const std::string& code, std::optional<double> pue = 1.0) {
  auto o = isolated();
  o.country = code;
  o.pue = pue;
  return resolve_isolated(o);
}
EnergyInput kwh(double v, double uncertainty = 0) {
  EnergyInput e;
  e.energy = from_kilowatt_hours(v);
  e.relative_uncertainty = uncertainty;
  return e;
}
}  // namespace

TEST(Operational, HandComputedFranceWithPueAndWorldLoss) {
  // FR: Ember 2024 44.2 g/kWh; no FR T&D figure -> world 8 %.
  auto ctx = country("FR", 1.2);
  auto o = operational(ctx, kwh(12.4));
  EXPECT_NEAR(o.grams.central, 12.4 * 1.2 * 44.2 / (1 - 0.08), 1e-9);
  ASSERT_EQ(o.terms.size(), 5u);
  EXPECT_EQ(o.terms[0].symbol, "E");
  EXPECT_NEAR(o.terms[0].value.central, 12.4, 1e-12);
  EXPECT_EQ(o.terms[1].symbol, "PUE");
  EXPECT_EQ(o.terms[2].symbol, "I");
  EXPECT_NE(o.terms[2].source.find("Ember"), std::string::npos);
  EXPECT_EQ(o.terms[3].symbol, "loss");
  EXPECT_NEAR(o.terms[3].value.central, 8, 1e-9);
  for (const auto& t : o.terms) EXPECT_FALSE(t.source.empty()) << t.symbol;
}

TEST(Operational, CountrySpecificLossIsUsedWhereTheTableHasOne) {
  // DE: Ember 2024 342.1 g/kWh, World Bank T&D loss 3.9 %.
  auto o = operational(country("DE"), kwh(1));
  EXPECT_NEAR(o.grams.central, 342.1 / (1 - 0.039), 1e-9);
}

TEST(Operational, SameEnergyInTwoCountriesGivesTheRatioOfTheirIntensities) {
  // Neither FR nor PL has its own T&D figure, so both divide by the same (1 - loss).
  auto fr = country("FR");
  auto pl = country("PL");
  auto o_fr = operational(fr, kwh(5));
  auto o_pl = operational(pl, kwh(5));
  EXPECT_NEAR(o_pl.grams.central / o_fr.grams.central,
              pl.intensity_g_per_kwh.central / fr.intensity_g_per_kwh.central, 1e-12);
  EXPECT_GT(o_pl.grams.central, 10 * o_fr.grams.central);  // coal vs nuclear
}

TEST(Operational, ConsumptionBasedZonesGetNoLoss) {
  auto o = isolated();
  o.region = "SE-SE3";
  o.pue = 1.0;
  auto ctx = resolve_isolated(o);
  EXPECT_EQ(ctx.loss_fraction.central, 0);
  auto r = operational(ctx, kwh(2));
  EXPECT_NEAR(r.grams.central, 2 * ctx.intensity_g_per_kwh.central, 1e-9);
  EXPECT_NE(ctx.intensity_source.find("ODbL"), std::string::npos);
  EXPECT_NE(ctx.intensity_source.find("Electricity Maps"), std::string::npos);
}

TEST(Operational, RejectsNegativeEnergy) {
  EXPECT_THROW(operational(country("FR"), kwh(-1)), CarbonError);
}

TEST(Embodied, SpecWorkedExampleOneTonneFourYearsOneHour) {
  // SCI spec: 1000 kg over 4 years, reserved for 1 h, is about 28 g.
  EmbodiedInput in;
  in.total_kg = 1000;
  in.lifetime_years = 4;
  in.time_reserved = Seconds{3600};
  auto m = embodied(country("FR"), in);
  EXPECT_NEAR(m.grams.central, 1000e3 * 1.0 / (4 * 8760), 1e-9);
  EXPECT_NEAR(m.grams.central, 28.5, 0.1);
  EXPECT_EQ(m.grams.low, m.grams.central);  // a stated figure has no range
}

TEST(Embodied, ShareOfTheServerReserved) {
  // 2 of the 8 GPUs of a 4677 kg server for 10 h, lifetime 4 years.
  EmbodiedInput in;
  in.total_kg = 4676.79;
  in.lifetime_years = 4;
  in.time_reserved = Seconds{10 * 3600};
  in.share = parse_fraction("2/8");
  auto m = embodied(country("FR"), in);
  EXPECT_NEAR(m.grams.central, 4676.79e3 * 10 / 35040 * 0.25, 1e-9);
  in.share = 1;
  EXPECT_NEAR(embodied(country("FR"), in).grams.central, 4 * m.grams.central, 1e-9);
}

TEST(Embodied, DevicesFromTheTable) {
  auto ctx = country("FR");
  EmbodiedInput server;
  // CCF/Teads baseline 1000 kg over CCF's 4 years, which its code counts as
  // 4 x 12 x 30 x 24 = 34,560 h.
  server.device = "server";
  server.time_reserved = Seconds{10 * 3600};
  auto m = embodied(ctx, server);
  EXPECT_NEAR(m.grams.central, 1000e3 * 10 / 34560, 1e-9);
  EXPECT_NEAR(m.grams.high, 3660e3 * 10 / 34560, 1e-6);  // ADEME generic server as the high bound

  EmbodiedInput gpus;
  gpus.device = "H100 SXM5";  // HGX H100 PCF 1312 kg / 8 GPUs
  gpus.count = 8;
  gpus.time_reserved = Seconds{10 * 3600};
  auto g = embodied(ctx, gpus);
  EXPECT_NEAR(g.grams.central, 1312e3 * 10 / 35040, 1e-9);

  EmbodiedInput laptop;
  laptop.device = "laptop";  // ADEME professional laptop 181 kg over 4 years
  laptop.time_reserved = Seconds{8760 * 3600};
  EXPECT_NEAR(embodied(ctx, laptop).grams.central, 181e3 / 4, 1e-9);
}

TEST(Embodied, BadInputIsAClearError) {
  auto ctx = country("FR");
  EmbodiedInput in;
  in.device = "sevrer";
  in.time_reserved = Seconds{3600};
  try {
    (void)embodied(ctx, in);
    FAIL();
  } catch (const CarbonError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean server"), std::string::npos) << e.what();
  }
  in.device = "server";
  in.share = 1.5;
  EXPECT_THROW(embodied(ctx, in), CarbonError);
  in.share = 1;
  in.lifetime_years = 0;
  EXPECT_THROW(embodied(ctx, in), CarbonError);
}

TEST(Sci, PerFunctionalUnit) {
  // AU-NSW (NGA scope 2+3, includes T&D: no loss), own machine, PUE 1.
  auto o = isolated();
  o.region = "AU-NSW";
  o.context = ContextKind::own_machine;
  auto ctx = resolve_isolated(o);
  ASSERT_EQ(ctx.loss_fraction.central, 0);
  const double i = ctx.intensity_g_per_kwh.central;
  EmbodiedInput m;
  m.total_kg = 1000;
  m.lifetime_years = 4;
  m.time_reserved = Seconds{3600};
  auto fp = footprint(ctx, kwh(3), m, parse_functional_unit("inferences", 1e6));
  const double expected_total = 3 * i + 1000e3 / 35040;
  EXPECT_NEAR(fp.total_g.central, expected_total, 1e-9);
  EXPECT_NEAR(fp.sci_g_per_unit.central, expected_total / 1e6, 1e-15);
  EXPECT_EQ(fp.unit.name, "inference");
  EXPECT_EQ(fp.terms.back().symbol, "SCI");
}

TEST(Sci, UnknownUnitAndZeroCountAreErrors) {
  EXPECT_THROW(parse_functional_unit("widget", 1), CarbonError);
  EXPECT_THROW(parse_functional_unit("token", 0), CarbonError);
  try {
    parse_functional_unit("tokn", 1);
  } catch (const CarbonError& e) {
    EXPECT_NE(std::string(e.what()).find("token"), std::string::npos);
  }
}

TEST(Sci, MissingEmbodiedIsSaid) {
  auto fp = footprint(country("FR"), kwh(1), std::nullopt, FunctionalUnit{});
  bool said = false;
  for (const auto& w : fp.warnings) said = said || w.find("embodied") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(Uncertainty, ProductCombinesRelativeSpreadsInQuadratureInLogSpace) {
  auto p = product({{5, 10, 20}, {1, 2, 4}});
  EXPECT_NEAR(p.central, 20, 1e-12);
  EXPECT_NEAR(p.low, 20 * std::exp(-std::sqrt(2.0) * std::log(2.0)), 1e-9);
  EXPECT_NEAR(p.high, 20 * std::exp(std::sqrt(2.0) * std::log(2.0)), 1e-9);
  auto one = product({{8, 10, 15}, Estimate::exact(3)});
  EXPECT_NEAR(one.low, 24, 1e-9);  // a single uncertain factor keeps its own range
  EXPECT_NEAR(one.high, 45, 1e-9);
}

TEST(Uncertainty, SumAddsAbsoluteDeviationsInQuadrature) {
  auto s = sum({{1, 2, 3}, {2, 4, 6}});
  EXPECT_NEAR(s.central, 6, 1e-12);
  EXPECT_NEAR(s.low, 6 - std::sqrt(5.0), 1e-12);
  EXPECT_NEAR(s.high, 6 + std::sqrt(5.0), 1e-12);
}

TEST(Uncertainty, LossFactorAndRelative) {
  auto f = loss_factor({0.04, 0.08, 0.12});
  EXPECT_NEAR(f.low, 1 / 0.96, 1e-12);
  EXPECT_NEAR(f.central, 1 / 0.92, 1e-12);
  EXPECT_NEAR(f.high, 1 / 0.88, 1e-12);
  auto r = relative(10, 0.3);
  EXPECT_NEAR(r.low, 7, 1e-12);
  EXPECT_NEAR(r.high, 13, 1e-12);
}

TEST(Uncertainty, BoundsBracketTheCentralValueEverywhere) {
  for (std::string place : {"FR", "DE", "US", "IN", "BR", "world"}) {
    SCOPED_TRACE(place);
    auto o = isolated();
    if (place != "world") o.country = place;
    auto ctx = resolve_isolated(o);
    EmbodiedInput m;
    m.device = "server";
    m.time_reserved = Seconds{7200};
    auto fp = footprint(ctx, kwh(10, 0.1), m, FunctionalUnit{"epoch", 3});
    for (const auto& e :
         {fp.operational.grams, fp.embodied->grams, fp.total_g, fp.sci_g_per_unit}) {
      EXPECT_LT(e.low, e.central);
      EXPECT_GT(e.high, e.central);
      EXPECT_GE(e.low, 0);
    }
    // The energy's own +-10 % alone already widens O by at least that much.
    EXPECT_LE(fp.operational.grams.low, 0.9 * fp.operational.grams.central + 1e-9);
  }
}

TEST(Quantity, ParsesEnergyMassAndShare) {
  EXPECT_NEAR(parse_energy("12.4kWh").joules, 12.4 * 3.6e6, 1e-6);
  EXPECT_NEAR(parse_energy("3.6 MJ").joules, 3.6e6, 1e-6);
  EXPECT_NEAR(parse_energy("500Wh").joules, 1.8e6, 1e-6);
  // A bare number is refused, not taken as kWh: it could as well be joules.
  EXPECT_THAT([] { (void)parse_energy("10"); },
              ThrowsMessage<CarbonError>(AllOf(HasSubstr("'10' has no unit"), HasSubstr("10kWh"))));
  EXPECT_THROW(parse_energy("12.4 kW"), CarbonError);
  EXPECT_THROW(parse_energy("abc"), CarbonError);
  EXPECT_THROW(parse_energy("-1kWh"), CarbonError);
  EXPECT_NEAR(parse_mass_kg("1312kg"), 1312, 1e-12);
  EXPECT_NEAR(parse_mass_kg("1.3t"), 1300, 1e-9);
  EXPECT_NEAR(parse_mass_kg("500 gCO2e"), 0.5, 1e-12);
  EXPECT_THAT([] { (void)parse_mass_kg("1312"); },
              ThrowsMessage<CarbonError>(HasSubstr("'1312' has no unit")));
  EXPECT_NEAR(parse_fraction("25%"), 0.25, 1e-12);
  EXPECT_NEAR(parse_fraction("0.5"), 0.5, 1e-12);
  EXPECT_THROW(parse_fraction("9/8"), CarbonError);
  EXPECT_THROW(parse_fraction("2/0"), CarbonError);
}

TEST(ModelledEnergy, GpuTdpTimesCountUtilisationAndHours) {
  // A100 PCIe 40GB: 250 W TDP; 8 GPUs at half their TDP for 10 h = 10 kWh.
  const ResolvedContext ctx = country("FR");
  const GpuRow& gpu = gpu_with_power(*ctx.data, "A100 PCIe 40GB");
  ASSERT_TRUE(gpu.tdp_w.has_value());
  EXPECT_EQ(*gpu.tdp_w, 250);
  const Watts power = gpu_power(gpu, 8, 0.5);
  EXPECT_DOUBLE_EQ(power.watts, *gpu.tdp_w * 4);
  const EnergyInput e = modelled_energy(power, from_hours(10), "test");
  EXPECT_NEAR(e.energy.kilowatt_hours(), *gpu.tdp_w * 4 * 10 / 1000, 1e-9);
  EXPECT_DOUBLE_EQ(e.relative_uncertainty, kModelledEnergyUncertainty);
  EXPECT_EQ(e.source, "test");
}

TEST(ModelledEnergy, AFamilyNameIsRefusedWithItsVariants) {
  const ResolvedContext ctx = country("FR");
  try {
    gpu_with_power(*ctx.data, "A100");
    FAIL() << "expected CarbonError";
  } catch (const CarbonError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("ambiguous"), std::string::npos) << what;
    EXPECT_NE(what.find("NVIDIA A100 PCIe 40GB (250 W)"), std::string::npos) << what;
    EXPECT_NE(what.find("NVIDIA A100 PCIe 80GB (300 W)"), std::string::npos) << what;
    EXPECT_NE(what.find("NVIDIA A100 SXM4 40GB/80GB (400 W)"), std::string::npos) << what;
  }
  // The names that used to resolve by row order.
  EXPECT_EQ(*gpu_with_power(*ctx.data, "A10").tdp_w, 150);
  EXPECT_EQ(gpu_with_power(*ctx.data, "TPU v4").model, "Google TPU v4 (chip)");
  EXPECT_EQ(gpu_with_power(*ctx.data, "v100 sxm2").model, "NVIDIA Tesla V100 SXM2");
  EXPECT_EQ(gpu_with_power(*ctx.data, "H100 SXM").model, "NVIDIA H100 SXM5");
  EXPECT_THROW(gpu_with_power(*ctx.data, "V100"), CarbonError);
}

TEST(ModelledEnergy, UnknownGpuIsAnError) {
  const ResolvedContext ctx = country("FR");
  try {
    gpu_with_power(*ctx.data, "Z9000");
    FAIL() << "expected CarbonError";
  } catch (const CarbonError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown GPU 'Z9000'"), std::string::npos) << e.what();
  }
}

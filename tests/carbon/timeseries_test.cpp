// Integrating the energy timeline against an intensity time series.
#include <gtest/gtest.h>

#include "carbon/timeseries.hpp"
#include "refdata/csv.hpp"
#include "test_support.hpp"

using namespace joule;
using namespace joule::carbon;
using joule::DataError;
using joule::carbon::testing::isolated;
using joule::carbon::testing::resolve_isolated;
using joule::carbon::testing::TempDir;
using std::chrono::hours;

namespace {
std::chrono::system_clock::time_point at(const std::string& text) {
  return *parse_timestamp(text);
}

ResolvedContext with_series(const TempDir& dir, const std::string& csv) {
  auto o = isolated();
  o.country = "FR";
  o.pue = 1.0;
  o.intensity_file = dir.write("series.csv", csv);
  return resolve_isolated(o);
}
}  // namespace

TEST(TimeSeries, ParsesTimestamps) {
  EXPECT_EQ(at("2024-05-01T12:00:00Z"), at("2024-05-01T14:00:00+02:00"));
  EXPECT_EQ(at("2024-05-01 12:00"), at("2024-05-01T12:00:00Z"));
  EXPECT_EQ(at("1714564800"), at("2024-05-01T12:00:00Z"));
  EXPECT_FALSE(parse_timestamp("2024-13-01T00:00Z"));
  EXPECT_FALSE(parse_timestamp("yesterday"));
  EXPECT_EQ(format_timestamp(at("2024-05-01T12:00:00Z")), "2024-05-01T12:00:00Z");
}

TEST(TimeSeries, ConstantSeriesEqualsConstantIntensity) {
  TempDir dir;
  auto ctx = with_series(dir,
                         "timestamp,g_co2e_per_kwh\n2024-05-01T00:00Z,100\n2024-05-01T01:00Z,100\n"
                         "2024-05-01T02:00Z,100\n");
  EnergyInput e;
  e.energy = from_kilowatt_hours(3);
  e.timeline = {{at("2024-05-01T00:00Z"), at("2024-05-01T03:00Z"), from_kilowatt_hours(3)}};
  auto o = operational(ctx, e);
  // A series' basis is consumption unless it says "# basis: generation": no loss.
  EXPECT_NEAR(o.grams.central, 3 * 100, 1e-9);
  EXPECT_TRUE(o.warnings.empty());
}

TEST(TimeSeries, VaryingSeriesWeightsEnergyByTime) {
  TempDir dir;
  auto ctx = with_series(dir,
                         "# kind: marginal\ntimestamp,g_co2e_per_kwh\n2024-05-01T00:00Z,100\n"
                         "2024-05-01T01:00Z,300\n");
  EXPECT_EQ(ctx.intensity_kind, IntensityKind::marginal);
  EnergyInput e;
  e.energy = from_kilowatt_hours(4);
  // 1 kWh in the first hour, 3 kWh in the second: 1 x 100 + 3 x 300 = 1000 g.
  e.timeline = {{at("2024-05-01T00:00Z"), at("2024-05-01T01:00Z"), from_kilowatt_hours(1)},
                {at("2024-05-01T01:00Z"), at("2024-05-01T02:00Z"), from_kilowatt_hours(3)}};
  auto o = operational(ctx, e);
  EXPECT_NEAR(o.grams.central, 1000, 1e-9);
  EXPECT_NEAR(o.terms[2].value.central, 250, 1e-9);  // effective I
  // An interval straddling the step is split by time: 2 kWh over 00:30-01:30.
  e.energy = from_kilowatt_hours(2);
  e.timeline = {{at("2024-05-01T00:30Z"), at("2024-05-01T01:30Z"), from_kilowatt_hours(2)}};
  EXPECT_NEAR(operational(ctx, e).grams.central, 1 * 100 + 1 * 300, 1e-9);
}

TEST(TimeSeries, GapsAreFilledFromTheNearestPointAndSaid) {
  TempDir dir;
  auto ctx =
      with_series(dir, "timestamp,g_co2e_per_kwh\n2024-05-01T00:00Z,100\n2024-05-01T01:00Z,300\n");
  EnergyInput e;
  e.energy = from_kilowatt_hours(3);
  // Series covers 00:00-02:00 (last point holds one step); the run goes on to 03:00.
  e.timeline = {{at("2024-05-01T00:00Z"), at("2024-05-01T03:00Z"), from_kilowatt_hours(3)}};
  auto o = operational(ctx, e);
  EXPECT_NEAR(o.grams.central, 100 + 300 + 300, 1e-9);
  ASSERT_EQ(o.warnings.size(), 1u);
  EXPECT_NE(o.warnings[0].find("filled with the last value"), std::string::npos) << o.warnings[0];
  EXPECT_NE(o.warnings[0].find("33.3 %"), std::string::npos) << o.warnings[0];
}

TEST(TimeSeries, WithoutTimelineTheTimeWeightedMeanIsUsedAndSaid) {
  TempDir dir;
  auto ctx =
      with_series(dir, "timestamp,g_co2e_per_kwh\n2024-05-01T00:00Z,100\n2024-05-01T01:00Z,300\n");
  EnergyInput e;
  e.energy = from_kilowatt_hours(1);
  auto o = operational(ctx, e);
  EXPECT_NEAR(o.grams.central, 200, 1e-9);
  EXPECT_FALSE(o.warnings.empty());
}

TEST(TimeSeries, GenerationBasisAppliesLoss) {
  TempDir dir;
  auto ctx =
      with_series(dir, "# basis: generation\ntimestamp,g_co2e_per_kwh\n2024-05-01T00:00Z,100\n");
  EnergyInput e;
  e.energy = from_kilowatt_hours(1);
  EXPECT_NEAR(operational(ctx, e).grams.central, 100 / (1 - 0.08), 1e-9);
}

TEST(TimeSeries, MalformedSeriesAreRejectedWithPosition) {
  TempDir dir;
  auto expect_error = [&](const std::string& csv, std::size_t line, std::size_t column,
                          const std::string& what) {
    try {
      (void)load_intensity_series(dir.write("bad.csv", csv));
      FAIL() << "expected DataError for " << csv;
    } catch (const DataError& e) {
      EXPECT_EQ(e.line(), line) << e.what();
      if (column) EXPECT_EQ(e.column(), column) << e.what();
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  expect_error("timestamp,g_co2e_per_kwh\n2024-05-01T00:00Z,100\nnoon,120\n", 3, 1,
               "expected a timestamp");
  expect_error("timestamp,g_co2e_per_kwh\n2024-05-01T00:00Z,1o0\n", 2, 19, "expected a number");
  expect_error("timestamp,g_co2e_per_kwh\n2024-05-01T00:00Z,-5\n", 2, 0, "between 0 and 1500");
  expect_error("when,grams\n2024-05-01T00:00Z,5\n", 1, 1, "timestamp");
  expect_error(
      "timestamp,g_co2e_per_kwh,kind\n2024-05-01T00:00Z,5,average\n2024-05-01T01:00Z,5,marginal\n",
      3, 0, "must not be mixed");
  expect_error("timestamp,g_co2e_per_kwh\n", 2, 0, "at least one");
}

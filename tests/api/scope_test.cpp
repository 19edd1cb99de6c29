#include <gtest/gtest.h>

#include <stdexcept>

#include "api_fixture.hpp"

namespace joule {
namespace {

using test::kFirstScopeJoules;
using test::trace_options;

TEST(Scope, MeasuresTheTraceExactly) {
  Session session(trace_options());
  ASSERT_EQ(session.mode(), SessionMode::local);
  ASSERT_EQ(session.domains().size(), 3u);
  auto scope = session.scope("step");
  EXPECT_TRUE(scope.open());
  const ScopeResult& r = scope.end();
  EXPECT_FALSE(scope.open());
  EXPECT_DOUBLE_EQ(r.energy().joules, kFirstScopeJoules);
  EXPECT_EQ(r.provenance(), Provenance::measured);
  EXPECT_FALSE(r.reported_to_run);
  EXPECT_EQ(r.name, "step");
  EXPECT_EQ(r.unit, "run");
  ASSERT_EQ(r.measurement.domains.size(), 3u);
  EXPECT_DOUBLE_EQ(r.measurement.domains[1].energy.joules, 15);  // core, nested
  EXPECT_FALSE(r.measurement.domains[1].in_total);
  EXPECT_GE(r.duration.seconds, 0);
}

TEST(Scope, NestedScopesShareTheMeter) {
  Session session(trace_options());
  auto outer = session.scope("outer");                      // row 1
  auto inner = session.scope("inner");                      // row 2
  EXPECT_DOUBLE_EQ(inner.end().energy().joules, 30 + 1.5);  // rows 2 -> 3: 990 -> 20 across a wrap
  // rows 1 -> 4: package 950 -> 100 = 150 J, DRAM 6.5 -> 11 = 4.5 J
  EXPECT_DOUBLE_EQ(outer.end().energy().joules, 150 + 4.5);
}

TEST(Scope, NextClosesAndOpensFromOneSnapshotSoNothingFallsBetween) {
  Session session(trace_options());
  auto first = session.scope("request 1", "request");  // row 1
  first.add_units(1);
  auto second = first.next("request 2");  // row 2 ends one, starts the other
  EXPECT_FALSE(first.open());
  EXPECT_TRUE(second.open());
  const ScopeResult& one = first.result();
  EXPECT_DOUBLE_EQ(one.energy().joules, kFirstScopeJoules);
  EXPECT_DOUBLE_EQ(one.unit_count(), 1);
  const ScopeResult& two = second.end();            // row 3
  EXPECT_DOUBLE_EQ(two.energy().joules, 30 + 1.5);  // rows 2 -> 3, as NestedScopes' inner
  EXPECT_EQ(two.name, "request 2");
  EXPECT_EQ(two.unit, "run");  // its own unit, not inherited
  EXPECT_EQ(one.measurement.end, two.measurement.start);
}

TEST(Scope, NextOnAnEndedScopeIsAUsageErrorAndOpensNothing) {
  Session session(trace_options());
  auto scope = session.scope("once");
  scope.end();
  EXPECT_THROW(scope.next("twice"), UsageError);
}

TEST(Scope, CountsUnitsAndComputesSci) {
  Session session(trace_options());
  auto scope = session.scope("epoch 1", "sample");
  scope.add_units(100);
  scope.add_units(28);
  scope.add_units(2, "epoch");
  const auto& r = scope.end();
  EXPECT_DOUBLE_EQ(r.unit_count(), 128);
  EXPECT_DOUBLE_EQ(r.units.at("epoch"), 2);
  auto fp = r.footprint();
  EXPECT_EQ(fp.unit.name, "sample");
  EXPECT_DOUBLE_EQ(fp.unit.count, 128);
  EXPECT_GT(fp.total_g.central, 0);
  EXPECT_LE(fp.total_g.low, fp.total_g.central);
  EXPECT_LE(fp.total_g.central, fp.total_g.high);
  EXPECT_NEAR(fp.sci_g_per_unit.central, fp.total_g.central / 128, 1e-12);
  ASSERT_TRUE(session.carbon_context());
  EXPECT_EQ(session.carbon_context()->location_code, "FR");
}

TEST(Scope, RunUnitDefaultsToOneAndOtherUnitsNeedCounts) {
  Session session(trace_options());
  auto run = session.scope("whole");
  EXPECT_DOUBLE_EQ(run.end().footprint().unit.count, 1);
  auto empty = session.scope("no samples", "sample");
  EXPECT_THROW(empty.end().footprint(), carbon::CarbonError);
  auto odd = session.scope("odd", "parsec");
  odd.add_units(1);
  EXPECT_THROW(odd.end().footprint(), carbon::CarbonError);
}

TEST(Scope, WithoutCarbonFootprintIsAUsageError) {
  auto options = trace_options();
  options.carbon.reset();
  Session session(std::move(options));
  auto scope = session.scope("x");
  EXPECT_THROW(scope.end().footprint(), UsageError);
}

TEST(Scope, EstimatorResultsSayModelled) {
  auto options = trace_options();
  options.sensors = SensorConfig{};
  options.sensors.only_backends = {"estimator"};
  options.sensors.estimator = EstimatorMode::on;
  Session session(std::move(options));
  ASSERT_FALSE(session.domains().empty());
  auto scope = session.scope("modelled");
  const auto& r = scope.end();
  EXPECT_EQ(r.provenance(), Provenance::modelled);
  EXPECT_GT(r.measurement.total_relative_uncertainty, 0);
}

TEST(Scope, OnScopeEndSeesEveryResult) {
  auto options = trace_options();
  std::vector<std::string> seen;
  options.on_scope_end = [&](const ScopeResult& r) { seen.push_back(r.name); };
  Session session(std::move(options));
  session.scope("a").end();
  { auto b = session.scope("b"); }  // ended by its destructor
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
}

TEST(Track, ReturnsTheValueAndMayCountUnits) {
  auto options = trace_options();
  std::vector<ScopeResult> seen;
  options.on_scope_end = [&](const ScopeResult& r) { seen.push_back(r); };
  Session session(std::move(options));
  int answer = session.track("answer", [] { return 42; });
  EXPECT_EQ(answer, 42);
  session.track(
      "batch", [](Scope& s) { s.add_units(32); }, "inference");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_DOUBLE_EQ(seen[0].energy().joules, kFirstScopeJoules);
  EXPECT_EQ(seen[1].unit, "inference");
  EXPECT_DOUBLE_EQ(seen[1].unit_count(), 32);
}

TEST(Track, EndsTheScopeWhenTheWorkThrows) {
  auto options = trace_options();
  int ended = 0;
  options.on_scope_end = [&](const ScopeResult&) { ++ended; };
  Session session(std::move(options));
  EXPECT_THROW(session.track("fails", []() -> int { throw std::runtime_error("boom"); }),
               std::runtime_error);
  EXPECT_EQ(ended, 1);
}

}  // namespace
}  // namespace joule

// joule fleet's arithmetic over canned Prometheus answers, and the API's
// answers it refuses.
#include <gtest/gtest.h>

#include "serve/fleet.hpp"

namespace joule::serve {
namespace {

std::vector<VectorSample> canned(const std::string& q) {
  const bool modelled = q.find("provenance=\"modelled\"") != std::string::npos;
  if (q.find("application, unit") != std::string::npos &&
      q.find("group_right") == std::string::npos) {
    return {{{{"application", "chat"}, {"unit", "request"}}, 1000}};
  }
  if (q.find("group_right") != std::string::npos) {
    double value = modelled ? 500 : 2000;
    if (q.find("co2e") != std::string::npos)
      value = q.find("\"high\"") != std::string::npos ? 3 : 2;
    return {{{{"application", "chat"}, {"unit", "request"}}, value}};
  }
  if (q.find("sum by (estimate)") != std::string::npos) {
    if (q.find("embodied") != std::string::npos) return {};
    return {
        {{{"estimate", "low"}}, 1}, {{{"estimate", "central"}}, 2}, {{{"estimate", "high"}}, 3}};
  }
  if (q.find("sum by (instance)") != std::string::npos) {
    if (modelled) return {{{{"instance", "b:9464"}}, 500}};
    return {{{{"instance", "a:9464"}}, 1500}, {{{"instance", "b:9464"}}, 1000}};
  }
  if (q.starts_with("sum(increase(")) return {{{}, modelled ? 500.0 : 2500.0}};
  return {};
}

TEST(Fleet, TotalsGroupsAndPerUnitFigures) {
  FleetRequest request;
  request.since = Seconds{3600};
  request.at_unix_s = 1.7e9;
  std::vector<std::string> asked;
  auto report = read_fleet(
      [&](const std::string& q, double at) {
        EXPECT_EQ(at, 1.7e9);
        EXPECT_NE(q.find("[3600s]"), std::string::npos) << q;
        asked.push_back(q);
        return canned(q);
      },
      request);
  EXPECT_EQ(report.energy.joules, 2500);
  EXPECT_DOUBLE_EQ(report.modelled_share, 0.2);
  EXPECT_EQ(report.operational_g.low, 1);
  EXPECT_EQ(report.operational_g.high, 3);
  EXPECT_FALSE(report.embodied_g);
  ASSERT_EQ(report.groups.size(), 2u);
  EXPECT_EQ(report.groups[1].name, "b:9464");
  EXPECT_DOUBLE_EQ(*report.groups[1].modelled_share, 0.5);
  ASSERT_EQ(report.applications.size(), 1u);
  const auto& chat = report.applications[0];
  EXPECT_EQ(chat.energy_per_unit.joules, 2.0);
  EXPECT_DOUBLE_EQ(chat.modelled_share, 0.25);
  EXPECT_DOUBLE_EQ(chat.co2e_per_unit_g.central, 0.002);
  EXPECT_DOUBLE_EQ(chat.co2e_per_unit_g.high, 0.003);
  const auto json = to_json(report);
  EXPECT_EQ(json["applications"][0]["energy_per_unit_j"], 2.0);
  const auto toml = budget_section(report, "http://prometheus:9090");
  EXPECT_NE(toml.find("requests_per_day = 24000"), std::string::npos) << toml;
  EXPECT_NE(toml.find("energy_per_request = \"2J\""), std::string::npos) << toml;
}

TEST(Fleet, AnEmptyPrometheusIsAnErrorThatSaysWhy) {
  FleetRequest request;
  try {
    read_fleet([](const std::string&, double) { return std::vector<VectorSample>{}; }, request);
    FAIL();
  } catch (const FleetError& e) {
    EXPECT_NE(std::string(e.what()).find("joule serve"), std::string::npos) << e.what();
  }
}

TEST(Fleet, ApiErrorsAndOtherResultTypesAreRefused) {
  EXPECT_THROW(parse_query_answer("not json", "up"), FleetError);
  EXPECT_THROW(parse_query_answer(R"({"status":"error","error":"parse error"})", "up("),
               FleetError);
  EXPECT_THROW(parse_query_answer(
                   R"({"status":"success","data":{"resultType":"matrix","result":[]}})", "up[1m]"),
               FleetError);
  auto samples = parse_query_answer(
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"instance":"a"},"value":[1.5,"42.5"]},{"metric":{},"value":[1.5,"NaN"]}]}})",
      "up");
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].labels.at("instance"), "a");
  EXPECT_EQ(samples[0].value, 42.5);
  EXPECT_THROW(PrometheusApi("localhost:9090"), FleetError);
}

// Found by the fleet_query fuzz target: each of these escaped as a
// nlohmann::json or std::stod exception instead of saying what was wrong.
TEST(Fleet, AnAnswerShapedUnlikeAVectorIsAFleetErrorNamingTheQuery) {
  for (
      const char* body : {
          R"({"status":"success"})",
          R"({"status":"success","data":[]})",
          R"({"status":"success","data":{"resultType":"vector"}})",
          R"({"status":"success","data":{"resultType":"vector","result":{}}})",
          R"({"status":"success","data":{"resultType":"vector","result":[1]}})",
          R"({"status":"success","data":{"resultType":"vector","result":[{"value":[1,"2"]}]}})",
          R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":1},"value":[1,"2"]}]}})",
          R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,2]}]}})",
          R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"x"]}]}})",
          R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1e999"]}]}})",
          R"({"status":7,"error":[]})",
          R"({"status":"success","data":{"resultType":3}})",
      }) {
    try {
      parse_query_answer(body, "up");
      ADD_FAILURE() << "accepted " << body;
    } catch (const FleetError& e) {
      EXPECT_NE(std::string(e.what()).find("'up'"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(parse_grouping("pod"), FleetError);
}

}  // namespace
}  // namespace joule::serve

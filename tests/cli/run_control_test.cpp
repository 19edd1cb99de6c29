// Phases and functional units sent by the command through JOULE_CONTROL
// (here with `joule mark` / `joule units`) arrive in order.
#include "run_support.hpp"

using namespace joule::testing;
using RunControl = RunFixture;

TEST_F(RunControl, PhasesAndUnitsArriveInOrder) {
  const std::string j = joule_binary();
  auto r = joule({"run", "--no-ledger", "--unit", "sample", "--json", path("run.json").string(),
                  "--", "sh", "-c",
                  j + " mark warm up && " + j + " units 3 && " + j + " mark epoch 1 && " + j +
                      " units 2 && " + j + " mark epoch 2 && " + j + " units 1 --unit token && " +
                      j + " mark --end && " + j + " mark cool down"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto json = read_json("run.json");
  std::vector<std::string> names;
  for (const auto& p : json["phases"]) names.push_back(p["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"warm up", "epoch 1", "epoch 2", "cool down"}));
  double last_end = 0;
  for (const auto& p : json["phases"]) {
    EXPECT_GE(p["start_offset_s"].get<double>(), last_end - 1e-9);
    EXPECT_GE(p["end_offset_s"].get<double>(), p["start_offset_s"].get<double>());
    last_end = p["end_offset_s"].get<double>();
  }
  ASSERT_EQ(json["units"].size(), 2u) << json["units"].dump();
  EXPECT_EQ(json["units"][0]["name"], "sample");
  EXPECT_DOUBLE_EQ(json["units"][0]["count"].get<double>(), 5);
  EXPECT_EQ(json["units"][1]["name"], "token");
  EXPECT_TRUE(json["sci"].is_object()) << json.dump();
}

TEST_F(RunControl, PredictsTheTotalAfterTheFirstPhases) {
  const std::string j = joule_binary();
  auto r = joule({"run", "--no-ledger", "--predict", "10", "--predict-after", "2", "--", "sh", "-c",
                  j + " mark epoch 1 && " + j + " mark epoch 2 && " + j + " mark epoch 3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("after 2 of 10 phases, predicted"), std::string::npos) << r.err;
}

TEST_F(RunControl, MarkOutsideARunIsHarmless) {
  auto r = joule({"mark", "epoch", "1"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("not inside `joule run`"), std::string::npos) << r.err;
}

TEST_F(RunControl, TheChildIsToldTheChannelAndRunId) {
  auto r = joule({"run", "--no-ledger", "--", "sh", "-c", "echo \"$JOULE_CONTROL|$JOULE_RUN_ID\""});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("/control|"), std::string::npos) << r.out;
}

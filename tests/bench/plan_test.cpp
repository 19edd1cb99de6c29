// What a joule bench invocation runs: run order, tiers, models.
#include "bench/plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace joule::bench {
namespace {

TEST(PlanRuns, EveryModelAndSeedExactlyOnce) {
  const auto plan = plan_runs({"a", "b", "c"}, 3, 42, {});
  ASSERT_EQ(plan.size(), 9u);
  std::set<std::pair<std::string, std::uint64_t>> seen;
  for (const PlannedRun& run : plan) seen.insert({run.model, run.seed});
  EXPECT_EQ(seen.size(), 9u);
  EXPECT_TRUE(seen.count({"c", 3}));
  EXPECT_FALSE(seen.count({"a", 0}));  // seeds count from 1
}

TEST(PlanRuns, OrderIsRandomizedButReproducibleFromItsSeed) {
  const std::vector<std::string> models{"a", "b", "c", "d", "e", "f"};
  const auto first = plan_runs(models, 2, 7, {});
  const auto again = plan_runs(models, 2, 7, {});
  auto names = [](const std::vector<PlannedRun>& plan) {
    std::vector<std::string> out;
    for (const PlannedRun& run : plan) out.push_back(run.model + std::to_string(run.seed));
    return out;
  };
  EXPECT_EQ(names(first), names(again));
  // Some seed among a few must move a model away from table order.
  bool shuffled = false;
  for (std::uint64_t seed = 1; seed <= 5 && !shuffled; ++seed) {
    const auto plan = plan_runs(models, 1, seed, {});
    shuffled = names(plan) != std::vector<std::string>{"a1", "b1", "c1", "d1", "e1", "f1"};
  }
  EXPECT_TRUE(shuffled);
}

TEST(PlanRuns, BaselinesRunBeforeTheRest) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const auto plan = plan_runs({"lstm", "ngram", "transformer"}, 2, seed, {"ngram"});
    ASSERT_EQ(plan.size(), 6u);
    EXPECT_EQ(plan[0].model, "ngram");
    EXPECT_EQ(plan[1].model, "ngram");
  }
}

TEST(ParseTiers, AcceptsACommaSeparatedList) {
  EXPECT_EQ(parse_tiers("0.84,0.88,0.91"), (std::vector<double>{0.84, 0.88, 0.91}));
  EXPECT_EQ(parse_tiers("2.2"), (std::vector<double>{2.2}));
}

TEST(ParseTiers, RejectsWhatIsNotAPositiveNumberAndNamesIt) {
  for (const char* bad : {"", "0.8,", "0.8,x", "-1", "0.8;0.9", "0"}) {
    try {
      parse_tiers(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find("--tiers"), std::string::npos) << error.what();
    }
  }
}

TEST(SelectModels, DefaultsToEveryModelOfTheTaskInTableOrder) {
  const std::vector<ModelInfo> registry{{"logreg", "fashion-mnist", "", "", ""},
                                        {"lstm", "fashion-mnist", "", "", ""},
                                        {"ngram", "austen-chars", "", "", ""},
                                        {"lstm", "austen-chars", "", "", ""}};
  EXPECT_EQ(select_models("fashion-mnist", {}, registry),
            (std::vector<std::string>{"logreg", "lstm"}));
  EXPECT_EQ(select_models("austen-chars", {"lstm", "logreg"}, registry),
            (std::vector<std::string>{"lstm"}));
  try {
    select_models("fashion-mnist", {"resnet"}, registry);
    ADD_FAILURE() << "accepted an unknown model";
  } catch (const std::invalid_argument& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("resnet"), std::string::npos);
    EXPECT_NE(message.find("ngram (austen-chars)"), std::string::npos);
  }
}

}  // namespace
}  // namespace joule::bench

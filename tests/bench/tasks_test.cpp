// The task registry: every task is complete and named once, an unknown name
// says which are known, and each task's budgets and baselines fit the model
// table. No LibTorch work: nothing here trains.
#include "bench/engine/task.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "report/label.hpp"

namespace joule::bench {
namespace {

using ::testing::HasSubstr;

bool has_model(const std::string& task, const std::string& model) {
  const auto& models = registered_models();
  return std::any_of(models.begin(), models.end(), [&](const ModelInfo& info) {
    return info.task == task && info.name == model;
  });
}

TEST(TaskRegistry, EveryTaskHasAUniqueNameAMetricAndTiers) {
  ASSERT_FALSE(registered_tasks().empty());
  std::set<std::string> names;
  for (const auto& task : registered_tasks()) {
    const TaskInfo& info = task->definition();
    SCOPED_TRACE(info.name);
    EXPECT_FALSE(info.name.empty());
    EXPECT_TRUE(names.insert(info.name).second) << "registered twice";
    EXPECT_FALSE(info.metric.empty());
    EXPECT_FALSE(info.tiers.empty());
    EXPECT_FALSE(info.tier_note.empty());
    EXPECT_EQ(&find_task(info.name), task.get());
  }
  EXPECT_EQ(task_names().size(), registered_tasks().size());
}

TEST(TaskRegistry, TheThreeTasksOfTheBenchmarkAreRegisteredInReportOrder) {
  EXPECT_THAT(task_names(),
              ::testing::ElementsAre("fashion-mnist", "austen-chars", "austen-novel"));
  EXPECT_TRUE(find_task("fashion-mnist").in_quick_mode());
  EXPECT_FALSE(find_task("austen-chars").in_quick_mode());
  EXPECT_TRUE(find_task("austen-novel").in_quick_mode());
}

// A label is drawn only at a tier its scale names, so every fixed tier of a
// task must have a scale: a tier changed in the task and not in
// data/label_scales.csv would silently stop labelling.
TEST(TaskRegistry, EveryFixedTierHasALabelScale) {
  for (const char* name : {"fashion-mnist", "austen-novel"}) {
    SCOPED_TRACE(name);
    for (const double tier : find_task(name).definition().tiers) {
      for (const auto purpose : {report::LabelPurpose::inference, report::LabelPurpose::training}) {
        EXPECT_TRUE(report::find_label_scale(name, purpose, "cpu", tier)) << "tier " << tier;
      }
    }
  }
}

TEST(TaskRegistry, UnknownTaskNamesTheKnownOnes) {
  try {
    find_task("imagenet");
    FAIL() << "no error";
  } catch (const std::invalid_argument& error) {
    EXPECT_THAT(error.what(), HasSubstr("imagenet"));
    for (const std::string& name : task_names()) EXPECT_THAT(error.what(), HasSubstr(name));
  }
}

TEST(TaskRegistry, EveryTaskHasModelsAndItsBaselinesAreAmongThem) {
  for (const auto& task : registered_tasks()) {
    SCOPED_TRACE(task->name());
    EXPECT_FALSE(select_models(task->name(), {}, registered_models()).empty());
    for (const std::string& baseline : task->baselines()) {
      EXPECT_TRUE(has_model(task->name(), baseline)) << baseline;
    }
  }
}

TEST(TaskBudgets, QuickModeDoesLessWorkThanFull) {
  for (const auto& task : registered_tasks()) {
    const Budget quick = task->budget(true);
    const Budget full = task->budget(false);
    EXPECT_LE(quick.max_training_time.seconds, full.max_training_time.seconds) << task->name();
    EXPECT_LE(quick.max_epochs, full.max_epochs) << task->name();
    EXPECT_LE(quick.inference_samples, full.inference_samples) << task->name();
    // Quick mode uses a slice, or the whole training split where full mode does too.
    if (full.train_samples > 0 || quick.train_samples > 0) {
      EXPECT_GT(quick.train_samples, 0u) << task->name();
      if (full.train_samples > 0) {
        EXPECT_LE(quick.train_samples, full.train_samples) << task->name();
      }
    }
  }
}

// The full benchmark is run and published on a two-core machine: at every
// cap, its training must fit the ceiling its budgets were sized for.
TEST(TaskBudgets, FullModeTrainingAtItsCapsFitsTheCeiling) {
  Seconds worst;
  for (const auto& task : registered_tasks()) {
    const Budget full = task->budget(false);
    const auto models =
        std::count_if(registered_models().begin(), registered_models().end(),
                      [&](const ModelInfo& info) { return info.task == task->name(); });
    worst += full.max_training_time * static_cast<double>(models) *
             static_cast<double>(kFullModeSeeds * kFullModeLearningRateFactors.size());
  }
  EXPECT_LE(worst.seconds, kFullModeTrainingCeiling.seconds)
      << "full mode could train for " << worst.seconds / 60 << " minutes";
}

}  // namespace
}  // namespace joule::bench

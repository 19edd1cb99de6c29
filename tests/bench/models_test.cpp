// The LibTorch engine: every registered model learns on a tiny learnable
// slice, sizes and FLOPs match hand counts, and a whole run (training curve,
// inference at batch 1 and the large batch, hidden-cost variants) works on
// synthetic data with a fake probe. Kept to tiny data so the suite runs in
// seconds on two cores.
#include <chrono>
#include <cmath>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bench/engine/engine.hpp"
#include "bench/engine/task.hpp"

namespace joule::bench {
namespace {

using ::testing::HasSubstr;

// Energy as a 10 W machine would use it: the work's wall time x 10.
class FakeProbe : public EnergyProbe {
 public:
  // `other_cpu_time`: what other processes use during each measurement.
  explicit FakeProbe(Seconds other_cpu_time = {}) : other_cpu_time_(other_cpu_time) {}
  Cost measure(const std::function<void()>& work) override {
    const auto started = std::chrono::steady_clock::now();
    work();
    Cost cost;
    cost.duration = seconds_between(started, std::chrono::steady_clock::now());
    cost.energy = Watts{10} * cost.duration;
    cost.idle_energy = Watts{2} * cost.duration;
    cost.relative_uncertainty = 0.05;
    cost.self_cpu_time = cost.duration;
    cost.other_cpu_time = other_cpu_time_;
    ++measurements;
    return cost;
  }
  int measurements = 0;

 private:
  Seconds other_cpu_time_;
};

// Images whose class is written into them: class k lights a 4-row band at
// rows 2k..2k+3, on faint noise. Any model, even a linear one, can learn it.
ImageSet striped_images(std::size_t count, std::uint32_t seed) {
  ImageSet set;
  set.rows = 28;
  set.cols = 28;
  std::uint32_t state = seed;
  auto noise = [&state] {
    state = state * 1664525u + 1013904223u;
    return static_cast<std::uint8_t>((state >> 24) % 40);
  };
  for (std::size_t i = 0; i < count; ++i) {
    const auto label = static_cast<std::uint8_t>(i % 10);
    set.labels.push_back(label);
    for (std::size_t row = 0; row < 28; ++row) {
      const bool band = row >= 2u * label && row < 2u * label + 4;
      for (std::size_t col = 0; col < 28; ++col) {
        set.pixels.push_back(static_cast<std::uint8_t>(band ? 200 + noise() : noise()));
      }
    }
  }
  return set;
}

// Validation as large as test, drawn like both.
FashionMnist striped_fashion(std::size_t train, std::size_t test) {
  return {striped_images(train, 1), striped_images(test, 2), striped_images(test, 3)};
}

// A repeating sentence: predictable after a few characters of context.
CharCorpus repeating_corpus(std::size_t train_characters, std::size_t test_characters) {
  const std::string sentence = "the cat sat on the mat. a dog ran to the cat! ";
  CharCorpus corpus;
  corpus.alphabet = " !.acdeghmnorst";
  corpus.held_out_title = "synthetic";
  corpus.unknown_id = corpus.alphabet.size() - 1;
  auto ids = [&](std::size_t count, std::size_t offset) {
    std::vector<std::uint8_t> text;
    for (std::size_t i = 0; i < count; ++i) {
      const char c = sentence[(i + offset) % sentence.size()];
      text.push_back(static_cast<std::uint8_t>(corpus.alphabet.find(c)));
    }
    return text;
  };
  corpus.train = ids(train_characters, 0);
  corpus.validation = ids(64, 3);
  corpus.test = ids(test_characters, 7);
  return corpus;
}

const Task& fashion_mnist() {
  return find_task("fashion-mnist");
}
const Task& austen_chars() {
  return find_task("austen-chars");
}

std::vector<std::string> models_of(const std::string& task) {
  std::vector<std::string> names;
  for (const ModelInfo& model : registered_models()) {
    if (model.task == task) names.push_back(model.name);
  }
  return names;
}

double mean(const std::vector<double>& values, std::size_t first, std::size_t count) {
  return std::accumulate(values.begin() + first, values.begin() + first + count, 0.0) / count;
}

// The loss has fallen by a clear margin: the last five steps average at most
// 80% of the first five.
void expect_falls(const std::vector<double>& losses) {
  ASSERT_GE(losses.size(), 10u);
  for (const double loss : losses) ASSERT_TRUE(std::isfinite(loss));
  const double first = mean(losses, 0, 5);
  const double last = mean(losses, losses.size() - 5, 5);
  EXPECT_LT(last, 0.8 * first) << "first five " << first << ", last five " << last;
}

const InferenceResult* find_variant(const RunResult& run, const std::string& variant, int batch) {
  for (const InferenceResult& inference : run.inference) {
    if (inference.variant == variant && inference.batch == batch) return &inference;
  }
  return nullptr;
}

const InferenceResult* find_variant(const RunResult& run, const std::string& variant) {
  for (const InferenceResult& inference : run.inference) {
    if (inference.variant == variant) return &inference;
  }
  return nullptr;
}

Budget tiny_budget() {
  Budget budget;
  budget.train_samples = 200;
  budget.test_samples = 100;
  budget.max_epochs = 2;
  budget.max_training_time = Seconds{30};
  budget.evaluations_per_epoch = 2;
  budget.inference_samples = 64;
  budget.large_batch = 32;
  budget.inference_min_time = Seconds{0.02};
  return budget;
}

RunRequest request_for(const std::string& model, const TaskInfo& task, const Budget& budget) {
  RunRequest request;
  request.model = model;
  request.seed = 3;
  request.threads = 1;
  request.budget = budget;
  request.task = task;
  return request;
}

// One intra-op thread: libgomp read OMP_WAIT_POLICY before any test could set
// it, and spinning OpenMP threads slow 20-fold when ctest runs other test
// processes beside this one (an LSTM smoke run went from 0.5 s to 18 s).
class SingleThreaded : public ::testing::Test {
 protected:
  void SetUp() override { configure_runtime(1); }
};
using ModelRegistry = SingleThreaded;
using ModelSizes = SingleThreaded;
using EngineTasks = SingleThreaded;
using EngineRun = SingleThreaded;

// --- registry ---------------------------------------------------------------

TEST_F(ModelRegistry, EveryTaskModelOfTheIssueIsRegisteredWithACitation) {
  EXPECT_THAT(models_of("fashion-mnist"),
              ::testing::ElementsAre("logreg", "mlp", "cnn", "lstm", "gru", "vit"));
  EXPECT_THAT(models_of("austen-chars"),
              ::testing::ElementsAre("ngram", "window-mlp", "lstm", "transformer"));
  for (const ModelInfo& model : registered_models()) {
    EXPECT_FALSE(model.family.empty()) << model.name;
    EXPECT_FALSE(model.description.empty()) << model.name;
    EXPECT_THAT(model.citation, ::testing::ContainsRegex("(19|20)[0-9][0-9]")) << model.name;
  }
}

TEST_F(ModelRegistry, UnknownModelNamesTheKnownOnes) {
  try {
    model_size("fashion-mnist", "resnet");
    FAIL() << "no error";
  } catch (const std::invalid_argument& error) {
    EXPECT_THAT(error.what(), HasSubstr("resnet"));
    EXPECT_THAT(error.what(), HasSubstr("logreg"));
  }
}

// --- sizes ------------------------------------------------------------------

TEST_F(ModelSizes, LogisticRegressionIsOneLinearLayer) {
  const ModelSize size = model_size("fashion-mnist", "logreg");
  EXPECT_EQ(size.parameters, 784 * 10 + 10);       // 7850
  EXPECT_EQ(size.flops_per_sample, 2 * 784 * 10);  // one multiply-add per weight
}

TEST_F(ModelSizes, MlpAndCnnMatchHandCounts) {
  const ModelSize mlp = model_size("fashion-mnist", "mlp");
  EXPECT_EQ(mlp.parameters, (784 * 256 + 256) + (256 * 10 + 10));  // 203530
  EXPECT_EQ(mlp.flops_per_sample, 2 * (784 * 256 + 256 * 10));
  const ModelSize cnn = model_size("fashion-mnist", "cnn");
  // conv 1->16 3x3, conv 16->32 3x3, 32*7*7 -> 64, 64 -> 10.
  EXPECT_EQ(cnn.parameters, (16 * 9 + 16) + (32 * 16 * 9 + 32) + (1568 * 64 + 64) + (64 * 10 + 10));
  EXPECT_EQ(cnn.flops_per_sample,
            2.0 * (28 * 28 * 16 * 9 + 14 * 14 * 32 * 16 * 9 + 1568 * 64 + 64 * 10));
}

TEST_F(ModelSizes, RecurrentModelsCountEveryGateAtEveryRow) {
  const ModelSize lstm = model_size("fashion-mnist", "lstm");
  // LibTorch's LSTM has two bias vectors per gate.
  EXPECT_EQ(lstm.parameters, 4 * 128 * (28 + 128) + 2 * 4 * 128 + 128 * 10 + 10);
  EXPECT_EQ(lstm.flops_per_sample, 28 * 4 * 2.0 * (28 + 128) * 128 + 2.0 * 128 * 10);
  const ModelSize gru = model_size("fashion-mnist", "gru");
  EXPECT_EQ(gru.flops_per_sample, 28 * 3 * 2.0 * (28 + 128) * 128 + 2.0 * 128 * 10);
}

TEST_F(ModelSizes, CharacterModelsScaleWithTheAlphabet) {
  const ModelSize small = model_size("austen-chars", "window-mlp", 50);
  const ModelSize large = model_size("austen-chars", "window-mlp", 100);
  EXPECT_EQ(large.flops_per_sample - small.flops_per_sample, 2.0 * 512 * 50);
  EXPECT_EQ(small.parameters, 51 * 16 + (256 * 512 + 512) + (512 * 50 + 50));
  for (const std::string& model : models_of("austen-chars")) {
    if (model == "ngram") continue;
    EXPECT_GT(model_size("austen-chars", model, 80).flops_per_sample, 0) << model;
  }
}

// --- every model learns -----------------------------------------------------

class ModelLearnsFashion : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { configure_runtime(1); }
};

TEST_P(ModelLearnsFashion, LossFallsOnATinySlice) {
  static const TaskData data = striped_fashion(64, 10);
  expect_falls(fashion_mnist().smoke_train(GetParam(), data, 30, 7));
}

INSTANTIATE_TEST_SUITE_P(ModelEvery, ModelLearnsFashion,
                         ::testing::ValuesIn(models_of("fashion-mnist")),
                         [](const auto& info) { return info.param; });

class ModelLearnsChars : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { configure_runtime(1); }
};

TEST_P(ModelLearnsChars, LossFallsOnATinySlice) {
  static const TaskData corpus = repeating_corpus(2000, 300);
  expect_falls(austen_chars().smoke_train(GetParam(), corpus, 30, 7));
}

std::string test_name(const std::string& model) {
  std::string name = model;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(ModelEvery, ModelLearnsChars,
                         ::testing::ValuesIn(models_of("austen-chars")),
                         [](const auto& info) { return test_name(info.param); });

// --- whole runs -------------------------------------------------------------

TEST_F(EngineTasks, TiersAreTheIssuesAndFollowTheBaseline) {
  const TaskInfo fashion = fashion_mnist().definition();
  EXPECT_EQ(fashion.direction, Direction::higher_is_better);
  EXPECT_EQ(fashion.tiers, (std::vector<double>{0.84, 0.88, 0.91}));
  RunResult baseline;
  baseline.model = "ngram";
  baseline.final_quality = 2.0;
  const std::optional<TaskInfo> chars =
      austen_chars().tiers_after(austen_chars().definition(), baseline);
  ASSERT_TRUE(chars.has_value());
  EXPECT_EQ(chars->direction, Direction::lower_is_better);
  ASSERT_EQ(chars->tiers.size(), 2u);
  EXPECT_DOUBLE_EQ(chars->tiers[0], 2.0);
  EXPECT_DOUBLE_EQ(chars->tiers[1], 1.8);
  EXPECT_THAT(chars->tier_note, HasSubstr("2.000"));
  // Only the first baseline run sets them; other models never do.
  baseline.final_quality = 2.5;
  EXPECT_FALSE(austen_chars().tiers_after(*chars, baseline).has_value());
  RunResult network = baseline;
  network.model = "lstm";
  EXPECT_FALSE(austen_chars().tiers_after(austen_chars().definition(), network).has_value());
  EXPECT_FALSE(fashion_mnist().tiers_after(fashion, baseline).has_value());
}

TEST_F(EngineRun, LogisticRegressionRunHasCurveInferenceAndVariants) {
  const FashionMnist data = striped_fashion(200, 100);
  FakeProbe probe;
  TaskInfo task = fashion_mnist().definition();
  task.tiers = {1.01};  // unreachable: train the whole budget
  double last_fraction = -1;
  RunRequest request = request_for("logreg", task, tiny_budget());
  request.progress = [&](double fraction, const std::string&) {
    EXPECT_GE(fraction, last_fraction);
    last_fraction = fraction;
  };
  const RunResult run = fashion_mnist().run(request, data, probe);

  EXPECT_EQ(run.model, "logreg");
  EXPECT_EQ(run.parameters, 7850);
  ASSERT_EQ(run.curve.size(), 4u);  // 2 epochs x 2 evaluations
  for (std::size_t i = 1; i < run.curve.size(); ++i) {
    EXPECT_GT(run.curve[i].epochs, run.curve[i - 1].epochs);
    EXPECT_GT(run.curve[i].energy.joules, run.curve[i - 1].energy.joules);
  }
  EXPECT_DOUBLE_EQ(run.curve.back().epochs, 2.0);
  EXPECT_DOUBLE_EQ(run.curve.back().energy.joules, run.training.energy.joules);
  EXPECT_GT(run.final_quality, 0.5);  // the stripes are easy, on validation
  EXPECT_GT(run.test_quality, 0.5);   // and on test, scored once at the end
  EXPECT_EQ(run.stopped_by, StopReason::epoch_cap);
  EXPECT_DOUBLE_EQ(run.learning_rate, 5e-3);  // the registry's for logreg: no tuning asked
  EXPECT_TRUE(run.tuning_trials.empty());
  EXPECT_EQ(run.tuning.energy.joules, 0);
  EXPECT_DOUBLE_EQ(last_fraction, 1.0);
  EXPECT_FALSE(run.disturbed);

  const InferenceResult* single = find_variant(run, "default", 1);
  const InferenceResult* batched = find_variant(run, "default", 32);
  ASSERT_NE(single, nullptr);
  ASSERT_NE(batched, nullptr);
  EXPECT_EQ(single->baseline, "");
  EXPECT_GE(single->samples, 64);
  EXPECT_GT(single->latency_ms, 0);
  EXPECT_DOUBLE_EQ(single->quality, batched->quality);  // same samples, same model
  for (const InferenceResult& inference : run.inference) {
    SCOPED_TRACE(inference.variant);
    if (!inference.supported) continue;
    EXPECT_TRUE(std::isfinite(inference.energy_per_1000.joules));
    EXPECT_GT(inference.energy_per_1000.joules, 0);
    EXPECT_NEAR(inference.energy_per_1000.joules,
                10 * inference.cost.duration.seconds / inference.samples * 1000, 1e-9);
    EXPECT_NEAR(inference.quality, batched->quality, 0.1);
  }
  for (const char* variant : {"threads=1", "batch=4", "bfloat16", "int8-dynamic", "torchscript"}) {
    const InferenceResult* found = find_variant(run, variant);
    ASSERT_NE(found, nullptr) << variant;
    EXPECT_EQ(found->baseline, "default");
    EXPECT_TRUE(found->supported) << variant << ": " << found->note;
  }
  EXPECT_EQ(find_variant(run, "channels-last"), nullptr);  // not a CNN
  EXPECT_EQ(find_variant(run, "threads=1")->threads, 1);
  // Two training measurements per epoch, then 2 defaults and 5 variants.
  EXPECT_EQ(probe.measurements, 4 + 2 + 5);
}

TEST_F(EngineRun, CnnHasChannelsLastAndNoInt8) {
  const FashionMnist data = striped_fashion(100, 50);
  FakeProbe probe;
  Budget budget = tiny_budget();
  budget.max_epochs = 0.5;
  const RunResult run =
      fashion_mnist().run(request_for("cnn", fashion_mnist().definition(), budget), data, probe);
  ASSERT_EQ(run.curve.size(), 1u);
  EXPECT_DOUBLE_EQ(run.curve[0].epochs, 0.5);
  const InferenceResult* channels_last = find_variant(run, "channels-last");
  ASSERT_NE(channels_last, nullptr);
  EXPECT_TRUE(channels_last->supported) << channels_last->note;
  const InferenceResult* int8 = find_variant(run, "int8-dynamic");
  ASSERT_NE(int8, nullptr);
  EXPECT_FALSE(int8->supported);
  EXPECT_THAT(int8->note, HasSubstr("Linear"));
  const InferenceResult* script = find_variant(run, "torchscript");
  ASSERT_NE(script, nullptr);
  EXPECT_FALSE(script->supported);
  EXPECT_THAT(script->note, HasSubstr("tracer"));
  EXPECT_TRUE(std::isnan(script->quality));
  // The variants converted the network and put it back: defaults and
  // channels-last agree on quality.
  EXPECT_NEAR(channels_last->quality, find_variant(run, "default", 32)->quality, 1e-6);
}

TEST_F(EngineRun, StopsAtTheHardestTier) {
  const FashionMnist data = striped_fashion(200, 100);
  FakeProbe probe;
  TaskInfo task = fashion_mnist().definition();
  task.tiers = {0.05, 0.1};  // met at the first evaluation
  Budget budget = tiny_budget();
  budget.max_epochs = 10;
  budget.variants = false;
  const RunResult run = fashion_mnist().run(request_for("mlp", task, budget), data, probe);
  ASSERT_EQ(run.curve.size(), 1u);
  EXPECT_DOUBLE_EQ(run.curve[0].epochs, 0.5);
  EXPECT_EQ(run.stopped_by, StopReason::last_tier);
  EXPECT_EQ(run.inference.size(), 2u);  // the defaults only
}

TEST_F(EngineRun, EarlyStoppingEndsAValidationPlateauAsTheModelsOwnStop) {
  const FashionMnist data = striped_fashion(200, 100);
  FakeProbe probe;
  TaskInfo task = fashion_mnist().definition();
  task.tiers = {1.01};  // unreachable
  Budget budget = tiny_budget();
  budget.max_epochs = 30;
  budget.patience = 1;  // the first evaluation without a new best ends training
  budget.variants = false;
  const RunResult run = fashion_mnist().run(request_for("logreg", task, budget), data, probe);
  EXPECT_EQ(run.stopped_by, StopReason::plateau);
  EXPECT_FALSE(stopped_by_budget(run.stopped_by));
  EXPECT_LT(run.curve.size(), 60u);
  ASSERT_GE(run.curve.size(), 2u);
  // The last evaluation is no better than the best before it.
  double best_before = 0;
  for (std::size_t i = 0; i + 1 < run.curve.size(); ++i) {
    best_before = std::max(best_before, run.curve[i].quality);
  }
  EXPECT_LE(run.curve.back().quality, best_before);
}

TEST_F(EngineRun, TuningTrainsEachLearningRateAndChargesTheOthersAsTuning) {
  const FashionMnist data = striped_fashion(100, 50);
  FakeProbe probe;
  TaskInfo task = fashion_mnist().definition();
  task.tiers = {1.01};
  Budget budget = tiny_budget();
  budget.max_epochs = 0.5;
  budget.variants = false;
  budget.learning_rate_factors = kFullModeLearningRateFactors;
  const RunResult run = fashion_mnist().run(request_for("mlp", task, budget), data, probe);

  ASSERT_EQ(run.tuning_trials.size(), 3u);
  EXPECT_DOUBLE_EQ(run.tuning_trials[0].learning_rate, 0.5e-3);
  EXPECT_DOUBLE_EQ(run.tuning_trials[1].learning_rate, 1e-3);
  EXPECT_DOUBLE_EQ(run.tuning_trials[2].learning_rate, 2e-3);
  int chosen = 0;
  double others = 0;
  for (const TuningTrial& trial : run.tuning_trials) {
    EXPECT_GT(trial.training.energy.joules, 0);
    if (trial.chosen) {
      ++chosen;
      EXPECT_DOUBLE_EQ(trial.learning_rate, run.learning_rate);
      EXPECT_DOUBLE_EQ(trial.quality, run.final_quality);
      EXPECT_DOUBLE_EQ(trial.training.energy.joules, run.training.energy.joules);
    } else {
      others += trial.training.energy.joules;
      // Chosen on validation: no other trial was better.
      EXPECT_LE(trial.quality, run.final_quality);
    }
  }
  EXPECT_EQ(chosen, 1);
  EXPECT_NEAR(run.tuning.energy.joules, others, 1e-9);
  // One training stretch per learning rate, then the two inference defaults.
  EXPECT_EQ(probe.measurements, 3 + 2);
}

TEST_F(EngineRun, OtherProcessesFlagTheRunAsDisturbed) {
  const FashionMnist data = striped_fashion(100, 50);
  FakeProbe probe(Seconds{1000});  // more than any machine has in a second
  Budget budget = tiny_budget();
  budget.max_epochs = 0.5;
  budget.variants = false;
  const RunResult run =
      fashion_mnist().run(request_for("logreg", fashion_mnist().definition(), budget), data, probe);
  EXPECT_TRUE(run.disturbed);
  ASSERT_EQ(run.warnings.size(), 3u);  // one training stretch, two inference defaults
  EXPECT_THAT(run.warnings.front(), HasSubstr("training"));
}

TEST_F(EngineRun, OneClockTickOfOtherCpuIsRoundingNotDisturbance) {
  const FashionMnist data = striped_fashion(100, 50);
  FakeProbe probe(Seconds{0.01});  // /proc/stat counts 10 ms ticks
  Budget budget = tiny_budget();
  budget.max_epochs = 0.5;
  budget.variants = false;
  const RunResult run =
      fashion_mnist().run(request_for("logreg", fashion_mnist().definition(), budget), data, probe);
  EXPECT_FALSE(run.disturbed);
  EXPECT_TRUE(run.warnings.empty());
}

TEST_F(EngineRun, CharacterModelsReportBitsPerCharacter) {
  const CharCorpus corpus = repeating_corpus(5000, 600);
  FakeProbe probe;
  Budget budget = tiny_budget();
  budget.train_samples = 16;  // sequences per epoch
  budget.test_samples = 0;    // all 600 held-out characters
  budget.inference_samples = 256;
  budget.large_batch = 8;
  const TaskInfo task = austen_chars().definition();

  const RunResult ngram = austen_chars().run(request_for("ngram", task, budget), corpus, probe);
  ASSERT_EQ(ngram.curve.size(), 1u);
  EXPECT_LT(ngram.final_quality, 0.5);  // the sentence repeats exactly
  EXPECT_LT(ngram.test_quality, 0.5);
  EXPECT_EQ(ngram.stopped_by, StopReason::single_pass);
  EXPECT_GT(ngram.parameters, 0);
  ASSERT_NE(find_variant(ngram, "default", 8), nullptr);
  EXPECT_TRUE(std::isfinite(find_variant(ngram, "default", 1)->energy_per_1000.joules));

  const RunResult mlp = austen_chars().run(request_for("window-mlp", task, budget), corpus, probe);
  ASSERT_EQ(mlp.curve.size(), 4u);
  EXPECT_LT(mlp.curve.back().quality, mlp.curve.front().quality);
  EXPECT_LT(mlp.final_quality, std::log2(15.0));  // better than uniform over the alphabet
  EXPECT_LT(mlp.test_quality, std::log2(15.0));
  const InferenceResult* batched = find_variant(mlp, "default", 8);
  ASSERT_NE(batched, nullptr);
  EXPECT_GE(batched->samples, 256);
  EXPECT_TRUE(find_variant(mlp, "int8-dynamic")->supported)
      << find_variant(mlp, "int8-dynamic")->note;
  EXPECT_TRUE(find_variant(mlp, "torchscript")->supported)
      << find_variant(mlp, "torchscript")->note;
  EXPECT_NEAR(find_variant(mlp, "torchscript")->quality, batched->quality, 1e-4);
}

}  // namespace
}  // namespace joule::bench

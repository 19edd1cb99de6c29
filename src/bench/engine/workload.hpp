#pragma once
// What training, evaluation and inference need from a task, so that one loop
// serves every task, and the loop itself for the task files. Private to
// src/bench/engine.
#include <torch/torch.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/engine/engine.hpp"
#include "bench/engine/models.hpp"

namespace joule::bench::engine {

struct Example {
  torch::Tensor input;
  torch::Tensor target;
};

// Quality summed over scored predictions: correct answers, or nats.
struct Score {
  double total = 0;
  double predictions = 0;
};

// Where quality is scored: validation for the curve, tiers, early stopping
// and tuning; test once, at the end.
enum class Split { validation, test };

class Workload {
 public:
  virtual ~Workload() = default;

  // Training: samples per epoch (images, or sequences for chars), a new
  // epoch's order, and the batch of samples [first, first + count) of it.
  virtual std::size_t epoch_samples() const = 0;
  virtual void start_epoch(std::mt19937_64& random) = 0;
  virtual Example training_batch(std::size_t first, std::size_t count, std::mt19937_64& random) = 0;
  virtual torch::Tensor loss(const torch::Tensor& logits, const torch::Tensor& target) const = 0;

  // Quality on `split` (accuracy, or bits/char), in eval mode without
  // gradients; NaN when the split has no data.
  virtual double evaluate(Network& network, Split split) = 0;

  // Inference: test items (images, or sequences of characters) taken
  // cyclically, each worth predictions_per_item() samples.
  virtual std::size_t test_items() const = 0;
  virtual Example test_batch(std::size_t first, std::size_t count) const = 0;
  virtual double predictions_per_item() const = 0;
  // Adds the first `rows` rows of a batch to `score`.
  virtual void score(const torch::Tensor& logits, const torch::Tensor& target, std::size_t rows,
                     Score& score) const = 0;
  virtual double quality(const Score& score) const = 0;
};

// The first `limit` of `available` items (0: all of them).
inline std::size_t limited(std::size_t available, std::size_t limit) {
  return limit == 0 ? available : std::min(available, limit);
}

// A network's run on `workload`: RunRequest's training with its quality
// curve, then measure_inference().
RunResult run_network(const RunRequest& request, const ModelEntry& entry, const Shape& shape,
                      Workload& workload, EnergyProbe& probe);

// The count-based n-gram's run (Kind::kneser_ney) on a character corpus:
// counting is its training, then inference at batch 1 and the large batch.
RunResult run_ngram(const RunRequest& request, const ModelEntry& entry, const CharCorpus& corpus,
                    EnergyProbe& probe);

// Task::smoke_train for a network: `steps` unmeasured training steps, each on
// `batch_for_step(random)`, returning the loss after each.
std::vector<double> smoke_train_network(
    const ModelEntry& entry, const Shape& shape, Workload& workload, std::size_t steps,
    std::uint64_t seed, const std::function<Example(std::mt19937_64&)>& batch_for_step);

// The held-out characters a run scores: the first budget.validation_samples
// of the validation text, or budget.test_samples of the held-out novel (0: all).
std::size_t evaluation_characters(const CharCorpus& corpus, const Budget& budget, Split split);

// Flags `result` as disturbed when other processes used more than
// disturbed_other_cpu_share of the machine during `cost`.
void check_disturbance(const Cost& cost, const std::string& measurement, RunResult& result);

// After training: batch 1 and the large batch, then (budget.variants) each
// hidden-cost variant. Never throws for a variant: a failure is recorded as
// unsupported. `progress(fraction, text)` with fraction in [0, 1].
std::vector<InferenceResult> measure_inference(
    Network& network, const Workload& workload, EnergyProbe& probe, const Budget& budget,
    RunResult& result, const std::function<void(double, const std::string&)>& progress);

// How many batches an inference measurement runs: enough for
// `batches_for_samples`, and enough to last `min_time`, judged from running
// `run_batch(i)` untimed for a short while (one batch alone is too noisy a
// guide for microsecond-scale work).
std::size_t batches_to_run(const std::function<void(std::size_t)>& run_batch,
                           std::size_t batches_for_samples, Seconds min_time);

// The message of a LibTorch error without its C++ backtrace.
std::string error_message(const std::exception& error);

}  // namespace joule::bench::engine

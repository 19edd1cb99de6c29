#pragma once
// A Workload for classification held in tensors: training samples in a
// shuffled order, accuracy on a validation split that steers training, and a
// test split scored once at the end, whose inputs inference also runs on (as
// every task's: InferenceResult::quality). Private to src/bench/engine.
#include <cstdint>
#include <vector>

#include "bench/engine/workload.hpp"

namespace joule::bench::engine {

// Inputs and int64 labels of one split; inputs are any tensor whose first
// dimension counts samples.
struct LabelledSplits {
  Example train;
  Example validation;
  Example test;
};

class ClassificationWorkload : public Workload {
 public:
  // Throws std::invalid_argument for an empty training or validation split.
  explicit ClassificationWorkload(LabelledSplits splits);

  std::size_t epoch_samples() const override { return order_.size(); }
  void start_epoch(std::mt19937_64& random) override;
  Example training_batch(std::size_t first, std::size_t count, std::mt19937_64& random) override;
  torch::Tensor loss(const torch::Tensor& logits, const torch::Tensor& target) const override;

  double evaluate(Network& network, Split split) override;

  std::size_t test_items() const override;
  Example test_batch(std::size_t first, std::size_t count) const override;
  double predictions_per_item() const override { return 1; }
  void score(const torch::Tensor& logits, const torch::Tensor& target, std::size_t rows,
             Score& score) const override;
  double quality(const Score& score) const override;

 private:
  double accuracy(Network& network, const Example& split) const;

  LabelledSplits splits_;
  std::vector<std::int64_t> order_;
};

}  // namespace joule::bench::engine

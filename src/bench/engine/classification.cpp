// Tensor-held classification splits as a Workload (classification.hpp).
#include "bench/engine/classification.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace joule::bench::engine {
namespace {

// Evaluation batches: large enough to amortise per-call overhead, small
// enough to keep a recurrent network's activations modest.
constexpr std::int64_t kEvaluationBatch = 512;

}  // namespace

ClassificationWorkload::ClassificationWorkload(LabelledSplits splits)
    : splits_(std::move(splits)), order_(static_cast<std::size_t>(splits_.train.input.size(0))) {
  if (order_.empty()) throw std::invalid_argument("no training samples");
  if (splits_.validation.input.size(0) == 0) throw std::invalid_argument("no validation samples");
  std::iota(order_.begin(), order_.end(), 0);
}

void ClassificationWorkload::start_epoch(std::mt19937_64& random) {
  std::shuffle(order_.begin(), order_.end(), random);
}

Example ClassificationWorkload::training_batch(std::size_t first, std::size_t count,
                                               std::mt19937_64&) {
  const torch::Tensor indices =
      torch::from_blob(order_.data() + first, {static_cast<std::int64_t>(count)}, torch::kLong);
  return {splits_.train.input.index_select(0, indices),
          splits_.train.target.index_select(0, indices)};
}

torch::Tensor ClassificationWorkload::loss(const torch::Tensor& logits,
                                           const torch::Tensor& target) const {
  return torch::nn::functional::cross_entropy(logits, target);
}

double ClassificationWorkload::accuracy(Network& network, const Example& split) const {
  const std::int64_t n = split.input.size(0);
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  Score total;
  for (std::int64_t first = 0; first < n; first += kEvaluationBatch) {
    const std::int64_t count = std::min(kEvaluationBatch, n - first);
    score(network.forward(split.input.narrow(0, first, count)),
          split.target.narrow(0, first, count), static_cast<std::size_t>(count), total);
  }
  return quality(total);
}

double ClassificationWorkload::evaluate(Network& network, Split split) {
  return accuracy(network, split == Split::validation ? splits_.validation : splits_.test);
}

std::size_t ClassificationWorkload::test_items() const {
  return static_cast<std::size_t>(splits_.test.input.size(0));
}

Example ClassificationWorkload::test_batch(std::size_t first, std::size_t count) const {
  const auto n = static_cast<std::int64_t>(test_items());
  const torch::Tensor indices =
      torch::arange(static_cast<std::int64_t>(first), static_cast<std::int64_t>(first + count),
                    torch::kLong)
          .remainder(n);
  return {splits_.test.input.index_select(0, indices),
          splits_.test.target.index_select(0, indices)};
}

void ClassificationWorkload::score(const torch::Tensor& logits, const torch::Tensor& target,
                                   std::size_t rows, Score& score) const {
  const auto n = static_cast<std::int64_t>(rows);
  const torch::Tensor predicted = logits.narrow(0, 0, n).argmax(1);
  score.total += predicted.eq(target.narrow(0, 0, n)).sum().item<double>();
  score.predictions += static_cast<double>(rows);
}

double ClassificationWorkload::quality(const Score& score) const {
  return score.predictions > 0 ? score.total / score.predictions
                               : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace joule::bench::engine

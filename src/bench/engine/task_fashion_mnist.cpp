// fashion-mnist: 28x28 grey images of clothing in 10 classes, scored by
// accuracy: on validation (the last 10,000 training images) while training,
// on the test set once at the end. A sample is one image; an epoch is one pass
// over the (budget-limited) remaining training images, reshuffled with the seed.
#include <torch/torch.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "bench/engine/task.hpp"
#include "bench/engine/workload.hpp"

namespace joule::bench {
namespace {

using engine::Example;
using engine::limited;
using engine::Network;
using engine::Score;
using engine::Workload;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Evaluation batches: large enough to amortise per-call overhead, small
// enough that a CNN's activations stay in cache-sized buffers.
constexpr std::int64_t kEvaluationBatchImages = 500;
// Training-loss smoke runs use this many images, repeated.
constexpr std::size_t kSmokeImages = 64;

// Pixels as float in [0, 1], shape [n, 1, rows, cols]; labels as int64.
Example image_tensors(const ImageSet& set, std::size_t count) {
  const auto n = static_cast<std::int64_t>(count);
  const auto rows = static_cast<std::int64_t>(set.rows);
  const auto cols = static_cast<std::int64_t>(set.cols);
  torch::Tensor pixels = torch::from_blob(const_cast<std::uint8_t*>(set.pixels.data()),
                                          {n, 1, rows, cols}, torch::kUInt8)
                             .to(torch::kFloat)
                             .div_(255.0);
  torch::Tensor labels =
      torch::from_blob(const_cast<std::uint8_t*>(set.labels.data()), {n}, torch::kUInt8)
          .to(torch::kLong);
  return {pixels, labels};
}

class FashionWorkload : public Workload {
 public:
  FashionWorkload(const FashionMnist& data, const Budget& budget)
      : train_(image_tensors(data.train, limited(data.train.size(), budget.train_samples))),
        validation_(image_tensors(data.validation,
                                  limited(data.validation.size(), budget.validation_samples))),
        test_(image_tensors(data.test, limited(data.test.size(), budget.test_samples))),
        order_(static_cast<std::size_t>(train_.input.size(0))) {
    if (order_.empty()) throw std::invalid_argument("fashion-mnist: no training images");
    std::iota(order_.begin(), order_.end(), 0);
  }

  std::size_t epoch_samples() const override { return order_.size(); }
  void start_epoch(std::mt19937_64& random) override {
    std::shuffle(order_.begin(), order_.end(), random);
  }
  Example training_batch(std::size_t first, std::size_t count, std::mt19937_64&) override {
    const torch::Tensor indices =
        torch::from_blob(order_.data() + first, {static_cast<std::int64_t>(count)}, torch::kLong);
    return {train_.input.index_select(0, indices), train_.target.index_select(0, indices)};
  }
  torch::Tensor loss(const torch::Tensor& logits, const torch::Tensor& target) const override {
    return torch::nn::functional::cross_entropy(logits, target);
  }

  double evaluate(Network& network, engine::Split split) override {
    const Example& images = split == engine::Split::validation ? validation_ : test_;
    const std::int64_t n = images.input.size(0);
    if (n == 0) return kNaN;
    Score total;
    for (std::int64_t first = 0; first < n; first += kEvaluationBatchImages) {
      const std::int64_t count = std::min(kEvaluationBatchImages, n - first);
      score(network.forward(images.input.narrow(0, first, count)),
            images.target.narrow(0, first, count), static_cast<std::size_t>(count), total);
    }
    return quality(total);
  }

  std::size_t test_items() const override { return static_cast<std::size_t>(test_.input.size(0)); }
  Example test_batch(std::size_t first, std::size_t count) const override {
    const auto n = static_cast<std::int64_t>(test_items());
    const auto start = static_cast<std::int64_t>(first) % n;
    const auto length = static_cast<std::int64_t>(count);
    if (start + length <= n) {
      return {test_.input.narrow(0, start, length).contiguous(),
              test_.target.narrow(0, start, length)};
    }
    const torch::Tensor indices = torch::arange(start, start + length, torch::kLong).remainder(n);
    return {test_.input.index_select(0, indices), test_.target.index_select(0, indices)};
  }
  double predictions_per_item() const override { return 1; }
  void score(const torch::Tensor& logits, const torch::Tensor& target, std::size_t rows,
             Score& score) const override {
    const auto n = static_cast<std::int64_t>(rows);
    const torch::Tensor predicted = logits.narrow(0, 0, n).argmax(1);
    score.total += predicted.eq(target.narrow(0, 0, n)).sum().item<double>();
    score.predictions += static_cast<double>(rows);
  }
  double quality(const Score& score) const override {
    return score.predictions > 0 ? score.total / score.predictions : kNaN;
  }

 private:
  Example train_;
  Example validation_;
  Example test_;
  std::vector<std::int64_t> order_;
};

engine::Shape fashion_shape(const FashionMnist& data) {
  engine::Shape shape;
  shape.rows = static_cast<int>(data.train.rows);
  shape.cols = static_cast<int>(data.train.cols);
  shape.classes = 10;
  return shape;
}

TaskInfo fashion_mnist_definition() {
  TaskInfo task;
  task.name = "fashion-mnist";
  task.metric = "accuracy";
  task.direction = Direction::higher_is_better;
  task.tiers = {0.84, 0.88, 0.91};
  task.tier_note =
      "fixed validation accuracies: 0.84 is about what a linear model reaches, 0.91 needs a "
      "convolutional or attention model";
  return task;
}

class FashionMnistTask final : public Task {
 public:
  FashionMnistTask() : Task(fashion_mnist_definition()) {}

  bool in_quick_mode() const override { return true; }

  // Quick: 20,000 of the 50,000 training images, a fifth of the validation
  // and test sets, and at most 5 epochs or 25 s of training per model, so that
  // six models with their inference and hidden-cost variants fit beside
  // austen-novel's seven in five minutes on two cores (the CNN and the GRU
  // still reach a tier). Full: all 50,000 images, 15 epochs or 40 s per
  // learning-rate trial, which the CNN's 15 epochs about fill on two cores.
  Budget budget(bool quick) const override {
    Budget budget;
    budget.train_samples = quick ? 20000 : 0;
    budget.validation_samples = quick ? 2000 : 0;
    budget.test_samples = quick ? 2000 : 0;
    budget.max_epochs = quick ? 5 : 15;
    budget.max_training_time = Seconds{quick ? 25.0 : 40.0};
    budget.evaluations_per_epoch = 2;
    budget.inference_samples = quick ? 512 : 4096;
    budget.large_batch = 256;
    return budget;
  }

  TaskData load(const BenchOptions& options, const Budget& budget) const override {
    // The whole training file: validation is its tail.
    FashionMnist data = load_fashion_mnist(options.fashion_dir, 0, budget.test_samples);
    carve_validation(data, kFashionValidationImages);
    return data;
  }

  RunResult run(const RunRequest& request, const TaskData& data,
                EnergyProbe& probe) const override {
    const auto& images = std::any_cast<const FashionMnist&>(data);
    const engine::ModelEntry& entry = engine::find_model(name(), request.model);
    FashionWorkload workload(images, request.budget);
    return engine::run_network(request, entry, fashion_shape(images), workload, probe);
  }

  std::vector<double> smoke_train(const std::string& model, const TaskData& data, std::size_t steps,
                                  std::uint64_t seed) const override {
    const auto& images = std::any_cast<const FashionMnist&>(data);
    const engine::ModelEntry& entry = engine::find_model(name(), model);
    Budget budget;
    budget.train_samples = kSmokeImages;
    budget.validation_samples = 1;
    budget.test_samples = 1;
    FashionWorkload workload(images, budget);
    // The same slice every step: the loss must fall as the network fits it.
    std::optional<Example> slice;
    return engine::smoke_train_network(
        entry, fashion_shape(images), workload, steps, seed, [&](std::mt19937_64& random) {
          if (!slice) slice = workload.training_batch(0, workload.epoch_samples(), random);
          return *slice;
        });
  }
};

}  // namespace

std::unique_ptr<const Task> make_fashion_mnist_task() {
  return std::make_unique<FashionMnistTask>();
}

}  // namespace joule::bench

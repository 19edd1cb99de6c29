// Training runs: the two tasks' workloads, the measured training loop with
// its quality curve, the n-gram baseline, and the smoke-training used by the
// tests.
//
// What a sample is:
//  - fashion-mnist: one image. An epoch is one pass over the (budget-limited)
//    training images, reshuffled with the seed.
//  - austen-chars: for training, one sequence of `context` characters (128 by
//    default) starting at a random offset of the training text; an epoch is
//    budget.train_samples such sequences (0: as many as the training text
//    holds). Evaluation and inference count characters: quality is bits per
//    character on the first budget.test_samples characters of the held-out
//    novel (0: all ~470k, which makes each evaluation cost more than a
//    training stretch; the full benchmark uses 100k).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <span>
#include <stdexcept>
#include <thread>

#include <unistd.h>

#include "bench/engine/workload.hpp"
#include "bench/kneser_ney.hpp"

namespace joule::bench {
namespace engine {
namespace {

using Clock = std::chrono::steady_clock;

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
// Evaluation batches: large enough to amortise per-call overhead, small
// enough that a CNN's activations stay in cache-sized buffers.
constexpr std::int64_t evaluation_batch_images = 500;
constexpr std::int64_t evaluation_batch_sequences = 32;
// Characters at the start of each evaluation chunk (after the first) that
// only warm up the context and are not scored: each scored character sees at
// least this much context, a quarter of the sequence length.
constexpr int evaluation_warm_up_divisor = 4;
// Training-loss smoke runs use this many samples, repeated.
constexpr std::size_t smoke_images = 64;
constexpr std::size_t smoke_sequences = 8;
constexpr int smoke_context = 32;
constexpr std::size_t smoke_characters = 4096;
// Share of the progress bar that training takes; inference takes the rest.
constexpr double training_progress_share = 0.8;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::size_t limited(std::size_t available, std::size_t limit) {
  return limit == 0 ? available : std::min(available, limit);
}

// --- fashion-mnist ----------------------------------------------------------

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

  double evaluate(Network& network) override {
    const std::int64_t n = test_.input.size(0);
    if (n == 0) return nan;
    Score total;
    for (std::int64_t first = 0; first < n; first += evaluation_batch_images) {
      const std::int64_t count = std::min(evaluation_batch_images, n - first);
      score(network.forward(test_.input.narrow(0, first, count)),
            test_.target.narrow(0, first, count), static_cast<std::size_t>(count), total);
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
    return score.predictions > 0 ? score.total / score.predictions : nan;
  }

 private:
  Example train_;
  Example test_;
  std::vector<std::int64_t> order_;
};

// --- austen-chars -----------------------------------------------------------

torch::Tensor id_tensor(const std::vector<std::uint8_t>& ids, std::size_t count) {
  return torch::from_blob(const_cast<std::uint8_t*>(ids.data()), {static_cast<std::int64_t>(count)},
                          torch::kUInt8)
      .to(torch::kLong);
}

// One evaluation chunk: ids [start, start + length], scoring targets from
// position `first_scored` of the chunk on.
struct Chunk {
  std::int64_t start = 0;
  std::int64_t first_scored = 0;
};

class CharsWorkload : public Workload {
 public:
  CharsWorkload(const CharCorpus& corpus, const Budget& budget, int context,
                std::size_t train_characters)
      : vocabulary_(static_cast<std::int64_t>(corpus.alphabet.size())),
        train_(id_tensor(corpus.train, limited(corpus.train.size(), train_characters))),
        test_(id_tensor(corpus.test, evaluation_characters(corpus, budget))) {
    if (train_.size(0) < 2) throw std::invalid_argument("austen-chars: training text too short");
    // Sequences never run past the text, however short it is.
    train_length_ = std::min<std::int64_t>(context, train_.size(0) - 1);
    test_length_ = std::min<std::int64_t>(context, std::max<std::int64_t>(test_.size(0) - 1, 0));
    epoch_sequences_ = budget.train_samples > 0 ? budget.train_samples
                                                : static_cast<std::size_t>(std::max<std::int64_t>(
                                                      1, (train_.size(0) - 1) / train_length_));
    build_chunks();
  }

  std::size_t epoch_samples() const override { return epoch_sequences_; }
  void start_epoch(std::mt19937_64&) override {}
  Example training_batch(std::size_t, std::size_t count, std::mt19937_64& random) override {
    std::uniform_int_distribution<std::int64_t> offset(0, train_.size(0) - train_length_ - 1);
    std::vector<std::int64_t> starts(count);
    for (auto& start : starts) start = offset(random);
    const torch::Tensor rows =
        torch::tensor(starts, torch::kLong).unsqueeze(1) + torch::arange(train_length_ + 1);
    const torch::Tensor ids = train_.index({rows});
    return {ids.narrow(1, 0, train_length_), ids.narrow(1, 1, train_length_)};
  }
  torch::Tensor loss(const torch::Tensor& logits, const torch::Tensor& target) const override {
    return torch::nn::functional::cross_entropy(logits.reshape({-1, vocabulary_}),
                                                target.reshape({-1}));
  }

  // Overlapping chunks so that every scored character (after the first
  // chunk's) has at least a quarter of the context before it; the first
  // character of the text is context only.
  double evaluate(Network& network) override {
    if (chunks_.empty()) return nan;
    const torch::Tensor positions = torch::arange(test_length_ + 1);
    double nats = 0;
    double scored = 0;
    for (std::size_t first = 0; first < chunks_.size(); first += evaluation_batch_sequences) {
      const std::size_t last =
          std::min(chunks_.size(), first + static_cast<std::size_t>(evaluation_batch_sequences));
      std::vector<std::int64_t> starts;
      std::vector<std::int64_t> first_scored;
      for (std::size_t i = first; i < last; ++i) {
        starts.push_back(chunks_[i].start);
        first_scored.push_back(chunks_[i].first_scored);
      }
      const torch::Tensor ids =
          test_.index({torch::tensor(starts, torch::kLong).unsqueeze(1) + positions});
      const torch::Tensor logits =
          network.forward(ids.narrow(1, 0, test_length_)).to(torch::kFloat);
      const torch::Tensor losses = torch::nn::functional::cross_entropy(
          logits.reshape({-1, vocabulary_}), ids.narrow(1, 1, test_length_).reshape({-1}),
          torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
      const torch::Tensor counted = torch::arange(test_length_)
                                        .unsqueeze(0)
                                        .ge(torch::tensor(first_scored, torch::kLong).unsqueeze(1));
      nats += losses.view({-1, test_length_}).masked_select(counted).sum().item<double>();
      scored += counted.sum().item<double>();
    }
    return nats / scored / std::log(2.0);
  }

  // Inference items: consecutive chunks overlapping by one id, every
  // position scored (context restarts at each chunk).
  std::size_t test_items() const override {
    if (test_length_ < 1) return 0;
    return static_cast<std::size_t>((test_.size(0) - 1) / test_length_);
  }
  Example test_batch(std::size_t first, std::size_t count) const override {
    const auto items = static_cast<std::int64_t>(test_items());
    const torch::Tensor item =
        torch::arange(static_cast<std::int64_t>(first), static_cast<std::int64_t>(first + count))
            .remainder(items);
    const torch::Tensor ids =
        test_.index({(item * test_length_).unsqueeze(1) + torch::arange(test_length_ + 1)});
    return {ids.narrow(1, 0, test_length_).contiguous(), ids.narrow(1, 1, test_length_)};
  }
  double predictions_per_item() const override { return static_cast<double>(test_length_); }
  void score(const torch::Tensor& logits, const torch::Tensor& target, std::size_t rows,
             Score& score) const override {
    const auto n = static_cast<std::int64_t>(rows);
    score.total += torch::nn::functional::cross_entropy(
                       logits.narrow(0, 0, n).to(torch::kFloat).reshape({-1, vocabulary_}),
                       target.narrow(0, 0, n).reshape({-1}),
                       torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                       .item<double>();
    score.predictions += static_cast<double>(n * test_length_);
  }
  double quality(const Score& score) const override {
    return score.predictions > 0 ? score.total / score.predictions / std::log(2.0) : nan;
  }

 private:
  void build_chunks() {
    const std::int64_t size = test_.size(0);
    if (test_length_ < 1) return;
    const std::int64_t warm_up = test_length_ / evaluation_warm_up_divisor;
    const std::int64_t stride = std::max<std::int64_t>(1, test_length_ - warm_up);
    const std::int64_t last_start = size - test_length_ - 1;
    std::int64_t scored_until = 0;  // targets 1..scored_until are already scored
    for (std::int64_t start = 0;; start += stride) {
      start = std::min(start, last_start);
      chunks_.push_back({start, std::max<std::int64_t>(0, scored_until - start)});
      scored_until = start + test_length_;
      if (start == last_start) break;
    }
  }

  std::int64_t vocabulary_;
  torch::Tensor train_;
  torch::Tensor test_;
  std::int64_t train_length_ = 0;
  std::int64_t test_length_ = 0;
  std::size_t epoch_sequences_ = 0;
  std::vector<Chunk> chunks_;
};

// --- the training loop ------------------------------------------------------

bool meets(double quality, double tier, Direction direction) {
  return direction == Direction::higher_is_better ? quality >= tier : quality <= tier;
}

// The target that ends training: the hardest tier.
bool reached_last_tier(const TaskInfo& task, double quality) {
  if (task.tiers.empty()) return false;
  const double hardest = task.direction == Direction::higher_is_better
                             ? *std::max_element(task.tiers.begin(), task.tiers.end())
                             : *std::min_element(task.tiers.begin(), task.tiers.end());
  return meets(quality, hardest, task.direction);
}

std::string quality_text(const TaskInfo& task, double quality) {
  return task.direction == Direction::higher_is_better ? fmt::format("acc {:.3f}", quality)
                                                       : fmt::format("{:.3f} bits/char", quality);
}

void report(const RunRequest& request, double fraction, const std::string& text) {
  if (request.progress) request.progress(std::clamp(fraction, 0.0, 1.0), text);
}

double train_step(Network& network, Workload& workload, torch::optim::Optimizer& optimizer,
                  const Hyper& hyper, const Example& example) {
  optimizer.zero_grad();
  const torch::Tensor loss = workload.loss(network.forward(example.input), example.target);
  loss.backward();
  if (hyper.clip_norm > 0) torch::nn::utils::clip_grad_norm_(network.parameters(), hyper.clip_norm);
  optimizer.step();
  return loss.item<double>();
}

// One untimed forward and backward pass, so that the first measured stretch
// does not pay for allocator growth and kernel selection. Gradients are
// cleared and no optimizer step is taken, and the batch comes from a separate
// random stream: the training trajectory is the same as without it.
void warm_up(Network& network, Workload& workload, const Hyper& hyper, std::uint64_t seed) {
  std::mt19937_64 random(seed ^ 0x5eed5eed5eed5eedULL);
  const std::size_t count = std::min<std::size_t>(hyper.batch_size, workload.epoch_samples());
  const Example example = workload.training_batch(0, count, random);
  network.zero_grad();
  workload.loss(network.forward(example.input), example.target).backward();
  network.zero_grad();
}

// Test quality, unmeasured: eval mode and no autograd graph, then back to
// training mode.
double evaluate(Network& network, Workload& workload) {
  network.eval();
  double quality = nan;
  {
    c10::InferenceMode inference_mode;
    quality = workload.evaluate(network);
  }
  network.train();
  return quality;
}

struct TrainingLimits {
  double max_samples = 0;
  double max_seconds = 0;
};

// Trains `network` until the hardest tier, max_epochs or max_seconds,
// evaluating budget.evaluations_per_epoch times per epoch. Each stretch
// between evaluations is one probe measurement; evaluation is not measured.
void train_measured(Network& network, Workload& workload, const ModelEntry& entry,
                    const RunRequest& request, EnergyProbe& probe, RunResult& result) {
  const Budget& budget = request.budget;
  const std::size_t epoch = workload.epoch_samples();
  const std::size_t batch = static_cast<std::size_t>(std::max(1, entry.hyper.batch_size));
  const std::size_t stretch = std::max<std::size_t>(
      1, (epoch + budget.evaluations_per_epoch - 1) /
             static_cast<std::size_t>(std::max(1, budget.evaluations_per_epoch)));
  const TrainingLimits limits{budget.max_epochs * static_cast<double>(epoch), budget.max_seconds};

  torch::optim::Adam optimizer(network.parameters(),
                               torch::optim::AdamOptions(entry.hyper.learning_rate));
  std::mt19937_64 random(request.seed);
  network.train();
  warm_up(network, workload, entry.hyper, request.seed);

  std::size_t position = 0;    // within the current epoch
  double seen = 0;             // samples trained on
  double trained_seconds = 0;  // wall time of the training steps, for max_seconds
  while (seen < limits.max_samples && trained_seconds < limits.max_seconds) {
    if (position == 0) workload.start_epoch(random);
    const auto remaining = static_cast<std::size_t>(std::ceil(limits.max_samples - seen));
    const std::size_t stretch_end = std::min({position + stretch, epoch, position + remaining});
    const Cost cost = probe.measure([&] {
      const auto started = Clock::now();
      const double seconds_before = trained_seconds;
      while (position < stretch_end && trained_seconds < limits.max_seconds) {
        const std::size_t count = std::min(batch, stretch_end - position);
        train_step(network, workload, optimizer, entry.hyper,
                   workload.training_batch(position, count, random));
        position += count;
        seen += static_cast<double>(count);
        trained_seconds = seconds_before + seconds_since(started);
      }
    });
    result.training += cost;
    if (position >= epoch) position = 0;

    const double epochs = seen / static_cast<double>(epoch);
    check_disturbance(cost, fmt::format("training up to epoch {:.2f}", epochs), result);
    const double quality = evaluate(network, workload);
    result.curve.push_back({epochs, result.training.seconds, result.training.joules, quality});
    result.final_quality = quality;
    report(request,
           training_progress_share *
               std::max(seen / limits.max_samples, trained_seconds / limits.max_seconds),
           fmt::format("epoch {:.1f}/{:g} {}", epochs, budget.max_epochs,
                       quality_text(request.task, quality)));
    if (reached_last_tier(request.task, quality)) break;
  }
}

Shape fashion_shape(const FashionMnist& data) {
  Shape shape;
  shape.rows = static_cast<int>(data.train.rows);
  shape.cols = static_cast<int>(data.train.cols);
  shape.classes = 10;
  return shape;
}

Shape chars_shape(const CharCorpus& corpus) {
  Shape shape;
  shape.vocabulary = static_cast<int>(corpus.alphabet.size());
  return shape;
}

double parameter_count(Network& network) {
  double count = 0;
  for (const torch::Tensor& parameter : network.parameters()) {
    count += static_cast<double>(parameter.numel());
  }
  return count;
}

void set_threads(int threads) {
  if (threads > 0) torch::set_num_threads(threads);
}

RunResult run_network(const RunRequest& request, const ModelEntry& entry, const Shape& shape,
                      Workload& workload, EnergyProbe& probe) {
  RunResult result;
  result.task = entry.info.task;
  result.model = entry.info.name;
  result.seed = request.seed;
  set_threads(request.threads);
  torch::manual_seed(request.seed);
  const std::shared_ptr<Network> network = entry.build(entry.hyper, shape);
  result.parameters = parameter_count(*network);
  result.flops_per_sample = network->flops_per_sample();

  train_measured(*network, workload, entry, request, probe, result);
  result.inference = measure_inference(
      *network, workload, probe, request.budget, result,
      [&](double fraction, const std::string& text) {
        report(request, training_progress_share + (1 - training_progress_share) * fraction, text);
      });
  report(request, 1.0, quality_text(request.task, result.final_quality));
  return result;
}

// --- the n-gram baseline ----------------------------------------------------

// The n-gram "infers" a next-character distribution: one probability per
// alphabet entry given the previous order - 1 characters. It has no batched
// form, so a batch is the same lookups in a loop.
InferenceResult measure_ngram_inference(const KneserNey& model, std::span<const std::uint8_t> text,
                                        EnergyProbe& probe, const Budget& budget, int batch) {
  InferenceResult inference;
  inference.variant = "default";
  inference.batch = batch;
  inference.threads = 1;
  inference.note = "count lookups for the whole next-character distribution; no batched form";
  inference.quality = nan;
  if (text.size() < 2) {
    inference.supported = false;
    inference.note = "no held-out text";
    return inference;
  }
  const std::size_t context = model.order() - 1;
  const std::size_t vocabulary = model.vocabulary();
  const std::size_t predictable = text.size() - 1;
  // As for the networks: quality on the first inference_samples predictions.
  const std::size_t scored = std::clamp<std::size_t>(budget.inference_samples, 1, predictable);
  // P(the true next character) for prediction `index`, cycling through the text.
  auto predict = [&](std::size_t index) {
    const std::size_t target = 1 + index % predictable;
    const std::size_t from = target > context ? target - context : 0;
    const auto history = text.subspan(from, target - from);
    double truth = 0;
    for (std::size_t id = 0; id < vocabulary; ++id) {
      const double p = model.probability(history, static_cast<std::uint8_t>(id));
      if (id == text[target]) truth = p;
    }
    return truth;
  };
  std::size_t next = 0;
  double nats = 0;
  auto run_batch = [&](std::size_t) {
    for (int i = 0; i < batch; ++i, ++next) {
      const double p = predict(next);
      if (next < scored) nats -= std::log(p);
    }
  };
  run_batch(0);  // warm-up
  const std::size_t batches = batches_to_run(
      run_batch,
      static_cast<std::size_t>(std::ceil(static_cast<double>(budget.inference_samples) / batch)),
      budget.inference_min_seconds);
  next = 0;
  nats = 0;
  std::vector<double> latencies_ms;
  latencies_ms.reserve(batches);
  inference.cost = probe.measure([&] {
    for (std::size_t i = 0; i < batches; ++i) {
      const auto started = Clock::now();
      run_batch(i);
      latencies_ms.push_back(seconds_since(started) * 1e3);
    }
  });
  const auto middle = latencies_ms.begin() + static_cast<std::ptrdiff_t>(latencies_ms.size() / 2);
  std::nth_element(latencies_ms.begin(), middle, latencies_ms.end());
  inference.latency_ms = *middle;
  inference.samples = static_cast<double>(batches) * batch;
  inference.joules_per_1000 = inference.cost.joules / inference.samples * 1000;
  inference.quality = nats / static_cast<double>(std::min(scored, next)) / std::log(2.0);
  return inference;
}

RunResult run_ngram(const RunRequest& request, const ModelEntry& entry, const CharCorpus& corpus,
                    EnergyProbe& probe) {
  RunResult result;
  result.task = entry.info.task;
  result.model = entry.info.name;
  result.seed = request.seed;
  KneserNey model(static_cast<std::size_t>(entry.hyper.order), corpus.alphabet.size());
  // Counting is deterministic, so seeds only repeat the measurement. One
  // "epoch" is one pass over the whole training text (counting it twice would
  // change nothing); the budget's sequences per epoch do not apply.
  report(request, 0.0, "counting n-grams");
  result.training = probe.measure([&] { model.train(corpus.train); });
  check_disturbance(result.training, "counting n-grams", result);
  const std::span<const std::uint8_t> test(corpus.test.data(),
                                           evaluation_characters(corpus, request.budget));
  result.final_quality = model.bits_per_character(test);
  result.curve.push_back(
      {1.0, result.training.seconds, result.training.joules, result.final_quality});
  result.parameters = static_cast<double>(model.stored_ngrams());
  result.flops_per_sample = 0;  // lookups and a few additions; no multiply-adds to count
  report(request, training_progress_share,
         fmt::format("epoch 1/1 {}", quality_text(request.task, result.final_quality)));

  const int batches[] = {1, request.budget.large_batch};
  for (const int batch : batches) {
    result.inference.push_back(measure_ngram_inference(model, test, probe, request.budget, batch));
    check_disturbance(result.inference.back().cost, fmt::format("inference at batch {}", batch),
                      result);
  }
  report(request, 1.0, quality_text(request.task, result.final_quality));
  return result;
}

}  // namespace

std::unique_ptr<Workload> make_fashion_workload(const FashionMnist& data, const Budget& budget) {
  return std::make_unique<FashionWorkload>(data, budget);
}

std::unique_ptr<Workload> make_chars_workload(const CharCorpus& corpus, const Budget& budget,
                                              int context, std::size_t train_characters) {
  return std::make_unique<CharsWorkload>(corpus, budget, context, train_characters);
}

std::size_t evaluation_characters(const CharCorpus& corpus, const Budget& budget) {
  return limited(corpus.test.size(), budget.test_samples);
}

void check_disturbance(const Cost& cost, const std::string& measurement, RunResult& result) {
  const double cores = std::max(1u, std::thread::hardware_concurrency());
  const double available = cost.seconds * cores;
  // The machine's CPU time comes from /proc/stat in clock ticks (10 ms) per
  // core, so a 20 ms measurement could otherwise be flagged for one tick of
  // rounding: allow one tick per core at each end.
  const double tick_seconds = 1.0 / static_cast<double>(std::max(1L, sysconf(_SC_CLK_TCK)));
  const double rounding = 2 * cores * tick_seconds;
  if (available <= 0 ||
      cost.other_cpu_seconds <= disturbed_other_cpu_share * available + rounding) {
    return;
  }
  result.disturbed = true;
  result.warnings.push_back(fmt::format(
      "{}: other processes used {:.1f} CPU-s of the {:.1f} available ({:.0f}%, limit {:.0f}%)",
      measurement, cost.other_cpu_seconds, available, 100 * cost.other_cpu_seconds / available,
      100 * disturbed_other_cpu_share));
}

std::string error_message(const std::exception& error) {
  if (const auto* torch_error = dynamic_cast<const c10::Error*>(&error)) {
    return torch_error->what_without_backtrace();
  }
  return error.what();
}

}  // namespace engine

RunResult run_fashion_mnist(const RunRequest& request, const FashionMnist& data,
                            EnergyProbe& probe) {
  const engine::ModelEntry& entry = engine::find_model("fashion-mnist", request.model);
  const auto workload = engine::make_fashion_workload(data, request.budget);
  return engine::run_network(request, entry, engine::fashion_shape(data), *workload, probe);
}

RunResult run_austen_chars(const RunRequest& request, const CharCorpus& corpus,
                           EnergyProbe& probe) {
  const engine::ModelEntry& entry = engine::find_model("austen-chars", request.model);
  if (entry.kind == engine::Kind::kneser_ney)
    return engine::run_ngram(request, entry, corpus, probe);
  const auto workload = engine::make_chars_workload(corpus, request.budget, entry.hyper.context);
  return engine::run_network(request, entry, engine::chars_shape(corpus), *workload, probe);
}

ModelSize model_size(const std::string& task, const std::string& model, std::size_t vocabulary) {
  const engine::ModelEntry& entry = engine::find_model(task, model);
  if (entry.kind != engine::Kind::network) return {};
  engine::Shape shape;
  shape.vocabulary = static_cast<int>(vocabulary);
  const auto network = entry.build(entry.hyper, shape);
  return {engine::parameter_count(*network), network->flops_per_sample()};
}

TaskInfo fashion_mnist_task() {
  TaskInfo task;
  task.name = "fashion-mnist";
  task.metric = "accuracy";
  task.direction = Direction::higher_is_better;
  task.tiers = {0.84, 0.88, 0.91};
  task.tier_note =
      "fixed test accuracies: 0.84 is about what a linear model reaches, 0.91 needs a "
      "convolutional or attention model";
  return task;
}

TaskInfo austen_chars_task(double ngram_bits_per_char) {
  TaskInfo task;
  task.name = "austen-chars";
  task.metric = "bits/char";
  task.direction = Direction::lower_is_better;
  if (!(ngram_bits_per_char > 0)) {
    task.tiers = {0, 0};
    task.tier_note = "set from the n-gram baseline once it has run";
    return task;
  }
  task.tiers = {ngram_bits_per_char, 0.9 * ngram_bits_per_char};
  task.tier_note = fmt::format(
      "set from the 5-gram Kneser-Ney baseline on the held-out novel: its {:.3f} bits/char, and "
      "10% below it",
      ngram_bits_per_char);
  return task;
}

std::vector<double> smoke_train_fashion(const std::string& model, const FashionMnist& data,
                                        std::size_t steps, std::uint64_t seed) {
  const engine::ModelEntry& entry = engine::find_model("fashion-mnist", model);
  Budget budget;
  budget.train_samples = engine::smoke_images;
  budget.test_samples = 1;
  const auto workload = engine::make_fashion_workload(data, budget);
  torch::manual_seed(seed);
  const auto network = entry.build(entry.hyper, engine::fashion_shape(data));
  network->train();
  torch::optim::Adam optimizer(network->parameters(),
                               torch::optim::AdamOptions(entry.hyper.learning_rate));
  std::mt19937_64 random(seed);
  // The same slice every step: the loss must fall as the network fits it.
  const engine::Example slice = workload->training_batch(0, workload->epoch_samples(), random);
  std::vector<double> losses;
  for (std::size_t step = 0; step < steps; ++step) {
    losses.push_back(engine::train_step(*network, *workload, optimizer, entry.hyper, slice));
  }
  return losses;
}

std::vector<double> smoke_train_chars(const std::string& model, const CharCorpus& corpus,
                                      std::size_t steps, std::uint64_t seed) {
  const engine::ModelEntry& entry = engine::find_model("austen-chars", model);
  const std::size_t characters = std::min(corpus.train.size(), engine::smoke_characters);
  std::vector<double> losses;
  if (entry.kind == engine::Kind::kneser_ney) {
    // Counting more of the slice is the n-gram's training: its bits/char on
    // the whole slice falls as the counted prefix grows.
    const std::span<const std::uint8_t> slice(corpus.train.data(), characters);
    KneserNey ngram(static_cast<std::size_t>(entry.hyper.order), corpus.alphabet.size());
    for (std::size_t step = 1; step <= steps; ++step) {
      ngram.train(slice.first(characters * step / steps));
      losses.push_back(ngram.bits_per_character(slice));
    }
    return losses;
  }
  Budget budget;
  budget.train_samples = engine::smoke_sequences;
  budget.test_samples = 1;
  const int context = std::min(entry.hyper.context, engine::smoke_context);
  const auto workload = engine::make_chars_workload(corpus, budget, context, characters);
  torch::manual_seed(seed);
  const auto network = entry.build(entry.hyper, engine::chars_shape(corpus));
  network->train();
  torch::optim::Adam optimizer(network->parameters(),
                               torch::optim::AdamOptions(entry.hyper.learning_rate));
  std::mt19937_64 random(seed);
  for (std::size_t step = 0; step < steps; ++step) {
    const engine::Example batch = workload->training_batch(0, engine::smoke_sequences, random);
    losses.push_back(engine::train_step(*network, *workload, optimizer, entry.hyper, batch));
  }
  return losses;
}

}  // namespace joule::bench

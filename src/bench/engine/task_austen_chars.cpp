// austen-chars: the next character of Jane Austen's prose from the characters
// before it, scored by bits per character: on validation (the end of each
// training novel) while training, on a held-out novel once at the end. For training a
// sample is one sequence of `context` characters (128 by default) starting at
// a random offset of the training text; an epoch is budget.train_samples such
// sequences (0: as many as the training text holds). Evaluation and inference
// count characters: bits per character on the first budget.validation_samples
// of the validation text or budget.test_samples of the held-out novel (0: all,
// ~470k for the novel, which would make each evaluation cost more than a
// training stretch; the full benchmark uses 100k). The tiers are set from the
// n-gram baseline's validation score, so it always runs first.
#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <stdexcept>

#include "bench/engine/task.hpp"
#include "bench/engine/workload.hpp"
#include "bench/kneser_ney.hpp"

namespace joule::bench {
namespace {

using engine::evaluation_characters;
using engine::Example;
using engine::limited;
using engine::Network;
using engine::Score;
using engine::Split;
using engine::Workload;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kBaselineModel = "ngram";
// Evaluation batches of this many sequences.
constexpr std::int64_t kEvaluationBatchSequences = 32;
// Characters at the start of each evaluation chunk (after the first) that
// only warm up the context and are not scored: each scored character sees at
// least this much context, a quarter of the sequence length.
constexpr int kEvaluationWarmUpDivisor = 4;
// Training-loss smoke runs use this many sequences of at most this many
// characters, from this many characters of the training text.
constexpr std::size_t kSmokeSequences = 8;
constexpr int kSmokeContext = 32;
constexpr std::size_t kSmokeCharacters = 4096;

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

// A held-out text cut into overlapping chunks so that every scored character
// (after the first chunk's) has at least a quarter of the context before it;
// the first character of the text is context only.
struct ScoredText {
  ScoredText(torch::Tensor text, int context)
      : ids(std::move(text)),
        length(std::min<std::int64_t>(context, std::max<std::int64_t>(ids.size(0) - 1, 0))) {
    if (length < 1) return;
    const std::int64_t warm_up = length / kEvaluationWarmUpDivisor;
    const std::int64_t stride = std::max<std::int64_t>(1, length - warm_up);
    const std::int64_t last_start = ids.size(0) - length - 1;
    std::int64_t scored_until = 0;  // targets 1..scored_until are already scored
    for (std::int64_t start = 0;; start += stride) {
      start = std::min(start, last_start);
      chunks.push_back({start, std::max<std::int64_t>(0, scored_until - start)});
      scored_until = start + length;
      if (start == last_start) break;
    }
  }
  torch::Tensor ids;
  std::int64_t length = 0;
  std::vector<Chunk> chunks;
};

class CharsWorkload : public Workload {
 public:
  CharsWorkload(const CharCorpus& corpus, const Budget& budget, int context,
                std::size_t train_characters)
      : vocabulary_(static_cast<std::int64_t>(corpus.alphabet.size())),
        train_(id_tensor(corpus.train, limited(corpus.train.size(), train_characters))),
        validation_(
            id_tensor(corpus.validation, evaluation_characters(corpus, budget, Split::validation)),
            context),
        test_(id_tensor(corpus.test, evaluation_characters(corpus, budget, Split::test)), context),
        test_length_(test_.length) {
    if (train_.size(0) < 2) throw std::invalid_argument("austen-chars: training text too short");
    // Sequences never run past the text, however short it is.
    train_length_ = std::min<std::int64_t>(context, train_.size(0) - 1);
    epoch_sequences_ = budget.train_samples > 0 ? budget.train_samples
                                                : static_cast<std::size_t>(std::max<std::int64_t>(
                                                      1, (train_.size(0) - 1) / train_length_));
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

  double evaluate(Network& network, Split split) override {
    const ScoredText& text = split == Split::validation ? validation_ : test_;
    if (text.chunks.empty()) return kNaN;
    const std::int64_t length = text.length;
    const torch::Tensor positions = torch::arange(length + 1);
    double nats = 0;
    double scored = 0;
    for (std::size_t first = 0; first < text.chunks.size(); first += kEvaluationBatchSequences) {
      const std::size_t last =
          std::min(text.chunks.size(), first + static_cast<std::size_t>(kEvaluationBatchSequences));
      std::vector<std::int64_t> starts;
      std::vector<std::int64_t> first_scored;
      for (std::size_t i = first; i < last; ++i) {
        starts.push_back(text.chunks[i].start);
        first_scored.push_back(text.chunks[i].first_scored);
      }
      const torch::Tensor ids =
          text.ids.index({torch::tensor(starts, torch::kLong).unsqueeze(1) + positions});
      const torch::Tensor logits = network.forward(ids.narrow(1, 0, length)).to(torch::kFloat);
      const torch::Tensor losses = torch::nn::functional::cross_entropy(
          logits.reshape({-1, vocabulary_}), ids.narrow(1, 1, length).reshape({-1}),
          torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
      const torch::Tensor counted = torch::arange(length).unsqueeze(0).ge(
          torch::tensor(first_scored, torch::kLong).unsqueeze(1));
      nats += losses.view({-1, length}).masked_select(counted).sum().item<double>();
      scored += counted.sum().item<double>();
    }
    return nats / scored / std::log(2.0);
  }

  // Inference items: consecutive chunks overlapping by one id, every
  // position scored (context restarts at each chunk).
  std::size_t test_items() const override {
    if (test_length_ < 1) return 0;
    return static_cast<std::size_t>((test_.ids.size(0) - 1) / test_length_);
  }
  Example test_batch(std::size_t first, std::size_t count) const override {
    const auto items = static_cast<std::int64_t>(test_items());
    const torch::Tensor item =
        torch::arange(static_cast<std::int64_t>(first), static_cast<std::int64_t>(first + count))
            .remainder(items);
    const torch::Tensor ids =
        test_.ids.index({(item * test_length_).unsqueeze(1) + torch::arange(test_length_ + 1)});
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
    return score.predictions > 0 ? score.total / score.predictions / std::log(2.0) : kNaN;
  }

 private:
  std::int64_t vocabulary_;
  torch::Tensor train_;
  ScoredText validation_;
  ScoredText test_;
  std::int64_t test_length_ = 0;
  std::int64_t train_length_ = 0;
  std::size_t epoch_sequences_ = 0;
};

engine::Shape chars_shape(const CharCorpus& corpus) {
  engine::Shape shape;
  shape.vocabulary = static_cast<int>(corpus.alphabet.size());
  return shape;
}

TaskInfo austen_chars_definition(double ngram_bits_per_char) {
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
      "set from the 5-gram Kneser-Ney baseline on the validation text: its {:.3f} bits/char, and "
      "10% below it",
      ngram_bits_per_char);
  return task;
}

// Counting more of the slice is the n-gram's training: its bits/char on the
// whole slice falls as the counted prefix grows.
std::vector<double> smoke_count_ngrams(const engine::ModelEntry& entry, const CharCorpus& corpus,
                                       std::size_t characters, std::size_t steps) {
  const std::span<const std::uint8_t> slice(corpus.train.data(), characters);
  KneserNey ngram(static_cast<std::size_t>(entry.hyper.order), corpus.alphabet.size());
  std::vector<double> losses;
  for (std::size_t step = 1; step <= steps; ++step) {
    ngram.train(slice.first(characters * step / steps));
    losses.push_back(ngram.bits_per_character(slice));
  }
  return losses;
}

class AustenCharsTask final : public Task {
 public:
  AustenCharsTask() : Task(austen_chars_definition(0)) {}

  // Sequences per epoch and held-out characters: the whole held-out novel
  // (~470k characters) would make every evaluation cost more than training.
  // Full mode's epochs are short enough (5,000 windows, about 50 s for the
  // LSTM on two cores) that a 30 s trial still yields points on its curve.
  Budget budget(bool quick) const override {
    Budget budget;
    budget.train_samples = quick ? 2000 : 5000;
    budget.validation_samples = quick ? 20000 : 50000;
    budget.test_samples = quick ? 20000 : 100000;
    budget.max_epochs = quick ? 2 : 10;
    budget.max_training_time = Seconds{30.0};
    budget.evaluations_per_epoch = 2;
    budget.inference_samples = quick ? 2000 : 10000;
    budget.large_batch = 256;
    return budget;
  }

  TaskData load(const BenchOptions& options, const Budget& /*budget*/) const override {
    return make_char_corpus(load_austen(options.austen_rdb));
  }

  std::vector<std::string> baselines() const override { return {kBaselineModel}; }

  // The first baseline run sets the tiers: its bits/char, and 10% below it.
  std::optional<TaskInfo> tiers_after(const TaskInfo& current,
                                      const RunResult& run) const override {
    if (run.model != kBaselineModel || current.tiers.empty() || current.tiers.front() != 0) {
      return std::nullopt;
    }
    return austen_chars_definition(run.final_quality);
  }

  RunResult run(const RunRequest& request, const TaskData& data,
                EnergyProbe& probe) const override {
    const auto& corpus = std::any_cast<const CharCorpus&>(data);
    const engine::ModelEntry& entry = engine::find_model(name(), request.model);
    if (entry.kind == engine::Kind::kneser_ney) {
      return engine::run_ngram(request, entry, corpus, probe);
    }
    CharsWorkload workload(corpus, request.budget, entry.hyper.context, 0);
    return engine::run_network(request, entry, chars_shape(corpus), workload, probe);
  }

  std::vector<double> smoke_train(const std::string& model, const TaskData& data, std::size_t steps,
                                  std::uint64_t seed) const override {
    const auto& corpus = std::any_cast<const CharCorpus&>(data);
    const engine::ModelEntry& entry = engine::find_model(name(), model);
    const std::size_t characters = std::min(corpus.train.size(), kSmokeCharacters);
    if (entry.kind == engine::Kind::kneser_ney) {
      return smoke_count_ngrams(entry, corpus, characters, steps);
    }
    Budget budget;
    budget.train_samples = kSmokeSequences;
    budget.validation_samples = 1;
    budget.test_samples = 1;
    const int context = std::min(entry.hyper.context, kSmokeContext);
    CharsWorkload workload(corpus, budget, context, characters);
    return engine::smoke_train_network(entry, chars_shape(corpus), workload, steps, seed,
                                       [&](std::mt19937_64& random) {
                                         return workload.training_batch(0, kSmokeSequences, random);
                                       });
  }
};

}  // namespace

std::unique_ptr<const Task> make_austen_chars_task() {
  return std::make_unique<AustenCharsTask>();
}

}  // namespace joule::bench

// The training loop shared by every task: a network trained on a task's
// Workload with its quality curve measured, then its inference; the
// count-based n-gram's run; and the smoke-training the tests use. The tasks
// themselves (their data, workloads and tiers) are the task_*.cpp files.
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

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Share of the progress bar that training takes; inference takes the rest.
constexpr double kTrainingProgressShare = 0.8;

Seconds seconds_since(Clock::time_point start) {
  return seconds_between(start, Clock::now());
}

// --- the training loop ------------------------------------------------------

bool meets(double quality, double tier, Direction direction) {
  return direction == Direction::higher_is_better ? quality >= tier : quality <= tier;
}

bool better(double quality, double other, Direction direction) {
  return direction == Direction::higher_is_better ? quality > other : quality < other;
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

// Quality on `split`, unmeasured: eval mode and no autograd graph, then back
// to training mode.
double evaluate(Network& network, Workload& workload, Split split) {
  network.eval();
  double quality = kNaN;
  {
    c10::InferenceMode inference_mode;
    quality = workload.evaluate(network, split);
  }
  network.train();
  return quality;
}

struct TrainingLimits {
  double max_samples = 0;
  Seconds max_time;
};

// Validation qualities seen so far, for early stopping.
class Plateau {
 public:
  Plateau(Direction direction, int patience) : direction_(direction), patience_(patience) {}
  // True once `patience` evaluations in a row brought no new best.
  bool add(double quality) {
    if (std::isfinite(quality) && (!std::isfinite(best_) || better(quality, best_, direction_))) {
      best_ = quality;
      since_best_ = 0;
      return false;
    }
    return patience_ > 0 && ++since_best_ >= patience_;
  }

 private:
  Direction direction_;
  int patience_;
  double best_ = kNaN;
  int since_best_ = 0;
};

// One network trained at one learning rate: what the run reports when it is
// the one kept.
struct Trial {
  std::shared_ptr<Network> network;
  double learning_rate = 0;
  std::vector<CurvePoint> curve;
  Cost training;
  double quality = kNaN;
  StopReason stopped_by = StopReason::epoch_cap;
};

// Trains `trial.network` until the hardest tier, a validation plateau,
// max_epochs or max_training_time, evaluating on validation
// budget.evaluations_per_epoch times per epoch. Each stretch between
// evaluations is one probe measurement; evaluation is not measured.
// `progress(fraction, text)` with fraction in [0, 1] of this trial.
void train_measured(Trial& trial, Workload& workload, const ModelEntry& entry,
                    const RunRequest& request, EnergyProbe& probe, RunResult& result,
                    const std::function<void(double, const std::string&)>& progress) {
  Network& network = *trial.network;
  const Budget& budget = request.budget;
  const std::size_t epoch = workload.epoch_samples();
  const std::size_t batch = static_cast<std::size_t>(std::max(1, entry.hyper.batch_size));
  const std::size_t stretch = std::max<std::size_t>(
      1, (epoch + budget.evaluations_per_epoch - 1) /
             static_cast<std::size_t>(std::max(1, budget.evaluations_per_epoch)));
  const TrainingLimits limits{budget.max_epochs * static_cast<double>(epoch),
                              budget.max_training_time};

  torch::optim::Adam optimizer(network.parameters(),
                               torch::optim::AdamOptions(trial.learning_rate));
  std::mt19937_64 random(request.seed);
  network.train();
  warm_up(network, workload, entry.hyper, request.seed);
  Plateau plateau(request.task.direction, budget.patience);

  std::size_t position = 0;  // within the current epoch
  double seen = 0;           // samples trained on
  Seconds trained;           // wall time of the training steps, for max_training_time
  trial.stopped_by = StopReason::epoch_cap;
  while (true) {
    if (seen >= limits.max_samples) break;
    if (trained >= limits.max_time) {
      trial.stopped_by = StopReason::time_cap;
      break;
    }
    if (position == 0) workload.start_epoch(random);
    const auto remaining = static_cast<std::size_t>(std::ceil(limits.max_samples - seen));
    const std::size_t stretch_end = std::min({position + stretch, epoch, position + remaining});
    const Cost cost = probe.measure([&] {
      const auto started = Clock::now();
      const Seconds before = trained;
      while (position < stretch_end && trained < limits.max_time) {
        const std::size_t count = std::min(batch, stretch_end - position);
        train_step(network, workload, optimizer, entry.hyper,
                   workload.training_batch(position, count, random));
        position += count;
        seen += static_cast<double>(count);
        trained = before + seconds_since(started);
      }
    });
    trial.training += cost;
    if (position >= epoch) position = 0;

    const double epochs = seen / static_cast<double>(epoch);
    check_disturbance(cost, fmt::format("training up to epoch {:.2f}", epochs), result);
    const double quality = evaluate(network, workload, Split::validation);
    trial.curve.push_back({epochs, trial.training.duration, trial.training.energy, quality});
    trial.quality = quality;
    progress(std::max(seen / limits.max_samples, trained / limits.max_time),
             fmt::format("epoch {:.1f}/{:g} {}", epochs, budget.max_epochs,
                         quality_text(request.task, quality)));
    if (reached_last_tier(request.task, quality)) {
      trial.stopped_by = StopReason::last_tier;
      break;
    }
    if (plateau.add(quality)) {
      trial.stopped_by = StopReason::plateau;
      break;
    }
  }
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

// The better of two trials on validation; on equal quality the cheaper. A
// trial without a quality never wins.
bool better_trial(const Trial& candidate, const Trial& kept, Direction direction) {
  if (!std::isfinite(candidate.quality)) return false;
  if (!std::isfinite(kept.quality)) return true;
  if (candidate.quality != kept.quality) return better(candidate.quality, kept.quality, direction);
  return candidate.training.energy < kept.training.energy;
}

// Trains one network per learning-rate factor from the same initial weights
// (the same seed), keeps the best on validation, and charges the others to
// result.tuning.
Trial tune_and_train(const RunRequest& request, const ModelEntry& entry, const Shape& shape,
                     Workload& workload, EnergyProbe& probe, RunResult& result) {
  std::vector<double> factors = request.budget.learning_rate_factors;
  if (factors.empty()) factors = {1.0};
  std::vector<Trial> trials;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < factors.size(); ++i) {
    Trial trial;
    trial.learning_rate = entry.hyper.learning_rate * factors[i];
    torch::manual_seed(request.seed);
    trial.network = entry.build(entry.hyper, shape);
    const std::string tuning_label =
        factors.size() > 1
            ? fmt::format("lr {:g} ({}/{}) ", trial.learning_rate, i + 1, factors.size())
            : "";
    train_measured(trial, workload, entry, request, probe, result,
                   [&](double fraction, const std::string& text) {
                     report(request,
                            kTrainingProgressShare * (static_cast<double>(i) + fraction) /
                                static_cast<double>(factors.size()),
                            tuning_label + text);
                   });
    trials.push_back(std::move(trial));
    if (i > 0 && better_trial(trials.back(), trials[kept], request.task.direction)) kept = i;
    // Only the best network so far is needed after its trial.
    for (std::size_t j = 0; j + 1 < trials.size(); ++j) {
      if (j != kept) trials[j].network.reset();
    }
  }
  for (std::size_t i = 0; i < trials.size(); ++i) {
    if (factors.size() > 1) {
      result.tuning_trials.push_back({trials[i].learning_rate, trials[i].quality,
                                      trials[i].training, trials[i].stopped_by, i == kept});
    }
    if (i != kept) result.tuning += trials[i].training;
  }
  return std::move(trials[kept]);
}

}  // namespace

RunResult run_network(const RunRequest& request, const ModelEntry& entry, const Shape& shape,
                      Workload& workload, EnergyProbe& probe) {
  RunResult result;
  result.task = entry.info.task;
  result.model = entry.info.name;
  result.family = entry.info.family;
  result.seed = request.seed;
  set_threads(request.threads);
  Trial trial = tune_and_train(request, entry, shape, workload, probe, result);
  Network& network = *trial.network;
  result.parameters = parameter_count(network);
  result.flops_per_sample = network.flops_per_sample();
  result.curve = std::move(trial.curve);
  result.training = trial.training;
  result.final_quality = trial.quality;
  result.stopped_by = trial.stopped_by;
  result.learning_rate = trial.learning_rate;
  result.test_quality = evaluate(network, workload, Split::test);

  result.inference = measure_inference(
      network, workload, probe, request.budget, result,
      [&](double fraction, const std::string& text) {
        report(request, kTrainingProgressShare + (1 - kTrainingProgressShare) * fraction, text);
      });
  report(request, 1.0, quality_text(request.task, result.final_quality));
  return result;
}

// --- the n-gram baseline ----------------------------------------------------

namespace {

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
  inference.quality = kNaN;
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
      budget.inference_min_time);
  next = 0;
  nats = 0;
  std::vector<double> latencies_ms;
  latencies_ms.reserve(batches);
  inference.cost = probe.measure([&] {
    for (std::size_t i = 0; i < batches; ++i) {
      const auto started = Clock::now();
      run_batch(i);
      latencies_ms.push_back(seconds_since(started).seconds * 1e3);
    }
  });
  const auto middle = latencies_ms.begin() + static_cast<std::ptrdiff_t>(latencies_ms.size() / 2);
  std::nth_element(latencies_ms.begin(), middle, latencies_ms.end());
  inference.latency_ms = *middle;
  inference.samples = static_cast<double>(batches) * batch;
  inference.energy_per_1000 = inference.cost.energy / inference.samples * 1000;
  inference.quality = nats / static_cast<double>(std::min(scored, next)) / std::log(2.0);
  return inference;
}

}  // namespace

RunResult run_ngram(const RunRequest& request, const ModelEntry& entry, const CharCorpus& corpus,
                    EnergyProbe& probe) {
  RunResult result;
  result.task = entry.info.task;
  result.model = entry.info.name;
  result.family = entry.info.family;
  result.seed = request.seed;
  KneserNey model(static_cast<std::size_t>(entry.hyper.order), corpus.alphabet.size());
  // Counting is deterministic, so seeds only repeat the measurement. One
  // "epoch" is one pass over the whole training text (counting it twice would
  // change nothing); the budget's sequences per epoch do not apply.
  report(request, 0.0, "counting n-grams");
  result.training = probe.measure([&] { model.train(corpus.train); });
  check_disturbance(result.training, "counting n-grams", result);
  const std::span<const std::uint8_t> validation(
      corpus.validation.data(), evaluation_characters(corpus, request.budget, Split::validation));
  const std::span<const std::uint8_t> test(
      corpus.test.data(), evaluation_characters(corpus, request.budget, Split::test));
  result.final_quality = model.bits_per_character(validation);
  result.test_quality = model.bits_per_character(test);
  result.stopped_by = StopReason::single_pass;
  result.curve.push_back(
      {1.0, result.training.duration, result.training.energy, result.final_quality});
  result.parameters = static_cast<double>(model.stored_ngrams());
  result.flops_per_sample = 0;  // lookups and a few additions; no multiply-adds to count
  report(request, kTrainingProgressShare,
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

std::vector<double> smoke_train_network(
    const ModelEntry& entry, const Shape& shape, Workload& workload, std::size_t steps,
    std::uint64_t seed, const std::function<Example(std::mt19937_64&)>& batch_for_step) {
  torch::manual_seed(seed);
  const auto network = entry.build(entry.hyper, shape);
  network->train();
  torch::optim::Adam optimizer(network->parameters(),
                               torch::optim::AdamOptions(entry.hyper.learning_rate));
  std::mt19937_64 random(seed);
  std::vector<double> losses;
  for (std::size_t step = 0; step < steps; ++step) {
    losses.push_back(
        train_step(*network, workload, optimizer, entry.hyper, batch_for_step(random)));
  }
  return losses;
}

std::size_t evaluation_characters(const CharCorpus& corpus, const Budget& budget, Split split) {
  return split == Split::validation ? limited(corpus.validation.size(), budget.validation_samples)
                                    : limited(corpus.test.size(), budget.test_samples);
}

void check_disturbance(const Cost& cost, const std::string& measurement, RunResult& result) {
  const double cores = std::max(1u, std::thread::hardware_concurrency());
  const Seconds available = cost.duration * cores;
  // The machine's CPU time comes from /proc/stat in clock ticks (10 ms) per
  // core, so a 20 ms measurement could otherwise be flagged for one tick of
  // rounding: allow one tick per core at each end.
  const Seconds tick{1.0 / static_cast<double>(std::max(1L, sysconf(_SC_CLK_TCK)))};
  const Seconds rounding = tick * (2 * cores);
  if (available <= Seconds{0} ||
      cost.other_cpu_time <= available * kDisturbedOtherCpuShare + rounding) {
    return;
  }
  result.disturbed = true;
  result.warnings.push_back(fmt::format(
      "{}: other processes used {:.1f} CPU-s of the {:.1f} available ({:.0f}%, limit {:.0f}%)",
      measurement, cost.other_cpu_time.seconds, available.seconds,
      cost.other_cpu_time * 100 / available, 100 * kDisturbedOtherCpuShare));
}

std::string error_message(const std::exception& error) {
  if (const auto* torch_error = dynamic_cast<const c10::Error*>(&error)) {
    return torch_error->what_without_backtrace();
  }
  return error.what();
}

}  // namespace engine

ModelSize model_size(const std::string& task, const std::string& model, std::size_t vocabulary) {
  const engine::ModelEntry& entry = engine::find_model(task, model);
  if (entry.kind != engine::Kind::network) return {};
  engine::Shape shape;
  shape.vocabulary = static_cast<int>(vocabulary);
  const auto network = entry.build(entry.hyper, shape);
  return {engine::parameter_count(*network), network->flops_per_sample()};
}

}  // namespace joule::bench

#pragma once
// The LibTorch side of joule bench, behind a header that does not include
// torch: only src/bench/engine/*.cpp compile against LibTorch (each such
// translation unit costs ~16 s and ~1 GB to build).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/data.hpp"
#include "bench/results.hpp"

namespace joule::bench {

// Measures one stretch of work: energy, time and the machine's other CPU use.
// Implemented outside the engine (probe.cpp, on joule's meter) so that the
// engine knows nothing about sensors.
class EnergyProbe {
 public:
  virtual ~EnergyProbe() = default;
  virtual Cost measure(const std::function<void()>& work) = 0;
};

struct RuntimeInfo {
  std::string torch_version;
  std::string blas;  // the BLAS library actually mapped into the process, from /proc/self/maps
  int threads = 0;   // intra-op threads after configuration
  std::string omp_wait_policy;
  bool bfloat16_fast = false;  // the CPU has native bf16 (avx512_bf16 or amx_bf16)
  bool int8_dynamic = false;   // quantized::linear_dynamic is available
};

// Sets the thread count (0: every core), a passive OpenMP wait policy and
// malloc thresholds that keep activation buffers from being returned to the OS
// (inference speed otherwise flips several-fold between runs). Call once,
// before any LibTorch work; OMP_WAIT_POLICY only takes effect if set before
// the OpenMP runtime starts, so main() calls prepare_process_environment() first.
void prepare_process_environment();
RuntimeInfo configure_runtime(int threads);

// The CPU computes bfloat16 natively (avx512_bf16 or amx_bf16 in /proc/cpuinfo).
bool cpu_has_native_bfloat16();

struct ModelInfo {
  std::string name;  // "mlp"
  std::string task;  // "fashion-mnist"
  std::string
      family;  // "dense", "convolutional", "recurrent", "attention", "linear", "count-based"
  std::string description;  // "784-256-10 ReLU"
  std::string citation;     // where the architecture comes from
};

// Every registered model, in table order.
const std::vector<ModelInfo>& registered_models();

// Parameters and forward FLOPs per sample (an image, or a predicted
// character) of a registered model with its default hyper-parameters, from
// the architecture alone; `vocabulary` is the alphabet size for austen-chars.
// The n-gram's size depends on its training text: 0 here. Throws
// std::invalid_argument for an unknown model.
struct ModelSize {
  double parameters = 0;
  double flops_per_sample = 0;
};
ModelSize model_size(const std::string& task, const std::string& model, std::size_t vocabulary = 0);

// How much work one run does. The defaults are the full benchmark; quick mode
// shrinks data and epochs.
struct Budget {
  std::size_t train_samples = 0;       // 0: the whole training split
  std::size_t validation_samples = 0;  // 0: the whole validation split
  std::size_t test_samples = 0;        // 0: the whole test split
  double max_epochs = 10;              // training stops here, or earlier at the last tier
  Seconds max_training_time{600};      // per model and seed, training only
  int evaluations_per_epoch = 2;       // points on the quality curve (on validation)
  // Early stopping: training ends after this many evaluations without a new
  // best validation quality (0: never).
  int patience = 4;
  // Equal tuning: each network trains once per factor, at its default
  // learning rate times the factor, and the best on validation is kept. The
  // driver sets it from the mode (kFullModeLearningRateFactors, or {1}).
  std::vector<double> learning_rate_factors = {1.0};
  std::size_t inference_samples = 2000;  // per inference configuration
  int large_batch = 256;
  bool variants = true;  // measure the hidden-cost variants
  // Each inference configuration runs at least this long (more batches than
  // inference_samples when needed), so that short ones are still measurable.
  Seconds inference_min_time{0.5};
};

// The tuning every family gets in full mode: half, once and twice its default
// learning rate. Quick mode does not tune.
inline const std::vector<double> kFullModeLearningRateFactors = {0.5, 1.0, 2.0};

// Seeds per model when --seeds is not given.
inline constexpr int kFullModeSeeds = 3;
inline constexpr int kQuickModeSeeds = 1;

// What the full benchmark may spend training at its caps, every model of every
// task, seed and learning rate at its time cap: its budgets are sized so that
// the published run fits a two-core machine (docs/bench.md, Durations).
inline constexpr Seconds kFullModeTrainingCeiling{90.0 * 60.0};

// A measurement is disturbed (RunResult::disturbed, with a warning naming it)
// when other processes used more than this share of the machine's CPU time
// during it: other_cpu_time > share x duration x cores, plus two clock ticks
// per core for the rounding of /proc/stat.
inline constexpr double kDisturbedOtherCpuShare = 0.10;

// One model, one seed (Task::run in task.hpp): train while recording the
// validation quality curve (stopping once the hardest tier is met, validation
// stops improving, or the budget runs out), once per learning-rate factor
// when tuning; score the kept network once on the test split; then measure
// inference at batch 1 and at the large batch, then each hidden-cost variant. `progress(fraction,
// text)` is called now and then.
struct RunRequest {
  std::string model;
  std::uint64_t seed = 0;
  int threads = 0;
  Budget budget;
  TaskInfo task;
  std::function<void(double, const std::string&)> progress;
};

}  // namespace joule::bench

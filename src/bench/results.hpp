#pragma once
// What one benchmark run produces. Plain values, no LibTorch: the engine
// fills them, the analysis and the reports read them.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "joule/units.hpp"

namespace joule::bench {

// Energy and time of one measured stretch of work, with what else the machine
// did meanwhile (so that a disturbed measurement is flagged, not published).
struct Cost {
  Joules energy;
  Seconds duration;
  double relative_uncertainty = 0;  // of energy, from the sensors
  Joules idle_energy;               // idle power x duration: the part a switched-off job still pays
  Seconds self_cpu_time;            // this process
  Seconds other_cpu_time;           // every other process on the machine
  Cost& operator+=(const Cost& other);
};

enum class Direction { higher_is_better, lower_is_better };

struct TaskInfo {
  std::string name;    // "fashion-mnist", "austen-chars"
  std::string metric;  // "accuracy", "bits/char"
  Direction direction = Direction::higher_is_better;
  std::vector<double> tiers;  // quality targets, easiest first
  std::string tier_note;      // how the tiers were set, printed with them
};

// One evaluation during training: quality after this much training.
struct CurvePoint {
  double epochs = 0;   // fractional epochs of training data seen
  Seconds duration;    // training time so far (evaluation excluded)
  Joules energy;       // training energy so far (evaluation excluded)
  double quality = 0;  // accuracy or bits/char on the validation split
};

// Inference cost under one configuration of the trained model.
struct InferenceResult {
  std::string variant;   // "default", "threads=1", "channels-last", "bfloat16", "int8-dynamic",
                         // "torchscript", ...
  std::string baseline;  // the variant it is a ratio against ("" for the baselines themselves)
  int batch = 1;
  int threads = 1;
  bool supported = true;
  std::string note;  // why unsupported, or what the variant changed
  double samples = 0;
  Joules energy_per_1000;  // per 1,000 samples
  double latency_ms = 0;   // median wall time of one batch
  // On the test inputs it ran on, under this variant: a check that the variant
  // keeps the model's answers, never used to choose anything (NaN if not measured).
  double quality = 0;
  Cost cost;
};

// Why training ended. The first two mean the model stopped it; the caps mean
// the budget did, while the model was still improving on validation.
enum class StopReason {
  last_tier,    // the hardest tier was met on validation
  plateau,      // no validation gain in Budget::patience evaluations (early stopping)
  single_pass,  // a model trained in one pass (the n-gram's counting): more budget changes nothing
  epoch_cap,    // Budget::max_epochs
  time_cap,     // Budget::max_training_time
  unknown,      // read from results.json format 1, which did not record it
};

// "epoch_cap": stable names for results.json; nullopt for an unknown name.
std::string stop_reason_name(StopReason reason);
std::optional<StopReason> parse_stop_reason(const std::string& name);
// True for the caps: the budget ended training, not the model.
bool stopped_by_budget(StopReason reason);
// True for a plateau or a one-pass model: the model ended training.
bool stopped_by_model(StopReason reason);

// One learning rate tried during tuning (RunResult::tuning_trials).
struct TuningTrial {
  double learning_rate = 0;
  double quality = 0;  // final validation quality
  Cost training;
  StopReason stopped_by = StopReason::epoch_cap;
  bool chosen = false;  // the trial whose network the run reports
};

struct RunResult {
  std::string task;
  std::string model;
  // The model's family in the registry ("dense", "recurrent", ...): what the
  // matched-quality comparison groups by. Empty when unknown.
  std::string family;
  std::uint64_t seed = 0;
  double parameters = 0;
  double flops_per_sample = 0;  // forward pass, from the architecture
  std::vector<CurvePoint> curve;
  Cost training;
  double final_quality = 0;  // on the validation split, after the last training stretch
  // The trained network scored once on the test split, after training and
  // any tuning; nothing is chosen from it. NaN when there is no test data.
  double test_quality = std::numeric_limits<double>::quiet_NaN();
  StopReason stopped_by = StopReason::epoch_cap;
  double learning_rate = 0;  // the one the reported network trained with (0: none, the n-gram)
  // Equal tuning (full mode): every learning rate tried, the chosen one
  // included, and the training cost of the others. Empty and zero without tuning.
  std::vector<TuningTrial> tuning_trials;
  Cost tuning;
  std::vector<InferenceResult> inference;
  bool disturbed = false;  // other processes used too much CPU during a measurement
  std::vector<std::string> warnings;
  // The piece of work this run was: the machine it ran on ("host (CPU, N
  // logical cores)") and its wall time from start to finish, tuning,
  // evaluation and inference included.
  std::string machine;
  Seconds wall_duration;
};

// Where a run first met a quality target.
struct TierReach {
  Joules energy;
  Seconds duration;
  double epochs = 0;
};

// The first evaluation point meeting `tier`; nullopt when none does (never
// extrapolated, never given a worse number).
std::optional<TierReach> reach_tier(const std::vector<CurvePoint>& curve, double tier,
                                    Direction direction);

}  // namespace joule::bench

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
  double quality = 0;  // accuracy or bits/char on the test split
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
  double quality = 0;      // on the test split under this variant (NaN if not measured)
  Cost cost;
};

struct RunResult {
  std::string task;
  std::string model;
  std::uint64_t seed = 0;
  double parameters = 0;
  double flops_per_sample = 0;  // forward pass, from the architecture
  std::vector<CurvePoint> curve;
  Cost training;
  double final_quality = 0;
  // The task's test split, scored once after training while the curve,
  // the tiers and early stopping read only its validation split; NaN for a
  // task without a separate test split.
  double test_quality = std::numeric_limits<double>::quiet_NaN();
  // Why training ended: "hardest tier", "plateau" (the model: no validation
  // gain for the budget's patience), "time cap" or "epoch cap" (the budget);
  // empty for a model that is counted, not trained.
  std::string stopped_by;
  std::vector<InferenceResult> inference;
  bool disturbed = false;  // other processes used too much CPU during a measurement
  std::vector<std::string> warnings;
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

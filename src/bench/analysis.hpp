#pragma once
// From per-seed runs to the published comparison: medians with bootstrap
// intervals, energy-to-target per tier, the Pareto front of quality against
// energy, and the one-sentence verdict per task.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/results.hpp"

namespace joule::bench {

struct Interval {
  double median = 0;
  double low = 0;     // 2.5th percentile of the bootstrap medians
  double high = 0;    // 97.5th
  std::size_t n = 0;  // values it was computed from
};

// Median of `values` and a percentile-bootstrap 95% interval (deterministic
// for a given `seed`: std::mt19937_64 and integer draws only, so the same on
// every platform). One value gives low = median = high. NaN and infinite
// values are left out (a failed measurement is not a figure); with none left
// the result is n = 0 and NaN median, low and high, which the reports print
// as "n/a" and JSON as null. The interval is widened, if ever needed, to
// contain the median.
Interval bootstrap_median(const std::vector<double>& values, std::size_t resamples = 2000,
                          std::uint64_t seed = 1);

// The ratio of two medians, median(numerator) / median(denominator), with a
// percentile-bootstrap 95% interval that resamples both sides independently
// (two models' seeds are independent runs). Non-finite values are left out,
// as in bootstrap_median; n counts the numerator's values, and either side
// empty (or a zero denominator median) gives n = 0 and NaN.
Interval bootstrap_ratio(const std::vector<double>& numerator,
                         const std::vector<double>& denominator, std::size_t resamples = 2000,
                         std::uint64_t seed = 1);

struct TierSummary {
  double tier = 0;
  std::size_t seeds_reached = 0;  // of ModelSummary::seeds
  // Of the seeds that missed it, how many the budget stopped (epoch or time
  // cap while still improving) and how many the model did (a validation
  // plateau, or a one-pass model): StopReason of each run.
  std::size_t missed_by_budget = 0;
  std::size_t missed_by_model = 0;
  std::optional<Interval> joules;  // over the seeds that reached it; nullopt if none did
  std::optional<Interval> seconds;
  std::optional<Interval> epochs;
  // Per seed that reached it, in run order: what ratios between models resample.
  std::vector<double> seed_joules;
  std::vector<double> seed_seconds;
};

struct ModelSummary {
  std::string model;
  std::string family;     // RunResult::family of its runs; empty when unknown
  std::size_t seeds = 0;  // runs the figures come from (see disturbed_runs)
  double parameters = 0;
  double flops_per_sample = 0;
  Interval quality;          // final quality on validation
  Interval test_quality;     // the same networks scored once on test
  Interval training_joules;  // total training energy
  Interval training_seconds;
  // Equal tuning: the training energy of the learning rates not kept;
  // nullopt when no run of the model was tuned (quick mode).
  std::optional<Interval> tuning_joules;
  Interval wall_seconds;  // each run's whole duration (a piece of resumable work)
  // Every run of the model (disturbed ones included) as the piece of work it
  // was, in order of appearance.
  struct Piece {
    std::uint64_t seed = 0;
    std::string machine;
    Seconds wall;
  };
  std::vector<Piece> pieces;
  double idle_share = 0;  // idle part of the training energy (median; NaN if no energy)
  std::vector<TierSummary> tiers;
  // Inference at batch 1 and at the large batch ("default" variants), J per
  // 1,000 samples, and the median wall time of one batch-1 call. The large
  // batch is the largest batch a "default" variant ran at; with only batch 1,
  // inference_batch_j_per_1000 is nullopt and large_batch 0.
  std::optional<Interval> inference_batch1_j_per_1000;
  std::optional<Interval> inference_batch_j_per_1000;
  std::optional<Interval> latency_batch1_ms;
  int large_batch = 0;
  // Each hidden-cost variant (an InferenceResult with a non-empty baseline) as
  // a ratio against its baseline: the InferenceResult named `baseline` at the
  // same batch, or at batch 1 when the baseline was not run at that batch (a
  // batch-size variant). Per seed, then the median over seeds; NaN when no
  // seed had both. One entry per (variant, batch), in order of first appearance.
  struct VariantRatio {
    std::string variant;
    std::string baseline;
    int batch = 1;
    int baseline_batch = 0;    // the batch the baseline ran at (0: none measured)
    bool supported = true;     // false when no seed could run it
    std::string note;          // why unsupported, or what the variant changed
    double energy_ratio = 0;   // variant J/1000 over baseline J/1000
    double latency_ratio = 0;  // variant latency over baseline latency (per batch)
    std::size_t n = 0;         // seeds with both measured
  };
  std::vector<VariantRatio> variants;
  // Runs flagged as disturbed (other processes used the CPU). They are left
  // out of every figure above when the model has undisturbed runs; when every
  // run was disturbed the figures come from them and figures_disturbed is set,
  // so that the reports flag them rather than publish them as clean.
  std::size_t disturbed_runs = 0;
  bool figures_disturbed = false;
};

// One model's energy and time to a tier as a ratio against a reference
// model's energy and time to the same tier: the comparison at matched quality.
struct MatchedRatio {
  std::string model;
  std::string reference;
  double tier = 0;
  std::size_t seeds = 0;          // the model's
  std::size_t seeds_reached = 0;  // of those, the ones that met the tier
  // Who stopped the seeds that missed it (TierSummary's counts).
  std::size_t missed_by_budget = 0;
  std::size_t missed_by_model = 0;
  // Over the seeds of both that reached the tier (bootstrap_ratio); nullopt
  // when no seed of the model did.
  std::optional<Interval> energy;
  std::optional<Interval> time;
  // When no seed of the model reached the tier: its median training energy
  // over the reference's median energy to the tier. Training that stopped
  // short of the tier spent at least this, so the ratio is at least this.
  // Left out when it is not above 1, where it bounds nothing.
  std::optional<double> energy_floor;
};

// The comparison at matched quality, per tier.
struct MatchedQuality {
  // Every other model against the cheapest to reach the tier (the lowest
  // median energy to it), per tier that some model reached.
  std::vector<MatchedRatio> against_cheapest;
  // The essays' claim: each recurrent model against each dense one, at every
  // tier the dense model reached. Empty when a family is missing.
  std::vector<MatchedRatio> recurrent_against_dense;
};

// From ranked model summaries and their tiers (`tiers` as in TaskInfo).
MatchedQuality matched_quality(const std::vector<ModelSummary>& models,
                               const std::vector<double>& tiers);

struct TaskSummary {
  TaskInfo task;
  // Ranked on total training energy: the median of Cost::joules, idle share
  // included (as opposed to above-idle), cheapest first; equal energies rank
  // the better quality first; unknown energy last.
  std::vector<ModelSummary> models;
  // Indices into models: median quality against median training energy.
  std::vector<std::size_t> pareto;
  std::string sentence;  // the plain verdict, see verdict()
  MatchedQuality matched;

  bool on_pareto_front(std::size_t model) const {
    return std::find(pareto.begin(), pareto.end(), model) != pareto.end();
  }
};

// Runs of other tasks (RunResult::task != task.name) are ignored, so the
// caller may pass every run. Models keep their order of first appearance
// until ranked.
TaskSummary summarize(const TaskInfo& task, const std::vector<RunResult>& runs);

// Indices of the points not dominated in (quality better, joules lower): a
// point is dominated when another is at least as good in both and strictly
// better in one. Exact duplicates keep the first. Points with a NaN or
// infinite coordinate are never on the front. Sorted by joules ascending.
struct QualityEnergy {
  double quality = 0;
  double joules = 0;
};
std::vector<std::size_t> pareto_front(const std::vector<QualityEnergy>& points,
                                      Direction direction);

// "On fashion-mnist the cheapest model within 1% of the best, mlp, reaches
// 0.884 accuracy at 1/37 of the energy of the most accurate one, cnn (0.902)."
// Within 1% means relative to the best quality (for lower-is-better metrics:
// at most best x 1.01). Uses median final quality and median training energy;
// models lacking either are left out. The most accurate model is the best
// quality (the cheaper of equals). N is written 1/37 from 2 up, as a
// percentage between 1.05 and 2 ("at 62% of the energy"), and below 1.05 as
// "about the same energy"; when the most accurate model is itself the
// cheapest, the sentence says so. Empty models give a sentence saying there
// is nothing to compare.
std::string verdict(const TaskInfo& task, const std::vector<ModelSummary>& models);

// The gap the seeds complain of, at equal quality: for the easiest tier that
// at least two models reached, the cheapest and the dearest energy to reach it.
// "To reach 0.84 accuracy, logreg needs 4.40 J, 1/83 of the 366 J lstm needs."
// Empty when no tier was reached by two models. summarize() appends it to the
// verdict.
std::string tier_contrast(const TaskInfo& task, const std::vector<ModelSummary>& models);

}  // namespace joule::bench

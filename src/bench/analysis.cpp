#include "bench/analysis.hpp"

#include "joule/format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <random>

namespace joule::bench {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A uniform index in [0, n) from raw 64-bit draws. std::uniform_int_distribution
// is implementation-defined, so the same seed could give different intervals
// on another standard library; rejection sampling keeps them identical.
std::size_t uniform_index(std::mt19937_64& rng, std::size_t n) {
  const std::uint64_t range = n;
  const std::uint64_t limit =
      std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % range;
  std::uint64_t draw = rng();
  while (draw >= limit) draw = rng();
  return static_cast<std::size_t>(draw % range);
}

// Median of values already sorted ascending; the mean of the middle two for
// an even count.
double sorted_median(const std::vector<double>& sorted) {
  const std::size_t n = sorted.size();
  if (n == 0) return kNaN;
  if (n % 2 == 1) return sorted[n / 2];
  return (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

// The finite values, sorted ascending: what a median is taken over.
std::vector<double> sorted_finite(const std::vector<double>& values) {
  std::vector<double> kept;
  std::copy_if(values.begin(), values.end(), std::back_inserter(kept),
               [](double x) { return std::isfinite(x); });
  std::sort(kept.begin(), kept.end());
  return kept;
}

// Median of the finite values (NaN when there are none), like bootstrap_median.
double median_of(const std::vector<double>& values) {
  return sorted_median(sorted_finite(values));
}

// The median of one bootstrap resample (with replacement, same size) of a
// non-empty sample.
double resampled_median(const std::vector<double>& sample, std::mt19937_64& rng) {
  std::vector<double> draw(sample.size());
  for (double& x : draw) x = sample[uniform_index(rng, sample.size())];
  std::sort(draw.begin(), draw.end());
  return sorted_median(draw);
}

// Percentile by linear interpolation between order statistics (R's type 7),
// so that the bounds do not jump with the number of resamples.
double sorted_percentile(const std::vector<double>& sorted, double fraction) {
  const double position = fraction * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double weight = position - static_cast<double>(below);
  return sorted[below] + weight * (sorted[above] - sorted[below]);
}

bool better(double quality, double other, Direction direction) {
  return direction == Direction::higher_is_better ? quality > other : quality < other;
}

bool finite(double x) {
  return std::isfinite(x);
}

// --- summarize --------------------------------------------------------------

// The runs the published figures come from: undisturbed ones when there are
// any ("a disturbed run is flagged, not published"), otherwise all of them.
std::vector<const RunResult*> figure_runs(const std::vector<const RunResult*>& runs,
                                          bool& figures_disturbed) {
  std::vector<const RunResult*> clean;
  for (const RunResult* run : runs) {
    if (!run->disturbed) clean.push_back(run);
  }
  figures_disturbed = clean.empty() && !runs.empty();
  return clean.empty() ? runs : clean;
}

template <typename Get>
Interval interval_over(const std::vector<const RunResult*>& runs, Get get) {
  std::vector<double> values;
  values.reserve(runs.size());
  for (const RunResult* run : runs) values.push_back(get(*run));
  return bootstrap_median(values);
}

std::optional<Interval> optional_interval(const std::vector<double>& values) {
  Interval interval = bootstrap_median(values);
  if (interval.n == 0) return std::nullopt;
  return interval;
}

TierSummary summarize_tier(const std::vector<const RunResult*>& runs, double tier,
                           Direction direction) {
  TierSummary summary;
  summary.tier = tier;
  std::vector<double> joules;
  std::vector<double> seconds;
  std::vector<double> epochs;
  for (const RunResult* run : runs) {
    std::optional<TierReach> reach = reach_tier(run->curve, tier, direction);
    if (!reach) {
      // A run of format 1 did not record why it stopped: counted as neither.
      if (stopped_by_budget(run->stopped_by)) ++summary.missed_by_budget;
      if (stopped_by_model(run->stopped_by)) ++summary.missed_by_model;
      continue;
    }
    ++summary.seeds_reached;
    joules.push_back(reach->energy.joules);
    seconds.push_back(reach->duration.seconds);
    epochs.push_back(reach->epochs);
  }
  summary.seed_joules = joules;
  summary.seed_seconds = seconds;
  // Only the seeds that reached the tier: a seed that did not is shown in
  // seeds_reached, never as a (worse) number.
  summary.joules = optional_interval(joules);
  summary.seconds = optional_interval(seconds);
  summary.epochs = optional_interval(epochs);
  return summary;
}

const InferenceResult* find_inference(const RunResult& run, const std::string& variant, int batch) {
  for (const InferenceResult& result : run.inference) {
    if (result.variant == variant && result.batch == batch) return &result;
  }
  return nullptr;
}

bool measured(const InferenceResult* result) {
  return result != nullptr && result->supported && finite(result->energy_per_1000.joules);
}

void summarize_default_inference(const std::vector<const RunResult*>& runs, ModelSummary& summary) {
  int largest = 0;
  for (const RunResult* run : runs) {
    for (const InferenceResult& result : run->inference) {
      if (result.variant == "default" && result.batch > 1)
        largest = std::max(largest, result.batch);
    }
  }
  std::vector<double> batch1;
  std::vector<double> latency1;
  std::vector<double> large;
  for (const RunResult* run : runs) {
    const InferenceResult* one = find_inference(*run, "default", 1);
    if (measured(one)) {
      batch1.push_back(one->energy_per_1000.joules);
      latency1.push_back(one->latency_ms);
    }
    const InferenceResult* big = largest > 1 ? find_inference(*run, "default", largest) : nullptr;
    if (measured(big)) large.push_back(big->energy_per_1000.joules);
  }
  summary.inference_batch1_j_per_1000 = optional_interval(batch1);
  summary.latency_batch1_ms = optional_interval(latency1);
  summary.inference_batch_j_per_1000 = optional_interval(large);
  summary.large_batch = summary.inference_batch_j_per_1000 ? largest : 0;
}

// The baseline a variant is compared with: the same batch when the baseline
// ran at it, otherwise the baseline's largest batch (a batch-size variant
// replaces the large batch: "batch 32 instead of 256").
const InferenceResult* baseline_of(const RunResult& run, const InferenceResult& variant) {
  const InferenceResult* same = find_inference(run, variant.baseline, variant.batch);
  if (same != nullptr) return same;
  const InferenceResult* largest = nullptr;
  for (const InferenceResult& result : run.inference) {
    if (result.variant != variant.baseline || !result.supported) continue;
    if (largest == nullptr || result.batch > largest->batch) largest = &result;
  }
  return largest;
}

void summarize_variants(const std::vector<const RunResult*>& runs, ModelSummary& summary) {
  struct Pending {
    ModelSummary::VariantRatio ratio;
    std::vector<double> energy;
    std::vector<double> latency;
    bool any_supported = false;
    std::string unsupported_note;
  };
  std::vector<Pending> pending;
  for (const RunResult* run : runs) {
    for (const InferenceResult& result : run->inference) {
      if (result.baseline.empty()) continue;
      auto it = std::find_if(pending.begin(), pending.end(), [&](const Pending& p) {
        return p.ratio.variant == result.variant && p.ratio.batch == result.batch;
      });
      if (it == pending.end()) {
        Pending fresh;
        fresh.ratio.variant = result.variant;
        fresh.ratio.baseline = result.baseline;
        fresh.ratio.batch = result.batch;
        pending.push_back(fresh);
        it = std::prev(pending.end());
      }
      if (!result.supported) {
        if (it->unsupported_note.empty()) it->unsupported_note = result.note;
        continue;
      }
      it->any_supported = true;
      if (it->ratio.note.empty()) it->ratio.note = result.note;
      const InferenceResult* base = baseline_of(*run, result);
      if (!measured(base) || base->energy_per_1000 <= Joules{0} ||
          !finite(result.energy_per_1000.joules)) {
        continue;
      }
      it->ratio.baseline_batch = base->batch;
      it->energy.push_back(result.energy_per_1000 / base->energy_per_1000);
      it->latency.push_back(base->latency_ms > 0 ? result.latency_ms / base->latency_ms : kNaN);
    }
  }
  for (Pending& p : pending) {
    p.ratio.supported = p.any_supported;
    if (!p.any_supported) p.ratio.note = p.unsupported_note;
    p.ratio.n = p.energy.size();
    p.ratio.energy_ratio = median_of(p.energy);
    p.ratio.latency_ratio = median_of(p.latency);
    summary.variants.push_back(p.ratio);
  }
}

double idle_share_of(const std::vector<const RunResult*>& runs) {
  std::vector<double> shares;
  for (const RunResult* run : runs) {
    const Cost& training = run->training;
    if (training.energy > Joules{0} && finite(training.idle_energy.joules)) {
      shares.push_back(training.idle_energy / training.energy);
    }
  }
  return median_of(shares);
}

ModelSummary summarize_model(const TaskInfo& task, const std::vector<const RunResult*>& all_runs) {
  ModelSummary summary;
  summary.model = all_runs.front()->model;
  summary.family = all_runs.front()->family;
  for (const RunResult* run : all_runs) {
    summary.disturbed_runs += run->disturbed ? 1 : 0;
    summary.pieces.push_back({run->seed, run->machine, run->wall_duration});
  }
  const std::vector<const RunResult*> runs = figure_runs(all_runs, summary.figures_disturbed);
  summary.seeds = runs.size();
  // The architecture is the same for every seed.
  summary.parameters = runs.front()->parameters;
  summary.flops_per_sample = runs.front()->flops_per_sample;
  summary.quality = interval_over(runs, [](const RunResult& r) { return r.final_quality; });
  summary.test_quality = interval_over(runs, [](const RunResult& r) { return r.test_quality; });
  summary.wall_seconds =
      interval_over(runs, [](const RunResult& r) { return r.wall_duration.seconds; });
  std::vector<double> tuning;
  for (const RunResult* run : runs) {
    if (!run->tuning_trials.empty()) tuning.push_back(run->tuning.energy.joules);
  }
  summary.tuning_joules = optional_interval(tuning);
  summary.training_joules =
      interval_over(runs, [](const RunResult& r) { return r.training.energy.joules; });
  summary.training_seconds =
      interval_over(runs, [](const RunResult& r) { return r.training.duration.seconds; });
  summary.idle_share = idle_share_of(runs);
  for (double tier : task.tiers)
    summary.tiers.push_back(summarize_tier(runs, tier, task.direction));
  summarize_default_inference(runs, summary);
  summarize_variants(runs, summary);
  return summary;
}

// Cheapest total training energy first; equal energies: better quality first;
// unknown energy last. Stable, so full ties keep their order of appearance.
void rank(std::vector<ModelSummary>& models, Direction direction) {
  std::stable_sort(models.begin(), models.end(), [&](const ModelSummary& a, const ModelSummary& b) {
    const double ja = a.training_joules.median;
    const double jb = b.training_joules.median;
    if (finite(ja) != finite(jb)) return finite(ja);
    if (finite(ja) && ja != jb) return ja < jb;
    const double qa = a.quality.median;
    const double qb = b.quality.median;
    if (finite(qa) != finite(qb)) return finite(qa);
    return finite(qa) && better(qa, qb, direction);
  });
}

// --- verdict ----------------------------------------------------------------

std::string format_quality(double quality) {
  return std::fabs(quality) < 10 ? fmt::format("{:.3f}", quality) : fmt::format("{:.4g}", quality);
}

// "1/37", "62%", or "about the same energy as": see verdict() in the header.
std::string energy_fraction(double cheapest_joules, double accurate_joules) {
  const double n = accurate_joules / cheapest_joules;
  if (n < 1.05) return "about the same energy as";
  if (n < 2) return fmt::format("{:.0f}% of the energy of", 100 / n);
  if (n < 10) {
    std::string digits = fmt::format("{:.1f}", n);
    if (digits.size() > 2 && digits.substr(digits.size() - 2) == ".0")
      digits.resize(digits.size() - 2);
    return fmt::format("1/{} of the energy of", digits);
  }
  return fmt::format("1/{:.0f} of the energy of", n);
}

}  // namespace

Interval bootstrap_median(const std::vector<double>& values, std::size_t resamples,
                          std::uint64_t seed) {
  const std::vector<double> sample = sorted_finite(values);
  Interval interval;
  interval.n = sample.size();
  if (sample.empty()) {
    interval.median = interval.low = interval.high = kNaN;
    return interval;
  }
  interval.median = sorted_median(sample);
  interval.low = interval.high = interval.median;
  if (sample.size() == 1 || resamples == 0) return interval;

  std::mt19937_64 rng(seed);
  std::vector<double> medians(resamples);
  for (double& median : medians) median = resampled_median(sample, rng);
  std::sort(medians.begin(), medians.end());
  interval.low = std::min(sorted_percentile(medians, 0.025), interval.median);
  interval.high = std::max(sorted_percentile(medians, 0.975), interval.median);
  return interval;
}

Interval bootstrap_ratio(const std::vector<double>& numerator,
                         const std::vector<double>& denominator, std::size_t resamples,
                         std::uint64_t seed) {
  const std::vector<double> top = sorted_finite(numerator);
  const std::vector<double> bottom = sorted_finite(denominator);
  Interval interval;
  interval.n = top.size();
  interval.median = interval.low = interval.high = kNaN;
  if (top.empty() || bottom.empty() || sorted_median(bottom) == 0) {
    interval.n = 0;
    return interval;
  }
  interval.median = interval.low = interval.high = sorted_median(top) / sorted_median(bottom);
  if ((top.size() == 1 && bottom.size() == 1) || resamples == 0) return interval;

  std::mt19937_64 rng(seed);
  std::vector<double> ratios;
  ratios.reserve(resamples);
  for (std::size_t i = 0; i < resamples; ++i) {
    const double below = resampled_median(bottom, rng);
    if (below != 0) ratios.push_back(resampled_median(top, rng) / below);
  }
  if (ratios.empty()) return interval;
  std::sort(ratios.begin(), ratios.end());
  interval.low = std::min(sorted_percentile(ratios, 0.025), interval.median);
  interval.high = std::max(sorted_percentile(ratios, 0.975), interval.median);
  return interval;
}

TaskSummary summarize(const TaskInfo& task, const std::vector<RunResult>& runs) {
  // Group by model, keeping the order in which models first appear.
  std::vector<std::vector<const RunResult*>> groups;
  for (const RunResult& run : runs) {
    if (run.task != task.name) continue;
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& group) { return group.front()->model == run.model; });
    if (it == groups.end()) {
      groups.push_back({&run});
    } else {
      it->push_back(&run);
    }
  }
  TaskSummary summary;
  summary.task = task;
  for (const auto& group : groups) summary.models.push_back(summarize_model(task, group));
  rank(summary.models, task.direction);

  std::vector<QualityEnergy> points;
  for (const ModelSummary& model : summary.models) {
    points.push_back({model.quality.median, model.training_joules.median});
  }
  summary.pareto = pareto_front(points, task.direction);
  summary.sentence = verdict(task, summary.models);
  summary.matched = matched_quality(summary.models, task.tiers);
  if (std::string contrast = tier_contrast(task, summary.models); !contrast.empty()) {
    summary.sentence += " " + contrast;
  }
  return summary;
}

std::vector<std::size_t> pareto_front(const std::vector<QualityEnergy>& points,
                                      Direction direction) {
  auto at_least_as_good = [&](const QualityEnergy& a, const QualityEnergy& b) {
    return !better(b.quality, a.quality, direction) && a.joules <= b.joules;
  };
  auto dominates = [&](const QualityEnergy& a, const QualityEnergy& b) {
    return at_least_as_good(a, b) &&
           (better(a.quality, b.quality, direction) || a.joules < b.joules);
  };
  std::vector<std::size_t> front;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const QualityEnergy& p = points[i];
    if (!finite(p.quality) || !finite(p.joules)) continue;
    bool kept = true;
    for (std::size_t j = 0; j < points.size() && kept; ++j) {
      if (j == i) continue;
      const QualityEnergy& q = points[j];
      if (!finite(q.quality) || !finite(q.joules)) continue;
      const bool duplicate_before = j < i && q.quality == p.quality && q.joules == p.joules;
      if (duplicate_before || dominates(q, p)) kept = false;
    }
    if (kept) front.push_back(i);
  }
  std::stable_sort(front.begin(), front.end(), [&](std::size_t a, std::size_t b) {
    return points[a].joules < points[b].joules;
  });
  return front;
}

std::string verdict(const TaskInfo& task, const std::vector<ModelSummary>& models) {
  std::vector<const ModelSummary*> usable;
  for (const ModelSummary& model : models) {
    if (finite(model.quality.median) && finite(model.training_joules.median) &&
        model.training_joules.median >= 0) {
      usable.push_back(&model);
    }
  }
  if (usable.empty()) {
    return fmt::format(
        "On {} there is nothing to compare: no model has both a final {} and a "
        "training energy.",
        task.name, task.metric);
  }
  const Direction direction = task.direction;
  // The most accurate model; among equals, the cheaper one, so that N is never
  // inflated by a wasteful twin.
  const ModelSummary* accurate = usable.front();
  for (const ModelSummary* model : usable) {
    const double q = model->quality.median;
    if (better(q, accurate->quality.median, direction) ||
        (q == accurate->quality.median &&
         model->training_joules.median < accurate->training_joules.median)) {
      accurate = model;
    }
  }
  const double best = accurate->quality.median;
  const double margin = 0.01 * std::fabs(best);
  auto within = [&](double q) {
    return direction == Direction::higher_is_better ? q >= best - margin : q <= best + margin;
  };
  // The cheapest within 1%; among equal energies, the better quality.
  const ModelSummary* cheapest = accurate;
  for (const ModelSummary* model : usable) {
    if (!within(model->quality.median)) continue;
    const double j = model->training_joules.median;
    if (j < cheapest->training_joules.median ||
        (j == cheapest->training_joules.median &&
         better(model->quality.median, cheapest->quality.median, direction))) {
      cheapest = model;
    }
  }
  if (usable.size() == 1) {
    return fmt::format("On {} only {} has results ({} {}): there is nothing to compare it with.",
                       task.name, accurate->model, format_quality(best), task.metric);
  }
  if (cheapest == accurate) {
    return fmt::format(
        "On {} the most accurate model, {} ({} {}), is also the cheapest within 1% of the best: "
        "no model within 1% of it trains on less energy.",
        task.name, accurate->model, format_quality(best), task.metric);
  }
  const double cheap_joules = cheapest->training_joules.median;
  const std::string fraction = cheap_joules > 0
                                   ? energy_fraction(cheap_joules, accurate->training_joules.median)
                                   : std::string("no measurable share of the energy of");
  return fmt::format(
      "On {} the cheapest model within 1% of the best, {}, reaches {} {} at {} the most accurate "
      "one, {} ({}).",
      task.name, cheapest->model, format_quality(cheapest->quality.median), task.metric, fraction,
      accurate->model, format_quality(best));
}

std::string tier_contrast(const TaskInfo& task, const std::vector<ModelSummary>& models) {
  for (std::size_t t = 0; t < task.tiers.size(); ++t) {
    const ModelSummary* cheapest = nullptr;
    const ModelSummary* dearest = nullptr;
    auto joules = [t](const ModelSummary* model) { return model->tiers[t].joules->median; };
    for (const ModelSummary& model : models) {
      if (model.tiers.size() <= t || !model.tiers[t].joules) continue;
      if (!finite(model.tiers[t].joules->median)) continue;
      if (cheapest == nullptr || joules(&model) < joules(cheapest)) cheapest = &model;
      if (dearest == nullptr || joules(&model) > joules(dearest)) dearest = &model;
    }
    if (cheapest == nullptr || cheapest == dearest) continue;
    const std::string fraction = joules(cheapest) > 0
                                     ? energy_fraction(joules(cheapest), joules(dearest))
                                     : std::string("no measurable share of the energy of");
    return fmt::format("To reach {} {}, {} needs {}, {} {} ({}).", format_quality(task.tiers[t]),
                       task.metric, cheapest->model, Joules{joules(cheapest)}, fraction,
                       dearest->model, Joules{joules(dearest)});
  }
  return "";
}

}  // namespace joule::bench

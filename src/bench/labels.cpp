#include "bench/labels.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "report/summary.hpp"

namespace joule::bench {
namespace {

using report::LabelPurpose;

bool meets(double quality, double tier, Direction direction) {
  return direction == Direction::higher_is_better ? quality >= tier : quality <= tier;
}

// Tiers run from easiest to hardest: the last one met is the highest.
std::optional<std::size_t> highest_tier_met(const TaskInfo& task, double quality) {
  std::optional<std::size_t> met;
  for (std::size_t i = 0; i < task.tiers.size(); ++i) {
    if (std::isfinite(quality) && meets(quality, task.tiers[i], task.direction)) met = i;
  }
  return met;
}

// The highest tier some seed reached during training, with its energy.
std::optional<std::size_t> highest_tier_reached(const ModelSummary& model) {
  std::optional<std::size_t> reached;
  for (std::size_t i = 0; i < model.tiers.size(); ++i) {
    if (model.tiers[i].joules && std::isfinite(model.tiers[i].joules->median)) reached = i;
  }
  return reached;
}

struct Figure {
  Joules energy;
  std::string note;
};

// The cheaper of batch 1 and the large batch, the default variant's medians.
std::optional<Figure> best_batch_energy(const ModelSummary& model) {
  std::optional<Figure> best;
  auto consider = [&](const std::optional<Interval>& interval, int batch) {
    if (!interval || interval->n == 0 || !std::isfinite(interval->median)) return;
    if (!best || interval->median < best->energy.joules) {
      best = Figure{Joules{interval->median}, fmt::format("at batch {}, its best", batch)};
    }
  };
  consider(model.inference_batch1_j_per_1000, 1);
  consider(model.inference_batch_j_per_1000, model.large_batch);
  return best;
}

std::string tier_words(const TaskInfo& task, double tier) {
  return fmt::format("{} {} {}", task.metric,
                     task.direction == Direction::higher_is_better ? "≥" : "≤", format_tier(tier));
}

// Why a tier met has no label: the task has no scale on this device class at
// all (never a guessed one), or its scale is fixed at other tiers than this
// run's, which it names so that a rerun with them gets a label.
std::string no_scale_reason(const TaskInfo& task, LabelPurpose purpose, const std::string& device,
                            double tier) {
  const std::vector<double> fixed = report::label_scale_tiers(task.name, purpose, device);
  if (fixed.empty()) {
    return fmt::format(
        "no label: {} has no fixed {} scale on {} in data/label_scales.csv, and a class is never "
        "guessed: a scale is anchored on a reference run first (docs/labels.md)",
        task.name, report::to_string(purpose), device);
  }
  std::vector<std::string> tiers;
  for (double t : fixed) tiers.push_back(format_tier(t));
  return fmt::format(
      "no label: {}'s {} scale on {} is fixed at the {} tiers {}, not at this run's {} (rerun "
      "joule bench with --tiers {} for a label; docs/labels.md)",
      task.name, report::to_string(purpose), device, task.metric, fmt::join(tiers, ", "),
      tier_words(task, tier), fmt::join(tiers, ","));
}

// The bench run that produced the model's figures, then the label command:
// together they reproduce the label, and run as they stand.
std::string reproduce_command(const BenchResults& results, const std::string& task,
                              const std::string& model, LabelPurpose purpose) {
  return fmt::format("{} && joule label --bench {} --model {}{}",
                     reproduce_bench_command(results, task, model), bench_out_name(results), model,
                     purpose == LabelPurpose::training ? " --training" : "");
}

void add_carbon(const BenchResults& results, report::EnergyLabel& label) {
  for (const auto& record : results.records) {
    if (!record.carbon) continue;
    label.intensity_g_per_kwh = record.carbon->intensity_g_per_kwh.central;
    label.intensity_source = record.carbon->intensity_source;
    return;
  }
}

ModelLabel label_of(const BenchResults& results, const TaskSummary& summary,
                    const ModelSummary& model, LabelPurpose purpose) {
  ModelLabel out{summary.task.name, model.model, std::nullopt, ""};
  const TaskInfo& task = summary.task;
  const std::optional<std::size_t> tier = purpose == LabelPurpose::inference
                                              ? highest_tier_met(task, model.quality.median)
                                              : highest_tier_reached(model);
  if (!tier) {
    out.why_not =
        fmt::format("no label: {} {} the first quality tier ({})", model.model,
                    purpose == LabelPurpose::inference ? "does not meet" : "never reached",
                    tier_words(task, task.tiers.empty() ? NAN : task.tiers.front()));
    return out;
  }
  const std::string device = device_class(results.provenance);
  const auto scale = report::find_label_scale(task.name, purpose, device, task.tiers[*tier]);
  if (!scale) {
    out.why_not = no_scale_reason(task, purpose, device, task.tiers[*tier]);
    return out;
  }
  std::optional<Figure> figure;
  if (purpose == LabelPurpose::inference) {
    figure = best_batch_energy(model);
  } else {
    const TierSummary& reached = model.tiers[*tier];
    figure = Figure{Joules{reached.joules->median},
                    fmt::format("{}/{} seeds reached it", reached.seeds_reached, model.seeds)};
  }
  const auto energy_class = figure ? report::energy_class(*scale, figure->energy) : std::nullopt;
  if (!energy_class) {
    out.why_not = fmt::format("no label: {} has no {} energy figure", model.model,
                              report::to_string(purpose));
    return out;
  }
  report::EnergyLabel label;
  label.model = model.model;
  label.task = task.name;
  label.tier = tier_words(task, task.tiers[*tier]);
  label.device_class = device;
  label.device = results.provenance.host;
  label.scale = *scale;
  label.energy_class = *energy_class;
  label.energy = figure->energy;
  label.energy_note = figure->note;
  label.relative_uncertainty = results.provenance.relative_uncertainty;
  label.modelled = results.provenance.modelled;
  label.energy_source = results.provenance.energy_source;
  label.command = reproduce_command(results, task.name, model.model, purpose);
  add_carbon(results, label);
  out.label = std::move(label);
  return out;
}

}  // namespace

std::string device_class(const MeasurementSetup& /*provenance*/) {
  return "cpu";
}

std::vector<ModelLabel> bench_labels(const BenchResults& results, LabelPurpose purpose,
                                     const std::string& only_model) {
  std::vector<ModelLabel> labels;
  for (const TaskSummary& summary : results.summaries) {
    for (const ModelSummary& model : summary.models) {
      if (!only_model.empty() && model.model != only_model) continue;
      labels.push_back(label_of(results, summary, model, purpose));
    }
  }
  return labels;
}

}  // namespace joule::bench

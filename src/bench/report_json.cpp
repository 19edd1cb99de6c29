// The machine-readable results: results.json and each run's figures.
#include <cmath>

#include <nlohmann/json.hpp>

#include "bench/report.hpp"

namespace joule::bench {

namespace {

// NaN and infinities are not JSON numbers: written as null.
nlohmann::json number(double x) {
  return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
}

nlohmann::json cost_json(const Cost& cost) {
  return {{"joules", number(cost.energy.joules)},
          {"seconds", number(cost.duration.seconds)},
          {"relative_uncertainty", number(cost.relative_uncertainty)},
          {"idle_joules", number(cost.idle_energy.joules)},
          {"self_cpu_seconds", number(cost.self_cpu_time.seconds)},
          {"other_cpu_seconds", number(cost.other_cpu_time.seconds)}};
}

nlohmann::json interval_json(const Interval& interval) {
  return {{"median", number(interval.median)},
          {"low", number(interval.low)},
          {"high", number(interval.high)},
          {"n", interval.n}};
}

nlohmann::json interval_json(const std::optional<Interval>& interval) {
  return interval ? interval_json(*interval) : nlohmann::json(nullptr);
}

std::string direction_name(Direction direction) {
  return direction == Direction::higher_is_better ? "higher_is_better" : "lower_is_better";
}

nlohmann::json task_json(const TaskInfo& task) {
  nlohmann::json tiers = nlohmann::json::array();
  for (double tier : task.tiers) tiers.push_back(number(tier));
  return {{"name", task.name},
          {"metric", task.metric},
          {"direction", direction_name(task.direction)},
          {"tiers", tiers},
          {"tier_note", task.tier_note}};
}

nlohmann::json tier_json(const TierSummary& tier) {
  return {{"tier", number(tier.tier)},
          {"seeds_reached", tier.seeds_reached},
          {"missed_by_budget", tier.missed_by_budget},
          {"missed_by_model", tier.missed_by_model},
          {"joules", interval_json(tier.joules)},
          {"seconds", interval_json(tier.seconds)},
          {"epochs", interval_json(tier.epochs)}};
}

nlohmann::json variant_json(const ModelSummary::VariantRatio& variant) {
  return {{"variant", variant.variant},
          {"baseline", variant.baseline},
          {"baseline_batch", variant.baseline_batch},
          {"batch", variant.batch},
          {"supported", variant.supported},
          {"note", variant.note},
          {"energy_ratio", number(variant.energy_ratio)},
          {"latency_ratio", number(variant.latency_ratio)},
          {"n", variant.n}};
}

nlohmann::json model_json(const ModelSummary& model, std::size_t rank, bool pareto) {
  nlohmann::json tiers = nlohmann::json::array();
  for (const TierSummary& tier : model.tiers) tiers.push_back(tier_json(tier));
  nlohmann::json variants = nlohmann::json::array();
  for (const auto& variant : model.variants) variants.push_back(variant_json(variant));
  return {{"rank", rank},
          {"model", model.model},
          {"seeds", model.seeds},
          {"parameters", number(model.parameters)},
          {"flops_per_sample", number(model.flops_per_sample)},
          {"quality", interval_json(model.quality)},
          {"test_quality", interval_json(model.test_quality)},
          {"training_joules", interval_json(model.training_joules)},
          {"training_seconds", interval_json(model.training_seconds)},
          {"tuning_joules", interval_json(model.tuning_joules)},
          {"wall_seconds", interval_json(model.wall_seconds)},
          {"idle_share", number(model.idle_share)},
          {"tiers", tiers},
          {"inference_batch1_j_per_1000", interval_json(model.inference_batch1_j_per_1000)},
          {"inference_batch_j_per_1000", interval_json(model.inference_batch_j_per_1000)},
          {"large_batch", model.large_batch},
          {"latency_batch1_ms", interval_json(model.latency_batch1_ms)},
          {"variants", variants},
          {"disturbed_runs", model.disturbed_runs},
          {"figures_disturbed", model.figures_disturbed},
          {"pareto", pareto}};
}

nlohmann::json inference_json(const InferenceResult& result) {
  return {{"variant", result.variant},
          {"baseline", result.baseline},
          {"batch", result.batch},
          {"threads", result.threads},
          {"supported", result.supported},
          {"note", result.note},
          {"samples", number(result.samples)},
          {"j_per_1000", number(result.energy_per_1000.joules)},
          {"latency_ms", number(result.latency_ms)},
          {"quality", number(result.quality)},
          {"cost", cost_json(result.cost)}};
}

nlohmann::json tuning_json(const RunResult& run) {
  nlohmann::json trials = nlohmann::json::array();
  for (const TuningTrial& trial : run.tuning_trials) {
    trials.push_back({{"learning_rate", number(trial.learning_rate)},
                      {"quality", number(trial.quality)},
                      {"training", cost_json(trial.training)},
                      {"stopped_by", stop_reason_name(trial.stopped_by)},
                      {"chosen", trial.chosen}});
  }
  return {{"cost", cost_json(run.tuning)}, {"trials", trials}};
}

nlohmann::json matched_json(const std::vector<MatchedRatio>& ratios) {
  nlohmann::json out = nlohmann::json::array();
  for (const MatchedRatio& ratio : ratios) {
    out.push_back({{"model", ratio.model},
                   {"reference", ratio.reference},
                   {"tier", number(ratio.tier)},
                   {"seeds", ratio.seeds},
                   {"seeds_reached", ratio.seeds_reached},
                   {"missed_by_budget", ratio.missed_by_budget},
                   {"missed_by_model", ratio.missed_by_model},
                   {"energy_ratio", interval_json(ratio.energy)},
                   {"time_ratio", interval_json(ratio.time)},
                   {"energy_ratio_floor",
                    ratio.energy_floor ? number(*ratio.energy_floor) : nlohmann::json(nullptr)}});
  }
  return out;
}

}  // namespace

nlohmann::json to_json(const RunResult& run) {
  nlohmann::json curve = nlohmann::json::array();
  for (const CurvePoint& point : run.curve) {
    curve.push_back({{"epochs", number(point.epochs)},
                     {"seconds", number(point.duration.seconds)},
                     {"joules", number(point.energy.joules)},
                     {"quality", number(point.quality)}});
  }
  nlohmann::json inference = nlohmann::json::array();
  for (const InferenceResult& result : run.inference) inference.push_back(inference_json(result));
  return {{"task", run.task},
          {"model", run.model},
          {"family", run.family},
          {"seed", run.seed},
          {"parameters", number(run.parameters)},
          {"flops_per_sample", number(run.flops_per_sample)},
          {"final_quality", number(run.final_quality)},
          {"test_quality", number(run.test_quality)},
          {"stopped_by", stop_reason_name(run.stopped_by)},
          {"learning_rate", number(run.learning_rate)},
          {"training", cost_json(run.training)},
          {"tuning", tuning_json(run)},
          {"curve", curve},
          {"inference", inference},
          {"disturbed", run.disturbed},
          {"warnings", run.warnings},
          {"machine", run.machine},
          {"wall_seconds", number(run.wall_duration.seconds)}};
}

nlohmann::json to_json(const TaskSummary& summary) {
  nlohmann::json models = nlohmann::json::array();
  for (std::size_t i = 0; i < summary.models.size(); ++i) {
    models.push_back(model_json(summary.models[i], i + 1, summary.on_pareto_front(i)));
  }
  nlohmann::json front = nlohmann::json::array();
  for (std::size_t index : summary.pareto) front.push_back(summary.models[index].model);
  return {{"task", task_json(summary.task)},
          {"models", models},
          {"pareto", summary.pareto},
          {"pareto_models", front},
          {"sentence", summary.sentence},
          {"matched",
           {{"against_cheapest", matched_json(summary.matched.against_cheapest)},
            {"recurrent_against_dense", matched_json(summary.matched.recurrent_against_dense)}}}};
}

nlohmann::json to_json(const MeasurementSetup& provenance) {
  return {{"energy_source", provenance.energy_source},
          {"modelled", provenance.modelled},
          {"relative_uncertainty", number(provenance.relative_uncertainty)},
          {"host", provenance.host},
          {"blas", provenance.blas},
          {"threads", provenance.threads},
          {"torch_version", provenance.torch_version},
          {"mode", provenance.mode},
          {"date_utc", provenance.date_utc},
          {"machines", provenance.machines}};
}

}  // namespace joule::bench

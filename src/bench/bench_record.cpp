#include "bench/bench_record.hpp"

#include <fmt/format.h>

#include <cmath>

#include "record/footprint.hpp"
#include "run/record_fill.hpp"

namespace joule::bench {
namespace {

std::string format_quality(double quality) {
  return fmt::format("{:.4f}", quality);
}

// Each stretch between two evaluations of the quality curve becomes a phase,
// then each inference configuration, so that `joule show` tells where the
// energy went.
void add_phases(record::RunRecord& record, const RunResult& run) {
  // Tuning (full mode) trained the learning rates not kept before the
  // reported training; its stretches come first, as one phase.
  if (!run.tuning_trials.empty()) {
    record::Phase phase;
    phase.name = fmt::format("tuning: {} learning rate(s) not kept", run.tuning_trials.size() - 1);
    phase.end_offset_s = run.tuning.duration.seconds;
    phase.machine_energy_j = run.tuning.energy.joules;
    phase.attributed_energy_j = phase.machine_energy_j;
    record.phases.push_back(phase);
  }
  Seconds previous_duration = run.tuning.duration;
  Joules previous_energy;
  for (const CurvePoint& point : run.curve) {
    record::Phase phase;
    phase.name = fmt::format("train to epoch {:.2f} ({} {})", point.epochs, "quality",
                             format_quality(point.quality));
    phase.start_offset_s = previous_duration.seconds;
    phase.end_offset_s = (run.tuning.duration + point.duration).seconds;
    phase.machine_energy_j = (point.energy - previous_energy).joules;
    phase.attributed_energy_j = phase.machine_energy_j;
    record.phases.push_back(phase);
    previous_duration = run.tuning.duration + point.duration;
    previous_energy = point.energy;
  }
  Seconds offset = run.tuning.duration + run.training.duration;
  for (const InferenceResult& inference : run.inference) {
    if (!inference.supported) continue;
    record::Phase phase;
    phase.name = fmt::format("inference {} batch {}", inference.variant, inference.batch);
    phase.start_offset_s = offset.seconds;
    offset += inference.cost.duration;
    phase.end_offset_s = offset.seconds;
    phase.machine_energy_j = inference.cost.energy.joules;
    phase.attributed_energy_j = inference.cost.energy.joules;
    record.phases.push_back(phase);
  }
}

// The probe's description of a domain; what its energy says of it when the
// probe listed no such domain.
DomainInfo describe(const DomainEnergy& energy, const std::vector<DomainInfo>& domains) {
  for (const DomainInfo& info : domains) {
    if (info.id == energy.id) return info;
  }
  DomainInfo info;
  info.id = energy.id;
  info.component = energy.component;
  info.provenance = energy.provenance;
  info.relative_uncertainty = energy.relative_uncertainty;
  return info;
}

}  // namespace

record::RunRecord to_run_record(const RunResult& run, const TaskInfo& task,
                                const RecordContext& context,
                                const std::vector<DomainEnergy>& domain_energy,
                                std::chrono::system_clock::time_point started_at,
                                std::chrono::system_clock::time_point ended_at) {
  record::RunRecord record = run::begin_record(context.command, started_at);
  record.status = record::RunStatus::finished;
  record.ended_at = record::iso8601_utc(ended_at);
  record.host = context.host;
  record.cwd = context.cwd;
  record.exit.exit_code = 0;

  Cost total = run.training;
  if (!run.tuning_trials.empty()) total += run.tuning;
  for (const InferenceResult& inference : run.inference) total += inference.cost;
  record.duration_s = total.duration.seconds;
  record.totals.machine_energy_j = total.energy.joules;
  record.totals.attributed_energy_j = total.energy.joules;
  record.totals.idle_energy_j = total.idle_energy.joules;
  record.totals.above_idle_energy_j = std::max(Joules{0}, total.energy - total.idle_energy).joules;
  record.totals.relative_uncertainty = total.relative_uncertainty;
  record.totals.provenance = context.modelled ? Provenance::modelled : Provenance::measured;
  record.attribution.method =
      "whole machine during joule bench's own measurements (tuning, training and inference "
      "only; evaluation and data loading excluded)";
  record.attribution.cpu_time_s = total.self_cpu_time.seconds;
  record.attribution.notes.push_back(context.energy_source);
  record.attribution.notes.push_back(fmt::format(
      "other processes used {:.2f} CPU seconds meanwhile", total.other_cpu_time.seconds));
  record.attribution.notes.push_back(
      fmt::format("LibTorch with {} thread(s), {}", context.threads, context.blas));
  if (context.idle_duration > Seconds{0}) {
    record.idle = record::IdleBaseline{context.idle_power.watts, context.idle_duration.seconds,
                                       "measured before this block of runs"};
  }
  for (DomainEnergy energy : domain_energy) {
    energy.mean_power = energy.energy / total.duration;  // zero for a zero duration
    record.domains.push_back(
        run::domain_record(describe(energy, context.domains), energy, energy.energy));
  }
  add_phases(record, run);
  record.sample_interval_s = context.sample_interval.seconds;
  record.warnings = run.warnings;
  if (run.disturbed) record.warnings.push_back("disturbed: other processes competed for the CPU");

  if (context.carbon) record::fill_footprint(record, *context.carbon);

  record.tags["bench"] = run.task;
  record.tags["model"] = run.model;
  record.tags["seed"] = std::to_string(run.seed);
  record.tags["mode"] = context.mode;
  record.tags[task.metric] = format_quality(run.final_quality);  // on validation
  record.tags["test_" + task.metric] = format_quality(run.test_quality);
  record.tags["stopped_by"] = stop_reason_name(run.stopped_by);
  record.tags["epochs"] = run.curve.empty() ? "0" : fmt::format("{:.2f}", run.curve.back().epochs);
  return record;
}

}  // namespace joule::bench

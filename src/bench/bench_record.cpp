#include "bench/bench_record.hpp"

#include <fmt/format.h>

#include <cmath>

#include "record/carbon_record.hpp"

namespace joule::bench {
namespace {

std::string format_quality(double quality) {
  return fmt::format("{:.4f}", quality);
}

// Each stretch between two evaluations of the quality curve becomes a phase,
// then each inference configuration, so that `joule show` tells where the
// energy went.
void add_phases(record::RunRecord& record, const RunResult& run) {
  double previous_seconds = 0;
  double previous_joules = 0;
  for (const CurvePoint& point : run.curve) {
    record::Phase phase;
    phase.name = fmt::format("train to epoch {:.2f} ({} {})", point.epochs, "quality",
                             format_quality(point.quality));
    phase.start_offset_s = previous_seconds;
    phase.end_offset_s = point.seconds;
    phase.machine_energy_j = point.joules - previous_joules;
    phase.attributed_energy_j = phase.machine_energy_j;
    record.phases.push_back(phase);
    previous_seconds = point.seconds;
    previous_joules = point.joules;
  }
  double offset = run.training.seconds;
  for (const InferenceResult& inference : run.inference) {
    if (!inference.supported) continue;
    record::Phase phase;
    phase.name = fmt::format("inference {} batch {}", inference.variant, inference.batch);
    phase.start_offset_s = offset;
    phase.end_offset_s = offset + inference.cost.seconds;
    phase.machine_energy_j = inference.cost.joules;
    phase.attributed_energy_j = inference.cost.joules;
    record.phases.push_back(phase);
    offset = phase.end_offset_s;
  }
}

}  // namespace

record::RunRecord to_run_record(const RunResult& run, const TaskInfo& task,
                                const RecordContext& context,
                                const std::vector<DomainEnergy>& domain_energy,
                                std::chrono::system_clock::time_point started_at,
                                std::chrono::system_clock::time_point ended_at) {
  record::RunRecord record;
  record.id = record::make_run_id(started_at);
  record.status = record::RunStatus::finished;
  record.started_at = record::iso8601_utc(started_at);
  record.ended_at = record::iso8601_utc(ended_at);
  record.joule_version = JOULE_VERSION_STRING;
  record.host = context.host;
  record.command = context.command;
  record.cwd = context.cwd;
  record.exit.exit_code = 0;

  Cost total = run.training;
  for (const InferenceResult& inference : run.inference) total += inference.cost;
  record.duration_s = total.seconds;
  record.totals.machine_energy_j = total.joules;
  record.totals.attributed_energy_j = total.joules;
  record.totals.idle_energy_j = total.idle_joules;
  record.totals.above_idle_energy_j = std::max(0.0, total.joules - total.idle_joules);
  record.totals.relative_uncertainty = total.relative_uncertainty;
  record.totals.provenance = context.modelled ? Provenance::modelled : Provenance::measured;
  record.attribution.method =
      "whole machine during joule bench's own measurements (training and inference only; "
      "evaluation and data loading excluded)";
  record.attribution.cpu_time_s = total.self_cpu_seconds;
  record.attribution.notes.push_back(context.energy_source);
  record.attribution.notes.push_back(
      fmt::format("other processes used {:.2f} CPU seconds meanwhile", total.other_cpu_seconds));
  record.attribution.notes.push_back(
      fmt::format("LibTorch with {} thread(s), {}", context.threads, context.blas));
  if (context.idle_duration_s > 0) {
    record.idle = record::IdleBaseline{context.idle_power_w, context.idle_duration_s,
                                       "measured before this block of runs"};
  }
  for (const DomainEnergy& energy : domain_energy) {
    record::DomainRecord domain;
    domain.id = energy.id;
    domain.component = energy.component;
    domain.provenance = energy.provenance;
    domain.machine_energy_j = energy.energy.joules;
    domain.attributed_energy_j = energy.energy.joules;
    domain.mean_power_w = total.seconds > 0 ? energy.energy.joules / total.seconds : 0;
    domain.relative_uncertainty = energy.relative_uncertainty;
    domain.in_total = energy.in_total;
    for (const DomainInfo& info : context.domains) {
      if (info.id != energy.id) continue;
      domain.label = info.label;
      domain.source = info.source;
    }
    record.domains.push_back(std::move(domain));
  }
  add_phases(record, run);
  record.sample_interval_s = context.sample_interval_s;
  record.warnings = run.warnings;
  if (run.disturbed) record.warnings.push_back("disturbed: other processes competed for the CPU");

  if (context.carbon) record::fill_carbon(record, *context.carbon);

  record.tags["bench"] = run.task;
  record.tags["model"] = run.model;
  record.tags["seed"] = std::to_string(run.seed);
  record.tags["mode"] = context.mode;
  record.tags[task.metric] = format_quality(run.final_quality);
  record.tags["epochs"] = run.curve.empty() ? "0" : fmt::format("{:.2f}", run.curve.back().epochs);
  return record;
}

}  // namespace joule::bench

#include "run/record_fill.hpp"

#include <algorithm>

namespace joule::run {

record::RunRecord begin_record(std::vector<std::string> command,
                               std::chrono::system_clock::time_point started_at) {
  record::RunRecord record;
  record.id = record::make_run_id(started_at);
  record.status = record::RunStatus::running;
  record.started_at = record::iso8601_utc(started_at);
  record.joule_version = JOULE_VERSION_STRING;
  record.command = std::move(command);
  return record;
}

record::DomainRecord domain_record(const DomainInfo& info, const DomainEnergy& energy,
                                   Joules attributed) {
  record::DomainRecord d;
  d.id = info.id;
  d.label = info.label;
  d.component = info.component;
  d.provenance = info.provenance;
  d.machine_energy_j = energy.energy.joules;
  d.attributed_energy_j = attributed.joules;
  d.mean_power_w = energy.mean_power.watts;
  d.relative_uncertainty = info.relative_uncertainty;
  d.source = info.source;
  d.in_total = energy.in_total;
  return d;
}

void fill_idle(record::RunRecord& record, const std::optional<record::IdleBaseline>& idle,
               Seconds duration) {
  auto& totals = record.totals;
  record.idle = idle;
  if (idle) {
    totals.idle_energy_j = idle->power_w * duration.seconds;
    totals.above_idle_energy_j = std::max(0.0, totals.machine_energy_j - totals.idle_energy_j);
  } else {
    totals.idle_energy_j = 0;
    totals.above_idle_energy_j = 0;
  }
}

void fill_energy(record::RunRecord& record, const Meter& meter,
                 const AttributionAccumulator& attribution, const Measurement& whole,
                 const std::optional<record::IdleBaseline>& idle) {
  const auto& domains = meter.domains();
  const auto& attributed = attribution.attributed();
  record.domains.clear();
  for (std::size_t i = 0; i < domains.size() && i < whole.domains.size(); ++i) {
    record.domains.push_back(domain_record(domains[i], whole.domains[i],
                                           i < attributed.size() ? attributed[i] : Joules{}));
  }
  record.duration_s = whole.duration.seconds;
  auto& totals = record.totals;
  totals.machine_energy_j = whole.total.joules;
  totals.attributed_energy_j = attribution.attributed_total().joules;
  totals.relative_uncertainty = whole.total_relative_uncertainty;
  totals.provenance = whole.total_provenance;
  fill_idle(record, idle, whole.duration);
}

void fill_timeline(record::RunRecord& record, const Meter& meter, const Snapshot& start,
                   std::size_t max_points) {
  record.timeline = {};
  for (const auto& d : meter.domains()) record.timeline.domain_ids.push_back(d.id);
  std::vector<TimelineSample> samples;
  for (auto& s : meter.timeline()) {
    if (s.at >= start.at) samples.push_back(std::move(s));
  }
  const std::size_t step =
      samples.size() > max_points ? (samples.size() + max_points - 1) / max_points : 1;
  for (std::size_t i = 0; i < samples.size(); i += step) {
    record::TimelinePoint point;
    point.t_s = seconds_between(start.at, samples[i].at).seconds;
    for (std::size_t k = 0; k < samples[i].energy.size(); ++k) {
      double origin = k < start.energy.size() ? start.energy[k].joules : 0.0;
      point.energy_j.push_back(samples[i].energy[k].joules - origin);
    }
    record.timeline.points.push_back(std::move(point));
  }
}

void add_once(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

}  // namespace joule::run

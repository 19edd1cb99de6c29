#include "cli/run_outputs.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "record/csv_io.hpp"
#include "record/json_io.hpp"

namespace joule::cli {

void fill_energy(record::RunRecord& record, const Meter& meter,
                 const run::AttributionAccumulator& attribution, const Measurement& whole,
                 const std::optional<record::IdleBaseline>& idle) {
  const auto& domains = meter.domains();
  record.domains.clear();
  for (std::size_t i = 0; i < domains.size() && i < whole.domains.size(); ++i) {
    const DomainInfo& info = domains[i];
    const DomainEnergy& energy = whole.domains[i];
    record::DomainRecord d;
    d.id = info.id;
    d.label = info.label;
    d.component = info.component;
    d.provenance = info.provenance;
    d.machine_energy_j = energy.energy.joules;
    d.attributed_energy_j =
        i < attribution.attributed().size() ? attribution.attributed()[i].joules : 0.0;
    d.mean_power_w = energy.mean_power.watts;
    d.relative_uncertainty = info.relative_uncertainty;
    d.source = info.source;
    d.in_total = energy.in_total;
    record.domains.push_back(std::move(d));
  }
  record.duration_s = whole.duration.seconds;
  auto& totals = record.totals;
  totals.machine_energy_j = whole.total.joules;
  totals.attributed_energy_j = attribution.attributed_total().joules;
  totals.relative_uncertainty = whole.total_relative_uncertainty;
  totals.provenance = whole.total_provenance;
  record.idle = idle;
  if (idle) {
    totals.idle_energy_j = idle->power_w * whole.duration.seconds;
    totals.above_idle_energy_j = std::max(0.0, totals.machine_energy_j - totals.idle_energy_j);
  } else {
    totals.idle_energy_j = 0;
    totals.above_idle_energy_j = 0;
  }
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

std::vector<std::string> write_outputs(record::RunRecord& record, const std::string& json_path,
                                       const std::string& csv_path) {
  std::vector<std::string> problems;
  if (!csv_path.empty()) {
    try {
      auto appended = record::append_csv(csv_path, record);
      if (!appended.warning.empty()) problems.push_back(appended.warning);
    } catch (const std::exception& e) {
      problems.push_back(fmt::format("--csv not written: {}", e.what()));
    }
  }
  for (const auto& p : problems) record.warnings.push_back(p);
  // JSON last, so it carries the CSV's warnings too.
  if (!json_path.empty()) {
    try {
      record::write_json_file(json_path, record);
    } catch (const std::exception& e) {
      problems.push_back(fmt::format("--json not written: {}", e.what()));
    }
  }
  return problems;
}

}  // namespace joule::cli

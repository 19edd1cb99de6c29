#include "report/run_page.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "report/compare.hpp"
#include "report/format.hpp"
#include "report/summary.hpp"

namespace joule::report {
namespace {

using record::RunRecord;

bool modelled(const RunRecord& run) {
  return run.totals.provenance == Provenance::modelled;
}

std::string range_text(const carbon::Estimate& range) {
  return fmt::format("[{} – {}]", GramsCO2e{range.low}, GramsCO2e{range.high});
}

// The energy range from the relative uncertainty, as the summary states it.
std::string energy_range(double joules, double relative) {
  return fmt::format("{} [{} – {}]", format_relative(relative), Joules{joules * (1 - relative)},
                     Joules{joules * (1 + relative)});
}

std::vector<html::Figure> headline(const RunRecord& run) {
  const bool is_modelled = modelled(run);
  const auto& t = run.totals;
  std::vector<html::Figure> figures = {
      {"attributed energy", fmt::format("{}", Joules{t.attributed_energy_j}),
       energy_range(t.attributed_energy_j, t.relative_uncertainty), is_modelled},
      {"machine energy", fmt::format("{}", Joules{t.machine_energy_j}),
       fmt::format("{:Wh}", Joules{t.machine_energy_j}), is_modelled},
      {"duration", fmt::format("{}", Seconds{run.duration_s}), status_text(run), false}};
  if (run.carbon) {
    figures.push_back({"carbon, total (central)",
                       fmt::format("{}", GramsCO2e{run.carbon->total_co2e_g.central}),
                       range_text(run.carbon->total_co2e_g), is_modelled});
  }
  if (run.sci) {
    figures.push_back({fmt::format("SCI per {}", run.sci->unit),
                       fmt::format("{}", GramsCO2e{run.sci->co2e_g_per_unit.central}),
                       range_text(run.sci->co2e_g_per_unit), is_modelled});
  }
  return figures;
}

std::string identity(const RunRecord& run) {
  html::Rows rows = {{"", ""}, {"command", command_text(run)}, {"started", run.started_at}};
  if (!run.cwd.empty()) rows.push_back({"directory", run.cwd});
  if (run.git) {
    rows.push_back({"git", run.git->commit.substr(0, 12) + (run.git->dirty ? " (dirty)" : "")});
  }
  const std::string host = host_text(run.host);
  if (!host.empty()) rows.push_back({"host", host});
  rows.push_back({"joule", run.joule_version.empty() ? "unknown" : run.joule_version});
  // A two-column key/value table reads without a header.
  rows.erase(rows.begin());
  std::string out = "<table>\n";
  for (const auto& row : rows) {
    out += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", html::escape(row[0]),
                       html::escape(row[1]));
  }
  return out + "</table>\n";
}

std::string energy_part(const RunRecord& run) {
  if (run.domains.empty()) return html::paragraph("No energy domain was measured or modelled.");
  const bool is_modelled = modelled(run);
  const auto& t = run.totals;
  std::string out = html::table(energy_rows(run), {false, true, true, true, true, false, false});
  chart::BarChart bars{"Machine against attributed energy, and the idle baseline", {}, ""};
  bars.bars.push_back(
      {"machine", t.machine_energy_j, fmt::format("{}", Joules{t.machine_energy_j}), is_modelled});
  if (run.idle) {
    bars.bars.push_back({"idle baseline", t.idle_energy_j,
                         fmt::format("{}", Joules{t.idle_energy_j}), is_modelled});
    bars.bars.push_back({"above idle", t.above_idle_energy_j,
                         fmt::format("{}", Joules{t.above_idle_energy_j}), is_modelled});
  }
  bars.bars.push_back({"attributed", t.attributed_energy_j,
                       fmt::format("{}", Joules{t.attributed_energy_j}), is_modelled});
  out += chart::bar_chart(bars);
  std::vector<std::string> notes;
  if (run.idle) {
    notes.push_back(fmt::format("Idle baseline {} × {} ({}).", Watts{run.idle->power_w},
                                Seconds{run.duration_s}, run.idle->source));
  } else {
    notes.push_back("Idle: not measured (no idle baseline for this run).");
  }
  if (!run.attribution.method.empty()) {
    const double share = t.machine_energy_j > 0 ? t.attributed_energy_j / t.machine_energy_j : 0;
    notes.push_back(fmt::format("Attributed {} of the machine's energy by {}.",
                                format_percent(share), run.attribution.method));
    for (const auto& note : run.attribution.notes) notes.push_back(note);
  } else {
    notes.push_back("Not attributed: the figures are the whole machine's.");
  }
  return out + html::list(notes);
}

std::string timeline_part(const RunRecord& run) {
  if (run.timeline.points.size() < 2) {
    return html::paragraph("No power timeline was recorded for this run.", "note");
  }
  std::string out = chart::line_chart(power_timeline(run));
  if (!run.phases.empty()) out += html::table(phase_rows(run), {false, true, true, true, true});
  return out;
}

std::string carbon_part(const RunRecord& run) {
  if (!run.carbon) {
    return html::paragraph("Not computed: no location or grid intensity is known for this run.");
  }
  const auto& c = *run.carbon;
  std::string out = html::table(carbon_rows(c), {false, true, true, true});
  chart::BarChart bars{"Carbon: operational (O) and embodied (M), central estimate", {}, ""};
  bars.bars.push_back({"operational (O)", c.operational_co2e_g.central,
                       fmt::format("{} {}", GramsCO2e{c.operational_co2e_g.central},
                                   range_text(c.operational_co2e_g)),
                       modelled(run)});
  bars.bars.push_back(
      {"embodied (M)", c.embodied_co2e_g.central,
       fmt::format("{} {}", GramsCO2e{c.embodied_co2e_g.central}, range_text(c.embodied_co2e_g)),
       false});
  out += chart::bar_chart(bars);
  out += html::list({fmt::format("Location {} ({}).", c.location.empty() ? "unknown" : c.location,
                                 c.location_method.empty() ? "how it was decided is not recorded"
                                                           : c.location_method),
                     "Grid intensity " + intensity_text(c) + ".",
                     fmt::format("PUE {:.2f} ({}).", c.pue, c.pue_source),
                     fmt::format("Transmission and distribution losses {} ({}).",
                                 format_percent(c.td_loss_fraction), c.td_loss_source)});
  if (!c.terms.empty()) {
    out += "<h3>Each term, with its source</h3>\n";
    out += html::table(carbon_term_rows(c), {false, true, false, false});
  }
  return out;
}

std::string units_part(const RunRecord& run) {
  std::vector<std::string> lines;
  for (const auto& unit : run.units) {
    std::string line = fmt::format("{} {}", format_count(unit.count), unit.name);
    if (unit.count > 0) {
      line += fmt::format(": {} per {} attributed",
                          Joules{run.totals.attributed_energy_j} / unit.count, unit.name);
    }
    lines.push_back(line);
  }
  if (run.sci) lines.push_back("SCI " + sci_text(*run.sci));
  return html::list(lines);
}

}  // namespace

html::Banner run_banner(const RunRecord& run) {
  html::Banner banner;
  banner.modelled = modelled(run);
  banner.headline =
      banner.modelled
          ? fmt::format("Modelled, not measured: part of this energy is an estimate ({})",
                        format_relative(run.totals.relative_uncertainty))
          : fmt::format("Measured by hardware energy counters ({})",
                        format_relative(run.totals.relative_uncertainty));
  std::vector<std::string> sensors;
  for (const auto& domain : run.domains) {
    if (!domain.in_total) continue;
    sensors.push_back(fmt::format("{} {} ({}, {})", domain.id, to_string(domain.provenance),
                                  domain.source, format_relative(domain.relative_uncertainty)));
  }
  banner.lines.push_back(sensors.empty()
                             ? "Sensors: none recorded."
                             : "Sensors: " + fmt::format("{}", fmt::join(sensors, "; ")));
  if (run.carbon) {
    banner.lines.push_back(fmt::format(
        "Location {}: {}.", run.carbon->location.empty() ? "unknown" : run.carbon->location,
        run.carbon->location_method.empty() ? "how it was decided is not recorded"
                                            : run.carbon->location_method));
  } else {
    banner.lines.push_back("Carbon not computed: no location or grid intensity is known.");
  }
  for (const auto& warning : run.warnings) banner.lines.push_back("Warning: " + warning);
  return banner;
}

chart::LineChart power_timeline(const RunRecord& run) {
  chart::LineChart chart;
  chart.title = "Power per domain";
  chart.x_label = "time since the start";
  chart.y_label = "power";
  chart.modelled = modelled(run);
  const auto& timeline = run.timeline;
  for (std::size_t k = 0; k < timeline.domain_ids.size(); ++k) {
    chart::Series series{timeline.domain_ids[k], {}, {}};
    // Power over each step of the cumulative series, drawn at its middle.
    for (std::size_t i = 1; i < timeline.points.size(); ++i) {
      const auto& before = timeline.points[i - 1];
      const auto& after = timeline.points[i];
      const double dt = after.t_s - before.t_s;
      if (dt <= 0 || k >= before.energy_j.size() || k >= after.energy_j.size()) continue;
      series.x.push_back((before.t_s + after.t_s) / 2);
      series.y.push_back((after.energy_j[k] - before.energy_j[k]) / dt);
    }
    chart.series.push_back(std::move(series));
  }
  for (const auto& phase : run.phases) {
    chart.bands.push_back({phase.start_offset_s, phase.end_offset_s, phase.name});
  }
  return chart;
}

std::string run_report_html(const RunRecord& run) {
  std::string body = html::banner(run_banner(run));
  body += html::figures(headline(run));
  body += identity(run);
  body += html::section("Power over time", timeline_part(run));
  body += html::section("Energy", energy_part(run));
  body += html::section("Carbon", carbon_part(run));
  if (!run.units.empty() || run.sci) body += html::section("Per unit", units_part(run));
  if (!run.warnings.empty()) body += html::section("Warnings", html::list(run.warnings));
  return html::page(fmt::format("joule run {}", run.id), body);
}

std::string runs_report_html(const std::vector<RunRecord>& runs) {
  if (runs.size() == 1) return run_report_html(runs.front());
  const bool any_modelled = std::any_of(runs.begin(), runs.end(), modelled);
  html::Banner banner;
  banner.modelled = any_modelled;
  banner.headline = any_modelled ? "Modelled, not measured: some runs' energy is an estimate"
                                 : "Measured by hardware energy counters";
  for (const auto& run : runs) {
    const auto run_lines = run_banner(run);
    banner.lines.push_back(fmt::format("{}: {}", run.id, run_lines.headline));
  }
  std::string body = html::banner(banner);
  const auto rows = compare_rows(runs);
  std::vector<bool> right(rows.front().size(), true);
  right[0] = false;
  std::string table = html::table(rows, right);
  table += html::paragraph("Ratios (×) are against the baseline, the first run given.", "note");
  chart::BarChart bars{"Attributed energy per run", {}, "Ratios against the first run."};
  for (const auto& run : runs) {
    const double ratio =
        runs.front().totals.attributed_energy_j > 0
            ? run.totals.attributed_energy_j / runs.front().totals.attributed_energy_j
            : 0;
    bars.bars.push_back(
        {run.id, run.totals.attributed_energy_j,
         fmt::format("{} ({})", Joules{run.totals.attributed_energy_j}, format_ratio(ratio)),
         modelled(run)});
  }
  body += html::section("Side by side", table + chart::bar_chart(bars));
  return html::page(fmt::format("joule: {} runs compared", runs.size()), body);
}

}  // namespace joule::report

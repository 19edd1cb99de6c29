#include "report/summary.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "report/format.hpp"

namespace joule::report {

using record::RunRecord;
using record::RunStatus;

std::string status_text(const RunRecord& r) {
  std::string s(record::to_string(r.status));
  if (r.exit.exit_code) s += fmt::format(" (exit {})", *r.exit.exit_code);
  if (r.exit.signal) s += fmt::format(" (killed by signal {})", *r.exit.signal);
  if (!r.exit.error.empty()) s += fmt::format(" ({})", r.exit.error);
  if (r.status == RunStatus::interrupted) s += " - figures up to the last checkpoint";
  return s;
}

std::string command_text(const RunRecord& r) {
  std::string out;
  for (const auto& arg : r.command) {
    if (!out.empty()) out += ' ';
    bool plain = !arg.empty() && arg.find_first_of(" \t\"'\\$") == std::string::npos;
    out += plain ? arg : fmt::format("'{}'", arg);
  }
  return out;
}

std::string host_text(const record::HostInfo& h) {
  std::vector<std::string> parts;
  if (!h.hostname.empty()) parts.push_back(h.hostname);
  if (!h.cpu_model.empty()) {
    parts.push_back(h.cpu_logical_cores > 0
                        ? fmt::format("{} ({} threads)", h.cpu_model, h.cpu_logical_cores)
                        : h.cpu_model);
  }
  if (h.memory_bytes > 0) {
    parts.push_back(
        fmt::format("{:.0f} GiB RAM", static_cast<double>(h.memory_bytes) / (1ull << 30)));
  }
  if (!h.gpus.empty()) {
    parts.push_back(fmt::format("{} GPU{}: {}", h.gpus.size(), h.gpus.size() > 1 ? "s" : "",
                                h.gpus.front().model));
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " · ") + p;
  return out;
}

Rows energy_rows(const RunRecord& r, const SummaryOptions& options) {
  Rows rows;
  std::vector<std::string> header = {"domain",     "machine",     "attributed",
                                     "mean power", "uncertainty", "provenance"};
  if (options.show_sources) header.push_back("source");
  rows.push_back(header);
  for (const auto& d : r.domains) {
    if (!d.in_total && !options.show_domains_not_in_total) continue;
    std::vector<std::string> row = {d.in_total ? d.id : d.id + " *",
                                    fmt::format("{}", Joules{d.machine_energy_j}),
                                    fmt::format("{}", Joules{d.attributed_energy_j}),
                                    fmt::format("{}", Watts{d.mean_power_w}),
                                    format_relative(d.relative_uncertainty),
                                    std::string(joule::to_string(d.provenance))};
    if (options.show_sources) row.push_back(d.source);
    rows.push_back(row);
  }
  const auto& t = r.totals;
  std::vector<std::string> total = {
      "total",
      fmt::format("{}", Joules{t.machine_energy_j}),
      fmt::format("{}", Joules{t.attributed_energy_j}),
      fmt::format("{}", Joules{t.machine_energy_j} / Seconds{r.duration_s}),
      format_relative(t.relative_uncertainty),
      std::string(joule::to_string(t.provenance))};
  if (options.show_sources) total.push_back("sum of the domains without *");
  rows.push_back(total);
  return rows;
}

namespace {

void energy_section(const RunRecord& r, const SummaryOptions& options, std::string& out) {
  out += "\nEnergy\n";
  if (r.domains.empty()) {
    out += "  no energy domain was measured or modelled\n";
    return;
  }
  const bool nested = std::any_of(r.domains.begin(), r.domains.end(), [&](const auto& d) {
    return !d.in_total && options.show_domains_not_in_total;
  });
  const auto& t = r.totals;
  out += render_table(energy_rows(r, options), {false, true, true, true, true, false, false});
  if (nested) out += "  * contained in another domain: shown, not summed\n";

  // Attributed vs machine vs idle: people compare both ways, so give all three.
  out += fmt::format("  machine     {0} ({0:Wh})", Joules{t.machine_energy_j});
  out += "  everything the machine drew while the command ran\n";
  if (r.idle) {
    out += fmt::format("  idle        {}  baseline {} x {} ({}{})\n", Joules{t.idle_energy_j},
                       Watts{r.idle->power_w}, Seconds{r.duration_s}, r.idle->source,
                       r.idle->duration_s > 0
                           ? fmt::format(", measured over {}", Seconds{r.idle->duration_s})
                           : "");
    out += fmt::format("  above idle  {}\n", Joules{t.above_idle_energy_j});
  } else {
    out += "  idle        not measured (no idle baseline for this run)\n";
  }
  if (!r.attribution.method.empty()) {
    double share = t.machine_energy_j > 0 ? t.attributed_energy_j / t.machine_energy_j : 0;
    out += fmt::format("  attributed  {} ({} of machine) by {}\n", Joules{t.attributed_energy_j},
                       format_percent(share), r.attribution.method);
    for (const auto& note : r.attribution.notes) out += fmt::format("              {}\n", note);
  } else {
    out += "  attributed  not attributed: the figures are the whole machine's\n";
  }
}

// M device by device: the figure, the rows it rests on, and the allocation.
void embodied_lines(const record::CarbonRecord& c, std::string& out) {
  if (c.embodied.empty()) {
    out += "  embodied    not included (see the warnings)\n";
    return;
  }
  for (const auto& e : c.embodied) {
    out += fmt::format("  embodied    {} x {}: {} CO2e [{} – {}], {} ({})\n", format_count(e.count),
                       e.device, GramsCO2e{e.co2e_g.central}, GramsCO2e{e.co2e_g.low},
                       GramsCO2e{e.co2e_g.high}, e.provenance, e.how_decided);
    out += fmt::format("              TE {:.4g} kgCO2e [{:.4g} – {:.4g}] per device: {}\n",
                       e.device_co2e_kg.central, e.device_co2e_kg.low, e.device_co2e_kg.high,
                       e.source);
    for (const auto& row : e.rows) out += fmt::format("              row {}\n", row);
    out += fmt::format("              TiR {:.4g} h / EL {:.0f} h ({}) x RS {:.4g} ({})\n",
                       e.time_reserved_h, e.lifetime_h, e.lifetime_source, e.share, e.share_source);
  }
}

void carbon_section(const RunRecord& r, std::string& out) {
  out += "\nCarbon\n";
  if (!r.carbon) {
    out += "  not computed (no location or grid intensity known for this run)\n";
    return;
  }
  const auto& c = *r.carbon;
  out += render_table(carbon_rows(c), {false, true, true, true});
  out += fmt::format(
      "  location    {} ({})\n", c.location.empty() ? "unknown" : c.location,
      c.location_method.empty() ? "how it was decided is not recorded" : c.location_method);
  out += fmt::format("  intensity   {}\n", intensity_text(c));
  out += fmt::format("  PUE         {:.2f} ({})\n", c.pue, c.pue_source);
  out +=
      fmt::format("  T&D loss    {} ({})\n", format_percent(c.td_loss_fraction), c.td_loss_source);
  if (!c.terms.empty()) {
    out += render_table(carbon_term_rows(c), {false, true, false, false}, "    ");
  }
  embodied_lines(c, out);
}

void units_section(const RunRecord& r, std::string& out) {
  if (r.units.empty() && !r.sci) return;
  out += "\nPer unit\n";
  for (const auto& u : r.units) {
    std::string line = fmt::format("  {} {}", format_count(u.count), u.name);
    if (u.count > 0) {
      line += fmt::format(": {} per {} attributed", Joules{r.totals.attributed_energy_j} / u.count,
                          u.name);
    }
    out += line + "\n";
  }
  if (r.sci) out += fmt::format("  SCI         {}\n", sci_text(*r.sci));
}

void phases_section(const RunRecord& r, std::string& out) {
  if (r.phases.empty()) return;
  out += "\nPhases\n";
  out += render_table(phase_rows(r), {false, true, true, true, true});
}

}  // namespace

Rows carbon_rows(const record::CarbonRecord& c) {
  Rows rows = {{"gCO2e", "low", "central", "high"}};
  auto add = [&](const char* name, const carbon::Estimate& range) {
    rows.push_back({name, fmt::format("{}", GramsCO2e{range.low}),
                    fmt::format("{}", GramsCO2e{range.central}),
                    fmt::format("{}", GramsCO2e{range.high})});
  };
  add("operational", c.operational_co2e_g);
  add("embodied", c.embodied_co2e_g);
  add("total", c.total_co2e_g);
  return rows;
}

Rows carbon_term_rows(const record::CarbonRecord& c) {
  Rows terms = {{"term", "value", "unit", "source"}};
  for (const auto& term : c.terms) {
    // Grams take the mass formatter's prefix, so that a small run's
    // emissions read "78.9 ng CO2e" like every other figure, not 7.89e-08.
    if (term.unit == "gCO2e") {
      terms.push_back({term.name, fmt::format("{}", GramsCO2e{term.value}), "CO2e", term.source});
    } else {
      terms.push_back({term.name, fmt::format("{:.4g}", term.value), term.unit, term.source});
    }
  }
  return terms;
}

Rows phase_rows(const RunRecord& r) {
  Rows rows = {{"phase", "from", "to", "machine", "attributed"}};
  for (const auto& p : r.phases) {
    rows.push_back({p.name, fmt::format("{}", Seconds{p.start_offset_s}),
                    fmt::format("{}", Seconds{p.end_offset_s}),
                    fmt::format("{}", Joules{p.machine_energy_j}),
                    fmt::format("{}", Joules{p.attributed_energy_j})});
  }
  return rows;
}

std::string intensity_text(const record::CarbonRecord& c) {
  return fmt::format("{:.0f} gCO2e/kWh [{:.0f} – {:.0f}] ({})", c.intensity_g_per_kwh.central,
                     c.intensity_g_per_kwh.low, c.intensity_g_per_kwh.high, c.intensity_source);
}

std::string sci_text(const record::SciRecord& sci) {
  return fmt::format("{} per {} [{} – {}] = (operational + embodied) / {} {}",
                     GramsCO2e{sci.co2e_g_per_unit.central}, sci.unit,
                     GramsCO2e{sci.co2e_g_per_unit.low}, GramsCO2e{sci.co2e_g_per_unit.high},
                     format_count(sci.units), sci.unit);
}

std::string render_summary(const RunRecord& r, const SummaryOptions& options) {
  std::string out = fmt::format("joule run {}  {}\n", r.id, status_text(r));
  out += fmt::format("  command     {}\n", command_text(r));
  if (!r.cwd.empty()) out += fmt::format("  directory   {}\n", r.cwd);
  if (r.git) {
    out += fmt::format("  git         {}{}{}\n", r.git->commit.substr(0, 12),
                       r.git->dirty ? " (dirty)" : "",
                       r.git->branch.empty() ? "" : " on " + r.git->branch);
  }
  std::string host = host_text(r.host);
  if (!host.empty()) out += fmt::format("  host        {}\n", host);
  out += fmt::format("  started     {}\n", r.started_at);
  out += fmt::format("  duration    {}{}\n", Seconds{r.duration_s},
                     r.status == RunStatus::running ? " so far" : "");
  if (!r.tags.empty()) {
    std::string tags;
    for (const auto& [k, v] : r.tags) {
      if (!tags.empty()) tags += ' ';
      tags += k;
      tags += '=';
      tags += v;
    }
    out += fmt::format("  tags        {}\n", tags);
  }

  energy_section(r, options, out);
  phases_section(r, out);
  carbon_section(r, out);
  units_section(r, out);

  out += "\nOverhead\n";
  double cpu_share = r.duration_s > 0 ? r.overhead_cpu_s / r.duration_s : 0;
  out += fmt::format("  joule used {} of CPU time ({} of one core over the run){}\n",
                     Seconds{r.overhead_cpu_s}, format_percent(cpu_share),
                     r.sample_interval_s > 0
                         ? fmt::format(", sampling every {}", Seconds{r.sample_interval_s})
                         : "");

  if (!r.warnings.empty()) {
    out += "\nWarnings\n";
    for (const auto& w : r.warnings) out += fmt::format("  ! {}\n", w);
  }
  return out;
}

}  // namespace joule::report

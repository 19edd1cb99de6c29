#include "bench/report_html.hpp"

#include <fmt/format.h>

#include <map>

#include "bench/labels.hpp"
#include "joule/version.h"
#include "report/format.hpp"
#include "report/html.hpp"
#include "report/summary.hpp"

namespace joule::bench {
namespace {

namespace html = report::html;

// Energy per 1,000 samples of each model at every batch it ran with the
// default settings: the default variant's batches and the batch-size
// variants, the median over seeds.
html::Rows batch_rows(const BenchResults& results, const TaskSummary& summary) {
  std::map<int, std::map<std::string, std::vector<double>>> by_batch;
  for (const RunResult& run : results.runs) {
    if (run.task != summary.task.name) continue;
    for (const InferenceResult& result : run.inference) {
      const bool default_settings =
          result.variant == "default" || result.variant.rfind("batch=", 0) == 0;
      if (!default_settings || !result.supported) continue;
      by_batch[result.batch][run.model].push_back(result.energy_per_1000.joules);
    }
  }
  html::Rows rows = {{"model"}};
  for (const auto& [batch, models] : by_batch) rows[0].push_back(fmt::format("batch {}", batch));
  for (const ModelSummary& model : summary.models) {
    std::vector<std::string> row = {model.model};
    for (const auto& [batch, models] : by_batch) {
      const auto found = models.find(model.model);
      row.push_back(found == models.end()
                        ? "-"
                        : fmt::format("{}", Joules{bootstrap_median(found->second).median}));
    }
    rows.push_back(row);
  }
  return rows;
}

std::string svg_body(const std::string& svg) {
  // Inline SVG in HTML takes no XML declaration.
  const auto start = svg.find("<svg");
  return start == std::string::npos ? svg : svg.substr(start);
}

std::string labels_part(const BenchResults& results, const TaskSummary& summary) {
  std::string out = "<div class=\"labels\">\n";
  std::vector<std::string> missing;
  for (const ModelLabel& label : bench_labels(results, report::LabelPurpose::inference)) {
    if (label.task != summary.task.name) continue;
    if (label.label) {
      out += report::label_svg(*label.label);
    } else {
      missing.push_back(label.model + ": " + label.why_not);
    }
  }
  out += "</div>\n";
  if (!missing.empty()) out += html::list(missing);
  return out;
}

std::string task_part(const BenchResults& results, const TaskSummary& summary) {
  std::string body = html::paragraph(tiers_line(summary.task));
  if (const std::string mixed = mixed_machines_line(results.provenance); !mixed.empty()) {
    body += html::paragraph(mixed, "verdict");
  }
  body += html::paragraph(summary.sentence, "verdict");
  if (summary.models.empty()) return html::section(summary.task.name, body + "<p>No results.</p>");
  const Table table = summary_table(summary);
  body += html::table(table.rows, table.right);
  body += html::paragraph(
      "Median over seeds, bootstrap 95% interval in brackets; ranked on total training energy "
      "(idle share included); * on the Pareto front.",
      "note");
  const auto notes = disturbed_notes(summary);
  if (!notes.empty()) body += html::list(notes);
  body += "<figure>" + svg_body(pareto_svg(summary, results.provenance)) + "</figure>\n";
  if (!summary.task.tiers.empty()) {
    const Table tiers = tier_table(summary);
    body +=
        "<h3>Energy, time and epochs to each tier</h3>\n" + html::table(tiers.rows, tiers.right);
  }
  if (const Table cheapest = cheapest_ratio_table(summary); cheapest.rows.size() > 1) {
    body +=
        "<h3>At matched quality: energy and time to each tier against the cheapest model</h3>\n" +
        html::paragraph(
            "Ratios of medians over seeds with a bootstrap 95% interval; a model "
            "that missed the tier shows the floor its spent energy puts under "
            "the ratio.",
            "note") +
        html::table(cheapest.rows, cheapest.right);
  }
  if (const Table recurrent = recurrent_dense_table(summary); recurrent.rows.size() > 1) {
    body += "<h3>Recurrent against dense, the essays' comparison</h3>\n" +
            html::table(recurrent.rows, recurrent.right);
  }
  const html::Rows batches = batch_rows(results, summary);
  std::vector<bool> right(batches.front().size(), true);
  right[0] = false;
  body +=
      "<h3>Inference: energy per 1,000 samples at each batch</h3>\n" + html::table(batches, right);
  const Table variants = variant_table(summary);
  body += "<h3>Hidden costs: inference variants as a ratio against their baseline</h3>\n";
  body += variants.rows.size() == 1
              ? html::paragraph("No hidden-cost variants were measured.")
              : html::paragraph(
                    "Below ×1.00 the variant is cheaper (energy per 1,000 samples) "
                    "or faster (latency).",
                    "note") +
                    html::table(variants.rows, variants.right);
  body += "<h3>Energy labels (inference)</h3>\n" + labels_part(results, summary);
  if (const Table pieces = piece_table(summary); pieces.rows.size() > 1) {
    body += "<h3>Pieces: the wall time of each (model, seed)</h3>\n" +
            html::table(pieces.rows, pieces.right);
  }
  return html::section(summary.task.name, body);
}

struct Totals {
  Joules energy;
  Seconds duration;
  std::size_t runs = 0;
};

Totals training_totals(const BenchResults& results) {
  Totals totals;
  for (const RunResult& run : results.runs) {
    totals.energy += run.training.energy;
    totals.duration += run.training.duration;
    ++totals.runs;
  }
  return totals;
}

carbon::Estimate sum(const carbon::Estimate& a, const carbon::Estimate& b) {
  return {a.low + b.low, a.central + b.central, a.high + b.high};
}

}  // namespace

std::string bench_report_html(const BenchResults& results) {
  const MeasurementSetup& setup = results.provenance;
  html::Banner banner;
  banner.modelled = setup.modelled;
  banner.headline = energy_line(setup);
  banner.lines = {runtime_line(setup)};
  if (!results.records.empty() && results.records.front().carbon) {
    const auto& carbon = *results.records.front().carbon;
    banner.lines.push_back(
        fmt::format("Location {}: {}.", carbon.location, carbon.location_method));
  }
  for (const std::string& note : results.notes) banner.lines.push_back("Note: " + note);
  std::string body = html::banner(banner);
  body += html::paragraph("Reproduce: " + reproduce_bench_command(results), "note");
  for (const TaskSummary& summary : results.summaries) body += task_part(results, summary);
  return html::page("joule bench: models compared on quality against joules", body);
}

report::Statement bench_statement(const BenchResults& results) {
  const MeasurementSetup& setup = results.provenance;
  const Totals totals = training_totals(results);
  report::Statement s;
  s.title = "Energy and carbon of the model comparison (joule bench)";
  s.paragraph = fmt::format(
      "We compared models with joule bench {} in {} mode ({}) on {} ({}, {} threads, LibTorch "
      "{}). Energy was {}: {}{}. Training took {} over {} runs and drew {} in total.",
      JOULE_VERSION_STRING, setup.mode, setup.date_utc, setup.host, setup.blas, setup.threads,
      setup.torch_version, setup.modelled ? "modelled, not measured" : "measured",
      setup.energy_source,
      setup.relative_uncertainty > 0
          ? " (" + report::format_relative(setup.relative_uncertainty) + ")"
          : "",
      totals.duration, totals.runs, totals.energy);
  for (const TaskSummary& summary : results.summaries) s.paragraph += " " + summary.sentence;
  s.facts = {
      {"Hardware", setup.host + ", " + setup.blas},
      {"Sensors and provenance",
       fmt::format("{} ({}{})", setup.energy_source, setup.modelled ? "modelled" : "measured",
                   setup.relative_uncertainty > 0
                       ? ", " + report::format_relative(setup.relative_uncertainty)
                       : "")},
      {"Energy", fmt::format("{} for training, {} runs", totals.energy, totals.runs)},
      {"Duration", fmt::format("{} of training", totals.duration)}};
  for (const TaskSummary& summary : results.summaries) {
    for (const ModelSummary& model : summary.models) {
      s.facts.emplace_back(
          fmt::format("{}, {}", summary.task.name, model.model),
          fmt::format("{} {}; training {}; inference {} per 1,000 at batch 1",
                      format_quality(model.quality.median), summary.task.metric,
                      Joules{model.training_joules.median},
                      model.inference_batch1_j_per_1000
                          ? fmt::format("{}", Joules{model.inference_batch1_j_per_1000->median})
                          : std::string("n/a")));
    }
  }
  const record::RunRecord* with_carbon = nullptr;
  carbon::Estimate total{};
  carbon::Estimate embodied{};
  for (const auto& record : results.records) {
    if (!record.carbon) continue;
    if (!with_carbon) with_carbon = &record;
    total = sum(total, record.carbon->total_co2e_g);
    embodied = sum(embodied, record.carbon->embodied_co2e_g);
  }
  if (with_carbon) {
    for (auto& fact : report::carbon_setting_facts(*with_carbon->carbon)) {
      s.facts.push_back(std::move(fact));
    }
    s.facts.emplace_back("Carbon, total",
                         report::carbon_range_text(total) +
                             fmt::format(" over the {} recorded runs", results.records.size()));
    s.facts.emplace_back("Carbon, embodied", report::carbon_range_text(embodied));
  } else {
    s.facts.emplace_back(
        "Carbon",
        fmt::format("not computed: no run record with carbon in {}/records", results.dir.string()));
  }
  s.facts.emplace_back("Command", reproduce_bench_command(results));
  s.facts.emplace_back("joule", JOULE_VERSION_STRING);
  s.citation = fmt::format(
      "Figures from joule bench {} ({}); ranges are central [low – high]. Reported following "
      "Henderson et al. (2020) and Lacoste et al. (2019).",
      JOULE_VERSION_STRING, results.dir.string());
  return s;
}

}  // namespace joule::bench

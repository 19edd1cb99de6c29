#pragma once
// The comparison as people want to read it: a terminal table, a Markdown
// summary, an SVG chart of the Pareto front, and JSON.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "bench/analysis.hpp"

namespace joule::bench {

// results.json's "format_version". 2 added validation and test scores, stop
// reasons, tuning, machines and wall times; format 1 wrote no version.
// src/budget/bench_file.cpp reads the same file and knows the same formats.
inline constexpr int kResultsFormatVersion = 2;

// What the reports say about how the figures were obtained.
struct MeasurementSetup {
  std::string energy_source;  // e.g. "modelled: CPU time x the estimator's power table (±50%)"
  bool modelled = false;      // true when only the estimator measured energy
  double relative_uncertainty = 0;
  std::string host;  // CPU model, cores
  std::string blas;  // which BLAS LibTorch ran with
  int threads = 0;
  std::string torch_version;
  std::string mode;  // "quick" or "full"
  std::string date_utc;
  // Every machine the runs were taken on (RunResult::machine), in order of
  // appearance; more than one after `joule bench --merge` of several
  // machines' pieces, which the reports then say.
  std::vector<std::string> machines;
};

// "MIXED MACHINES: ..." when `provenance` names more than one machine; empty
// otherwise.
std::string mixed_machines_line(const MeasurementSetup& provenance);

// The cells the terminal and Markdown tables are made of, for other
// renderings (the HTML report) to print the same figures. The first row is
// the header; `right[i]` right-aligns column i.
struct Table {
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> right;
};
Table summary_table(const TaskSummary& summary);
Table tier_table(const TaskSummary& summary);     // energy, time and epochs to each tier
Table variant_table(const TaskSummary& summary);  // hidden costs; only a header when none
Table piece_table(const TaskSummary& summary);    // each (model, seed): machine, wall time
// At matched quality (TaskSummary::matched), one column per tier: every model
// against the cheapest to reach it, and each recurrent model against each
// dense one. Only a header when there is nothing to compare.
Table cheapest_ratio_table(const TaskSummary& summary);
Table recurrent_dense_table(const TaskSummary& summary);
std::vector<std::string> disturbed_notes(const TaskSummary& summary);
std::string energy_line(const MeasurementSetup& provenance);   // measured or MODELLED, source
std::string runtime_line(const MeasurementSetup& provenance);  // BLAS, threads, LibTorch, host
std::string tiers_line(const TaskInfo& task);
std::string format_quality(double quality);  // "0.843", as the tables print it
std::string format_tier(double tier);        // "0.84"

// Fixed-width table per task: model, quality, params, FLOPs, training energy
// and time, idle share, energy to each tier (or "not reached", with "k/n
// seeds" when only some seeds got there), inference J/1000 at batch 1 and
// large batch, latency, seeds; medians with their bootstrap interval in
// brackets. Provenance lines above it (modelled energy said in capitals),
// disturbed-run notes and the verdict below.
std::string terminal_table(const TaskSummary& summary, const MeasurementSetup& provenance);

// Markdown: provenance, then per task the sentence, the table, energy, time
// and epochs to each tier, the Pareto front, the variant ratios, and a link to
// the chart when `svg_name` is non-empty. Every "{task}" in `svg_name` is
// replaced by the task's name ("pareto-{task}.svg"), so that each task links
// its own chart.
std::string markdown_report(const std::vector<TaskSummary>& summaries,
                            const MeasurementSetup& provenance, const std::string& svg_name);

// A self-contained SVG: training energy (log x) against quality (y), every
// model a labelled point (labels placed so that none overlaps another label
// or a point), the Pareto front joined by a line. When the energy is
// modelled, the chart says so in its axis title and across the plot.
std::string pareto_svg(const TaskSummary& summary, const MeasurementSetup& provenance);

// Stable snake_case field names with units in them (joules, seconds,
// j_per_1000, latency_ms); NaN and infinities are null, as is a tier no seed
// reached. A run: task, model, seed, parameters, flops_per_sample,
// final_quality (validation), test_quality, stopped_by (StopReason's name),
// learning_rate, training {joules, seconds, relative_uncertainty,
// idle_joules, self_cpu_seconds, other_cpu_seconds}, tuning {cost, trials
// [{learning_rate, quality, training, stopped_by, chosen}]}, curve [{epochs,
// seconds, joules, quality}], inference [{variant, baseline, batch, threads,
// supported, note, samples, j_per_1000, latency_ms, quality, cost}],
// disturbed, warnings, machine, wall_seconds. A summary: task {name, metric, direction, tiers,
// tier_note}, models [ranked, each with rank, its ModelSummary fields
// (intervals as {median, low, high, n}) and pareto: bool], pareto (indices),
// pareto_models (names), sentence.
nlohmann::json to_json(const RunResult& run);
nlohmann::json to_json(const TaskSummary& summary);
nlohmann::json to_json(const MeasurementSetup& provenance);

}  // namespace joule::bench

#pragma once
// The comparison as people want to read it: a terminal table, a Markdown
// summary, an SVG chart of the Pareto front, and JSON.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "bench/analysis.hpp"

namespace joule::bench {

// What the reports say about how the figures were obtained.
struct Provenance {
  std::string energy_source;  // e.g. "modelled: CPU time x the estimator's power table (±50%)"
  bool modelled = false;      // true when only the estimator measured energy
  double relative_uncertainty = 0;
  std::string host;  // CPU model, cores
  std::string blas;  // which BLAS LibTorch ran with
  int threads = 0;
  std::string torch_version;
  std::string mode;  // "quick" or "full"
  std::string date_utc;
};

// Fixed-width table per task: model, quality, params, FLOPs, training energy
// and time, energy to each tier (or "not reached"), inference J/1000 at batch 1
// and large batch, latency; provenance line above it.
std::string terminal_table(const TaskSummary& summary, const Provenance& provenance);

// Markdown: provenance, the table, the Pareto front, the variant ratios, the
// sentence; links `svg_name` when non-empty.
std::string markdown_report(const std::vector<TaskSummary>& summaries, const Provenance& provenance,
                            const std::string& svg_name);

// A self-contained SVG: training energy (log x) against quality (y), every
// model a labelled point, the Pareto front joined by a line.
std::string pareto_svg(const TaskSummary& summary);

nlohmann::json to_json(const RunResult& run);
nlohmann::json to_json(const TaskSummary& summary);
nlohmann::json to_json(const Provenance& provenance);

}  // namespace joule::bench

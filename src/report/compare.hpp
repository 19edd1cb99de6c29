#pragma once
// Runs side by side: energy, carbon, duration and per-unit figures, each with
// its ratio to the first run (the baseline), so "B used 1.4x the energy of A"
// is read off the table rather than computed by hand.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "record/run_record.hpp"

namespace joule::report {

// One compared quantity across the runs; nullopt where a run lacks it.
struct CompareMetric {
  std::string name;  // "attributed energy"
  std::string unit;  // "J"
  std::vector<std::optional<double>> values;
  // values[i] / values[0]; nullopt when either is missing or the baseline is 0.
  std::vector<std::optional<double>> ratios;
};

std::vector<CompareMetric> compare_metrics(const std::vector<record::RunRecord>& runs);

// The table's cells: a header row (the run ids), command, status, energy
// provenance, then one row per metric, each value with its ratio to the
// first run ("12.3 J (×1.40)").
std::vector<std::vector<std::string>> compare_rows(const std::vector<record::RunRecord>& runs);

// The text table; the first run is the baseline of the ratios.
std::string render_compare(const std::vector<record::RunRecord>& runs);

// {"baseline": id, "runs": [{id, command, status, started_at}], "metrics":
// [{"name", "unit", "values": [...], "ratios": [...]}]}; missing values are null.
nlohmann::json compare_json(const std::vector<record::RunRecord>& runs);

}  // namespace joule::report

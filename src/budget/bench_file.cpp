#include "budget/bench_file.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <cmath>

#include "carbon/estimate.hpp"
#include "joule/data_error.hpp"
#include "support/files.hpp"

namespace joule::budget {

namespace {

using nlohmann::json;

// The newest results.json format this reader knows: kResultsFormatVersion of
// src/bench/report.hpp, which this layer cannot include. Format 2 added
// fields (validation beside test, tuning, stop reasons, wall times) and kept
// every one read here, so formats 1 and 2 read alike.
constexpr int kNewestBenchFormat = 2;

[[noreturn]] void malformed(const std::filesystem::path& path, const std::string& what) {
  throw DataError(path.string(), 0, 0, fmt::format("not a joule bench results.json: {}", what));
}

double number_or(const json& j, const char* key, double fallback) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : fallback;
}

// {median, low, high, n} as written by report_json.cpp; null for "none".
std::optional<carbon::Estimate> interval(const json& j) {
  if (!j.is_object() || !j.contains("median") || !j["median"].is_number()) return std::nullopt;
  const double median = j["median"].get<double>();
  return carbon::normalised({number_or(j, "low", median), median, number_or(j, "high", median)});
}

BenchModel read_model(const json& m) {
  BenchModel model;
  model.name = m.value("model", "");
  model.flops_per_sample = number_or(m, "flops_per_sample", 0);
  if (m.contains("quality")) {
    if (auto q = interval(m["quality"])) model.quality = q->central;
  }
  model.pareto = m.value("pareto", false);
  for (const auto& t : m.value("tiers", json::array())) {
    model.tiers.push_back(
        {number_or(t, "tier", NAN), t.contains("joules") ? interval(t["joules"]) : std::nullopt});
  }
  if (m.contains("inference_batch1_j_per_1000")) {
    model.batch1_j_per_1000 = interval(m["inference_batch1_j_per_1000"]);
  }
  if (m.contains("inference_batch_j_per_1000")) {
    model.large_batch_j_per_1000 = interval(m["inference_batch_j_per_1000"]);
  }
  model.large_batch = static_cast<int>(number_or(m, "large_batch", 0));
  return model;
}

BenchTask read_task(const json& t) {
  BenchTask task;
  const json& info = t.at("task");
  task.name = info.value("name", "");
  task.metric = info.value("metric", "");
  task.higher_is_better = info.value("direction", "higher_is_better") == "higher_is_better";
  for (const auto& tier : info.value("tiers", json::array())) {
    if (tier.is_number()) task.tiers.push_back(tier.get<double>());
  }
  for (const auto& m : t.at("models")) task.models.push_back(read_model(m));
  return task;
}

// The bench's own uncertainty (sensors) on top of the spread over seeds.
carbon::Estimate with_sensor_uncertainty(const BenchFile& file, const carbon::Estimate& e) {
  return carbon::product({e, carbon::relative(1, file.relative_uncertainty)});
}

}  // namespace

BenchFile load_bench_file(const std::filesystem::path& path) {
  const auto text = support::read_file(path);
  if (!text) throw DataError(path.string(), 0, 0, "cannot open the bench results file for reading");
  json root;
  try {
    root = json::parse(*text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number past double
    throw DataError(path.string(), 0, 0, fmt::format("malformed JSON: {}", e.what()));
  }
  if (!root.is_object() || !root.contains("tasks") || !root["tasks"].is_array()) {
    malformed(path, "expected an object with \"tasks\" and \"provenance\"");
  }
  if (const double format = number_or(root, "format_version", 1); format > kNewestBenchFormat) {
    malformed(path, fmt::format("format_version {} is newer than this joule reads (1 to {})",
                                format, kNewestBenchFormat));
  }
  BenchFile file;
  file.path = path;
  const json provenance = root.value("provenance", json::object());
  file.energy_source = provenance.value("energy_source", "");
  file.modelled = provenance.value("modelled", false);
  file.relative_uncertainty = number_or(provenance, "relative_uncertainty", 0);
  file.date_utc = provenance.value("date_utc", "");
  file.host = provenance.value("host", "");
  try {
    for (const auto& t : root["tasks"]) file.tasks.push_back(read_task(t));
  } catch (const json::exception& e) {
    malformed(path, e.what());
  }
  return file;
}

std::optional<carbon::Estimate> joules_per_request(const BenchFile& file, const BenchModel& model,
                                                   int batch) {
  const std::optional<carbon::Estimate>& per_1000 =
      batch == 1 ? model.batch1_j_per_1000
                 : (batch == model.large_batch ? model.large_batch_j_per_1000 : std::nullopt);
  if (!per_1000) return std::nullopt;
  return with_sensor_uncertainty(file, carbon::scale(*per_1000, 1.0 / 1000));
}

std::optional<carbon::Estimate> joules_to_tier(const BenchFile& file, const BenchModel& model,
                                               double tier) {
  for (const auto& t : model.tiers) {
    if (std::fabs(t.tier - tier) < 1e-9 && t.energy_j) {
      return with_sensor_uncertainty(file, *t.energy_j);
    }
  }
  return std::nullopt;
}

}  // namespace joule::budget

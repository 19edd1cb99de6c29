#include "cli/job_summary.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "joule/format.hpp"
#include "report/format.hpp"

namespace joule::cli {
namespace {

// Each rank's share as its record gives it (its CPU-time share of the CPU
// side plus its processes' GPU share); empty when no record gives any.
std::string render_rank_shares(const record::JobSummary& job) {
  std::vector<std::vector<std::string>> rows = {{"rank", "run", "cpu time", "cpu", "gpu", "share"}};
  for (const auto* r : job.records) {
    for (const auto& rank : r->ranks) {
      if (rank.energy_j() <= 0 && rank.cpu_time_s <= 0) continue;
      rows.push_back({fmt::format("{}", rank.rank), r->id, fmt::format("{:.1f} s", rank.cpu_time_s),
                      fmt::format("{}", Joules{rank.cpu_energy_j}),
                      fmt::format("{}", Joules{rank.gpu_energy_j}),
                      fmt::format("{}", Joules{rank.energy_j()})});
    }
  }
  if (rows.size() == 1) return {};
  return "each rank's share of its record's attributed energy (the rest is the launcher's):\n" +
         report::render_table(rows, {false, false, true, true, true, true}, "");
}

}  // namespace

std::string render_job_summary(const record::JobSummary& job) {
  if (job.records.empty()) return fmt::format("job {}: no run recorded\n", job.job_id);
  std::vector<std::vector<std::string>> rows = {
      {"run", "host", "ranks", "status", "machine", "attributed"}};
  for (const auto* r : job.records) {
    std::vector<int> ranks;
    for (const auto& rank : r->ranks) ranks.push_back(rank.rank);
    rows.push_back({r->id, r->host.hostname,
                    ranks.empty() ? "-" : fmt::format("{}", fmt::join(ranks, ",")),
                    std::string(record::to_string(r->status)),
                    fmt::format("{}", Joules{r->totals.machine_energy_j}),
                    fmt::format("{}", Joules{r->totals.attributed_energy_j})});
  }
  std::string out = fmt::format("job {}: {} record(s), {} rank(s){}\n", job.job_id,
                                job.records.size(), job.ranks.size(),
                                job.world_size > 0 ? fmt::format(" of {}", job.world_size) : "");
  out += report::render_table(rows, {false, false, false, false, true, true}, "");
  out += fmt::format("total: {} measured on the job's machines, {} attributed to the job\n",
                     Joules{job.machine_energy_j}, Joules{job.attributed_energy_j});
  out += render_rank_shares(job);
  for (const auto& w : job.warnings) out += fmt::format("warning: {}\n", w);
  return out;
}

}  // namespace joule::cli

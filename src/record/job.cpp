#include "record/job.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <set>

namespace joule::record {

std::string job_id_from_environment() {
  for (const char* name : {"TORCHELASTIC_RUN_ID", "SLURM_JOB_ID"}) {
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0') return value;
  }
  return {};
}

namespace {

void note_missing_ranks(JobSummary& job, const std::set<int>& seen) {
  if (job.world_size <= 0) {
    if (job.ranks.empty()) return;
    job.warnings.push_back(
        "no record states the job's world size, so a missing node cannot be told");
    return;
  }
  std::vector<int> missing;
  for (int rank = 0; rank < job.world_size; ++rank) {
    if (!seen.contains(rank)) missing.push_back(rank);
  }
  if (missing.empty()) return;
  job.warnings.push_back(fmt::format(
      "{} of the job's {} ranks have no record (ranks {}): a node's record is missing, so the "
      "sum is partial",
      missing.size(), job.world_size, fmt::join(missing, ", ")));
}

void note_record(JobSummary& job, const RunRecord& r) {
  if (r.status != RunStatus::finished) {
    job.warnings.push_back(
        fmt::format("run {} on {} is {}: its energy is up to its last checkpoint", r.id,
                    r.host.hostname, to_string(r.status)));
  }
  for (const auto& rank : r.ranks) {
    if (!rank.said_goodbye) {
      job.warnings.push_back(fmt::format("rank {} (run {} on {}) died before its end", rank.rank,
                                         r.id, r.host.hostname));
    }
  }
}

}  // namespace

JobSummary sum_job(const std::vector<RunRecord>& records, const std::string& job_id) {
  JobSummary job;
  job.job_id = job_id;
  std::set<int> seen;
  for (const auto& r : records) {
    if (r.job_id != job_id) continue;
    job.records.push_back(&r);
    job.machine_energy_j += r.totals.machine_energy_j;
    job.attributed_energy_j += r.totals.attributed_energy_j;
    job.world_size = std::max(job.world_size, r.world_size);
    for (const auto& rank : r.ranks) {
      if (!seen.insert(rank.rank).second) {
        job.warnings.push_back(fmt::format(
            "rank {} appears in more than one record (run {}): its energy may be counted twice",
            rank.rank, r.id));
      }
    }
    note_record(job, r);
  }
  job.ranks.assign(seen.begin(), seen.end());
  note_missing_ranks(job, seen);
  return job;
}

}  // namespace joule::record

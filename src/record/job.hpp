#pragma once
// A distributed job across nodes: one record per node (each node's `joule
// run`, or each rank's own record in local mode), joined by their job id and
// summed once. Kept apart from the ledger so that any ledger (SQLite or
// another) can hand its records here.
#include <string>
#include <vector>

#include "record/run_record.hpp"

namespace joule::record {

// The job id a launcher gives its processes: TORCHELASTIC_RUN_ID (torchrun),
// else SLURM_JOB_ID; empty when neither is set.
std::string job_id_from_environment();

struct JobSummary {
  std::string job_id;
  std::vector<const RunRecord*> records;  // the job's, in the order given
  double machine_energy_j = 0;            // sum over the records
  double attributed_energy_j = 0;
  int world_size = 0;      // the largest any record states
  std::vector<int> ranks;  // every rank some record holds, sorted
  // A node's record missing (ranks that no record holds), ranks that died,
  // records still running or interrupted: each one line for people.
  std::vector<std::string> warnings;
};

// The records whose job_id is `job_id`, summed. Each record is one node's
// (or one rank's) own measurement, so summing them counts no joule twice.
JobSummary sum_job(const std::vector<RunRecord>& records, const std::string& job_id);

}  // namespace joule::record

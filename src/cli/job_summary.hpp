#pragma once
// `joule show --job ID` and `joule ls --job ID`: a distributed job's records
// (one per node) and their sum, with what is missing.
#include <string>
#include <vector>

#include "record/job.hpp"

namespace joule::cli {

// One line per node record, the job's total, and the warnings.
std::string render_job_summary(const record::JobSummary& job);

}  // namespace joule::cli

#pragma once
// The files `joule run` is asked for (--json, --csv). The ledger is written
// by the run layer through record::RunJournal.
#include <string>
#include <vector>

#include "record/run_record.hpp"

namespace joule::cli {

// Writes --json and appends --csv; failures become warnings in the record
// (and are returned) rather than losing the other outputs.
std::vector<std::string> write_outputs(record::RunRecord& record, const std::string& json_path,
                                       const std::string& csv_path);

}  // namespace joule::cli

#pragma once
// Turning what `joule run` measured into the run record, its carbon, and the
// files asked for (--json, --csv). The ledger is written by the run loop
// through record::RunJournal.
#include <optional>
#include <string>
#include <vector>

#include "joule/carbon.hpp"
#include "joule/meter.hpp"
#include "run/attribution.hpp"
#include "record/run_record.hpp"

namespace joule::cli {

// Per-domain machine and attributed energy, totals, idle and above-idle.
// `whole` is the meter's measurement from the start of the command to now.
void fill_energy(record::RunRecord& record, const Meter& meter,
                 const run::AttributionAccumulator& attribution, const Measurement& whole,
                 const std::optional<record::IdleBaseline>& idle);

// The meter's timeline from `start`, downsampled to at most `max_points`.
void fill_timeline(record::RunRecord& record, const Meter& meter, const Snapshot& start,
                   std::size_t max_points = 200);

// Writes --json and appends --csv; failures become warnings in the record
// (and are returned) rather than losing the other outputs.
std::vector<std::string> write_outputs(record::RunRecord& record, const std::string& json_path,
                                       const std::string& csv_path);

}  // namespace joule::cli

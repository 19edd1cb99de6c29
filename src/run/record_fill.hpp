#pragma once
// Turning what a run measured into its record: the parts every kind of run
// fills the same way (`joule run`, `joule bench`), so that `joule ls`, `show`,
// `compare` and `export` read them alike.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "joule/meter.hpp"
#include "joule/sensor.hpp"
#include "record/run_record.hpp"
#include "run/attribution.hpp"

namespace joule::run {

// A new record: id and start time from `started_at`, status running, this
// joule's version, the command.
record::RunRecord begin_record(
    std::vector<std::string> command,
    std::chrono::system_clock::time_point started_at = std::chrono::system_clock::now());

// One domain's line: what it is (`info`), what it measured (`energy`, whose
// mean_power is kept as given) and the share charged to the run.
record::DomainRecord domain_record(const DomainInfo& info, const DomainEnergy& energy,
                                   Joules attributed);

// Idle energy over `duration` at the baseline's power, and what is above it.
void fill_idle(record::RunRecord& record, const std::optional<record::IdleBaseline>& idle,
               Seconds duration);

// Per-domain machine and attributed energy, totals, idle and above-idle.
// `whole` is the meter's measurement from the start of the command to now.
void fill_energy(record::RunRecord& record, const Meter& meter,
                 const AttributionAccumulator& attribution, const Measurement& whole,
                 const std::optional<record::IdleBaseline>& idle);

// The meter's timeline from `start`, downsampled to at most `max_points`.
void fill_timeline(record::RunRecord& record, const Meter& meter, const Snapshot& start,
                   std::size_t max_points = 200);

// Appends `item` unless the list already holds it (warnings, notes).
void add_once(std::vector<std::string>& list, const std::string& item);

}  // namespace joule::run

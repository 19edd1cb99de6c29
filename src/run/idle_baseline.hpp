#pragma once
// The idle baseline: the machine's mean power while nothing of the run is
// going on, measured before it starts, so that the record can say what was
// above idle.
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "joule/meter.hpp"
#include "record/run_record.hpp"

namespace joule::run {

// Waits up to the given time; false when the wait was cut short and the
// baseline should be abandoned (a signal asked joule to stop).
using IdleWait = std::function<bool(std::chrono::milliseconds)>;

// Reads the meter across `length` of waiting. `how` is the record's note
// ("measured before the run"). nullopt when `wait` stopped early.
std::optional<record::IdleBaseline> measure_idle(Meter& meter, std::chrono::nanoseconds length,
                                                 const IdleWait& wait, std::string how);

// An IdleWait that only sleeps.
bool sleep_idle(std::chrono::milliseconds duration);

}  // namespace joule::run

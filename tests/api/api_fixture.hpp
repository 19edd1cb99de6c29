#pragma once
// Sessions on the stepped trace fixture: every snapshot advances one row, so
// a scope's energy is an exact, known figure.
#include <cstdlib>
#include <string>

#include "joule/scope.hpp"

namespace joule::test {

inline const std::string kWrappingTrace =
    std::string(JOULE_FIXTURES_DIR) + "/traces/wrapping_counters.csv";

// Row 0 is the meter's origin; a scope opened first takes rows 1 and 2:
// package 950 -> 990 (40 J) plus DRAM 6.5 -> 8 (1.5 J); core (15 J) is inside
// the package and stays out of the total.
inline constexpr double kFirstScopeJoules = 41.5;

// A session resolves its carbon context from the process environment, where
// these would override the options below: clear them so that every figure
// follows from the options alone.
inline void clear_carbon_environment() {
  for (const char* name :
       {"JOULE_CLOUD", "JOULE_REGION", "JOULE_COUNTRY", "JOULE_PUE", "JOULE_CONTEXT"}) {
    ::unsetenv(name);
  }
}

inline SessionOptions trace_options() {
  clear_carbon_environment();
  SessionOptions options;
  options.mode = SessionMode::local;
  options.sensors = SensorConfig{};
  options.sensors.trace_file = kWrappingTrace;
  options.meter.start_sampler = false;  // every snapshot is ours
  options.carbon = carbon::ContextOptions{};
  options.carbon->country = "FR";
  options.carbon->read_config_files = false;
  options.carbon->guess_from_time_zone = false;
  return options;
}

}  // namespace joule::test

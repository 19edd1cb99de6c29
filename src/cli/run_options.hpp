#pragma once
// The options of `joule run`, parsed, and the duration syntax they use.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/hardware_options.hpp"
#include "cli/ledger_options.hpp"
#include "cli/place_options.hpp"

namespace joule::cli {

struct RunOptions {
  std::vector<std::string> command;  // after "--"
  std::string interval;              // meter sampling interval; empty: chosen from the sensors
  std::string idle;                  // idle baseline duration; empty = none
  std::string checkpoint = "5s";     // ledger checkpoint period
  std::string json_path;
  std::string csv_path;
  std::vector<std::string> tags;  // k=v
  std::string job;                // --job; empty: TORCHELASTIC_RUN_ID, else SLURM_JOB_ID
  bool no_ledger = false;
  bool quiet = false;        // no live line, no summary
  std::string unit = "run";  // the functional unit `units N` counts by default
  int predict_phases = 0;    // expected number of phases; 0 = no prediction
  int predict_after = 2;     // phases to complete before predicting
  PlaceOptionValues place;
  HardwareOptionValues hardware;
  LedgerOptions ledger;
};

// "250ms", "2s", "1.5s", "3m", "1h", "7d", "90" (seconds). nullopt when malformed
// or negative.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

// "k=v" -> {k, v}; throws CLI::ValidationError when there is no '=' or no key.
std::map<std::string, std::string> parse_tags(const std::vector<std::string>& tags);

}  // namespace joule::cli

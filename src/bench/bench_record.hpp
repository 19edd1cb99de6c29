#pragma once
// One benchmark run (a model, a seed) as a run record, so that it lands in the
// ledger with tag `bench` and `joule ls`, `show`, `compare` and `export` read it
// like any `joule run`.
#include <chrono>
#include <string>
#include <vector>

#include "bench/results.hpp"
#include "record/run_record.hpp"

namespace joule::bench {

struct RecordContext {
  record::HostInfo host;
  std::vector<std::string> command;  // joule-bench's own argv
  std::string cwd;
  std::string mode;           // "quick" or "full"
  std::string energy_source;  // the probe's description
  bool modelled = false;
  double idle_power_w = 0;
  double idle_duration_s = 0;
  double sample_interval_s = 0;
  std::string blas;
  int threads = 0;
};

// `ended_at` is when the run finished; its start is derived from the
// training and inference seconds.
record::RunRecord to_run_record(const RunResult& run, const TaskInfo& task,
                                const RecordContext& context,
                                std::chrono::system_clock::time_point started_at,
                                std::chrono::system_clock::time_point ended_at);

}  // namespace joule::bench

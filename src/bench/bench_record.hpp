#pragma once
// One benchmark run (a model, a seed) as a run record, so that it lands in the
// ledger with tag `bench` and `joule ls`, `show`, `compare` and `export` read it
// like any `joule run`.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "bench/results.hpp"
#include "joule/carbon.hpp"
#include "joule/meter.hpp"
#include "record/run_record.hpp"

namespace joule::bench {

struct RecordContext {
  record::HostInfo host;
  std::vector<std::string> command;  // joule-bench's own argv
  std::string cwd;
  std::string mode;           // "quick" or "full"
  std::string energy_source;  // the probe's description
  bool modelled = false;
  Watts idle_power;
  Seconds idle_duration;
  Seconds sample_interval;
  std::string blas;
  int threads = 0;
  // Where the energy was used, for the carbon figures; null: none computed.
  std::shared_ptr<const carbon::ResolvedContext> carbon;
  std::vector<DomainInfo> domains;  // labels and sources of the probe's domains
};

// `domain_energy` is the probe's per-domain energy over this run's
// measurements (MeterProbe::take_domain_energy).
record::RunRecord to_run_record(const RunResult& run, const TaskInfo& task,
                                const RecordContext& context,
                                const std::vector<DomainEnergy>& domain_energy,
                                std::chrono::system_clock::time_point started_at,
                                std::chrono::system_clock::time_point ended_at);

}  // namespace joule::bench

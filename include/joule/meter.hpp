#pragma once
// The meter turns every domain into one cumulative, wrap-corrected energy
// series on the monotonic clock, integrating power where only power exists,
// with a background sampler that keeps wraps from being missed and records a
// bounded timeline.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "joule/discovery.hpp"
#include "joule/export.h"
#include "joule/sensor.hpp"
#include "joule/units.hpp"

namespace joule {

// Cumulative energy of every domain at one instant, indexed like
// Meter::domains(). Energy counts from the meter's creation.
struct Snapshot {
  MonotonicTime at;
  std::vector<Joules> energy;
};

struct DomainEnergy {
  std::string id;
  Component component = Component::other;
  Provenance provenance = Provenance::measured;
  Joules energy;
  Watts mean_power;
  double relative_uncertainty = 0;
  bool in_total = false;  // false when another present domain contains this one
};

// The difference of two snapshots.
struct Measurement {
  MonotonicTime start;
  MonotonicTime end;
  Seconds duration;
  std::vector<DomainEnergy> domains;
  // Sum over disjoint domains only (see DomainInfo::contains).
  Joules total;
  Watts mean_power;
  // Relative standard uncertainty of `total`: per-domain uncertainties
  // combined as fully correlated within a provenance (a conservative sum).
  double total_relative_uncertainty = 0;
  // modelled as soon as any summed domain is modelled.
  Provenance total_provenance = Provenance::measured;
  std::vector<std::string> warnings;
};

struct TimelineSample {
  MonotonicTime at;
  std::vector<Joules> energy;  // cumulative, as in Snapshot
};

struct MeterOptions {
  std::chrono::nanoseconds interval = std::chrono::milliseconds(100);
  // When non-zero and every domain is an energy counter, sample this often
  // instead of `interval`: a counter loses nothing between two reads (the
  // wrap limit below still applies), only timeline resolution; power readings
  // must be integrated, so they keep `interval`. Each sample costs a wake-up
  // and, for the estimator, a read of /proc/stat.
  std::chrono::nanoseconds counter_interval = std::chrono::nanoseconds::zero();
  // The timeline keeps at most this many samples; when full it halves its
  // resolution (keeps every other sample) instead of growing.
  std::size_t timeline_capacity = 4096;
  bool start_sampler = true;
};

class JOULE_API Meter {
 public:
  explicit Meter(std::vector<std::unique_ptr<Sensor>> sensors, MeterOptions options = {});
  // Discovers the machine's sensors (see discovery.hpp) and keeps the reports.
  static std::unique_ptr<Meter> discover(
      const SensorConfig& config = SensorConfig::from_environment(), MeterOptions options = {});
  // A meter over sensors already discovered (and perhaps filtered or
  // wrapped), keeping the backends' reports.
  static std::unique_ptr<Meter> from_probe(ProbeResult found, MeterOptions options = {});
  ~Meter();
  Meter(const Meter&) = delete;
  Meter& operator=(const Meter&) = delete;

  const std::vector<DomainInfo>& domains() const { return domains_; }
  const std::vector<BackendReport>& backend_reports() const { return reports_; }

  // Reads every sensor now. Thread-safe; the sampler calls it too.
  Snapshot snapshot();
  Measurement measure(const Snapshot& from, const Snapshot& to) const;
  // Convenience: start() is a snapshot, stop(started) measures up to now.
  Snapshot start() { return snapshot(); }
  Measurement stop(const Snapshot& started) { return measure(started, snapshot()); }

  void start_sampler();
  void stop_sampler();
  bool sampling() const;
  std::chrono::nanoseconds interval() const { return options_.interval; }

  std::vector<TimelineSample> timeline() const;
  // Things a reader of any result must know: a GPU that vanished, an interval
  // too long for a counter's wrap period, a domain that failed to read.
  std::vector<std::string> warnings() const;
  // Per domain, how its latest read went (a device that vanished stays
  // `gone`). For health metrics.
  std::vector<ReadStatus> read_status() const;
  // CPU time the sampler thread has used, from its thread CPU clock.
  Seconds sampler_cpu_time() const;

 private:
  struct State;
  void sampler_loop();
  // Reads every sensor into `snap`; the caller holds the state's mutex.
  void read_locked(Snapshot& snap);
  void set_reports(std::vector<BackendReport> reports) { reports_ = std::move(reports); }

  MeterOptions options_;
  std::vector<DomainInfo> domains_;
  std::vector<BackendReport> reports_;
  std::unique_ptr<State> state_;
};

// The longest safe sampling interval for a counter domain: a quarter of the
// time it takes to wrap at the given power. Exposed for tests and `sensors`.
JOULE_API std::chrono::nanoseconds safe_interval(const DomainInfo& domain, Watts max_power);

}  // namespace joule

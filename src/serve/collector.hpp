#pragma once
// What `joule serve` exports, kept up to date: the meter's energy per domain,
// its share per cgroup, the units and phases applications report, and the
// carbon of it all, computed as `joule carbon` computes it. update() folds in
// one interval (the exporter calls it on each scrape, so an idle exporter
// costs nothing); families() is the current state as metric families.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "joule/carbon.hpp"
#include "joule/meter.hpp"
#include "run/control_channel.hpp"
#include "serve/applications.hpp"
#include "serve/exposition.hpp"
#include "serve/workloads.hpp"

namespace joule::serve {

// CVE-2020-8694 (PLATYPUS): fine-grained RAPL readings leak what the CPU
// computes. The kernel made energy_uj root-only; an exporter running as root
// would hand them back to anyone who can scrape it. Coarsened, readings change
// at most once per `period` and in steps of `step`.
struct Coarsening {
  bool enabled = false;
  std::chrono::milliseconds period{1000};
  Joules step{1.0};
};

struct CarbonSettings {
  carbon::ResolvedContext context;
  // The hardware whose embodied emissions accrue while the exporter runs.
  std::vector<carbon::EmbodiedInput> embodied;
};

struct CollectorOptions {
  std::optional<WorkloadOptions> workloads;  // nullopt: no per-cgroup energy
  std::size_t max_application_series = 256;
  Coarsening coarsening;
  std::optional<CarbonSettings> carbon;
};

class Collector {
 public:
  Collector(Meter& meter, CollectorOptions options);

  // Folds in the interval since the last update (or, coarsened, nothing when
  // the last one is younger than the period).
  void update();
  void handle(const run::ControlEvent& event) { applications_.handle(event); }
  std::vector<MetricFamily> families() const;

 private:
  struct CarbonTotals {
    carbon::Estimate operational_g;
    carbon::Estimate embodied_g;
  };
  void add_carbon(const Measurement& interval);
  Joules shown(Joules energy) const;
  void energy_families(std::vector<MetricFamily>& out) const;
  void workload_families(std::vector<MetricFamily>& out) const;
  void application_families(std::vector<MetricFamily>& out) const;
  void carbon_families(std::vector<MetricFamily>& out) const;

  Meter& meter_;
  CollectorOptions options_;
  Snapshot start_;
  Snapshot last_;
  Measurement since_start_;
  Measurement last_interval_;
  std::vector<ReadStatus> status_;
  std::optional<WorkloadAttribution> workloads_;
  ApplicationReports applications_;
  CarbonTotals carbon_;
};

}  // namespace joule::serve

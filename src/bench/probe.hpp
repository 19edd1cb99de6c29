#pragma once
// The bench engine's view of joule's meter: energy, time and the machine's
// other CPU use around one stretch of work, and the idle power before a block
// of runs.
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/engine/engine.hpp"
#include "joule/meter.hpp"

namespace joule::bench {

class MeterProbe final : public EnergyProbe {
 public:
  MeterProbe(std::unique_ptr<Meter> meter, std::filesystem::path proc_root);

  Cost measure(const std::function<void()>& work) override;

  // Sleeps for `duration` under the meter and keeps the mean power as the idle
  // power charged to every later measurement's idle_energy.
  Watts measure_idle(std::chrono::milliseconds duration);

  // Energy per meter domain summed over every measure() since the last call
  // (idle measurements excluded), then starts again from zero: what a run
  // record lists per domain. mean_power is left zero.
  std::vector<DomainEnergy> take_domain_energy();

  // "modelled: estimator cpu:estimated (±50%)", or the measured domains.
  std::string describe_sources() const;
  bool modelled_only() const;
  double relative_uncertainty() const;
  const Meter& meter() const { return *meter_; }

 private:
  std::unique_ptr<Meter> meter_;
  std::filesystem::path proc_root_;
  Watts idle_power_{0};
  std::vector<DomainEnergy> domain_energy_;
};

}  // namespace joule::bench

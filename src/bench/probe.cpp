#include "bench/probe.hpp"

#include <fmt/format.h>

#include <set>

#include "run/idle_baseline.hpp"

#include "support/proc.hpp"
#include "support/rusage.hpp"

namespace joule::bench {

namespace {

// Busy CPU time of the whole machine; zero when /proc/stat cannot be read, so
// that a missing file shows as no other CPU use rather than garbage.
Seconds machine_busy_cpu_time(const std::filesystem::path& proc_root) {
  return support::read_machine_busy_cpu(proc_root).value_or(Seconds{});
}

}  // namespace

MeterProbe::MeterProbe(std::unique_ptr<Meter> meter, std::filesystem::path proc_root)
    : meter_(std::move(meter)), proc_root_(std::move(proc_root)) {}

Cost MeterProbe::measure(const std::function<void()>& work) {
  const Seconds machine_before = machine_busy_cpu_time(proc_root_);
  const Seconds self_before = support::own_cpu_time();
  const Snapshot start = meter_->snapshot();
  work();
  const Measurement measurement = meter_->measure(start, meter_->snapshot());
  const Seconds self = support::own_cpu_time() - self_before;
  const Seconds machine = machine_busy_cpu_time(proc_root_) - machine_before;

  if (domain_energy_.size() != measurement.domains.size()) {
    domain_energy_ = measurement.domains;
    for (DomainEnergy& domain : domain_energy_) domain.energy = Joules{0};
  }
  for (std::size_t i = 0; i < measurement.domains.size(); ++i) {
    domain_energy_[i].energy += measurement.domains[i].energy;
  }

  Cost cost;
  cost.energy = measurement.total;
  cost.duration = measurement.duration;
  cost.relative_uncertainty = measurement.total_relative_uncertainty;
  cost.idle_energy = std::min(cost.energy, idle_power_ * cost.duration);
  cost.self_cpu_time = self;
  // /proc/stat counts in clock ticks (10 ms), rusage in microseconds: a
  // negative difference is rounding, not another process.
  cost.other_cpu_time = std::max(Seconds{0}, machine - self);
  return cost;
}

std::vector<DomainEnergy> MeterProbe::take_domain_energy() {
  std::vector<DomainEnergy> taken;
  taken.swap(domain_energy_);
  for (DomainEnergy& domain : taken) domain.mean_power = Watts{0};
  return taken;
}

Watts MeterProbe::measure_idle(std::chrono::milliseconds duration) {
  auto idle =
      run::measure_idle(*meter_, duration, run::sleep_idle, "measured before this block of runs");
  idle_power_ = Watts{idle ? idle->power_w : 0};
  return idle_power_;
}

bool MeterProbe::modelled_only() const {
  for (const DomainInfo& domain : meter_->domains()) {
    if (domain.provenance == Provenance::measured) return false;
  }
  return true;
}

double MeterProbe::relative_uncertainty() const {
  double worst = 0;
  for (const DomainInfo& domain : meter_->domains()) {
    worst = std::max(worst, domain.relative_uncertainty);
  }
  return worst;
}

std::string MeterProbe::describe_sources() const {
  if (meter_->domains().empty()) return "no energy source found: figures are zero";
  std::string measured;
  std::string modelled;
  for (const DomainInfo& domain : meter_->domains()) {
    std::string& list = domain.provenance == Provenance::measured ? measured : modelled;
    if (!list.empty()) list += ", ";
    list += fmt::format("{} (±{:.0f}%)", domain.id, domain.relative_uncertainty * 100);
  }
  if (measured.empty()) {
    return fmt::format(
        "modelled: no energy counter on this machine, so energy is joule's estimator, a model "
        "of CPU time x the CPU's power table: {}",
        modelled);
  }
  if (modelled.empty()) return fmt::format("measured: {}", measured);
  return fmt::format("measured: {}; modelled: {}", measured, modelled);
}

}  // namespace joule::bench

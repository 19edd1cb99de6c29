// The modelled estimator: CPU power from /proc/stat utilisation and a per-vCPU
// table, DRAM power from W per GB. It is what runs where no energy counter can
// be read (VMs, CI machines), and it says so with a wide uncertainty.
#include "sensors/estimator.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "refdata/csv.hpp"
#include "sensors/backends.hpp"
#include "support/files.hpp"

namespace joule::sensors {

namespace estimator {

namespace {

// "3 W per 8 GB" (Tom's Hardware's DDR4 measurement): the figure CodeCarbon (< v3) uses and
// the middle of the table's per-GB methods (0.284 Boavizta .. 0.408 Micron).
constexpr std::string_view kDramMethod = "3 W per 8 GB rule of thumb";
// The per-GB methods differ by ±25% around it, and DRAM power really depends on
// DIMM count, generation and traffic: state a wide range.
constexpr double kDramUncertainty = 0.50;

}  // namespace

DramModel dram_model(std::uint64_t mem_total_kib) {
  const auto& table = refdata::ReferenceTable::embedded("memory_power.csv");
  for (std::size_t row = 0; row < table.size(); ++row) {
    if (table.text(row, "method") != kDramMethod) continue;
    DramModel m;
    m.w_per_gb = table.number(row, "w_per_gb").value_or(0);
    // DIMM "GB" are binary: MemTotal KiB / 1024^2. MemTotal is a little under
    // the installed size (the kernel keeps some), which the range covers.
    m.gib = static_cast<double>(mem_total_kib) / (1024.0 * 1024.0);
    m.power = {m.w_per_gb * m.gib};
    m.relative_uncertainty = kDramUncertainty;
    m.description =
        fmt::format("{:.1f} GiB MemTotal x {} W/GB = {:.2f} W ({}, memory_power.csv line {})",
                    m.gib, m.w_per_gb, m.power.watts, kDramMethod, table.line_of(row));
    return m;
  }
  throw refdata::DataError(table.origin(), 0, 0,
                           fmt::format("expected a '{}' row (the DRAM model)", kDramMethod));
}

EstimatorSensor::EstimatorSensor(Options options) : options_(std::move(options)) {
  if (!options_.clock) options_.clock = [] { return MonotonicClock::now(); };
  const auto& root = options_.proc_root;
  start_ = options_.clock();
  if (options_.cpu) {
    const auto stat_path = root / "stat";
    auto stat_text = support::read_file(stat_path);
    if (!stat_text) throw std::runtime_error(fmt::format("cannot read {}", stat_path.string()));
    const auto stat = parse_proc_stat(*stat_text, stat_path.string());
    const auto cpuinfo = parse_cpuinfo(support::read_file(root / "cpuinfo").value_or(""));
    cpu_ = lookup_cpu_coefficients(cpuinfo);
    busy_last_jiffies_ = stat.total.busy_jiffies;
    cpu_last_ = start_;
    DomainInfo d;
    d.id = "cpu:estimated";
    d.label = fmt::format("CPU, modelled from utilisation: {}", cpu_->description);
    d.component = Component::cpu_package;
    d.kind = ReadingKind::energy_counter;
    d.provenance = Provenance::modelled;
    d.relative_uncertainty = cpu_->relative_uncertainty;
    d.source = fmt::format("{} (busy jiffies) x {} ({})", stat_path.string(),
                           to_string(cpu_->source), (root / "cpuinfo").string());
    domains_.push_back(std::move(d));
  }
  if (options_.dram) {
    const auto meminfo_path = root / "meminfo";
    auto total = parse_meminfo_total_kib(support::read_file(meminfo_path).value_or(""));
    if (!total) {
      throw std::runtime_error(fmt::format("no 'MemTotal: N kB' in {}", meminfo_path.string()));
    }
    dram_ = dram_model(*total);
    DomainInfo d;
    d.id = "dram:estimated";
    d.label = fmt::format("DRAM, modelled as constant power: {}", dram_->description);
    d.component = Component::dram;
    d.kind = ReadingKind::energy_counter;
    d.provenance = Provenance::modelled;
    d.relative_uncertainty = dram_->relative_uncertainty;
    d.source = fmt::format("{} (MemTotal) x memory_power.csv", meminfo_path.string());
    domains_.push_back(std::move(d));
  }
}

void EstimatorSensor::read(std::span<Reading> out) {
  std::lock_guard lock(mutex_);
  const auto now = options_.clock();
  std::size_t i = 0;
  if (cpu_) {
    Reading& r = out[i++];
    const auto stat_path = options_.proc_root / "stat";
    try {
      auto text = support::read_file(stat_path);
      if (!text) throw std::runtime_error(fmt::format("cannot read {}", stat_path.string()));
      const auto stat = parse_proc_stat(*text, stat_path.string());
      // The vCPU count is taken at each read, so CPU hotplug (VM resize)
      // changes the static part from then on.
      const auto n_vcpu = static_cast<double>(stat.per_cpu.size());
      const double dt_s = seconds_between(cpu_last_, now).seconds;
      // Busy time never goes back; if it seems to (counter reset), count none.
      const auto busy = stat.total.busy_jiffies;
      const auto d_busy = busy >= busy_last_jiffies_ ? busy - busy_last_jiffies_ : 0;
      cpu_energy_ += Joules{n_vcpu * cpu_->min_per_vcpu.watts * dt_s +
                            (cpu_->max_per_vcpu.watts - cpu_->min_per_vcpu.watts) *
                                jiffies_to_seconds(d_busy)};
      busy_last_jiffies_ = busy;
      cpu_last_ = now;
      r = Reading{ReadStatus::ok, cpu_energy_, {}, {}};
    } catch (const std::exception& e) {
      // cpu_last_ stays put, so the next good read covers the gap's static energy.
      r = Reading{ReadStatus::unavailable, cpu_energy_, {}, e.what()};
    }
  }
  if (dram_) {
    out[i++] = Reading{ReadStatus::ok, dram_->power * seconds_between(start_, now), {}, {}};
  }
}

}  // namespace estimator

namespace {

// What measured domains already cover: psys covers package and dram.
struct Covered {
  bool cpu = false;
  bool dram = false;
};
Covered measured_coverage(const ProbeResult& result) {
  Covered covered;
  for (const auto& sensor : result.sensors) {
    for (const auto& d : sensor->domains()) {
      if (d.provenance != Provenance::measured) continue;
      if (d.component == Component::cpu_package || d.component == Component::psys) {
        covered.cpu = true;
      }
      if (d.component == Component::dram || d.component == Component::psys) covered.dram = true;
    }
  }
  return covered;
}

constexpr std::string_view kRemedy =
    "for measured counters run on bare metal or a VM that exposes RAPL; make "
    "/sys/class/powercap/intel-rapl:*/energy_uj readable (root-only since Linux 5.10) or allow "
    "perf_event RAPL (perf_event_paranoid <= 0); JOULE_ESTIMATOR=off disables the model";

}  // namespace

void probe_estimator(const SensorConfig& config, ProbeResult& result) {
  // EstimatorMode::off never gets here: SensorConfig::allows() skips the probe.
  const bool forced = config.estimator == EstimatorMode::on;
  const auto covered = measured_coverage(result);
  estimator::EstimatorSensor::Options options;
  options.proc_root = config.proc_root;
  options.cpu = forced || !covered.cpu;
  options.dram = forced || !covered.dram;
  if (!options.cpu && !options.dram) {
    result.reports.push_back(
        {"estimator", BackendState::disabled,
         "not needed: measured counters cover the CPU package and DRAM (JOULE_ESTIMATOR=auto)",
         "JOULE_ESTIMATOR=on adds the model beside the measured counters"});
    return;
  }
  std::unique_ptr<estimator::EstimatorSensor> sensor;
  std::string dram_note;
  try {
    sensor = std::make_unique<estimator::EstimatorSensor>(options);
  } catch (const std::exception& e) {
    // Without meminfo the CPU model can still run on its own.
    if (options.dram && options.cpu) {
      dram_note = fmt::format("; DRAM not modelled: {}", e.what());
      options.dram = false;
      try {
        sensor = std::make_unique<estimator::EstimatorSensor>(options);
      } catch (const std::exception& e2) {
        result.reports.push_back(
            {"estimator", BackendState::absent,
             fmt::format("cannot model CPU power: {}", e2.what()),
             fmt::format("point JOULE_PROC_ROOT at a readable /proc; {}", kRemedy)});
        return;
      }
    } else {
      result.reports.push_back({"estimator", BackendState::absent,
                                fmt::format("cannot model: {}", e.what()),
                                "point JOULE_PROC_ROOT at a readable /proc"});
      return;
    }
  }
  std::string why;
  if (forced) {
    why = "JOULE_ESTIMATOR=on";
  } else if (options.cpu) {
    why = "no measured CPU package counter (RAPL) readable";
  } else {
    why = "no measured DRAM counter readable";
  }
  std::string what;
  if (sensor->cpu_coefficients()) {
    what = fmt::format("estimating CPU power from {} utilisation, ±{:.0f}%: {}",
                       (config.proc_root / "stat").string(),
                       sensor->cpu_coefficients()->relative_uncertainty * 100,
                       sensor->cpu_coefficients()->description);
  }
  if (sensor->dram()) {
    what +=
        fmt::format("{}estimating DRAM power from MemTotal, ±{:.0f}%: {}", what.empty() ? "" : "; ",
                    sensor->dram()->relative_uncertainty * 100, sensor->dram()->description);
  }
  result.reports.push_back(
      {"estimator", BackendState::active,
       fmt::format("a model, not a measurement ({}); {}{}", why, what, dram_note),
       std::string(kRemedy)});
  result.sensors.push_back(std::move(sensor));
}

}  // namespace joule::sensors

#include "serve/collector.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace joule::serve {
namespace {

constexpr double kJoulesPerKwh = 3.6e6;

std::vector<Label> domain_labels(const DomainInfo& d) {
  return {{"domain", d.id},
          {"component", std::string(to_string(d.component))},
          {"provenance", std::string(to_string(d.provenance))}};
}

void add_estimate(carbon::Estimate& sum, const carbon::Estimate& more) {
  sum.low += more.low;
  sum.central += more.central;
  sum.high += more.high;
}

void add_estimate_samples(MetricFamily& family, const carbon::Estimate& e,
                          const std::vector<Label>& labels = {}) {
  for (auto [name, value] : {std::pair{"low", e.low}, {"central", e.central}, {"high", e.high}}) {
    auto l = labels;
    l.push_back({"estimate", name});
    family.add(std::move(l), value);
  }
}

// The intensity in effect now: the series' latest point at or before now,
// else the annual figure.
carbon::Estimate intensity_now(const carbon::ResolvedContext& ctx) {
  if (!ctx.series || ctx.series->points.empty()) return ctx.intensity_g_per_kwh;
  const auto now = std::chrono::system_clock::now();
  const auto& points = ctx.series->points;
  auto after = std::upper_bound(points.begin(), points.end(), now,
                                [](auto t, const carbon::IntensityPoint& p) { return t < p.time; });
  const double g = after == points.begin() ? points.front().g_per_kwh : std::prev(after)->g_per_kwh;
  return carbon::Estimate::exact(g);
}

std::string energy_source(const Measurement& m) {
  return fmt::format("{}: joule serve's meter", to_string(m.total_provenance));
}

}  // namespace

Collector::Collector(Meter& meter, CollectorOptions options)
    : meter_(meter),
      options_(std::move(options)),
      start_(meter.snapshot()),
      last_(start_),
      applications_(options_.max_application_series) {
  since_start_ = meter_.measure(start_, last_);
  last_interval_ = since_start_;
  status_ = meter_.read_status();
  if (options_.workloads) workloads_.emplace(*options_.workloads, meter_.domains());
}

void Collector::update() {
  if (options_.coarsening.enabled &&
      MonotonicClock::now() - last_.at < options_.coarsening.period) {
    return;
  }
  Snapshot now = meter_.snapshot();
  Measurement interval = meter_.measure(last_, now);
  status_ = meter_.read_status();
  if (workloads_) workloads_->add(interval);
  add_carbon(interval);
  since_start_ = meter_.measure(start_, now);
  last_interval_ = std::move(interval);
  last_ = std::move(now);
}

void Collector::add_carbon(const Measurement& interval) {
  if (!options_.carbon || interval.duration.seconds <= 0) return;
  const auto& ctx = options_.carbon->context;
  const auto end = std::chrono::system_clock::now();
  const auto start = end - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                               std::chrono::duration<double>(interval.duration.seconds));
  carbon::EnergyInput energy{interval.total,
                             interval.total_relative_uncertainty,
                             {{start, end, interval.total}},
                             energy_source(interval)};
  add_estimate(carbon_.operational_g, carbon::operational(ctx, energy).grams);
  for (auto hardware : options_.carbon->embodied) {
    hardware.time_reserved = interval.duration;
    add_estimate(carbon_.embodied_g, carbon::embodied(ctx, hardware).grams);
  }
}

Joules Collector::shown(Joules energy) const {
  if (!options_.coarsening.enabled) return energy;
  const double step = options_.coarsening.step.joules;
  return Joules{std::floor(energy.joules / step) * step};
}

std::vector<MetricFamily> Collector::families() const {
  std::vector<MetricFamily> out;
  energy_families(out);
  workload_families(out);
  application_families(out);
  carbon_families(out);
  return out;
}

void Collector::energy_families(std::vector<MetricFamily>& out) const {
  const auto& domains = meter_.domains();
  MetricFamily energy{"joule_energy_joules",
                      MetricType::counter,
                      "Energy per domain since the exporter started, wrap-corrected.",
                      "joules",
                      {}};
  MetricFamily power{"joule_power_watts",
                     MetricType::gauge,
                     "Mean power per domain over the interval before the latest scrape.",
                     "watts",
                     {}};
  MetricFamily up{"joule_sensor_up",
                  MetricType::gauge,
                  "1 when the domain's latest read succeeded, 0 otherwise.",
                  "",
                  {}};
  MetricFamily uncertainty{"joule_energy_relative_uncertainty_ratio",
                           MetricType::gauge,
                           "Relative standard uncertainty of the domain's energy (0.05 = 5%).",
                           "",
                           {}};
  MetricFamily machine{"joule_machine_energy_joules",
                       MetricType::counter,
                       "The machine's energy: domains no other domain contains, by provenance.",
                       "joules",
                       {}};
  Joules measured, modelled;
  for (std::size_t i = 0; i < domains.size() && i < since_start_.domains.size(); ++i) {
    const DomainEnergy& d = since_start_.domains[i];
    energy.add(domain_labels(domains[i]), shown(d.energy).joules);
    const Watts w =
        i < last_interval_.domains.size() ? last_interval_.domains[i].mean_power : Watts{};
    power.add(domain_labels(domains[i]),
              options_.coarsening.enabled ? std::round(w.watts) : w.watts);
    up.add({{"domain", domains[i].id}}, i < status_.size() && status_[i] == ReadStatus::ok ? 1 : 0);
    uncertainty.add({{"domain", domains[i].id}}, domains[i].relative_uncertainty);
    if (d.in_total) (d.provenance == Provenance::measured ? measured : modelled) += d.energy;
  }
  machine.add({{"provenance", "measured"}}, shown(measured).joules);
  machine.add({{"provenance", "modelled"}}, shown(modelled).joules);
  for (auto* f : {&energy, &power, &up, &uncertainty, &machine}) out.push_back(std::move(*f));
}

void Collector::workload_families(std::vector<MetricFamily>& out) const {
  if (!workloads_) return;
  MetricFamily energy{"joule_cgroup_energy_joules",
                      MetricType::counter,
                      "Machine energy attributed to the cgroup as `joule run` attributes it: " +
                          workloads_->method() + ".",
                      "joules",
                      {}};
  for (const auto& w : workloads_->energy())
    energy.add({{"cgroup", w.cgroup}}, shown(w.attributed).joules);
  MetricFamily left_out{"joule_cgroups_left_out",
                        MetricType::gauge,
                        "Cgroups not exported because --max-cgroups was reached.",
                        "",
                        {}};
  left_out.add({}, static_cast<double>(workloads_->left_out()));
  out.push_back(std::move(energy));
  out.push_back(std::move(left_out));
}

void Collector::application_families(std::vector<MetricFamily>& out) const {
  MetricFamily units{"joule_application_units",
                     MetricType::counter,
                     "Functional units (requests, tokens) applications reported.",
                     "",
                     {}};
  for (const auto& u : applications_.units()) {
    units.add({{"application", u.application}, {"unit", u.unit}}, u.count);
  }
  MetricFamily phases{"joule_application_phase_seconds",
                      MetricType::counter,
                      "Time applications reported spending in each phase.",
                      "seconds",
                      {}};
  for (const auto& p : applications_.phases(MonotonicClock::now())) {
    phases.add({{"application", p.application}, {"phase", p.phase}}, p.time.seconds);
  }
  MetricFamily dropped{"joule_application_reports_dropped",
                       MetricType::counter,
                       "Application reports dropped to bound the number of series.",
                       "",
                       {}};
  dropped.add({}, static_cast<double>(applications_.dropped()));
  for (auto* f : {&units, &phases, &dropped}) out.push_back(std::move(*f));
}

void Collector::carbon_families(std::vector<MetricFamily>& out) const {
  if (!options_.carbon) return;
  const auto& ctx = options_.carbon->context;
  MetricFamily intensity{
      "joule_grid_intensity_co2e_grams_per_joule",
      MetricType::gauge,
      "Grid carbon intensity in effect now, g CO2e per joule (x 3.6e6 for g/kWh).",
      "",
      {}};
  carbon::Estimate i = intensity_now(ctx);
  for (double* v : {&i.low, &i.central, &i.high}) *v /= kJoulesPerKwh;
  add_estimate_samples(intensity, i,
                       {{"location", ctx.location_code},
                        {"source", ctx.series ? ctx.series->source : ctx.intensity_source},
                        {"kind", carbon::to_string(ctx.intensity_kind)}});
  MetricFamily pue{"joule_pue_ratio",
                   MetricType::gauge,
                   "Power usage effectiveness applied to the machine's energy.",
                   "",
                   {}};
  add_estimate_samples(pue, ctx.pue, {{"source", ctx.pue_source}});
  MetricFamily operational{"joule_operational_co2e_grams",
                           MetricType::counter,
                           "Operational emissions E x PUE x I / (1 - loss) since the exporter "
                           "started, g CO2e.",
                           "grams",
                           {}};
  add_estimate_samples(operational, carbon_.operational_g);
  out.push_back(std::move(intensity));
  out.push_back(std::move(pue));
  out.push_back(std::move(operational));
  if (!options_.carbon->embodied.empty()) {
    MetricFamily embodied{"joule_embodied_co2e_grams",
                          MetricType::counter,
                          "Embodied emissions of the given hardware, amortised over its lifetime "
                          "for the time the exporter ran, g CO2e.",
                          "grams",
                          {}};
    add_estimate_samples(embodied, carbon_.embodied_g);
    out.push_back(std::move(embodied));
  }
}

}  // namespace joule::serve

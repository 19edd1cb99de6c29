// The yearly arithmetic. Everything is piecewise constant within a year (the
// requests grow and the grid decarbonises from one year to the next), so a
// year's figure is a daily rate times its days, and the breakeven can be
// solved exactly.
#include "budget/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "carbon/estimate.hpp"

namespace joule::budget {

namespace {

constexpr double kHoursPerDay = 24;

// The days of year y (0-based) within the horizon: 365, or what is left.
double days_in_year(const Scenario& s, int year) {
  return kDaysPerYear * std::clamp(s.horizon_years - year, 0.0, 1.0);
}

double decarbonisation_factor(const Scenario& s, int year) {
  return std::pow(1 - s.decarbonisation_per_year.value_or(0), year);
}

// The relative uncertainty carbon's EnergyInput takes: the wider side.
double relative_spread(const Estimate& e) {
  if (e.central <= 0) return 0;
  return std::max(e.high - e.central, e.central - e.low) / e.central;
}

// O = E x PUE x I / (1 - loss), by joule carbon, with the year's decarbonisation.
Estimate operational_g(const carbon::ResolvedContext& ctx, const Estimate& joules, double factor) {
  if (joules.central <= 0) return {};
  carbon::EnergyInput input;
  input.energy = Joules{joules.central};
  input.relative_uncertainty = relative_spread(joules);
  return carbon::scale(carbon::operational(ctx, input).grams, factor);
}

struct PartBuilder {
  std::string name;
  std::vector<std::vector<Estimate>> energy;  // [year] -> terms
  std::vector<std::vector<Estimate>> co2e;

  PartBuilder(std::string part, int years) : name(std::move(part)), energy(years), co2e(years) {}
  void add(int year, const Estimate& joules, const Estimate& grams) {
    energy[year].push_back(joules);
    co2e[year].push_back(grams);
  }
  PartTotals build() const {
    PartTotals p;
    p.name = name;
    for (std::size_t y = 0; y < energy.size(); ++y) {
      p.energy_j_per_year.push_back(correlated_sum(energy[y]));
      p.co2e_g_per_year.push_back(correlated_sum(co2e[y]));
    }
    p.energy_j = correlated_sum(p.energy_j_per_year);
    p.co2e_g = correlated_sum(p.co2e_g_per_year);
    return p;
  }
};

// The initial training (trials and failed runs included) on day 0, then one
// retraining (with its failed share) every `retrain_every_days` within the horizon.
std::vector<CarbonEvent> training_events(const Scenario& s, const Resolved& r, PartBuilder& part) {
  std::vector<CarbonEvent> events;
  if (!r.training_run) return events;
  const TrainingSpec& t = *s.training;
  const double horizon_days = s.horizon_years * kDaysPerYear;
  auto add = [&](double day, double runs) {
    const int year =
        std::min(static_cast<int>(day / kDaysPerYear), static_cast<int>(part.energy.size()) - 1);
    const Estimate joules = carbon::scale(r.training_run->joules, runs * (1 + t.failed_fraction));
    const Estimate grams = operational_g(*r.training_ctx, joules, decarbonisation_factor(s, year));
    part.add(year, joules, grams);
    events.push_back({day, grams});
  };
  add(0, t.trials);
  if (t.retrain_every_days) {
    for (double day = *t.retrain_every_days; day < horizon_days; day += *t.retrain_every_days) {
      add(day, 1);
    }
  }
  return events;
}

struct Inference {
  PartBuilder active;
  PartBuilder idle;
  PartBuilder embodied;
  double requests = 0;
  std::vector<Estimate> g_per_day;  // active + idle, per year
  std::vector<InputTerm> hardware;  // each deployment's TE and EL, with their sources
};

// The embodied figure and lifetime a deployment's M came from, as inputs.
void add_hardware_inputs(const ResolvedDeployment& d, const carbon::CarbonResult& m,
                         std::vector<InputTerm>& inputs) {
  const std::string provenance = d.spec->embodied_kg ? "given" : "table";
  for (const auto& term : m.terms) {
    if (term.symbol == "TE") {
      inputs.push_back({fmt::format("embodied emissions ({})", d.spec->name), term.value, term.unit,
                        provenance, term.source});
    } else if (term.symbol == "EL") {
      inputs.push_back({fmt::format("hardware lifetime ({})", d.spec->name),
                        carbon::scale(term.value, 1 / (kDaysPerYear * kHoursPerDay)), "years",
                        d.spec->lifetime_years ? "given" : "table", term.source});
    }
  }
}

void add_deployment_year(const Scenario& s, const ResolvedDeployment& d, int year, Inference& out,
                         std::vector<std::string>& warnings) {
  const DeploymentSpec& spec = *d.spec;
  const double days = days_in_year(s, year);
  const double factor = decarbonisation_factor(s, year);
  const double requests = s.inference.requests_per_day * spec.share *
                          std::pow(1 + s.inference.growth_per_year, year) * days;
  out.requests += requests;
  const Estimate active_j = carbon::scale(d.per_request.joules, requests);
  // Provisioned capacity waits for the share of the time it is not busy.
  const double idle_seconds =
      spec.replicas * (1 - spec.utilisation) * days * kHoursPerDay * kSecondsPerHour;
  const Estimate idle_j = carbon::scale(d.idle_w, idle_seconds);
  const Estimate active_g = operational_g(*d.ctx, active_j, factor);
  const Estimate idle_g = operational_g(*d.ctx, idle_j, factor);
  out.active.add(year, active_j, active_g);
  out.idle.add(year, idle_j, idle_g);
  carbon::EmbodiedInput hardware = d.embodied;
  hardware.time_reserved = Seconds{days * kSecondsPerDay};
  const carbon::CarbonResult m = carbon::embodied(*d.ctx, hardware);
  for (const auto& w : m.warnings) warnings.push_back(fmt::format("{}: {}", spec.name, w));
  out.embodied.add(year, {}, m.grams);
  if (year == 0) add_hardware_inputs(d, m, out.hardware);
  if (days > 0) {
    Estimate& rate = out.g_per_day[year];
    rate = correlated_sum({rate, carbon::scale(correlated_sum({active_g, idle_g}), 1 / days)});
  }
}

std::vector<PartBuilder> other_parts(const Scenario& s, const Resolved& r, int years) {
  std::vector<PartBuilder> parts;
  for (const auto& o : r.others) {
    PartBuilder part(o.spec->name, years);
    for (int y = 0; y < years; ++y) {
      const double share_of_year = days_in_year(s, y) / kDaysPerYear;
      if (o.spec->energy_per_year) {
        const Estimate joules = Estimate::exact(o.spec->energy_per_year->joules * share_of_year);
        part.add(y, joules, operational_g(*o.ctx, joules, decarbonisation_factor(s, y)));
      } else {
        part.add(y, {}, Estimate::exact(*o.spec->co2e_kg_per_year * 1000 * share_of_year));
      }
    }
    parts.push_back(std::move(part));
  }
  return parts;
}

PerRequest per_request_figures(const Scenario& s, const BudgetResult& result, double requests) {
  PerRequest p;
  p.requests = requests;
  p.useful_fraction = s.useful_fraction;
  if (requests <= 0) return p;
  p.energy_j_per_request = carbon::scale(result.energy_j, 1 / requests);
  p.co2e_g_per_request = carbon::scale(result.co2e_g, 1 / requests);
  p.energy_j_per_useful = carbon::scale(p.energy_j_per_request, 1 / s.useful_fraction);
  p.co2e_g_per_useful = carbon::scale(p.co2e_g_per_request, 1 / s.useful_fraction);
  return p;
}

void add_totals(BudgetResult& result) {
  for (int y = 0; y < result.years; ++y) {
    std::vector<Estimate> energy, co2e;
    for (const auto& p : result.parts) {
      energy.push_back(p.energy_j_per_year[y]);
      co2e.push_back(p.co2e_g_per_year[y]);
    }
    // Parts are independent: their deviations add in quadrature (docs/methodology.md).
    result.energy_j_per_year.push_back(carbon::sum(energy));
    result.co2e_g_per_year.push_back(carbon::sum(co2e));
  }
  std::vector<Estimate> energy, co2e;
  for (const auto& p : result.parts) {
    energy.push_back(p.energy_j);
    co2e.push_back(p.co2e_g);
  }
  result.energy_j = carbon::sum(energy);
  result.co2e_g = carbon::sum(co2e);
}

std::vector<DeploymentSummary> deployment_summaries(const Resolved& r) {
  std::vector<DeploymentSummary> out;
  for (const auto& d : r.deployments) {
    out.push_back({d.spec->name, d.spec->share,
                   fmt::format("{} ({})", d.ctx->location_name, d.ctx->location_code),
                   d.ctx->how_decided, d.ctx->intensity_g_per_kwh, d.ctx->intensity_source,
                   d.ctx->pue, d.ctx->pue_source, d.device->name, d.spec->replicas,
                   d.spec->utilisation});
  }
  return out;
}

}  // namespace

Estimate correlated_sum(const std::vector<Estimate>& terms) {
  Estimate total;
  for (const auto& t : terms) {
    total.low += t.low;
    total.central += t.central;
    total.high += t.high;
  }
  return total;
}

BudgetResult compute(const Scenario& s, Sources& sources) {
  const Resolved r = resolve(s, sources);
  BudgetResult result;
  result.name = s.name;
  result.scenario_file = s.path.string();
  result.horizon_years = s.horizon_years;
  result.years = static_cast<int>(std::ceil(s.horizon_years - 1e-12));

  PartBuilder training("training", result.years);
  const std::vector<CarbonEvent> events = training_events(s, r, training);
  Inference inference{
      PartBuilder("inference active", result.years), PartBuilder("inference idle", result.years),
      PartBuilder("embodied", result.years),         0,
      std::vector<Estimate>(result.years),           {}};
  for (int y = 0; y < result.years; ++y) {
    for (const auto& d : r.deployments) add_deployment_year(s, d, y, inference, result.warnings);
  }
  if (s.training) result.parts.push_back(training.build());
  result.parts.push_back(inference.active.build());
  result.parts.push_back(inference.idle.build());
  result.parts.push_back(inference.embodied.build());
  for (const auto& p : other_parts(s, r, result.years)) result.parts.push_back(p.build());
  add_totals(result);

  result.per_request = per_request_figures(s, result, inference.requests);
  if (s.training) {
    result.breakeven = breakeven(events, inference.g_per_day, s.horizon_years * kDaysPerYear);
  } else {
    result.breakeven.note = "no training in the scenario";
  }
  result.deployments = deployment_summaries(r);
  result.inputs = r.inputs;
  result.inputs.insert(result.inputs.end(), inference.hardware.begin(), inference.hardware.end());
  result.dominant = dominant_sentence(result.parts, result.co2e_g);
  result.equivalents = equivalents(result.co2e_g);
  for (const auto* ctx : {r.training_ctx}) {
    if (ctx && ctx->is_guess) {
      result.warnings.push_back(fmt::format("training place is a guess: {}", ctx->how_decided));
    }
  }
  for (const auto& d : r.deployments) {
    if (d.ctx->is_guess) {
      result.warnings.push_back(
          fmt::format("{}: the place is a guess ({}); state country, region or cloud", d.spec->name,
                      d.ctx->how_decided));
    }
  }
  return result;
}

}  // namespace joule::budget

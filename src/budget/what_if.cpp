// What-ifs: one change to the scenario (a region, a device class, a bench
// model, a batch size, a utilisation, a horizon), recomputed in full. The
// --what-if changes apply together first; the ranked table then tries each
// single change on top of them.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "budget/model.hpp"
#include "carbon/quantity.hpp"
#include "carbon/suggest.hpp"
#include "carbon/tables.hpp"
#include "joule/format.hpp"

namespace joule::budget {

namespace {

const std::vector<std::string> kKeys = {"region", "device",      "model",
                                        "batch",  "utilisation", "horizon"};
// Tried when the scenario names no [what_if] regions: grids from low to high
// intensity on three continents.
const std::vector<std::string> kDefaultRegions = {"SE", "FR", "DE", "US", "PL", "IN"};
const std::vector<double> kDefaultUtilisations = {0.5, 0.8};

struct Change {
  std::string key;
  std::string value;
};

Change parse_change(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    throw BudgetError(fmt::format("--what-if {}: expected KEY=VALUE with KEY one of {}", text,
                                  fmt::join(kKeys, ", ")));
  }
  Change c{text.substr(0, eq), text.substr(eq + 1)};
  if (std::find(kKeys.begin(), kKeys.end(), c.key) == kKeys.end()) {
    throw BudgetError(fmt::format("--what-if {}: unknown key '{}';{} expected one of {}", text,
                                  c.key, carbon::did_you_mean(c.key, kKeys),
                                  fmt::join(kKeys, ", ")));
  }
  return c;
}

double number_in(const Change& c, double min, double max) {
  auto v = carbon::parse_number(c.value);
  if (!v || !std::isfinite(*v) || *v <= min || *v > max) {
    throw BudgetError(fmt::format("--what-if {}={}: expected a number above {} and at most {}",
                                  c.key, c.value, min, max));
  }
  return *v;
}

// A place name as joule carbon takes it: a cloud region ("aws:eu-west-3"),
// a country, or a sub-national grid.
PlaceSpec place_named(const std::string& name, const PlaceSpec& was) {
  const auto data = carbon::ReferenceData::embedded();
  PlaceSpec p;
  p.pue = was.pue;
  p.context = was.context;
  p.where = was.where;
  if (name.find(':') != std::string::npos) {
    p.cloud = name;
  } else if (data->country(name)) {
    p.country = name;
  } else if (data->region(name) || data->zone(name)) {
    p.region = name;
  } else {
    std::vector<std::string> names = data->country_codes_and_names();
    for (const auto& r : data->region_codes()) names.push_back(r);
    throw BudgetError(fmt::format("--what-if region={}: unknown country or region;{}", name,
                                  carbon::did_you_mean(name, names)));
  }
  return p;
}

void change_device(Scenario& s, Sources& sources, const std::string& device) {
  if (!sources.devices().find(device)) {
    throw BudgetError(fmt::format("--what-if device={}: unknown device class;{} expected one of {}",
                                  device, carbon::did_you_mean(device, sources.devices().names()),
                                  fmt::join(sources.devices().names(), ", ")));
  }
  const bool bench_flops =
      sources.bench() && s.bench && bench_model(s, *sources.bench()).flops_per_sample > 0;
  if (!s.inference.flops_per_request && !bench_flops) {
    throw BudgetError(fmt::format(
        "--what-if device={}: the energy on another device is modelled from FLOPs per request; "
        "give inference.flops_per_request or serve a bench model",
        device));
  }
  for (auto& d : s.deployments) {
    d.device = {device, {}};
    d.energy_modelled_on_device = true;
    // The stated figures described the old device.
    d.idle_power.reset();
    d.embodied_kg.reset();
  }
}

void change_model(Scenario& s, Sources& sources, const std::string& model) {
  if (!s.bench || !sources.bench()) {
    throw BudgetError("--what-if model=...: the scenario serves no bench model ([bench] table)");
  }
  s.bench->model = {model, {}};
  try {
    bench_model(s, *sources.bench());
  } catch (const DataError& e) {
    // The scenario's line means nothing for a change from the command line.
    const std::string what = e.what();
    throw BudgetError(
        fmt::format("--what-if model={}: {}", model, what.substr(what.find("bench.model: ") + 13)));
  }
}

void change_batch(Scenario& s, Sources& sources, const std::string& text) {
  if (s.inference.origin != EnergyOrigin::bench || !sources.bench()) {
    throw BudgetError(
        "--what-if batch=...: the energy per request does not come from a bench file");
  }
  const BenchModel& model = bench_model(s, *sources.bench());
  const double batch = number_in({"batch", text}, 0, 1e6);
  if (batch != 1 && batch != model.large_batch) {
    throw BudgetError(fmt::format("--what-if batch={}: the bench measured {} at batch 1 and {}",
                                  text, model.name, model.large_batch));
  }
  s.inference.batch = {static_cast<int>(batch), {}};
}

// Higher utilisation at the same load needs fewer replicas (whole ones).
void change_utilisation(Scenario& s, double utilisation) {
  for (auto& d : s.deployments) {
    d.replicas = std::max(1.0, std::ceil(d.replicas * d.utilisation / utilisation - 1e-9));
    d.utilisation = utilisation;
  }
}

// "1.23 t": the figure the saving is measured against, for the note.
std::string format_grams(double grams) {
  return fmt::format("{}", GramsCO2e{grams});
}

void apply(Scenario& s, Sources& sources, const Change& c) {
  if (c.key == "region") {
    for (auto& d : s.deployments) d.place = place_named(c.value, d.place);
  } else if (c.key == "device") {
    change_device(s, sources, c.value);
  } else if (c.key == "model") {
    change_model(s, sources, c.value);
  } else if (c.key == "batch") {
    change_batch(s, sources, c.value);
  } else if (c.key == "utilisation") {
    change_utilisation(s, number_in(c, 0, 1));
  } else {
    s.horizon_years = number_in(c, 0, 100);
  }
}

std::string current_places(const BudgetResult& base) {
  std::vector<std::string> codes;
  for (const auto& d : base.deployments) {
    const std::string code = d.location.substr(d.location.rfind('(') + 1);
    const std::string trimmed = code.substr(0, code.size() - 1);
    if (std::find(codes.begin(), codes.end(), trimmed) == codes.end()) codes.push_back(trimmed);
  }
  return fmt::format("{}", fmt::join(codes, "+"));
}

struct Candidate {
  Change change;
  std::string description;
};

void region_candidates(const Scenario& s, const BudgetResult& base, std::vector<Candidate>& out) {
  const std::string now = current_places(base);
  for (const auto& region : s.what_if.regions.empty() ? kDefaultRegions : s.what_if.regions) {
    if (region == now) continue;
    out.push_back({{"region", region}, fmt::format("serving from {} instead of {}", region, now)});
  }
}

void device_candidates(const Scenario& s, Sources& sources, std::vector<Candidate>& out,
                       std::vector<std::string>& warnings) {
  const bool bench_flops =
      sources.bench() && s.bench && bench_model(s, *sources.bench()).flops_per_sample > 0;
  if (!s.inference.flops_per_request && !bench_flops) {
    warnings.push_back(
        "no device what-ifs: they model the energy from FLOPs per request; give "
        "inference.flops_per_request or serve a bench model");
    return;
  }
  for (const auto& device : sources.devices().classes()) {
    const bool same = std::all_of(s.deployments.begin(), s.deployments.end(),
                                  [&](const auto& d) { return d.device.value == device.name; });
    if (same) continue;
    out.push_back({{"device", device.name},
                   fmt::format("serving on {} instead of {}", device.name,
                               s.deployments.front().device.value)});
  }
}

void bench_candidates(const Scenario& s, Sources& sources, std::vector<Candidate>& out) {
  if (!s.bench || !sources.bench()) return;
  const BenchFile& file = *sources.bench();
  const BenchModel& now = bench_model(s, file);
  for (const auto& m : bench_task(s, file).models) {
    if (m.name == now.name || !joules_to_tier(file, m, s.bench->tier->value)) continue;
    out.push_back({{"model", m.name},
                   fmt::format("serving {} instead of {} (it too reaches {}{})", m.name, now.name,
                               s.bench->tier->value, m.pareto ? ", on the Pareto front" : "")});
  }
  if (s.inference.origin != EnergyOrigin::bench) return;
  const int other = s.inference.batch.value == 1 ? now.large_batch : 1;
  if (other > 0 && joules_per_request(file, now, other)) {
    out.push_back({{"batch", std::to_string(other)},
                   fmt::format("batches of {} instead of {}", other, s.inference.batch.value)});
  }
}

void utilisation_and_horizon(const Scenario& s, std::vector<Candidate>& out) {
  double highest = 0;
  for (const auto& d : s.deployments) highest = std::max(highest, d.utilisation);
  for (double u : s.what_if.utilisations.empty() ? kDefaultUtilisations : s.what_if.utilisations) {
    if (u <= highest) continue;
    out.push_back({{"utilisation", fmt::format("{}", u)},
                   fmt::format("running at {:.0f}% utilisation instead of {:.0f}% (fewer replicas)",
                               u * 100, highest * 100)});
  }
  const double shorter = s.horizon_years > 1 ? s.horizon_years - 1 : s.horizon_years / 2;
  out.push_back({{"horizon", fmt::format("{}", shorter)},
                 fmt::format("a {:.4g}-year horizon instead of {:.4g}", shorter, s.horizon_years)});
}

// A device what-if models the energy per request from FLOPs and the device
// table. Set against the scenario's own (measured or given) figure it would
// mostly measure the gap between the model and that figure, so it is set
// against the current devices modelled the same way.
double modelled_baseline_g(const Scenario& s, Sources& sources) {
  Scenario modelled = s;
  for (auto& d : modelled.deployments) d.energy_modelled_on_device = true;
  return compute(modelled, sources).co2e_g.central;
}

std::string capitalised(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace

void apply_what_ifs(Scenario& scenario, Sources& sources, const std::vector<std::string>& changes) {
  for (const auto& text : changes) apply(scenario, sources, parse_change(text));
}

void rank_what_ifs(const Scenario& s, Sources& sources, BudgetResult& result) {
  std::vector<Candidate> candidates;
  region_candidates(s, result, candidates);
  device_candidates(s, sources, candidates, result.warnings);
  bench_candidates(s, sources, candidates);
  utilisation_and_horizon(s, candidates);
  const double base = result.co2e_g.central;
  std::optional<double> device_base;
  for (const auto& c : candidates) {
    Scenario changed = s;
    apply(changed, sources, c.change);
    const BudgetResult outcome = compute(changed, sources);
    double against = base;
    if (c.change.key == "device") {
      if (!device_base) device_base = modelled_baseline_g(s, sources);
      against = *device_base;
    }
    WhatIfOutcome w{c.change.key,
                    c.change.value,
                    c.description,
                    outcome.co2e_g,
                    against > 0 ? 1 - outcome.co2e_g.central / against : 0,
                    ""};
    if (c.change.key == "device") {
      w.note = fmt::format(
          "energy per request modelled from FLOPs and data/devices.csv; the saving is against the "
          "current devices modelled the same way ({}); replicas unchanged",
          format_grams(*device_base));
    } else if (c.change.key == "utilisation") {
      w.note = fmt::format("replicas scaled by the utilisations' ratio, rounded up");
    } else if (c.change.key == "horizon") {
      w.note = "fewer requests served too: compare per request";
    }
    result.what_ifs.push_back(std::move(w));
  }
  std::stable_sort(
      result.what_ifs.begin(), result.what_ifs.end(),
      [](const auto& a, const auto& b) { return a.saving_fraction > b.saving_fraction; });
  if (result.what_ifs.empty() || result.what_ifs.front().saving_fraction <= 0) {
    result.what_if_sentence = "None of the single changes tried saves life-cycle carbon.";
    return;
  }
  // A shorter horizon saves by serving less; the sentence names the best
  // change that serves the same requests, when one saves anything.
  auto best_it = std::find_if(result.what_ifs.begin(), result.what_ifs.end(), [](const auto& w) {
    return w.key != "horizon" && w.saving_fraction > 0;
  });
  const WhatIfOutcome& best = best_it != result.what_ifs.end() ? *best_it : result.what_ifs.front();
  result.what_if_sentence = fmt::format("{} saves {:.0f}% of the life-cycle carbon.",
                                        capitalised(best.description), best.saving_fraction * 100);
}

}  // namespace joule::budget

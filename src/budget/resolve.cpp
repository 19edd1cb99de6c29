// Every input of the budget, looked up once with its provenance: the ledger's
// runs, the bench file's models, the places as joule carbon resolves them,
// the device classes and their embodied figures.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "budget/model.hpp"
#include "carbon/estimate.hpp"
#include "carbon/suggest.hpp"
#include "record/ledger.hpp"

namespace joule::budget {

namespace {

std::string place_key(const PlaceSpec& p) {
  return fmt::format("{}|{}|{}|{}|{}", p.country.value_or(""), p.region.value_or(""),
                     p.cloud.value_or(""), p.context.value_or(""),
                     p.pue ? fmt::format("{}", *p.pue) : "");
}

// The ledger's runs, for "did you mean" (most recent last).
std::vector<std::string> run_ids(const record::Ledger& ledger) {
  std::vector<std::string> ids;
  for (const auto& r : ledger.list()) ids.push_back(r.id);
  return ids;
}

std::string provenance_of(const record::RunRecord& run) {
  return run.totals.provenance == Provenance::measured ? "measured" : "modelled";
}

SourcedEnergy training_from_ledger(const Scenario& s, const TrainingSpec& t, Sources& sources) {
  double joules = 0;
  double absolute_uncertainty = 0;
  std::vector<std::string> ids;
  std::string provenance = "measured";
  for (const auto& id : t.runs) {
    const record::RunRecord& run = sources.run(s, id);
    joules += run.totals.attributed_energy_j;
    // One machine's sensors: errors move together, so they add.
    absolute_uncertainty += run.totals.attributed_energy_j * run.totals.relative_uncertainty;
    ids.push_back(run.id);
    if (provenance_of(run) == "modelled") provenance = "modelled";
  }
  return {carbon::relative(joules, joules > 0 ? absolute_uncertainty / joules : 0), provenance,
          fmt::format("ledger run{} {} (attributed energy, summed)", ids.size() > 1 ? "s" : "",
                      fmt::join(ids, ", "))};
}

SourcedEnergy training_from_bench(const Scenario& s, Sources& sources) {
  const BenchFile* file = sources.bench();
  if (!file) fail_at(s, {}, "training.from_bench: the scenario has no [bench] table");
  const BenchModel& model = bench_model(s, *file);
  const double tier = s.bench->tier->value;
  return {*joules_to_tier(*file, model, tier), file->modelled ? "modelled" : "measured",
          fmt::format("joule bench {}: {} energy to reach {} {} ({}; {})",
                      file->path.filename().string(), model.name, bench_task(s, *file).metric, tier,
                      file->energy_source, file->date_utc)};
}

SourcedEnergy request_from_ledger(const Scenario& s, Sources& sources) {
  const InferenceSpec& in = s.inference;
  const record::RunRecord& run = sources.run(s, in.run);
  const carbon::FunctionalUnit* unit = nullptr;
  for (const auto& u : run.units) {
    if (in.unit.empty() ? run.units.size() == 1 : u.name == in.unit) unit = &u;
  }
  if (!unit || !(unit->count > 0)) {
    std::vector<std::string> names;
    for (const auto& u : run.units) names.push_back(u.name);
    fail_at(
        s, in.run.where,
        fmt::format("inference.run: run {} has {}; expected one with units counted{} (joule "
                    "run --unit request, counting with `joule units N` or scope.add_units)",
                    run.id,
                    names.empty() ? "no units" : fmt::format("units {}", fmt::join(names, ", ")),
                    in.unit.empty() ? "" : fmt::format(" named '{}'", in.unit)));
  }
  const double joules = run.totals.attributed_energy_j / unit->count;
  return {carbon::relative(joules, run.totals.relative_uncertainty), provenance_of(run),
          fmt::format("ledger run {}: {} J attributed / {} {}", run.id,
                      run.totals.attributed_energy_j, unit->count, unit->name)};
}

SourcedEnergy request_from_bench(const Scenario& s, Sources& sources) {
  const BenchFile* file = sources.bench();
  if (!file) fail_at(s, {}, "inference.from_bench: the scenario has no [bench] table");
  const BenchModel& model = bench_model(s, *file);
  const int batch = s.inference.batch.value;
  auto joules = joules_per_request(*file, model, batch);
  if (!joules) {
    fail_at(s, s.inference.batch.where,
            fmt::format("inference.batch: {} has no inference figure for {} at batch {}; "
                        "expected 1 or {}",
                        file->path.filename().string(), model.name, batch, model.large_batch));
  }
  return {
      *joules, file->modelled ? "modelled" : "measured",
      fmt::format("joule bench {}: {} J/1000 at batch {} ({}; {})", file->path.filename().string(),
                  model.name, batch, file->energy_source, file->date_utc)};
}

SourcedEnergy per_request(const Scenario& s, Sources& sources) {
  const InferenceSpec& in = s.inference;
  switch (in.origin) {
    case EnergyOrigin::given:
      return {carbon::relative(in.energy_per_request.joules, in.relative_uncertainty), "given",
              fmt::format("{}: inference.energy_per_request", s.path.filename().string())};
    case EnergyOrigin::ledger:
      return request_from_ledger(s, sources);
    case EnergyOrigin::bench:
      break;
  }
  return request_from_bench(s, sources);
}

std::optional<SourcedEnergy> training_run(const Scenario& s, Sources& sources) {
  if (!s.training) return std::nullopt;
  const TrainingSpec& t = *s.training;
  switch (t.origin) {
    case EnergyOrigin::given:
      return SourcedEnergy{carbon::relative(t.energy.joules, t.relative_uncertainty), "given",
                           fmt::format("{}: training.energy", s.path.filename().string())};
    case EnergyOrigin::ledger:
      return training_from_ledger(s, t, sources);
    case EnergyOrigin::bench:
      break;
  }
  return training_from_bench(s, sources);
}

void resolve_flops(const Scenario& s, Sources& sources, Resolved& r) {
  if (s.inference.flops_per_request) {
    r.flops_per_request = s.inference.flops_per_request;
    r.flops_source = fmt::format("{}: inference.flops_per_request", s.path.filename().string());
  } else if (sources.bench() && s.bench) {
    const BenchModel& model = bench_model(s, *sources.bench());
    if (model.flops_per_sample > 0) {
      r.flops_per_request = model.flops_per_sample;
      r.flops_source = fmt::format("joule bench {}: {} forward FLOPs per sample",
                                   sources.bench()->path.filename().string(), model.name);
    }
  }
}

ResolvedDeployment resolve_deployment(const Scenario& s, Sources& sources, const Resolved& r,
                                      const DeploymentSpec& d) {
  ResolvedDeployment out;
  out.spec = &d;
  out.ctx = &sources.context(s, d.place);
  out.device = sources.devices().find(d.device.value);
  if (!out.device) {
    fail_at(s, d.device.where,
            fmt::format("{}: unknown device class '{}';{} expected one of {} (data/devices.csv)",
                        d.name, d.device.value,
                        carbon::did_you_mean(d.device.value, sources.devices().names()),
                        fmt::join(sources.devices().names(), ", ")));
  }
  out.per_request = r.per_request;
  if (d.energy_modelled_on_device) {
    out.per_request = {DeviceTable::modelled_joules(*out.device, *r.flops_per_request), "modelled",
                       fmt::format("{} FLOPs ({}) / efficiency of {} ({}, peak {} GFLOPS {} at {} "
                                   "W, sustained 10-60 %)",
                                   *r.flops_per_request, r.flops_source, out.device->name,
                                   out.device->row, out.device->peak_gflops, out.device->precision,
                                   out.device->active_power.watts)};
  }
  if (d.idle_power) {
    out.idle_w = carbon::Estimate::exact(d.idle_power->watts);
    out.idle_provenance = "given";
    out.idle_source = fmt::format("{}: {}.idle_power", s.path.filename().string(), d.name);
  } else {
    out.idle_w = out.device->idle_w;
    out.idle_provenance = "table";
    out.idle_source = fmt::format("{} ({})", out.device->idle_source, out.device->row);
  }
  out.embodied.device = out.device->embodied_item;
  out.embodied.total_kg = d.embodied_kg;
  out.embodied.lifetime_years = d.lifetime_years;
  out.embodied.count = d.replicas;
  out.embodied.share = d.reserved_share;
  return out;
}

void add_inputs(const Scenario& s, Resolved& r) {
  const std::string file = s.path.filename().string();
  auto given = [&](std::string name, double v, std::string unit, std::string key) {
    r.inputs.push_back({std::move(name), carbon::Estimate::exact(v), std::move(unit), "given",
                        fmt::format("{}: {}", file, key)});
  };
  if (r.training_run) {
    r.inputs.push_back({"training energy per run", r.training_run->joules, "J",
                        r.training_run->provenance, r.training_run->source});
    given("hyper-parameter trials", s.training->trials, "runs", "training.trials");
    given("failed runs", s.training->failed_fraction, "share of good runs",
          "training.failed_fraction");
    if (s.training->retrain_every_days) {
      given("retraining every", *s.training->retrain_every_days, "days",
            "training.retrain_every_days");
    }
  }
  r.inputs.push_back({"energy per request", r.per_request.joules, "J", r.per_request.provenance,
                      r.per_request.source});
  given("requests per day", s.inference.requests_per_day, "requests/day",
        "inference.requests_per_day");
  given("growth per year", s.inference.growth_per_year, "ratio", "inference.growth_per_year");
  given("useful fraction", s.useful_fraction, "ratio", "useful_fraction");
  if (s.decarbonisation_per_year) {
    r.inputs.push_back({"decarbonisation per year",
                        carbon::Estimate::exact(*s.decarbonisation_per_year), "ratio",
                        s.decarbonisation_source.empty() ? "assumption" : "given",
                        s.decarbonisation_source.empty()
                            ? "an assumption of the scenario (no decarbonisation_source)"
                            : s.decarbonisation_source});
  }
  for (const auto& d : r.deployments) {
    if (d.spec->energy_modelled_on_device) {
      r.inputs.push_back({fmt::format("energy per request ({})", d.spec->name),
                          d.per_request.joules, "J", "modelled", d.per_request.source});
    }
    r.inputs.push_back({fmt::format("idle power per replica ({})", d.spec->name), d.idle_w, "W",
                        d.idle_provenance, d.idle_source});
    r.inputs.push_back({fmt::format("grid intensity ({})", d.spec->name),
                        d.ctx->intensity_g_per_kwh, "gCO2e/kWh", "table", d.ctx->intensity_source});
    r.inputs.push_back(
        {fmt::format("PUE ({})", d.spec->name), d.ctx->pue, "ratio", "table", d.ctx->pue_source});
  }
}

}  // namespace

Sources::Sources(const Scenario& scenario, const BudgetOptions& options)
    : devices_(DeviceTable::embedded()),
      read_config_files_(options.read_config_files),
      guess_from_time_zone_(options.guess_from_time_zone) {
  if (scenario.bench) bench_ = load_bench_file(scenario.bench->file.value);
  ledger_path_ = record::Ledger::resolve_path(
      options.ledger.value_or(scenario.ledger.value_or(std::filesystem::path())));
}

const record::RunRecord& Sources::run(const Scenario& scenario, const Located<std::string>& id) {
  if (auto it = runs_.find(id.value); it != runs_.end()) return it->second;
  if (!std::filesystem::exists(ledger_path_)) {
    fail_at(scenario, id.where,
            fmt::format("run '{}': there is no ledger at {} (set ledger = \"PATH\" in the "
                        "scenario, --ledger or JOULE_LEDGER)",
                        id.value, ledger_path_.string()));
  }
  try {
    record::Ledger ledger(ledger_path_, record::Ledger::Mode::read_only);
    try {
      return runs_.emplace(id.value, ledger.get(id.value)).first->second;
    } catch (const record::LedgerError& e) {
      if (e.kind() != record::LedgerError::Kind::not_found) throw;
      fail_at(scenario, id.where,
              fmt::format("run '{}' is not in the ledger {};{}", id.value, ledger_path_.string(),
                          carbon::did_you_mean(id.value, run_ids(ledger))));
    }
  } catch (const record::LedgerError& e) {
    fail_at(scenario, id.where, fmt::format("run '{}': {}", id.value, e.what()));
  }
}

const carbon::ResolvedContext& Sources::context(const Scenario& scenario, const PlaceSpec& place) {
  const std::string key = place_key(place);
  if (auto it = contexts_.find(key); it != contexts_.end()) return *it->second;
  carbon::ContextOptions o;
  o.country = place.country;
  o.region = place.region;
  o.cloud = place.cloud;
  o.pue = place.pue;
  o.read_config_files = read_config_files_;
  o.guess_from_time_zone = guess_from_time_zone_;
  try {
    if (place.context) o.context = carbon::parse_context_kind(*place.context);
    auto ctx = std::make_unique<carbon::ResolvedContext>(carbon::resolve_context(o));
    return *contexts_.emplace(key, std::move(ctx)).first->second;
  } catch (const carbon::CarbonError& e) {
    fail_at(scenario, place.where, fmt::format("{}: {}", place.key, e.what()));
  }
}

const BenchTask& bench_task(const Scenario& s, const BenchFile& file) {
  const Located<std::string>& want = s.bench->task;
  std::vector<std::string> names;
  for (const auto& t : file.tasks) {
    if (want.value.empty() ? file.tasks.size() == 1 : t.name == want.value) return t;
    names.push_back(t.name);
  }
  fail_at(s, want.where,
          fmt::format("bench.task: {} '{}' in {};{} expected one of {}",
                      want.value.empty() ? "several tasks, name one:" : "no task", want.value,
                      file.path.filename().string(), carbon::did_you_mean(want.value, names),
                      fmt::join(names, ", ")));
}

const BenchModel& bench_model(const Scenario& s, const BenchFile& file) {
  const BenchTask& task = bench_task(s, file);
  const Located<std::string>& want = s.bench->model;
  std::vector<std::string> names;
  const BenchModel* found = nullptr;
  for (const auto& m : task.models) {
    if (m.name == want.value) found = &m;
    names.push_back(m.name);
  }
  if (!found) {
    fail_at(s, want.where,
            fmt::format("bench.model: no model '{}' in task {} of {};{} expected one of {}",
                        want.value, task.name, file.path.filename().string(),
                        carbon::did_you_mean(want.value, names), fmt::join(names, ", ")));
  }
  if (!s.bench->tier) {
    fail_at(s, want.where,
            fmt::format("bench.tier: missing: the quality the model must reach, one of {}",
                        fmt::join(task.tiers, ", ")));
  }
  if (!joules_to_tier(file, *found, s.bench->tier->value)) {
    std::vector<std::string> reaching;
    for (const auto& m : task.models) {
      if (joules_to_tier(file, m, s.bench->tier->value)) reaching.push_back(m.name);
    }
    fail_at(s, want.where,
            fmt::format("bench.model: {} never reached the tier {} {} in {} (tiers of the task: "
                        "{}); models that did: {}",
                        want.value, task.metric, s.bench->tier->value,
                        file.path.filename().string(), fmt::join(task.tiers, ", "),
                        reaching.empty() ? "none" : fmt::format("{}", fmt::join(reaching, ", "))));
  }
  return *found;
}

Resolved resolve(const Scenario& s, Sources& sources) {
  Resolved r;
  r.training_run = training_run(s, sources);
  if (s.training) r.training_ctx = &sources.context(s, s.training->place);
  r.per_request = per_request(s, sources);
  resolve_flops(s, sources, r);
  for (const auto& d : s.deployments) {
    r.deployments.push_back(resolve_deployment(s, sources, r, d));
  }
  for (const auto& o : s.others) {
    r.others.push_back({&o, o.energy_per_year ? &sources.context(s, o.place) : nullptr});
  }
  add_inputs(s, r);
  return r;
}

}  // namespace joule::budget

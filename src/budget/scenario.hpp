#pragma once
// A budget scenario as the file states it (examples/budget/*.toml,
// docs/budget.md), before anything is looked up. Every key that is resolved
// later (a device, a place, a run id, a bench model) keeps where it was
// written, so that a bad value is reported at its file, line and column.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "joule/units.hpp"

namespace joule::budget {

struct Where {
  std::size_t line = 0;
  std::size_t column = 0;
};

// A value and where it was written; `where` is 0:0 for values that come from
// a --what-if rather than the file.
template <typename T>
struct Located {
  T value{};
  Where where;
};

// The place keys `joule carbon` takes, in the scenario's words.
struct PlaceSpec {
  std::optional<std::string> country, region, cloud, context;
  std::optional<double> pue;
  Where where;      // of the key that names the place, else of its table
  std::string key;  // that key, qualified: "deployment[2].country"
};

// Where an energy comes from: given by hand, runs of the ledger, or the
// scenario's bench results file.
enum class EnergyOrigin { given, ledger, bench };

struct TrainingSpec {
  EnergyOrigin origin = EnergyOrigin::given;
  Joules energy;  // given: per training run
  double relative_uncertainty = 0;
  Where energy_where;
  std::vector<Located<std::string>> runs;  // ledger: summed into one training run
  double trials = 1;                       // hyper-parameter trials, each a full run
  double failed_fraction = 0;              // energy of failed runs, as a share of the good ones
  std::optional<double> retrain_every_days;
  PlaceSpec place;
};

struct InferenceSpec {
  EnergyOrigin origin = EnergyOrigin::given;
  Joules energy_per_request;  // given
  double relative_uncertainty = 0;
  Where energy_where;
  Located<std::string> run;  // ledger: a run with counted units
  std::string unit;          // which of the run's units is one request ("" = its only one)
  std::optional<double> flops_per_request;  // for device what-ifs without a bench file
  double requests_per_day = 0;
  double growth_per_year = 0;  // 0.1 = +10 % a year
  Located<int> batch{1, {}};   // bench: the batch size served at
};

struct DeploymentSpec {
  std::string name;
  double share = 1;
  PlaceSpec place;
  Located<std::string> device;  // devices.csv class
  double replicas = 1;
  double utilisation = 1;  // busy share of provisioned capacity
  double reserved_share = 1;
  std::optional<double> lifetime_years;
  std::optional<Watts> idle_power;    // given, in place of the table's
  std::optional<double> embodied_kg;  // given, in place of the table's
  // Set by a device what-if: the energy per request is modelled for the new
  // class instead of taken from the scenario's source.
  bool energy_modelled_on_device = false;
  Where where;
};

struct OtherSpec {
  std::string name;
  std::optional<Joules> energy_per_year;  // at `place`
  std::optional<double> co2e_kg_per_year;
  PlaceSpec place;
  Where where;
};

struct BenchSpec {
  Located<std::filesystem::path> file;
  Located<std::string> task;  // "" = the file's only task
  Located<std::string> model;
  std::optional<Located<double>> tier;
};

struct WhatIfSpec {
  std::vector<std::string> regions;  // candidates for the region what-if
  std::vector<double> utilisations;
};

struct Scenario {
  std::filesystem::path path;
  std::string name;
  double horizon_years = 1;
  std::optional<double> decarbonisation_per_year;  // 0.03 = intensity falls 3 % a year
  std::string decarbonisation_source;              // "" = an assumption
  double useful_fraction = 1;
  std::optional<std::filesystem::path> ledger;
  std::optional<BenchSpec> bench;
  std::optional<TrainingSpec> training;
  InferenceSpec inference;
  std::vector<DeploymentSpec> deployments;
  std::vector<OtherSpec> others;
  WhatIfSpec what_if;
};

// Reads and checks the file: types, ranges, unknown keys (with the closest
// valid names), shares summing to 1. Throws joule::DataError.
Scenario load_scenario(const std::filesystem::path& path);
// The same over text already read; `path` names it in errors and anchors the
// relative paths the scenario gives.
Scenario parse_scenario_text(std::string_view text, const std::filesystem::path& path);

// Throws DataError at `where` in the scenario file.
[[noreturn]] void fail_at(const Scenario& scenario, Where where, const std::string& message);

}  // namespace joule::budget

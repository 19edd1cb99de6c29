#pragma once
// The life-cycle budget of a model: its training (with the trials, the failed
// runs and the retraining around it), its inference on provisioned hardware in
// one or more regions over years, the idle energy of that hardware, its
// embodied emissions, and which single change saves most.
//
//   auto result = joule::budget::compute_budget("cctv.toml", {});
//   result.parts          per-part energy and CO2e, per year and in total
//   result.per_request    SCI per request and per useful insight
//   result.breakeven      the day cumulative inference passes training
//   result.what_ifs       single changes, ranked by what they save
//
// The result is plain data: every figure a low/central/high range with the unit
// in the member's name, every input with its provenance (measured: which run;
// modelled: which table row; given: which key). docs/budget.md has the scenario
// format and the arithmetic.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "joule/carbon.hpp"
#include "joule/data_error.hpp"
#include "joule/export.h"

namespace joule::budget {

using carbon::Estimate;

// Scenario errors are joule::DataError ("FILE:LINE:COLUMN: key: what was
// expected; did you mean ...?"); a bad --what-if is a BudgetError.
class JOULE_API BudgetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One input of the arithmetic and where it came from.
struct InputTerm {
  std::string name;        // "training energy per run", "energy per request (eu-west)"
  Estimate value;          // in `unit`
  std::string unit;        // "J", "W", "requests/day", "kgCO2e", "gCO2e/kWh"
  std::string provenance;  // measured | modelled | given | table | assumption
  std::string source;      // the run ids, the table and row, the scenario key
};

// One part of the life cycle: "training", "inference active", "inference
// idle", "embodied", or a name the scenario gives under [[other]].
struct PartTotals {
  std::string name;
  std::vector<Estimate> energy_j_per_year;  // IT energy (before PUE); index 0 = first year
  std::vector<Estimate> co2e_g_per_year;
  Estimate energy_j;  // over the horizon
  Estimate co2e_g;
};

struct PerRequest {
  double requests = 0;         // over the horizon
  double useful_fraction = 1;  // share of inferences actually used
  Estimate energy_j_per_request;
  Estimate co2e_g_per_request;  // the SCI with R = one request
  Estimate energy_j_per_useful;
  Estimate co2e_g_per_useful;  // the SCI with R = one useful insight
};

// Training's carbon arrives in steps: the first run with its trials on day 0,
// then each retraining.
struct CarbonEvent {
  double day = 0;
  Estimate grams;
};

// The day (from the first training, 0-based, fractional) on which the
// cumulative carbon of inference (active + idle) passes that of training
// (retraining included). nullopt when it does not within the horizon.
struct Breakeven {
  std::optional<double> day_central;
  std::optional<double> day_low;   // inference high, training low
  std::optional<double> day_high;  // inference low, training high
  std::string note;
  // What the day was solved from, so that the curves can be drawn: the
  // training steps, and inference's (active + idle) CO2e per day in each year.
  std::vector<CarbonEvent> training_events;
  std::vector<Estimate> inference_g_per_day;
};

// "12,000 km driven by an average new car (EU)", with the table's source.
struct Equivalent {
  std::string unit;
  Estimate amount;
  std::string source;
};

// One change and what it does to the life-cycle carbon.
struct WhatIfOutcome {
  std::string key;             // region | device | model | batch | utilisation | horizon
  std::string value;           // "FR", "dc-gpu-t4", "cnn", "256", "0.8", "2"
  std::string description;     // "serve from FR instead of PL"
  Estimate co2e_g;             // the life-cycle total with the change
  double saving_fraction = 0;  // of the central total; negative when it costs more
  std::string note;            // caveats of the change (modelled figures, replicas scaled)
};

struct DeploymentSummary {
  std::string name;
  double share = 1;      // of the requests
  std::string location;  // "France (FR)"
  std::string how_decided;
  Estimate intensity_g_per_kwh;
  std::string intensity_source;
  Estimate pue;
  std::string pue_source;
  std::string device;  // devices.csv class
  double replicas = 0;
  double utilisation = 0;
};

struct BudgetResult {
  std::string name;
  std::string scenario_file;
  std::vector<std::string> applied_what_ifs;  // "region=FR", as given
  double horizon_years = 0;
  int years = 0;  // ceil(horizon_years): the length of the per-year vectors

  std::vector<PartTotals> parts;
  std::vector<Estimate> energy_j_per_year;
  std::vector<Estimate> co2e_g_per_year;
  Estimate energy_j;
  Estimate co2e_g;

  PerRequest per_request;
  Breakeven breakeven;
  std::string dominant;  // one sentence
  std::vector<Equivalent> equivalents;
  std::vector<WhatIfOutcome> what_ifs;  // ranked, biggest saving first
  std::string what_if_sentence;

  std::vector<DeploymentSummary> deployments;
  std::vector<InputTerm> inputs;
  std::vector<std::string> warnings;
};

struct BudgetOptions {
  // Changes applied together before anything is computed: "region=FR",
  // "device=dc-gpu-t4", "model=mlp", "batch=256", "utilisation=0.8", "horizon=2".
  std::vector<std::string> what_ifs;
  // The ledger `runs = [...]` reads; empty: the scenario's `ledger` key, else
  // $JOULE_LEDGER, else the default ledger.
  std::optional<std::filesystem::path> ledger;
  bool rank_what_ifs = true;
  // As for joule carbon: false keeps joule.toml and the time zone out of a
  // deployment that states no place.
  bool read_config_files = true;
  bool guess_from_time_zone = true;
};

// Throws DataError (the scenario, a bench results file, a table) or
// BudgetError (a bad --what-if), each naming what was expected.
JOULE_API BudgetResult compute_budget(const std::filesystem::path& scenario,
                                      const BudgetOptions& options);

// The result as JSON text (the schema of docs/budget.md), for other languages.
JOULE_API std::string to_json_text(const BudgetResult& result);

}  // namespace joule::budget

#pragma once
// The budget's arithmetic, in named steps:
//   resolve():  the scenario's energies, places, devices and hardware, each
//               with its provenance (resolve.cpp)
//   compute():  per year and per part, energy and CO2e, then the totals, the
//               figures per request and the breakeven (model.cpp, breakeven.cpp)
//   summarise(): the sentence on what dominates and the equivalents (summary.cpp)
// and the what-ifs on top (what_if.cpp).
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "budget/bench_file.hpp"
#include "budget/devices.hpp"
#include "budget/scenario.hpp"
#include "joule/budget.hpp"
#include "record/run_record.hpp"

namespace joule::budget {

inline constexpr double kDaysPerYear = 365;
inline constexpr double kSecondsPerDay = 86400;

// What the scenario reads from outside itself, loaded once and shared by the
// scenario and every what-if computed from it.
class Sources {
 public:
  Sources(const Scenario& scenario, const BudgetOptions& options);

  const BenchFile* bench() const { return bench_ ? &*bench_ : nullptr; }
  const DeviceTable& devices() const { return devices_; }
  // The run of the ledger; DataError at `id.where` when it is not there.
  const record::RunRecord& run(const Scenario& scenario, const Located<std::string>& id);
  // Resolved as joule carbon resolves its options; cached by the place.
  const carbon::ResolvedContext& context(const Scenario& scenario, const PlaceSpec& place);
  bool read_config_files() const { return read_config_files_; }

 private:
  std::optional<BenchFile> bench_;
  const DeviceTable& devices_;
  std::filesystem::path ledger_path_;
  std::map<std::string, record::RunRecord> runs_;
  std::map<std::string, std::unique_ptr<carbon::ResolvedContext>> contexts_;
  bool read_config_files_ = true;
  bool guess_from_time_zone_ = true;
};

// An energy with its provenance, as InputTerm prints it.
struct SourcedEnergy {
  carbon::Estimate joules;
  std::string provenance;  // measured | modelled | given
  std::string source;
};

struct ResolvedDeployment {
  const DeploymentSpec* spec = nullptr;
  const carbon::ResolvedContext* ctx = nullptr;
  const DeviceClass* device = nullptr;
  SourcedEnergy per_request;
  carbon::Estimate idle_w;
  std::string idle_provenance;
  std::string idle_source;
  carbon::EmbodiedInput embodied;  // time_reserved set per year
};

struct ResolvedOther {
  const OtherSpec* spec = nullptr;
  const carbon::ResolvedContext* ctx = nullptr;  // only with energy_per_year
};

struct Resolved {
  std::optional<SourcedEnergy> training_run;  // one training run
  const carbon::ResolvedContext* training_ctx = nullptr;
  SourcedEnergy per_request;  // as the scenario states it
  std::optional<double> flops_per_request;
  std::string flops_source;
  std::vector<ResolvedDeployment> deployments;
  std::vector<ResolvedOther> others;
  std::vector<InputTerm> inputs;
};

// The bench model the scenario serves, checked against the file: DataError
// (at the scenario's key) for an unknown task or model, or a model that never
// reached the tier.
const BenchTask& bench_task(const Scenario& scenario, const BenchFile& file);
const BenchModel& bench_model(const Scenario& scenario, const BenchFile& file);

Resolved resolve(const Scenario& scenario, Sources& sources);

// Everything but the what-ifs: parts, totals, per request, breakeven,
// deployments, inputs, the sentence and the equivalents.
BudgetResult compute(const Scenario& scenario, Sources& sources);

// The day cumulative inference carbon passes training's (breakeven.cpp).
// `training_events` are (day, grams) pairs; `inference_g_per_day` is the
// rate in each year. Both are kept in the result, for the breakeven chart.
Breakeven breakeven(const std::vector<CarbonEvent>& training_events,
                    const std::vector<carbon::Estimate>& inference_g_per_day, double horizon_days);

// The sentence on what dominates, and the everyday equivalents (summary.cpp).
std::string dominant_sentence(const std::vector<PartTotals>& parts, const Estimate& total_g);
std::vector<Equivalent> equivalents(const Estimate& total_g);

// The what-ifs (what_if.cpp): apply `changes` ("region=FR") to the scenario,
// and rank single changes of the (changed) scenario by what they save.
void apply_what_ifs(Scenario& scenario, Sources& sources, const std::vector<std::string>& changes);
void rank_what_ifs(const Scenario& scenario, Sources& sources, BudgetResult& result);

// Sum of ranges whose errors move together (one part over the years).
carbon::Estimate correlated_sum(const std::vector<carbon::Estimate>& terms);

}  // namespace joule::budget

#pragma once
// Carbon accounting: pure arithmetic over reference data (never sensors or the
// meter). Follows the Software Carbon Intensity specification (ISO/IEC 21031):
//
//   O   = E x PUE x I / (1 - loss)                    operational, g CO2e
//   M   = TE x (time reserved / lifetime) x share     embodied, g CO2e
//   SCI = (O + M) / R                                 g CO2e per functional unit
//
// Every figure is a low/central/high Estimate and every term names its source,
// so a caller can print the formula term by term. docs/methodology.md says how
// the ranges are propagated and where each default comes from.
//
// Typical use (what `joule run` does after measuring):
//   auto ctx = joule::carbon::resolve_context(options);        // where, PUE, loss
//   auto fp  = joule::carbon::footprint(ctx, {energy, 0.05, timeline},
//                                       embodied_or_nullopt, FunctionalUnit{"run", 1});
//   print ctx.how_decided, fp.operational.terms, fp.total_g, fp.sci_g_per_unit
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "joule/data_error.hpp"
#include "joule/export.h"
#include "joule/units.hpp"

namespace joule::carbon {

// A bad value given by the user (unknown country, malformed quantity...).
// what() is a complete sentence, with suggestions where there are any
// ("unknown country 'FRR'; did you mean FR, FRA?"). Malformed data files throw
// joule::DataError (joule/data_error.hpp) instead, which names file:line:column.
class JOULE_API CarbonError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// low <= central <= high, all in the unit named by the field holding it.
struct Estimate {
  double low = 0;
  double central = 0;
  double high = 0;
  static constexpr Estimate exact(double v) { return {v, v, v}; }
};

// One factor of a formula, for printing: "I = 56.0 gCO2e/kWh [50.1..60.2]
// (Ember 2024, CC BY 4.0)". symbol is the letter in the formula ("E", "PUE",
// "I", "loss", "TE", "TiR", "EL", "RS", "O", "M", "R", "SCI").
struct Term {
  std::string symbol;
  std::string name;
  Estimate value;
  std::string unit;
  std::string source;
};

// The hardware a run's M comes from, as a person stated it: `joule run` and
// `joule carbon` options (--embodied, --gpu, --gpus, --lifetime, --share),
// joule.toml's [hardware] table, or Session/Python options. Each stated part
// replaces its part of the detected hardware: `embodied` the machine, `gpu`
// and `gpus` the GPUs.
struct HardwareOptions {
  std::optional<std::string> embodied;  // a device, a figure ("1312kg"), or "none": no M at all
  std::optional<std::string> gpu;       // exact model (a family is refused with its variants)
  std::optional<double> gpus;           // how many; alone: of the detected model
  std::optional<double> lifetime_years;
  std::optional<std::string> share;  // of the machine: "0.25", "25%", "2/8"
  std::string given_by = "options";  // "command line", "/path/joule.toml [hardware]"
};

// ---------------------------------------------------------------- context --

// What kind of place the energy is used in; decides the default PUE.
enum class ContextKind {
  unspecified,  // not stated: PUE 1.0, with the data-centre average as its high bound
  own_machine,  // laptop / desktop / workstation at home or in an office: PUE 1.0
  datacenter,   // an unknown data centre: industry-average PUE (Uptime 2024)
  cloud,        // a cloud region: the provider's PUE (set when a cloud region is resolved)
};
// "own", "datacenter", "cloud", "unspecified"; parse accepts a few aliases and
// throws CarbonError otherwise.
JOULE_API std::string to_string(ContextKind kind);
JOULE_API ContextKind parse_context_kind(const std::string& text);

enum class IntensityKind { average, marginal };

// Which figure a cloud region's grid intensity comes from. `grid`: the
// Electricity Maps zone of the region (life-cycle, consumption-based), the
// same basis for every provider, so regions compare. `provider`: the
// provider's own published figure where it has one (Google's "average
// operational gross" emissions, not life-cycle; GCP only), else `grid`.
enum class CloudBasis { grid, provider };
// "grid", "provider"; parse also accepts "emaps" and "google", and throws
// CarbonError otherwise.
JOULE_API std::string to_string(CloudBasis basis);
JOULE_API CloudBasis parse_cloud_basis(const std::string& text);
JOULE_API std::string to_string(IntensityKind kind);

// Everything that decides the place, PUE and reference data. Empty optionals
// mean "not given here"; resolution then falls through, in this order:
//   1. these fields (command-line options),
//   2. JOULE_CLOUD / JOULE_REGION / JOULE_COUNTRY / JOULE_PUE / JOULE_CONTEXT /
//      JOULE_CLOUD_BASIS,
//   3. joule.toml (config_file, else ./joule.toml, else <config dir>/joule/joule.toml),
//   4. a guess from the system time zone (marked as a guess),
//   5. the world average.
// Within one level the most specific wins: cloud, then region, then country.
struct ContextOptions {
  std::optional<std::string> country;  // ISO 3166-1 alpha-2 or alpha-3, or English name
  std::optional<std::string>
      region;  // ISO 3166-2 (US-CA), eGRID (US-EGRID-CAMX), Electricity Maps zone (SE-SE3)
  std::optional<std::string> cloud;  // "aws:eu-west-3", "gcp:europe-west1", "azure:westeurope"
  std::optional<double> pue;         // >= 1
  std::optional<ContextKind> context;
  // Unset: JOULE_CLOUD_BASIS, else joule.toml's cloud_basis, else grid.
  std::optional<CloudBasis> cloud_basis;
  std::optional<std::filesystem::path> config_file;     // explicit joule.toml (must exist)
  std::vector<std::filesystem::path> data_files;        // user CSVs overriding/extending tables
  std::optional<std::filesystem::path> intensity_file;  // time series: timestamp, gCO2e/kWh

  // Where to look; defaults are the real system.
  std::optional<std::filesystem::path> working_dir;  // default: current directory
  std::optional<std::filesystem::path> config_dir;   // default: $XDG_CONFIG_HOME or ~/.config
  std::optional<std::string> time_zone;              // default: $TZ, /etc/timezone, /etc/localtime
  bool read_config_files =
      true;  // false: skip joule.toml discovery (explicit config_file still read)
  bool guess_from_time_zone = true;
};

// One point of an intensity time series: the value holds from `time` until the
// next point (the last point holds for one typical step).
struct IntensityPoint {
  std::chrono::system_clock::time_point time;
  double g_per_kwh = 0;
};
struct IntensitySeries {
  std::vector<IntensityPoint> points;  // sorted by time
  IntensityKind kind = IntensityKind::average;
  bool generation_based = false;  // true: T&D loss applies (# basis: generation)
  std::string source;             // file name plus its "# source:" comment
};
// Reads "timestamp,g_co2e_per_kwh" (ISO 8601 or Unix seconds), kind from a
// "# kind: average|marginal" comment or a kind column. DataError on bad input.
JOULE_API IntensitySeries load_intensity_series(const std::filesystem::path& path);

// The reference tables a context was resolved with: the built-in ones and the
// user's data_files over them. An opaque handle: callers only pass it along
// (in ResolvedContext), so that embodied() reads the same overrides.
class ReferenceData;

struct ResolvedContext {
  // Where.
  std::string location_code;  // "FR", "US-CAL-CISO", "aws:eu-west-3", "WORLD"
  std::string location_name;  // "France", "AWS eu-west-3 (Paris)"
  std::string country_iso2;   // "" when unknown (world average)
  std::string how_decided;  // "--country FR", "JOULE_CLOUD=aws:eu-west-3", "time zone Europe/Paris"
  bool is_guess = false;    // from the time zone or the world-average fallback

  // I, the grid intensity (annual average unless a series is given).
  Estimate intensity_g_per_kwh;
  IntensityKind intensity_kind = IntensityKind::average;
  bool intensity_generation_based = true;  // decides whether loss applies
  std::string intensity_source;
  // The data date of each reference table used: "cloud_regions.csv: Google
  // region data 2025 ...; grid_intensity_emaps.csv: ...".
  std::string data_vintage;
  std::optional<IntensitySeries> series;  // from intensity_file, replaces I over time

  // PUE.
  ContextKind context = ContextKind::unspecified;
  Estimate pue;
  std::string pue_source;

  // T&D loss, a fraction (0.08 = 8 %); exact 0 when it does not apply
  // (consumption-based or loss-inclusive intensities).
  Estimate loss_fraction;
  std::string loss_source;

  std::vector<std::string> warnings;  // things the user should read
  std::shared_ptr<const ReferenceData> data;
  // joule.toml's [hardware] table, when the file that applies has one.
  std::optional<HardwareOptions> hardware;
};

// Throws CarbonError (unknown code, bad option) or DataError
// (malformed joule.toml, data or intensity file).
JOULE_API ResolvedContext resolve_context(const ContextOptions& options);

// ------------------------------------------------------------- arithmetic --

// Carbon's own timeline type: wall-clock intervals with the energy used in them.
struct EnergyInterval {
  std::chrono::system_clock::time_point start;
  std::chrono::system_clock::time_point end;
  Joules energy;
};

struct EnergyInput {
  Joules energy;                         // total IT energy E
  double relative_uncertainty = 0;       // e.g. 0.05 for +-5 % (measured), 0.3 (modelled)
  std::vector<EnergyInterval> timeline;  // optional; used with an intensity series
  std::string source;  // how E was obtained ("measured: RAPL + NVML"); printed with E
};

struct CarbonResult {
  Estimate grams;  // g CO2e
  std::vector<Term> terms;
  std::vector<std::string> warnings;
};

// O = E x PUE x I / (1 - loss); integrates the timeline against ctx.series when
// both exist (energy outside the series' span is filled from the nearest
// point, and a warning says so).
JOULE_API CarbonResult operational(const ResolvedContext& ctx, const EnergyInput& energy);

// One device's embodied emissions TE as looked up in embodied.csv, or
// modelled from its rows (a server from CCF's baseline and components).
struct DeviceEmbodied {
  std::string name;
  std::string variant;  // the gpu_power.csv model whose figure this is, for a GPU
  Estimate kg;          // per device
  std::string source;
  std::vector<std::string> rows;  // "embodied.csv:52 Rack server baseline (...)", every row used
  std::string provenance = "modelled";  // "stated" for a figure given in kg
  std::optional<double> lifetime_years;
  std::optional<double> lifetime_hours;  // exact hours where the source gives them
  std::string lifetime_source;
};

struct EmbodiedInput {
  // Either a device of embodied.csv (matched loosely: "server", "laptop",
  // "H100 SXM5"), or an explicit total_kg, or a figure already looked up;
  // figure wins, then total_kg, then device.
  std::string device;
  std::optional<double> total_kg;
  std::optional<DeviceEmbodied> figure;
  std::optional<double> lifetime_years;  // default: the table's, else 4 years
  double count = 1;                      // identical devices (e.g. 8 GPUs)
  Seconds time_reserved;                 // TiR
  double share = 1.0;                    // RS = reserved / total resources, in (0, 1]
  std::string share_source = "as given";
  std::string how_decided;  // "gpu = A100 SXM4 (command line)", "detected: NVML"
};
// M = TE x count x (TiR / EL) x RS.
JOULE_API CarbonResult embodied(const ResolvedContext& ctx, const EmbodiedInput& input);

// One device's M as computed, for a record to keep (Footprint::embodied_parts).
struct EmbodiedPart {
  DeviceEmbodied device;
  double count = 1;
  double time_reserved_h = 0;
  double lifetime_h = 0;
  std::string lifetime_source;
  double share = 1;
  std::string share_source;
  std::string how_decided;
  Estimate grams;
};

// ---------------------------------------------------------------- hardware --

// What the machine is, as the run layer found it (carbon reads no system
// file itself): /proc/cpuinfo, /proc/meminfo, DMI and NVML.
struct DetectedHardware {
  std::string cpu_model;
  int sockets = 0;
  int logical_cpus = 0;
  // Hardware threads of one package of `cpu_model` (cpu_power.csv); for a
  // VM's share of its host.
  std::optional<double> threads_per_package;
  std::string threads_source;
  double memory_gb = 0;
  std::vector<std::string> gpus;  // one name per GPU, as the driver gives it
  std::string chassis;            // "laptop", "desktop", "server", "" (unknown): DMI chassis_type
  bool virtual_machine = false;
  std::string vm_evidence;  // "hypervisor flag in /proc/cpuinfo", "DMI product 'KVM'"
  std::string read_from;    // the files and libraries read, for the record
};

// The devices whose M a run carries, each with how it was decided: the stated
// options first, then `config` (joule.toml), then `detected` (may be null).
// In a VM the host server is modelled and the VM's share of it reserved:
// vCPUs / (2 sockets x threads per package). Throws CarbonError for a bad or
// ambiguous stated value; a detected GPU name that is ambiguous is modelled
// across its variants, one that is unknown as CCF's generic GPU card.
struct HardwarePlan {
  std::vector<EmbodiedInput> inputs;
  std::vector<std::string> notes;  // how each part was decided, VM share: for warnings
  bool left_out = false;           // embodied = "none"
};
// Refuses, before anything is measured, a stated value plan_hardware could
// not use: an unknown or ambiguous device or GPU, a malformed figure or
// share. `data_files` are the user's table overrides (ContextOptions).
JOULE_API void check_hardware(const HardwareOptions& options,
                              const std::vector<std::filesystem::path>& data_files = {});
JOULE_API HardwarePlan plan_hardware(const ResolvedContext& ctx, const HardwareOptions& options,
                                     const DetectedHardware* detected, Seconds time_reserved);

// R: inference, request, sample, token, epoch, run (parse throws CarbonError).
struct FunctionalUnit {
  std::string name = "run";
  double count = 1;
};
JOULE_API FunctionalUnit parse_functional_unit(const std::string& name, double count);

struct Footprint {
  CarbonResult operational;
  std::optional<CarbonResult> embodied;
  std::vector<EmbodiedPart> embodied_parts;  // one per device of M
  Estimate total_g;                          // O + M
  FunctionalUnit unit;
  Estimate sci_g_per_unit;  // (O + M) / R
  std::vector<Term> terms;  // O, M, R, SCI for printing
  std::vector<std::string> warnings;
};
JOULE_API Footprint footprint(const ResolvedContext& ctx, const EnergyInput& energy,
                              const std::optional<EmbodiedInput>& embodied_input,
                              const FunctionalUnit& unit);
// Several pieces of hardware (e.g. 8 GPUs and the server around them): M is
// the sum of their embodied terms.
JOULE_API Footprint footprint(const ResolvedContext& ctx, const EnergyInput& energy,
                              const std::vector<EmbodiedInput>& embodied_inputs,
                              const FunctionalUnit& unit);
// The devices plan_hardware chose, and its notes among the warnings.
JOULE_API Footprint footprint(const ResolvedContext& ctx, const EnergyInput& energy,
                              const HardwarePlan& hardware, const FunctionalUnit& unit);

}  // namespace joule::carbon

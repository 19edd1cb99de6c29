#pragma once
// The reference tables as typed rows: the copies compiled into the binary,
// then each user data file laid over them (a row with the same key replaces
// the embedded one, a new key extends the table). Parsing and validation live
// here; the arithmetic never sees a CSV.
#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace joule::carbon {

// Where a row came from, for source texts and error messages.
struct RowOrigin {
  std::string file;  // "grid_intensity_country.csv" or the user's path
  std::size_t line = 0;
  bool user = false;  // from a user data file
};

struct CountryRow {
  std::string code;  // ISO alpha-3, or X-... for aggregates
  std::string iso2;
  std::string name;
  std::string kind;  // country | aggregate
  std::optional<double> central_g_per_kwh, low_g_per_kwh, high_g_per_kwh;
  std::optional<double> central_year;
  std::string central_source;  // EMBER | OWID | user text
  std::optional<double> ifi_om_g_per_kwh, ifi_cm_g_per_kwh;
  RowOrigin origin;
};

struct RegionRow {
  std::string code;  // US-CA, US-EGRID-CAMX, CA-QC
  std::string iso2;
  std::string kind;
  std::string name;
  std::optional<double> g_co2e_per_kwh;
  std::optional<double> year;
  std::string basis;
  std::string source;
  RowOrigin origin;
};

// Electricity Maps zone (ODbL; kept apart from the CC tables).
struct ZoneRow {
  static constexpr int kFirstYear = 2021;
  std::string zone;
  std::string iso2;
  std::string name;
  std::string country_name;
  std::string kind;                                // national | subnational
  std::array<std::optional<double>, 5> g_per_kwh;  // 2021..2025
  RowOrigin origin;
};

struct CloudRow {
  std::string provider;  // aws | gcp | azure
  std::string region;
  std::string display_name;
  std::string city;
  std::string iso2;
  std::string subdivision;
  std::string emaps_zone;
  std::string zone_basis;  // CCF | compiled | country: who chose the zone
  std::optional<double> provider_grid_g_per_kwh, provider_grid_year;
  std::optional<double> provider_grid_prev_g_per_kwh, provider_grid_prev_year;
  std::optional<double> ccf_g_per_kwh;
  std::optional<double> pue;
  std::string pue_basis;
  std::string note;
  RowOrigin origin;
};

struct EmbodiedRow {
  std::string item;
  std::string category;
  std::optional<double> kg_co2e;
  std::string scope;
  std::optional<double> lifetime_years;
  std::optional<double> lifetime_hours;  // where the source states hours (CCF: 34,560 h)
  std::string lifetime_basis;
  std::string gpu_model;                // the gpu_power.csv model the row describes, if a GPU
  std::optional<double> gpus_per_item;  // 8 for an HGX baseboard
  std::string source;
  std::string note;
  RowOrigin origin;
};

// emission_factors.csv: lifecycle_by_source, td_losses, pue, reference_intensity...
struct FactorRow {
  std::string table;
  std::string key;
  std::string name;
  std::optional<double> value, low, high;
  std::string unit;
  std::optional<double> year;
  std::string source;
  std::string note;
  RowOrigin origin;
};

struct GpuRow {
  std::string model;
  std::string vendor;
  std::optional<double> tdp_w;
  std::optional<double> mlco2_tdp_w;
  std::string source;
  // What the driver calls this row's cards ("NVIDIA H100 80GB HBM3" for the
  // H100 SXM5), where that is not the model name.
  std::vector<std::string> driver_names;
  RowOrigin origin;
};

// Licence / attribution of a table, from its header comments.
struct TableInfo {
  std::string file;
  std::string licence;
  std::string vintage;  // the "# vintage:" comment: the data date
};

// The seven tables. Each is parsed the first time it is asked for: a run
// uses three or four of them, and parsing all seven was a third of
// `joule run`'s start-up. Safe to share between threads.
class ReferenceData {
 public:
  // The embedded tables.
  static std::shared_ptr<const ReferenceData> embedded();
  // The embedded tables with user files laid over them. Each file names its
  // table with a "# file: <table>.csv" comment or by its own file name. The
  // user files are read and checked here: throws refdata::DataError
  // (file:line:column) on a malformed one.
  static std::shared_ptr<const ReferenceData> with_overrides(
      const std::vector<std::filesystem::path>& files);

  const std::vector<CountryRow>& countries() const;
  const std::vector<RegionRow>& regions() const;
  const std::vector<ZoneRow>& zones() const;
  const std::vector<CloudRow>& clouds() const;
  const std::vector<EmbodiedRow>& embodied() const;
  const std::vector<FactorRow>& factors() const;
  const std::vector<GpuRow>& gpus() const;

  // Lookups, case-insensitive; nullptr when absent.
  const CountryRow* country(std::string_view code_or_name) const;  // alpha-2, alpha-3 or name
  const CountryRow* world() const;                                 // X-WORLD
  const RegionRow* region(std::string_view code) const;
  const ZoneRow* zone(std::string_view key) const;
  const CloudRow* cloud(std::string_view provider, std::string_view region) const;
  const FactorRow* factor(std::string_view table, std::string_view key) const;
  // The row a GPU name means, exactly or as the only member of a family
  // (carbon/names.hpp); nullptr when unknown or when the name is a family of
  // several variants (use resolve_gpu / require_gpu for the variants).
  const GpuRow* gpu(std::string_view model) const;
  // The licence of the table a row came from (RowOrigin::file). A built-in
  // table's licence is known once the table has loaded, which holding one of
  // its rows guarantees; "" before that.
  std::string licence(std::string_view file) const;
  // The data date of a table ("# vintage:"), known like its licence once it
  // has loaded; "" before that or when the table states none.
  std::string vintage(std::string_view file) const;
  // "file: vintage; file: vintage" for every table loaded so far, built-in
  // and user files, for run records and listings.
  std::string vintage_summary() const;

  // Candidates for "did you mean" messages.
  std::vector<std::string> country_codes_and_names() const;
  std::vector<std::string> region_codes() const;                             // regions and zones
  std::vector<std::string> cloud_ids(std::string_view provider = {}) const;  // "aws:eu-west-3"
  std::vector<std::string> gpu_models() const;

 private:
  struct Tables;
  explicit ReferenceData(std::shared_ptr<Tables> tables);
  std::shared_ptr<Tables> tables_;
};

// Names of the tables that a user file may override.
const std::vector<std::string>& overridable_tables();

// Loose text matching used for devices and GPUs: lower case, letters and
// digits only ("H100 SXM" -> "h100sxm").
std::string squash(std::string_view s);

}  // namespace joule::carbon

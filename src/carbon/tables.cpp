#include "carbon/tables.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "carbon/names.hpp"
#include "carbon/suggest.hpp"
#include "refdata/csv.hpp"
#include "support/strings.hpp"

namespace joule::carbon {

using refdata::DataError;
using refdata::ReferenceTable;

namespace {

const std::vector<std::string> kTables = {
    "grid_intensity_country.csv",
    "grid_intensity_region.csv",
    "grid_intensity_emaps.csv",
    "cloud_regions.csv",
    "embodied.csv",
    "emission_factors.csv",
    "gpu_power.csv",
};

// The header is the first non-comment line; comments precede it.
std::size_t header_line(const ReferenceTable& t) {
  return t.size() > 0 ? t.line_of(0) - 1 : t.comments().size() + 1;
}

void require_columns(const ReferenceTable& t, std::initializer_list<std::string_view> names) {
  for (auto name : names) {
    if (!t.has_column(name)) {
      throw DataError(t.origin(), header_line(t), 1,
                      fmt::format("expected a column named '{}'; the header has {}", name,
                                  fmt::join(t.columns(), ",")));
    }
  }
}

// The 1-based character column of a field, for messages about text fields.
// The reader only reports columns through number(); a text that is not a
// number makes it throw with the exact position, which is what we want.
std::size_t column_of(const ReferenceTable& t, std::size_t row, std::string_view column) {
  try {
    (void)t.number(row, column);
  } catch (const DataError& e) {
    return e.column();
  }
  return 1;
}

[[noreturn]] void bad_field(const ReferenceTable& t, std::size_t row, std::string_view column,
                            const std::string& expected) {
  throw DataError(
      t.origin(), t.line_of(row), column_of(t, row, column),
      fmt::format("column '{}': expected {}, found '{}'", column, expected, t.text(row, column)));
}

std::string text_or_empty(const ReferenceTable& t, std::size_t row, std::string_view column) {
  return t.has_column(column) ? std::string(t.text(row, column)) : std::string();
}

std::optional<double> number_or_empty(const ReferenceTable& t, std::size_t row,
                                      std::string_view column) {
  return t.has_column(column) ? t.number(row, column) : std::nullopt;
}

// A number that must lie in [lo, hi] when present.
std::optional<double> bounded(const ReferenceTable& t, std::size_t row, std::string_view column,
                              double lo, double hi, std::string_view unit) {
  auto v = number_or_empty(t, row, column);
  if (v && (*v < lo || *v > hi)) {
    throw DataError(t.origin(), t.line_of(row), 1,
                    fmt::format("column '{}': expected a value between {} and {} {}, found {}",
                                column, lo, hi, unit, *v));
  }
  return v;
}

bool all_upper_alpha(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

RowOrigin origin_of(const ReferenceTable& t, std::size_t row, bool user) {
  return {t.origin(), t.line_of(row), user};
}

// The intensity plausibility window every table shares (gCO2e/kWh).
constexpr double kMaxIntensity = 1500;

std::vector<CountryRow> parse_countries(const ReferenceTable& t, bool user) {
  require_columns(t, {"code", "central_g_per_kwh"});
  std::vector<CountryRow> rows;
  rows.reserve(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    CountryRow r;
    r.code = std::string(t.text(i, "code"));
    r.iso2 = text_or_empty(t, i, "iso2");
    r.name = text_or_empty(t, i, "name");
    r.kind = text_or_empty(t, i, "kind");
    if (r.kind.empty()) r.kind = r.code.starts_with("X-") ? "aggregate" : "country";
    bool aggregate = r.code.starts_with("X-");
    if (!aggregate && !(r.code.size() == 3 && all_upper_alpha(r.code))) {
      bad_field(t, i, "code",
                "an ISO 3166-1 alpha-3 code (3 capital letters) or an X-... aggregate");
    }
    if (!r.iso2.empty() && !(r.iso2.size() == 2 && all_upper_alpha(r.iso2))) {
      bad_field(t, i, "iso2", "an ISO 3166-1 alpha-2 code (2 capital letters)");
    }
    r.central_g_per_kwh = bounded(t, i, "central_g_per_kwh", 0, kMaxIntensity, "gCO2e/kWh");
    r.low_g_per_kwh = bounded(t, i, "low_g_per_kwh", 0, kMaxIntensity, "gCO2e/kWh");
    r.high_g_per_kwh = bounded(t, i, "high_g_per_kwh", 0, kMaxIntensity, "gCO2e/kWh");
    r.central_year = number_or_empty(t, i, "central_year");
    r.central_source = text_or_empty(t, i, "central_source");
    if (user && r.central_source.empty()) r.central_source = text_or_empty(t, i, "source");
    r.ifi_om_g_per_kwh = bounded(t, i, "ifi_om_g_per_kwh", 0, 2500, "gCO2/kWh");
    r.ifi_cm_g_per_kwh = bounded(t, i, "ifi_cm_g_per_kwh", 0, 2500, "gCO2/kWh");
    r.origin = origin_of(t, i, user);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<RegionRow> parse_regions(const ReferenceTable& t, bool user) {
  require_columns(t, {"code", "g_co2e_per_kwh"});
  std::vector<RegionRow> rows;
  rows.reserve(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    RegionRow r;
    r.code = std::string(t.text(i, "code"));
    if (r.code.empty()) bad_field(t, i, "code", "a region code such as US-CA or US-EGRID-CAMX");
    r.iso2 = text_or_empty(t, i, "country_iso2");
    if (r.iso2.empty() && r.code.size() > 2 && r.code[2] == '-') r.iso2 = r.code.substr(0, 2);
    r.kind = text_or_empty(t, i, "kind");
    r.name = text_or_empty(t, i, "name");
    r.g_co2e_per_kwh = bounded(t, i, "g_co2e_per_kwh", 0, kMaxIntensity, "gCO2e/kWh");
    r.year = number_or_empty(t, i, "year");
    r.basis = text_or_empty(t, i, "basis");
    r.source = text_or_empty(t, i, "source");
    r.origin = origin_of(t, i, user);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<ZoneRow> parse_zones(const ReferenceTable& t, bool user) {
  require_columns(t, {"zone"});
  std::vector<ZoneRow> rows;
  rows.reserve(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    ZoneRow r;
    r.zone = std::string(t.text(i, "zone"));
    if (r.zone.empty()) bad_field(t, i, "zone", "an Electricity Maps zone key");
    r.iso2 = text_or_empty(t, i, "country_iso2");
    r.name = text_or_empty(t, i, "name");
    r.country_name = text_or_empty(t, i, "country_name");
    r.kind = text_or_empty(t, i, "kind");
    for (int y = 0; y < 5; ++y) {
      r.g_per_kwh[y] = bounded(t, i, fmt::format("g_{}", ZoneRow::kFirstYear + y), 0, kMaxIntensity,
                               "gCO2e/kWh");
    }
    r.origin = origin_of(t, i, user);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<CloudRow> parse_clouds(const ReferenceTable& t, bool user) {
  require_columns(t, {"provider", "region"});
  std::vector<CloudRow> rows;
  rows.reserve(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    CloudRow r;
    r.provider = support::to_lower(t.text(i, "provider"));
    r.region = std::string(t.text(i, "region"));
    if (r.provider.empty()) bad_field(t, i, "provider", "a cloud provider (aws, gcp, azure, ...)");
    if (r.region.empty()) bad_field(t, i, "region", "a region id such as eu-west-3");
    r.display_name = text_or_empty(t, i, "display_name");
    r.city = text_or_empty(t, i, "city");
    r.iso2 = text_or_empty(t, i, "country_iso2");
    r.subdivision = text_or_empty(t, i, "subdivision");
    r.emaps_zone = text_or_empty(t, i, "emaps_zone");
    r.zone_basis = text_or_empty(t, i, "zone_basis");
    // A few rows give only the subdivision (gcp:us-central2 -> US-OK): the
    // country is its prefix.
    if (r.iso2.empty() && r.subdivision.size() > 3 && r.subdivision[2] == '-')
      r.iso2 = r.subdivision.substr(0, 2);
    r.provider_grid_g_per_kwh =
        bounded(t, i, "provider_grid_g_per_kwh", 0, kMaxIntensity, "gCO2e/kWh");
    r.provider_grid_year = number_or_empty(t, i, "provider_grid_year");
    r.provider_grid_prev_g_per_kwh =
        bounded(t, i, "provider_grid_prev_g_per_kwh", 0, kMaxIntensity, "gCO2e/kWh");
    r.provider_grid_prev_year = number_or_empty(t, i, "provider_grid_prev_year");
    r.ccf_g_per_kwh = bounded(t, i, "ccf_g_per_kwh", 0, kMaxIntensity, "gCO2e/kWh");
    r.pue = bounded(t, i, "pue", 1.0, 5.0, "(PUE is a ratio >= 1)");
    r.pue_basis = text_or_empty(t, i, "pue_basis");
    r.note = text_or_empty(t, i, "note");
    r.origin = origin_of(t, i, user);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<EmbodiedRow> parse_embodied(const ReferenceTable& t, bool user) {
  require_columns(t, {"item", "kg_co2e"});
  std::vector<EmbodiedRow> rows;
  rows.reserve(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    EmbodiedRow r;
    r.item = std::string(t.text(i, "item"));
    if (r.item.empty()) bad_field(t, i, "item", "a device name");
    r.category = text_or_empty(t, i, "category");
    r.kg_co2e = bounded(t, i, "kg_co2e", 0, 1e7, "kgCO2e");
    r.scope = text_or_empty(t, i, "scope");
    r.lifetime_years = bounded(t, i, "lifetime_years", 0.01, 100, "years");
    r.lifetime_hours = bounded(t, i, "lifetime_hours", 1, 876000, "h");
    r.lifetime_basis = text_or_empty(t, i, "lifetime_basis");
    r.gpu_model = text_or_empty(t, i, "gpu_model");
    r.gpus_per_item = bounded(t, i, "gpus_per_item", 1, 1000, "GPUs");
    r.source = text_or_empty(t, i, "source");
    r.note = text_or_empty(t, i, "note");
    r.origin = origin_of(t, i, user);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<FactorRow> parse_factors(const ReferenceTable& t, bool user) {
  require_columns(t, {"table", "key", "value"});
  std::vector<FactorRow> rows;
  rows.reserve(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    FactorRow r;
    r.table = std::string(t.text(i, "table"));
    r.key = std::string(t.text(i, "key"));
    if (r.table.empty()) bad_field(t, i, "table", "a sub-table name (td_losses, pue, ...)");
    if (r.key.empty()) bad_field(t, i, "key", "a row key");
    r.name = text_or_empty(t, i, "name");
    r.value = number_or_empty(t, i, "value");
    r.low = number_or_empty(t, i, "low");
    r.high = number_or_empty(t, i, "high");
    r.unit = text_or_empty(t, i, "unit");
    r.year = number_or_empty(t, i, "year");
    r.source = text_or_empty(t, i, "source");
    r.note = text_or_empty(t, i, "note");
    if (r.table == "td_losses") {
      (void)bounded(t, i, "value", 0, 60, "% of output");
    } else if (r.table == "pue") {
      (void)bounded(t, i, "value", 1, 5, "(PUE is a ratio >= 1)");
    }
    r.origin = origin_of(t, i, user);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<GpuRow> parse_gpus(const ReferenceTable& t, bool user) {
  require_columns(t, {"model", "tdp_w"});
  std::vector<GpuRow> rows;
  rows.reserve(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    GpuRow r;
    r.model = std::string(t.text(i, "model"));
    if (r.model.empty()) bad_field(t, i, "model", "a GPU model name");
    r.vendor = text_or_empty(t, i, "vendor");
    r.tdp_w = bounded(t, i, "tdp_w", 0, 5000, "W");
    r.mlco2_tdp_w = number_or_empty(t, i, "mlco2_tdp_w");
    r.source = text_or_empty(t, i, "source");
    const std::string driver_names = text_or_empty(t, i, "driver_names");
    for (auto name : support::split_list(driver_names, '|')) r.driver_names.emplace_back(name);
    r.origin = origin_of(t, i, user);
    rows.push_back(std::move(r));
  }
  return rows;
}

// Rows whose key equals an existing row's replace it; the others are appended.
// Indexed by key: the built-in tables alone hold hundreds of rows, and this
// runs at the start of every `joule run`.
template <typename Row, typename Key>
void merge(std::vector<Row>& into, std::vector<Row> rows, Key key) {
  if (into.empty()) {
    // The usual case, a built-in table alone: take the rows as they are
    // unless a key repeats (a second copy of every row costs page faults).
    std::unordered_set<std::string> keys;
    keys.reserve(rows.size());
    bool unique = true;
    for (const auto& row : rows) unique = unique && keys.insert(key(row)).second;
    if (unique) {
      into = std::move(rows);
      return;
    }
  }
  into.reserve(into.size() + rows.size());
  std::unordered_map<std::string, std::size_t> position;
  position.reserve(into.size() + rows.size());
  for (std::size_t i = 0; i < into.size(); ++i) position.emplace(key(into[i]), i);
  for (auto& row : rows) {
    auto row_key = key(row);
    if (auto it = position.find(row_key); it != position.end()) {
      into[it->second] = std::move(row);
    } else {
      position.emplace(std::move(row_key), into.size());
      into.push_back(std::move(row));
    }
  }
}

TableInfo table_info(const ReferenceTable& t, bool user) {
  auto licence = t.comment_value("licence of this file");
  if (!licence) licence = t.comment_value("LICENCE");
  if (!licence) licence = t.comment_value("licence");
  auto vintage = t.comment_value("vintage");
  return {t.origin(), licence.value_or(user ? "user file" : ""),
          vintage.value_or(user ? "user file" : "")};
}

// One table: its file, its typed parser, and the key under which a later row
// replaces an earlier one.
template <typename Row>
struct TableSpec {
  std::string_view file;
  std::vector<Row> (*parse)(const ReferenceTable&, bool user);
  std::string (*key)(const Row&);
};

const TableSpec<CountryRow> countries_spec{
    "grid_intensity_country.csv", parse_countries,
    [](const CountryRow& r) { return support::to_upper(r.code); }};
const TableSpec<RegionRow> regions_spec{
    "grid_intensity_region.csv", parse_regions,
    [](const RegionRow& r) { return support::to_upper(r.code); }};
const TableSpec<ZoneRow> zones_spec{"grid_intensity_emaps.csv", parse_zones,
                                    [](const ZoneRow& r) { return support::to_upper(r.zone); }};
const TableSpec<CloudRow> clouds_spec{"cloud_regions.csv", parse_clouds, [](const CloudRow& r) {
                                        return r.provider + ":" + support::to_lower(r.region);
                                      }};
const TableSpec<EmbodiedRow> embodied_spec{
    "embodied.csv", parse_embodied, [](const EmbodiedRow& r) { return support::to_lower(r.item); }};
const TableSpec<FactorRow> factors_spec{
    "emission_factors.csv", parse_factors,
    [](const FactorRow& r) { return r.table + "/" + support::to_upper(r.key); }};
const TableSpec<GpuRow> gpus_spec{"gpu_power.csv", parse_gpus,
                                  [](const GpuRow& r) { return support::to_lower(r.model); }};

// A table's rows, built on first use from the built-in file and then the
// user files' rows (already parsed and checked) in the order given.
template <typename Row>
struct LazyTable {
  std::once_flag once;
  std::vector<Row> rows;
  std::vector<std::vector<Row>> user_rows;  // one entry per user file
};

// Which table a user file overrides: its "# file:" comment, else its name.
std::string target_table(const ReferenceTable& t, const std::filesystem::path& path) {
  std::string declared = t.comment_value("file").value_or("");
  for (const auto& name : kTables) {
    if (declared == name) return name;
  }
  std::string filename = path.filename().string();
  for (const auto& name : kTables) {
    if (filename == name) return name;
  }
  throw DataError(
      path.string(), 1, 1,
      fmt::format(
          "cannot tell which table this file overrides: expected a '# file: <table>' comment "
          "or the table's file name; tables are {}",
          fmt::join(kTables, ", ")));
}

}  // namespace

const std::vector<std::string>& overridable_tables() {
  return kTables;
}

std::string squash(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

struct ReferenceData::Tables {
  LazyTable<CountryRow> countries;
  LazyTable<RegionRow> regions;
  LazyTable<ZoneRow> zones;
  LazyTable<CloudRow> clouds;
  LazyTable<EmbodiedRow> embodied;
  LazyTable<FactorRow> factors;
  LazyTable<GpuRow> gpus;
  std::mutex infos_mutex;
  std::vector<TableInfo> infos;  // the user files', then each built-in table as it loads

  template <typename Row>
  const std::vector<Row>& load(LazyTable<Row>& table, const TableSpec<Row>& spec) {
    std::call_once(table.once, [&] {
      const ReferenceTable& built_in = ReferenceTable::embedded(spec.file);
      merge(table.rows, spec.parse(built_in, false), spec.key);
      for (auto& rows : table.user_rows) merge(table.rows, std::move(rows), spec.key);
      table.user_rows.clear();
      std::lock_guard lock(infos_mutex);
      infos.push_back(table_info(built_in, false));
    });
    return table.rows;
  }

  // Parses and checks a user file now, so that a bad one fails up front.
  void add_user_file(const std::string& name, const ReferenceTable& t) {
    if (name == countries_spec.file) countries.user_rows.push_back(countries_spec.parse(t, true));
    if (name == regions_spec.file) regions.user_rows.push_back(regions_spec.parse(t, true));
    if (name == zones_spec.file) zones.user_rows.push_back(zones_spec.parse(t, true));
    if (name == clouds_spec.file) clouds.user_rows.push_back(clouds_spec.parse(t, true));
    if (name == embodied_spec.file) embodied.user_rows.push_back(embodied_spec.parse(t, true));
    if (name == factors_spec.file) factors.user_rows.push_back(factors_spec.parse(t, true));
    if (name == gpus_spec.file) gpus.user_rows.push_back(gpus_spec.parse(t, true));
    infos.push_back(table_info(t, true));
  }
};

ReferenceData::ReferenceData(std::shared_ptr<Tables> tables) : tables_(std::move(tables)) {}

std::shared_ptr<const ReferenceData> ReferenceData::embedded() {
  static const std::shared_ptr<const ReferenceData> data(
      new ReferenceData(std::make_shared<Tables>()));
  return data;
}

std::shared_ptr<const ReferenceData> ReferenceData::with_overrides(
    const std::vector<std::filesystem::path>& files) {
  if (files.empty()) return embedded();
  auto tables = std::make_shared<Tables>();
  for (const auto& path : files) {
    auto table = ReferenceTable::load_file(path);
    tables->add_user_file(target_table(table, path), table);
  }
  return std::shared_ptr<const ReferenceData>(new ReferenceData(std::move(tables)));
}

const std::vector<CountryRow>& ReferenceData::countries() const {
  return tables_->load(tables_->countries, countries_spec);
}
const std::vector<RegionRow>& ReferenceData::regions() const {
  return tables_->load(tables_->regions, regions_spec);
}
const std::vector<ZoneRow>& ReferenceData::zones() const {
  return tables_->load(tables_->zones, zones_spec);
}
const std::vector<CloudRow>& ReferenceData::clouds() const {
  return tables_->load(tables_->clouds, clouds_spec);
}
const std::vector<EmbodiedRow>& ReferenceData::embodied() const {
  return tables_->load(tables_->embodied, embodied_spec);
}
const std::vector<FactorRow>& ReferenceData::factors() const {
  return tables_->load(tables_->factors, factors_spec);
}
const std::vector<GpuRow>& ReferenceData::gpus() const {
  return tables_->load(tables_->gpus, gpus_spec);
}

const CountryRow* ReferenceData::country(std::string_view code) const {
  for (const auto& r : countries()) {
    if (support::iequals(r.code, code) || (!r.iso2.empty() && support::iequals(r.iso2, code)))
      return &r;
  }
  for (const auto& r : countries()) {
    if (support::iequals(r.name, code)) return &r;
  }
  return nullptr;
}

const CountryRow* ReferenceData::world() const {
  return country("X-WORLD");
}

const RegionRow* ReferenceData::region(std::string_view code) const {
  for (const auto& r : regions()) {
    if (support::iequals(r.code, code)) return &r;
  }
  return nullptr;
}

const ZoneRow* ReferenceData::zone(std::string_view key) const {
  for (const auto& r : zones()) {
    if (support::iequals(r.zone, key)) return &r;
  }
  return nullptr;
}

const CloudRow* ReferenceData::cloud(std::string_view provider, std::string_view region) const {
  for (const auto& r : clouds()) {
    if (support::iequals(r.provider, provider) && support::iequals(r.region, region)) return &r;
  }
  return nullptr;
}

const FactorRow* ReferenceData::factor(std::string_view table, std::string_view key) const {
  for (const auto& r : factors()) {
    if (r.table == table && support::iequals(r.key, key)) return &r;
  }
  return nullptr;
}

const GpuRow* ReferenceData::gpu(std::string_view model) const {
  return resolve_gpu(*this, model).row;
}

std::string ReferenceData::licence(std::string_view file) const {
  std::lock_guard lock(tables_->infos_mutex);
  const auto& infos = tables_->infos;
  for (auto it = infos.rbegin(); it != infos.rend(); ++it) {
    if (it->file == file) return it->licence;
  }
  return "";
}

std::string ReferenceData::vintage(std::string_view file) const {
  std::lock_guard lock(tables_->infos_mutex);
  const auto& infos = tables_->infos;
  for (auto it = infos.rbegin(); it != infos.rend(); ++it) {
    if (it->file == file) return it->vintage;
  }
  return "";
}

std::string ReferenceData::vintage_summary() const {
  std::lock_guard lock(tables_->infos_mutex);
  std::vector<std::string> parts;
  for (const auto& info : tables_->infos) {
    if (info.vintage.empty()) continue;
    // "data/cloud_regions.csv (built in)" -> "cloud_regions.csv"; a user
    // file keeps its path.
    std::string name = info.file;
    if (auto built_in = name.find(" (built in)"); built_in != std::string::npos) {
      name = std::filesystem::path(name.substr(0, built_in)).filename().string();
    }
    parts.push_back(fmt::format("{}: {}", name, info.vintage));
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

std::vector<std::string> ReferenceData::country_codes_and_names() const {
  std::vector<std::string> out;
  for (const auto& r : countries()) {
    if (!r.iso2.empty()) out.push_back(r.iso2);
  }
  for (const auto& r : countries()) out.push_back(r.code);
  for (const auto& r : countries()) out.push_back(r.name);
  return out;
}

std::vector<std::string> ReferenceData::region_codes() const {
  std::vector<std::string> out;
  for (const auto& r : regions()) out.push_back(r.code);
  for (const auto& r : zones()) out.push_back(r.zone);
  return out;
}

std::vector<std::string> ReferenceData::cloud_ids(std::string_view provider) const {
  std::vector<std::string> out;
  for (const auto& r : clouds()) {
    if (provider.empty() || support::iequals(r.provider, provider))
      out.push_back(r.provider + ":" + r.region);
  }
  return out;
}

std::vector<std::string> ReferenceData::gpu_models() const {
  std::vector<std::string> out;
  for (const auto& r : gpus()) out.push_back(r.model);
  return out;
}

}  // namespace joule::carbon

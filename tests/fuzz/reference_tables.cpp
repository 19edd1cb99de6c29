// The reference-table reader: the "joule reference CSV v1" parser
// (src/refdata/csv) and the typed rows of each table a user file overrides
// (src/carbon/tables). The first byte picks the table the file is named
// after; the rest is the file. Either it loads, and every row can be looked
// up, or it gives a DataError.
#include <string>

#include "carbon/tables.hpp"
#include "fuzz_input.hpp"
#include "refdata/csv.hpp"

namespace {

void look_up_every_row(const joule::carbon::ReferenceData& data, const std::string& table) {
  if (table == "grid_intensity_country.csv") {
    for (const auto& row : data.countries()) (void)data.country(row.code);
  } else if (table == "grid_intensity_region.csv") {
    for (const auto& row : data.regions()) (void)data.region(row.code);
  } else if (table == "grid_intensity_emaps.csv") {
    for (const auto& row : data.zones()) (void)data.zone(row.zone);
  } else if (table == "cloud_regions.csv") {
    for (const auto& row : data.clouds()) (void)data.cloud(row.provider, row.region);
  } else if (table == "embodied.csv") {
    (void)data.embodied();
  } else if (table == "emission_factors.csv") {
    for (const auto& row : data.factors()) (void)data.factor(row.table, row.key);
  } else if (table == "gpu_power.csv") {
    for (const auto& row : data.gpus()) (void)data.gpu(row.model);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& tables = joule::carbon::overridable_tables();
  const std::string& table = tables[data[0] % tables.size()];
  const std::string_view text = joule::fuzz::as_text(data + 1, size - 1);
  try {
    (void)joule::refdata::ReferenceTable::parse(text, "fuzz.csv");
  } catch (const joule::refdata::DataError&) {
  }
  try {
    const auto file = joule::fuzz::scratch().write(table, text);
    const auto reference = joule::carbon::ReferenceData::with_overrides({file});
    look_up_every_row(*reference, table);
  } catch (const joule::refdata::DataError&) {
  }
  return 0;
}

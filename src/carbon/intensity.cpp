#include "carbon/intensity.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "carbon/estimate.hpp"

namespace joule::carbon {

namespace {

std::string year_text(const std::optional<double>& year) {
  return year ? fmt::format(" {}", static_cast<int>(*year)) : std::string();
}

std::string table_ref(const ReferenceData& data, const RowOrigin& origin) {
  if (origin.user) return fmt::format("{}:{} (user data file)", origin.file, origin.line);
  std::string licence = data.licence(origin.file);
  return licence.empty() ? origin.file : fmt::format("{}, {}", origin.file, licence);
}

Estimate with_default_spread(double central, std::optional<double> low,
                             std::optional<double> high) {
  Estimate e = relative(central, kDefaultIntensitySpread);
  if (low) e.low = *low;
  if (high) e.high = *high;
  return normalised(e);
}

}  // namespace

PlaceIntensity country_intensity(const ReferenceData& data, const CountryRow& row) {
  if (row.central_g_per_kwh) {
    PlaceIntensity p;
    p.g_per_kwh =
        with_default_spread(*row.central_g_per_kwh, row.low_g_per_kwh, row.high_g_per_kwh);
    std::string who = row.central_source == "EMBER"  ? "Ember"
                      : row.central_source == "OWID" ? "Our World in Data"
                                                     : row.central_source;
    p.source =
        fmt::format("{}{}, {} average generation intensity ({}){}", who,
                    year_text(row.central_year), row.name, table_ref(data, row.origin),
                    row.low_g_per_kwh ? "; range = Ember vs OWID" : "; range = default +-10 %");
    return p;
  }
  // 17 small territories have only IFI marginal factors, which are CO2-only
  // and not averages: use the Electricity Maps national zone instead, or the
  // world average.
  if (const ZoneRow* zone = data.zone(row.iso2)) {
    PlaceIntensity p = zone_intensity(*zone, data);
    p.warning = fmt::format(
        "no average intensity for {} in the country table; used the Electricity Maps zone {}",
        row.name, zone->zone);
    return p;
  }
  PlaceIntensity p = world_intensity(data);
  p.warning =
      fmt::format("no average intensity for {} ({}); used the world average", row.name, row.code);
  return p;
}

PlaceIntensity region_intensity(const RegionRow& row, const ReferenceData& data) {
  PlaceIntensity p;
  double c = row.g_co2e_per_kwh.value_or(0);
  p.g_per_kwh = relative(c, kDefaultIntensitySpread);
  // eGRID counts combustion only; life-cycle factors run 10-20 % higher.
  if (row.basis.find("combustion only") != std::string::npos) p.g_per_kwh.high = c * 1.2;
  // Australian NGA scope 2+3 and the Hong Kong utilities' factors already
  // include T&D losses: applying them again would count the loss twice.
  p.generation_based = row.basis.find("T&D") == std::string::npos;
  p.source = fmt::format("{}{}, {} ({}; {})", row.source, year_text(row.year), row.name, row.basis,
                         table_ref(data, row.origin));
  return p;
}

PlaceIntensity zone_intensity(const ZoneRow& row, const ReferenceData& data) {
  // Central: 2024, the latest full year (2025 was fetched early and is
  // provisional); range: the spread of 2023-2025, the year-to-year variation.
  PlaceIntensity p;
  p.generation_based = false;  // consumption-based: imports traced, losses inside
  int central_year = 0;
  for (int y : {2024, 2025, 2023, 2022, 2021}) {
    if (row.g_per_kwh[y - ZoneRow::kFirstYear]) {
      central_year = y;
      break;
    }
  }
  if (central_year == 0) {
    PlaceIntensity w = world_intensity(data);
    w.warning =
        fmt::format("the Electricity Maps zone {} has no values; used the world average", row.zone);
    return w;
  }
  double c = *row.g_per_kwh[central_year - ZoneRow::kFirstYear];
  Estimate e{c, c, c};
  for (int y = 2023; y <= 2025; ++y) {
    if (auto v = row.g_per_kwh[y - ZoneRow::kFirstYear]) {
      e.low = std::min(e.low, *v);
      e.high = std::max(e.high, *v);
    }
  }
  if (e.low == e.high) e = relative(c, kDefaultIntensitySpread);
  p.g_per_kwh = e;
  std::string licence = row.origin.user ? "user data file" : "ODbL 1.0, (c) Electricity Maps";
  p.source = fmt::format(
      "Electricity Maps {} yearly average, zone {} ({}), consumption-based; range = 2023-2025 "
      "({}:{}, {})",
      central_year, row.zone, row.name, row.origin.file, row.origin.line, licence);
  return p;
}

namespace {

// Google's own figure: average operational gross emissions of the grid, not
// life-cycle, so it reads 20-50 % below the zone's life-cycle figure for the
// same grid. Range: the ten-per-cent default widened to the previous year's.
PlaceIntensity provider_intensity(const ReferenceData& data, const CloudRow& row) {
  PlaceIntensity p;
  Estimate e = relative(*row.provider_grid_g_per_kwh, kDefaultIntensitySpread);
  if (row.provider_grid_prev_g_per_kwh) {
    e.low = std::min(e.low, *row.provider_grid_prev_g_per_kwh);
    e.high = std::max(e.high, *row.provider_grid_prev_g_per_kwh);
  }
  p.g_per_kwh = e;
  // Google derives its regional figures from Electricity Maps' hourly
  // consumption-based data, so T&D loss is not added again.
  p.generation_based = false;
  p.source = fmt::format(
      "Google region carbon data{} for {}, average operational gross emissions (not "
      "life-cycle; cloud basis \"provider\"){} ({}, {})",
      year_text(row.provider_grid_year), row.region,
      row.provider_grid_prev_g_per_kwh
          ? fmt::format("; range includes{} ({})", year_text(row.provider_grid_prev_year),
                        *row.provider_grid_prev_g_per_kwh)
          : std::string(),
      table_ref(data, row.origin), "Apache-2.0");
  return p;
}

}  // namespace

PlaceIntensity cloud_intensity(const ReferenceData& data, const CloudRow& row, CloudBasis basis) {
  if (basis == CloudBasis::provider && row.provider_grid_g_per_kwh) {
    return provider_intensity(data, row);
  }
  if (!row.emaps_zone.empty()) {
    if (const ZoneRow* zone = data.zone(row.emaps_zone)) return zone_intensity(*zone, data);
  }
  if (const CountryRow* country = data.country(row.iso2)) return country_intensity(data, *country);
  PlaceIntensity p = world_intensity(data);
  p.warning = fmt::format("no intensity for cloud region {}:{}; used the world average",
                          row.provider, row.region);
  return p;
}

PlaceIntensity world_intensity(const ReferenceData& data) {
  if (const CountryRow* world = data.world(); world && world->central_g_per_kwh) {
    return country_intensity(data, *world);
  }
  PlaceIntensity p;  // the table lost its world row (a user file?): Ember 2024
  p.g_per_kwh = relative(472.9, kDefaultIntensitySpread);
  p.source = "Ember 2024 world average (built-in constant)";
  return p;
}

}  // namespace joule::carbon

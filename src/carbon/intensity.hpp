#pragma once
// Grid intensity (I) of one place from the reference tables, with its range,
// its basis (generation or consumption: decides whether T&D loss applies) and
// a source text naming table, year and licence.
#include <string>

#include "carbon/tables.hpp"
#include "joule/carbon.hpp"

namespace joule::carbon {

struct PlaceIntensity {
  Estimate g_per_kwh;
  bool generation_based = true;
  std::string source;
  std::string warning;  // non-empty when a fallback was taken
};

// Default relative spread for a figure whose table states no range: an annual
// average applied to one particular run (docs/methodology.md).
inline constexpr double kDefaultIntensitySpread = 0.10;

PlaceIntensity country_intensity(const ReferenceData& data, const CountryRow& row);
PlaceIntensity region_intensity(const RegionRow& row, const ReferenceData& data);
PlaceIntensity zone_intensity(const ZoneRow& row, const ReferenceData& data);
// The region's Electricity Maps zone, else its country; with
// CloudBasis::provider, the provider's own figure first (GCP only).
PlaceIntensity cloud_intensity(const ReferenceData& data, const CloudRow& row,
                               CloudBasis basis = CloudBasis::grid);
PlaceIntensity world_intensity(const ReferenceData& data);

}  // namespace joule::carbon

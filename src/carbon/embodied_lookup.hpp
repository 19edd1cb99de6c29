#pragma once
// Which embodied figure a device name means: a vendor PCF where one exists,
// else a Boavizta / ADEME / CCF row, with the range the sources support.
#include <optional>
#include <string>

#include "carbon/tables.hpp"
#include "joule/carbon.hpp"

namespace joule::carbon {

inline constexpr double kDefaultLifetimeYears = 4;
// embodied.csv caveat: PCF/LCA figures vary by +-30-50 %; the wider end.
inline constexpr double kEmbodiedSpread = 0.5;

struct DeviceEmbodied {
  std::string name;
  std::string variant;  // the gpu_power.csv model whose figure this is, for a GPU
  Estimate kg;          // per device
  std::string source;
  std::optional<double> lifetime_years;
  std::optional<double> lifetime_hours;  // exact hours where the source gives them
  std::string lifetime_source;
};

// Throws CarbonError with suggestions when nothing matches.
DeviceEmbodied lookup_embodied(const ReferenceData& data, const std::string& device);

// Words lookup_embodied understands besides the table's item names.
std::vector<std::string> embodied_keywords();

}  // namespace joule::carbon

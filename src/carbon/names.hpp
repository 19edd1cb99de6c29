#pragma once
// GPU names resolved by the one rule for device names (refdata/names.hpp):
// exact first, then a family only one row carries; an ambiguous family is
// refused with its variants.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "carbon/tables.hpp"
#include "refdata/names.hpp"

namespace joule::carbon {

using refdata::match_name;
using refdata::NameMatch;

struct GpuMatch {
  const GpuRow* row = nullptr;          // null when unknown or ambiguous
  std::vector<const GpuRow*> variants;  // the family, when ambiguous
};
GpuMatch resolve_gpu(const ReferenceData& data, std::string_view name);

// The GPU row a name means; throws CarbonError naming the variants when the
// name is a family, or the closest names when it is unknown.
const GpuRow& require_gpu(const ReferenceData& data, std::string_view name);

// "NVIDIA A100 PCIe 40GB (250 W), NVIDIA A100 PCIe 80GB (300 W), ..."
std::string describe_variants(const std::vector<const GpuRow*>& variants);

}  // namespace joule::carbon

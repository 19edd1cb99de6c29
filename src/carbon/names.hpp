#pragma once
// Which table row a device name means: an exact name first, then a family
// name that only one row carries. A family name that several rows carry
// ("A100": PCIe 40GB, PCIe 80GB, SXM4) is ambiguous: callers refuse it and
// list the variants, since their power and embodied figures differ.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "carbon/tables.hpp"

namespace joule::carbon {

// Index of the row a name resolves to, and the family's rows when it does not.
struct NameMatch {
  std::optional<std::size_t> row;     // exact name, or the family's only member
  bool exact = false;                 // matched the whole name, not a family
  std::vector<std::size_t> variants;  // two or more when ambiguous; empty when unknown
};

// Case-, space- and punctuation-insensitive. Vendor words (NVIDIA, AMD,
// Intel, Google, Tesla, GeForce) and "(chip)" may be left out: "A10" is
// exactly "NVIDIA A10", "TPU v4" exactly "Google TPU v4 (chip)". A family
// name is a subset of a row's words: "A100 80GB" is in "NVIDIA A100 PCIe
// 80GB" and in "NVIDIA A100 SXM4 40GB/80GB".
NameMatch match_name(const std::vector<std::string>& names, std::string_view query);

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

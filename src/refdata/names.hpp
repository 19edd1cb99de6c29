#pragma once
// Which table row a device name means, for every table keyed by a device
// name (GPUs, CPUs, the embodied table): an exact name first, then a family
// name that only one row carries. A family name that several rows carry
// ("A100": PCIe 40GB, PCIe 80GB, SXM4) is ambiguous: callers refuse it and
// list the variants, or model across their range, since their power and
// embodied figures differ. Never the first row that happens to match.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace joule::refdata {

// Index of the row a name resolves to, and the family's rows when it does not.
struct NameMatch {
  std::optional<std::size_t> row;     // exact name, or the family's only member
  bool exact = false;                 // matched the whole name, not a family
  std::vector<std::size_t> variants;  // two or more when ambiguous; empty when unknown
};

enum class NameRule {
  // Then the start of a name: "H100 SXM" for "H100 SXM5" (GPU and device
  // names, where a shorter name is a real family).
  exact_then_family_then_prefix,
  // No prefixes: "Core i7-12700" must not become the i7-12700K, a different
  // part whose letter suffix changes its TDP; and an exact name must have
  // the same words, not only the same letters ("Celeron 2.20" is not
  // "Celeron 220"). For CPU model numbers.
  exact_then_family,
};

// Case-, space- and punctuation-insensitive. Vendor words (NVIDIA, AMD,
// Intel, Google, Tesla, GeForce) and "(chip)" may be left out: "A10" is
// exactly "NVIDIA A10", "TPU v4" exactly "Google TPU v4 (chip)". A family
// name is a subset of a row's words: "A100 80GB" is in "NVIDIA A100 PCIe
// 80GB" and in "NVIDIA A100 SXM4 40GB/80GB". Several exact matches are
// ambiguous too (variants, exact = true).
NameMatch match_name(const std::vector<std::string>& names, std::string_view query,
                     NameRule rule = NameRule::exact_then_family_then_prefix);

}  // namespace joule::refdata

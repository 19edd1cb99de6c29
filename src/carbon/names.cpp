#include "carbon/names.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "carbon/suggest.hpp"
#include "joule/carbon.hpp"
#include "support/strings.hpp"

namespace joule::carbon {

GpuMatch resolve_gpu(const ReferenceData& data, std::string_view name) {
  const auto& rows = data.gpus();
  // What a driver reports names one row, whatever words it adds: "NVIDIA
  // H100 80GB HBM3" is the SXM5 card, "NVIDIA H200" the SXM one.
  const std::string_view wanted = support::trim(name);
  for (const auto& r : rows) {
    for (const auto& driver_name : r.driver_names) {
      if (support::iequals(driver_name, wanted)) return GpuMatch{&r, {}};
    }
  }
  std::vector<std::string> names;
  names.reserve(rows.size());
  for (const auto& r : rows) names.push_back(r.model);
  NameMatch m = match_name(names, name);
  GpuMatch out;
  if (m.row) out.row = &rows[*m.row];
  for (std::size_t i : m.variants) out.variants.push_back(&rows[i]);
  return out;
}

std::string describe_variants(const std::vector<const GpuRow*>& variants) {
  std::vector<std::string> parts;
  for (const auto* g : variants) {
    parts.push_back(g->tdp_w ? fmt::format("{} ({} W)", g->model, *g->tdp_w) : g->model);
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

const GpuRow& require_gpu(const ReferenceData& data, std::string_view name) {
  GpuMatch m = resolve_gpu(data, name);
  if (m.row) return *m.row;
  if (!m.variants.empty()) {
    throw CarbonError(fmt::format(
        "GPU '{}' is ambiguous: {} variants differ in power and embodied emissions: {}; name one "
        "of them (gpu_power.csv)",
        name, m.variants.size(), describe_variants(m.variants)));
  }
  throw CarbonError(fmt::format("unknown GPU '{}';{} (gpu_power.csv lists the models)", name,
                                did_you_mean(name, data.gpu_models())));
}

}  // namespace joule::carbon

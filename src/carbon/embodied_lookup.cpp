#include "carbon/embodied_lookup.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "carbon/estimate.hpp"
#include "carbon/suggest.hpp"
#include "support/strings.hpp"

namespace joule::carbon {

namespace {

const EmbodiedRow* item_containing(const ReferenceData& data, std::string_view needle) {
  std::string want = squash(needle);
  for (const auto& r : data.embodied()) {
    if (r.kg_co2e && squash(r.item).find(want) != std::string::npos) return &r;
  }
  return nullptr;
}

std::string cite(const EmbodiedRow& r) {
  return fmt::format("{} {} kgCO2e, {} ({}; {}:{})", r.item, *r.kg_co2e, r.scope, r.source,
                     r.origin.file, r.origin.line);
}

DeviceEmbodied from_row(const EmbodiedRow& r, std::string name = "") {
  DeviceEmbodied d;
  d.name = name.empty() ? r.item : name;
  d.kg = relative(*r.kg_co2e, kEmbodiedSpread);
  d.source = cite(r) + "; range +-50 %";
  if (r.lifetime_years) {
    d.lifetime_years = r.lifetime_years;
    d.lifetime_source = fmt::format("lifetime of the source ({})", r.source);
  }
  return d;
}

// Per-GPU figures: a vendor PCF per GPU where one exists (the HGX baseboard
// divided by its 8 GPUs), the Boavizta bottom-up value as the high bound.
std::optional<DeviceEmbodied> gpu_embodied(const ReferenceData& data, const std::string& query) {
  std::string q = squash(query);
  auto per_board = [&](std::string_view board, std::string_view upper,
                       const std::string& name) -> std::optional<DeviceEmbodied> {
    const EmbodiedRow* b = item_containing(data, board);
    if (!b) return std::nullopt;
    DeviceEmbodied d;
    d.name = name;
    double per_gpu = *b->kg_co2e / 8;
    d.kg = relative(per_gpu, kEmbodiedSpread);
    d.source = fmt::format("{} / 8 GPUs = {:.1f} kgCO2e per GPU ({}; {}:{}); range +-50 %", b->item,
                           per_gpu, b->source, b->origin.file, b->origin.line);
    if (const EmbodiedRow* u = upper.empty() ? nullptr : item_containing(data, upper)) {
      d.kg.high = std::max(d.kg.high, *u->kg_co2e);
      d.source += fmt::format("; high = Boavizta bottom-up {} kg (upper estimate)", *u->kg_co2e);
    }
    return d;
  };
  if (q.find("h100") != std::string::npos) {
    return per_board("HGX H100", "H100 SXM 80GB", "NVIDIA H100 (per GPU of an HGX H100 board)");
  }
  if (q.find("h200") != std::string::npos) {  // no H200 PCF: the H100 board is the closest
    return per_board("HGX H100", "H100 SXM 80GB",
                     "NVIDIA H200 (HGX H100 per-GPU figure; no H200 PCF found)");
  }
  if (q.find("b200") != std::string::npos) {
    return per_board("HGX B200", "", "NVIDIA B200 (per GPU of an HGX B200 board)");
  }
  if (q.find("a100") != std::string::npos) {
    if (const EmbodiedRow* lca = item_containing(data, "A100 SXM4 40GB card (LCA)")) {
      DeviceEmbodied d = from_row(*lca, "NVIDIA A100");
      if (const EmbodiedRow* u = item_containing(data, "A100 SXM4 40GB")) {
        if (u != lca && u->kg_co2e) {
          d.kg.high = std::max(d.kg.high, *u->kg_co2e);
          d.source +=
              fmt::format("; high = Boavizta bottom-up {} kg (upper estimate)", *u->kg_co2e);
        }
      }
      d.lifetime_years.reset();
      return d;
    }
  }
  // A Boavizta-computed board ("GPU board: NVIDIA L4"), an upper estimate.
  for (const auto& r : data.embodied()) {
    if (r.kg_co2e && (r.category == "gpu") && squash(r.item).find(q) != std::string::npos) {
      DeviceEmbodied d = from_row(r);
      d.kg.low = *r.kg_co2e * 0.4;  // the rows are upper estimates (README section 7)
      d.source = cite(r) + "; upper estimate, range 40 % to 150 %";
      return d;
    }
  }
  // Any other GPU in the power table: CCF's 150 kg per GPU card.
  if (data.gpu(query)) {
    if (const EmbodiedRow* ccf = item_containing(data, "CCF: GPU card")) {
      DeviceEmbodied d =
          from_row(*ccf, fmt::format("{} (generic GPU card)", data.gpu(query)->model));
      d.source =
          fmt::format("no device figure; CCF/Teads {} kgCO2e per GPU card ({}:{}); range +-50 %",
                      *ccf->kg_co2e, ccf->origin.file, ccf->origin.line);
      return d;
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> embodied_keywords() {
  return {"server", "gpu-server", "laptop", "desktop", "smartphone", "tablet", "monitor", "gpu"};
}

DeviceEmbodied lookup_embodied(const ReferenceData& data, const std::string& device) {
  if (device.empty())
    throw CarbonError("no device named for embodied emissions: give a device or kgCO2e");
  for (const auto& r : data.embodied()) {
    if (r.kg_co2e && support::iequals(r.item, device)) return from_row(r);
  }
  const std::string d = support::to_lower(device);
  if (d == "server") {
    // CCF/Teads baseline rack server, with the ADEME generic server (which
    // includes more components) as the high bound.
    if (const EmbodiedRow* base = item_containing(data, "Rack server baseline")) {
      DeviceEmbodied e = from_row(*base, "rack server (1 socket, 16 GB, no GPU)");
      if (const EmbodiedRow* generic = item_containing(data, "Generic server")) {
        e.kg.high = std::max(e.kg.high, *generic->kg_co2e);
        e.source = cite(*base) +
                   fmt::format("; range 50 % to the ADEME generic server {} kg", *generic->kg_co2e);
      }
      return e;
    }
  }
  if (d == "gpu-server" || d == "gpu_server") {
    if (const EmbodiedRow* r = item_containing(data, "p4d.24xlarge"))
      return from_row(*r, "8-GPU server (CCF p4d)");
  }
  if (d == "gpu") {
    if (const EmbodiedRow* ccf = item_containing(data, "CCF: GPU card"))
      return from_row(*ccf, "GPU card");
  }
  if (d == "laptop") {
    if (const EmbodiedRow* r = item_containing(data, "Laptop (professional)")) return from_row(*r);
  }
  if (d == "desktop") {
    if (const EmbodiedRow* r = item_containing(data, "Desktop computer")) return from_row(*r);
  }
  if (d == "phone") {
    if (const EmbodiedRow* r = item_containing(data, "Smartphone")) return from_row(*r);
  }
  if (auto g = gpu_embodied(data, device)) return *g;
  // Any device row whose name contains the words asked for.
  for (const auto& r : data.embodied()) {
    if (r.kg_co2e && !r.category.starts_with("coef") &&
        squash(r.item).find(squash(device)) != std::string::npos) {
      return from_row(r);
    }
  }
  std::vector<std::string> candidates = embodied_keywords();
  for (const auto& r : data.embodied()) {
    if (!r.category.starts_with("coef")) candidates.push_back(r.item);
  }
  for (const auto& g : data.gpu_models()) candidates.push_back(g);
  auto hint = did_you_mean(device, candidates);
  throw CarbonError(
      fmt::format("unknown device '{}' for embodied emissions: expected one of {}, a GPU model, an "
                  "item of embodied.csv, or a figure such as 1312kg;{}",
                  device, fmt::join(embodied_keywords(), ", "), hint));
}

}  // namespace joule::carbon

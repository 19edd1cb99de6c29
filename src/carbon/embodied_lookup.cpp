#include "carbon/embodied_lookup.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "carbon/estimate.hpp"
#include "carbon/names.hpp"
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

// "embodied.csv:52 Rack server baseline (...)": a row as a record names it.
std::string row_name(const EmbodiedRow& r) {
  return fmt::format("{}:{} {}", r.origin.file, r.origin.line, r.item);
}

DeviceEmbodied from_row(const EmbodiedRow& r, std::string name = "") {
  DeviceEmbodied d;
  d.name = name.empty() ? r.item : name;
  d.variant = r.gpu_model;
  d.rows = {row_name(r)};
  d.kg = relative(*r.kg_co2e, kEmbodiedSpread);
  d.source = cite(r) + "; range +-50 %";
  if (r.lifetime_years) {
    d.lifetime_years = r.lifetime_years;
    d.lifetime_hours = r.lifetime_hours;
    d.lifetime_source = fmt::format("lifetime of the source ({}{})", r.source,
                                    r.lifetime_basis.empty() ? "" : ": " + r.lifetime_basis);
  }
  return d;
}

// The figure of one GPU variant: the rows of embodied.csv tied to that exact
// gpu_power.csv model. A vendor PCF or LCA is the central value (a baseboard
// divided by its GPUs); a Boavizta bottom-up row is the high bound, or, alone,
// an upper estimate. A variant without a row gets CCF's generic card, said so.
DeviceEmbodied variant_embodied(const ReferenceData& data, const GpuRow& gpu) {
  const EmbodiedRow* measured = nullptr;
  const EmbodiedRow* bottom_up = nullptr;
  for (const auto& r : data.embodied()) {
    if (!r.kg_co2e || r.gpu_model != gpu.model) continue;
    (r.source == "BZ-computed" ? bottom_up : measured) = &r;
  }
  DeviceEmbodied d;
  d.variant = gpu.model;
  if (measured) {
    const double per = measured->gpus_per_item.value_or(1);
    d = from_row(*measured, gpu.model);
    d.variant = gpu.model;
    d.kg = relative(*measured->kg_co2e / per, kEmbodiedSpread);
    if (per > 1) {
      d.source = fmt::format("{} / {} GPUs = {:.1f} kgCO2e per GPU, {} ({}; {}:{}); range +-50 %",
                             measured->item, per, *measured->kg_co2e / per, measured->scope,
                             measured->source, measured->origin.file, measured->origin.line);
    }
    if (bottom_up) {
      d.rows.push_back(row_name(*bottom_up));
      d.kg.high = std::max(d.kg.high, *bottom_up->kg_co2e);
      d.source +=
          fmt::format("; high = Boavizta bottom-up {} kg (upper estimate)", *bottom_up->kg_co2e);
    }
    d.lifetime_years.reset();  // a PCF states no lifetime; the default applies
    return d;
  }
  if (bottom_up) {
    d = from_row(*bottom_up, gpu.model);
    d.variant = gpu.model;
    d.kg.low = *bottom_up->kg_co2e * 0.4;  // the rows are upper estimates (README section 7)
    d.source = cite(*bottom_up) + "; upper estimate, range 40 % to 150 %";
    return d;
  }
  if (const EmbodiedRow* ccf = item_containing(data, "CCF: GPU card")) {
    d = from_row(*ccf, fmt::format("{} (generic GPU card)", gpu.model));
    d.variant = gpu.model;
    d.source = fmt::format(
        "no figure for this variant in embodied.csv; CCF/Teads {} kgCO2e per GPU card ({}:{}); "
        "range +-50 %",
        *ccf->kg_co2e, ccf->origin.file, ccf->origin.line);
  }
  return d;
}

// A GPU name: its exact variant, or an error listing the variants of a family.
std::optional<DeviceEmbodied> gpu_embodied(const ReferenceData& data, const std::string& query) {
  GpuMatch match = resolve_gpu(data, query);
  if (!match.row && match.variants.empty()) return std::nullopt;
  return variant_embodied(data, require_gpu(data, query));
}

// Several variants of a family, none singled out: central the mean of
// their figures, the range from the lowest low to the highest high.
DeviceEmbodied across_variants(const ReferenceData& data, const std::string& name,
                               const std::vector<const GpuRow*>& variants) {
  DeviceEmbodied d;
  double central_sum = 0;
  std::vector<std::string> names;
  for (const GpuRow* g : variants) {
    DeviceEmbodied v = variant_embodied(data, *g);
    d.kg.low = names.empty() ? v.kg.low : std::min(d.kg.low, v.kg.low);
    d.kg.high = std::max(d.kg.high, v.kg.high);
    central_sum += v.kg.central;
    d.rows.insert(d.rows.end(), v.rows.begin(), v.rows.end());
    names.push_back(fmt::format("{} {:.0f} kg", g->model, v.kg.central));
  }
  d.kg.central = central_sum / static_cast<double>(variants.size());
  d.name = fmt::format("{} (one of {} variants)", name, variants.size());
  d.source = fmt::format(
      "'{}' names no single variant: mean of {}; range from the lowest to the highest variant",
      name, fmt::join(names, ", "));
  return d;
}

}  // namespace

DeviceEmbodied modelled_server(const ReferenceData& data, int sockets, double memory_gb) {
  const EmbodiedRow* base = item_containing(data, "Rack server baseline");
  if (!base) throw CarbonError("embodied.csv has no 'Rack server baseline' row to model a server");
  const EmbodiedRow* socket = item_containing(data, "CCF: additional CPU socket");
  const EmbodiedRow* dram = item_containing(data, "CCF: DRAM above 16 GB");
  const int extra_sockets = socket ? std::max(0, sockets - 1) : 0;
  const double extra_gb = dram ? std::max(0.0, memory_gb - 16) : 0;
  DeviceEmbodied e =
      from_row(*base, extra_sockets == 0 && extra_gb == 0
                          ? std::string("rack server (1 socket, 16 GB, no GPU)")
                          : fmt::format("rack server ({} socket{}, {:.0f} GB, GPUs apart)", sockets,
                                        sockets == 1 ? "" : "s", std::max(memory_gb, 16.0)));
  double central = *base->kg_co2e;
  std::string parts = cite(*base);
  if (extra_sockets > 0) {
    central += extra_sockets * *socket->kg_co2e;
    e.rows.push_back(row_name(*socket));
    parts +=
        fmt::format(" + {} socket(s) x {} kg ({})", extra_sockets, *socket->kg_co2e, socket->item);
  }
  if (extra_gb > 0) {
    central += extra_gb * *dram->kg_co2e;
    e.rows.push_back(row_name(*dram));
    parts += fmt::format(" + {:.0f} GB x {} kg ({})", extra_gb, *dram->kg_co2e, dram->item);
  }
  e.kg = relative(central, kEmbodiedSpread);
  e.source = parts;
  // The ADEME generic server includes more components: the high bound.
  if (const EmbodiedRow* generic = item_containing(data, "Generic server")) {
    e.kg.high = std::max(e.kg.high, *generic->kg_co2e);
    e.rows.push_back(row_name(*generic));
    e.source += fmt::format("; range 50 % to the ADEME generic server {} kg", *generic->kg_co2e);
  }
  return e;
}

DeviceEmbodied detected_gpu_embodied(const ReferenceData& data, const std::string& name) {
  GpuMatch match = resolve_gpu(data, name);
  if (match.row) return variant_embodied(data, *match.row);
  if (!match.variants.empty()) return across_variants(data, name, match.variants);
  GpuRow unknown;
  unknown.model = name;
  DeviceEmbodied d = variant_embodied(data, unknown);
  d.source = fmt::format("'{}' is not in gpu_power.csv; {}", name, d.source);
  return d;
}

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
  if (d == "server" && item_containing(data, "Rack server baseline")) {
    return modelled_server(data, 1, 16);
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
  // A device row by its name: exactly, or the only row of a family; a family
  // of several ("external": SSD and HDD) is refused with its members.
  std::vector<const EmbodiedRow*> devices;
  std::vector<std::string> names;
  for (const auto& r : data.embodied()) {
    if (!r.kg_co2e || r.category.starts_with("coef")) continue;
    devices.push_back(&r);
    names.push_back(r.item);
  }
  NameMatch match = match_name(names, device);
  if (match.row) return from_row(*devices[*match.row]);
  if (!match.variants.empty()) {
    std::vector<std::string> members;
    for (std::size_t i : match.variants) {
      members.push_back(fmt::format("{} ({} kg)", devices[i]->item, *devices[i]->kg_co2e));
    }
    throw CarbonError(fmt::format(
        "device '{}' is ambiguous for embodied emissions: {} rows of embodied.csv match: {}; name "
        "one of them",
        device, members.size(), fmt::join(members, ", ")));
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

// Which hardware a run's M is allocated from: what a person stated (options,
// joule.toml [hardware]) over what the run layer detected, each device with
// the rows of embodied.csv it rests on and how it was decided.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "carbon/embodied_lookup.hpp"
#include "carbon/names.hpp"
#include "carbon/quantity.hpp"
#include "carbon/tables.hpp"
#include "joule/carbon.hpp"
#include "support/strings.hpp"

namespace joule::carbon {

namespace {

// Cloud hosts are modelled as two-socket servers (docs/methodology.md, "VM").
constexpr int kVmHostSockets = 2;

// One stated value and who stated it: the options over joule.toml.
template <class T>
struct Stated {
  std::optional<T> value;
  std::string by;
};

template <class T>
Stated<T> pick(const std::optional<T>& option, const HardwareOptions& given,
               const std::optional<T> HardwareOptions::*field,
               const std::optional<HardwareOptions>& config) {
  if (option) return {option, given.given_by};
  if (config && (*config).*field) return {(*config).*field, config->given_by};
  return {};
}

std::string described(std::string_view key, const std::string& value, const std::string& by) {
  return fmt::format("{} = {} ({})", key, value, by);
}

std::string number_text(double v) {
  return fmt::format("{:g}", v);
}

// Stated hardware wins over detected, part by part.
struct Merged {
  Stated<std::string> embodied, gpu, share;
  Stated<double> gpus, lifetime_years;
};

Merged merge(const HardwareOptions& o, const std::optional<HardwareOptions>& config) {
  Merged m;
  m.embodied = pick(o.embodied, o, &HardwareOptions::embodied, config);
  m.gpu = pick(o.gpu, o, &HardwareOptions::gpu, config);
  m.share = pick(o.share, o, &HardwareOptions::share, config);
  m.gpus = pick(o.gpus, o, &HardwareOptions::gpus, config);
  m.lifetime_years = pick(o.lifetime_years, o, &HardwareOptions::lifetime_years, config);
  if (m.gpus.value && !(*m.gpus.value > 0 && std::isfinite(*m.gpus.value))) {
    throw CarbonError(
        fmt::format("gpus must be more than zero, found {} ({})", *m.gpus.value, m.gpus.by));
  }
  if (m.lifetime_years.value && !(*m.lifetime_years.value > 0)) {
    throw CarbonError(fmt::format("lifetime must be more than zero years, found {} ({})",
                                  *m.lifetime_years.value, m.lifetime_years.by));
  }
  return m;
}

// The detected GPUs, one entry per distinct name, in the driver's order.
std::vector<std::pair<std::string, int>> gpu_groups(const std::vector<std::string>& names) {
  std::vector<std::pair<std::string, int>> groups;
  for (const auto& n : names) {
    if (n.empty()) continue;
    auto it =
        std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == n; });
    if (it == groups.end()) {
      groups.push_back({n, 1});
    } else {
      ++it->second;
    }
  }
  return groups;
}

void plan_gpus(const ReferenceData& data, const Merged& m, const DetectedHardware* detected,
               HardwarePlan& plan) {
  if (m.gpu.value) {
    EmbodiedInput g;
    g.device = require_gpu(data, *m.gpu.value).model;
    g.count = m.gpus.value.value_or(1);
    g.share_source = "whole GPUs";
    g.how_decided = described("gpu", *m.gpu.value, m.gpu.by);
    if (m.gpus.value) g.how_decided += ", " + described("gpus", number_text(g.count), m.gpus.by);
    plan.inputs.push_back(std::move(g));
    return;
  }
  std::vector<std::pair<std::string, int>> groups;
  if (detected) groups = gpu_groups(detected->gpus);
  if (m.gpus.value && groups.size() != 1) {
    throw CarbonError(fmt::format(
        "gpus = {} ({}) counts GPUs of one model, but {}: name the model with --gpu (or gpu in "
        "joule.toml [hardware])",
        number_text(*m.gpus.value), m.gpus.by,
        groups.empty() ? std::string("no GPU was detected")
                       : fmt::format("{} different models were detected", groups.size())));
  }
  for (const auto& [name, count] : groups) {
    EmbodiedInput g;
    g.figure = detected_gpu_embodied(data, name);
    g.count = m.gpus.value.value_or(count);
    g.share_source = "whole GPUs (a VM's passed-through GPUs are its own)";
    g.how_decided = fmt::format("detected: {} x {} (NVML)", count, name);
    if (m.gpus.value) g.how_decided += "; " + described("gpus", number_text(g.count), m.gpus.by);
    plan.inputs.push_back(std::move(g));
  }
}

std::string detected_text(const DetectedHardware& d) {
  return fmt::format("detected: {}, {} socket{}, {} logical CPUs, {:.0f} GB{} ({})",
                     d.cpu_model.empty() ? "unknown CPU" : d.cpu_model, d.sockets,
                     d.sockets == 1 ? "" : "s", d.logical_cpus, d.memory_gb,
                     d.virtual_machine ? ", a VM (" + d.vm_evidence + ")" : "", d.read_from);
}

// A VM holds its vCPUs' share of a two-socket host of its CPU model, and the
// host's memory is taken as the VM's scaled by the same share.
void plan_vm_host(const ReferenceData& data, const DetectedHardware& d, EmbodiedInput& host,
                  HardwarePlan& plan) {
  if (d.threads_per_package && *d.threads_per_package > 0 && d.logical_cpus > 0) {
    const double host_threads = kVmHostSockets * *d.threads_per_package;
    host.share = std::min(1.0, d.logical_cpus / host_threads);
    host.share_source = fmt::format(
        "VM: {} vCPUs of a host of {} sockets x {:g} threads ({}); joule's rule for VMs",
        d.logical_cpus, kVmHostSockets, *d.threads_per_package, d.threads_source);
  } else {
    host.share = 1;
    host.share_source =
        "VM on a host of unknown size (CPU model not in cpu_power.csv): the whole host, an upper "
        "bound";
  }
  host.figure = modelled_server(data, kVmHostSockets, d.memory_gb / host.share);
  plan.notes.push_back(fmt::format(
      "embodied emissions: this machine is a VM ({}); M reserves its share {:.3g} of the "
      "modelled host ({}); give --share (or share in joule.toml [hardware]) if you know better",
      d.vm_evidence, host.share, host.share_source));
}

void plan_machine(const ReferenceData& data, const Merged& m, const DetectedHardware* detected,
                  HardwarePlan& plan) {
  EmbodiedInput host;
  if (m.embodied.value) {
    const std::string& text = *m.embodied.value;
    if (text.find_first_of("0123456789") == 0) {
      host.total_kg = parse_mass_kg(text);
    } else {
      host.device = text;
    }
    host.how_decided = described("embodied", text, m.embodied.by);
  } else if (detected) {
    host.how_decided = detected_text(*detected);
    if (detected->chassis == "laptop" || detected->chassis == "desktop") {
      host.figure = lookup_embodied(data, detected->chassis);
      host.how_decided += fmt::format("; DMI chassis: {}", detected->chassis);
    } else if (detected->virtual_machine) {
      plan_vm_host(data, *detected, host, plan);
    } else {
      host.figure = modelled_server(data, std::max(1, detected->sockets), detected->memory_gb);
      host.share_source = "the whole machine (not a VM)";
    }
  } else {
    if (m.share.value) {
      throw CarbonError(
          fmt::format("share = {} ({}) applies to the machine: name it with --embodied DEVICE|KG",
                      *m.share.value, m.share.by));
    }
    return;
  }
  if (m.share.value) {
    host.share = parse_fraction(*m.share.value);
    host.share_source = described("share", *m.share.value, m.share.by);
  }
  plan.inputs.push_back(std::move(host));
}

}  // namespace

void check_hardware(const HardwareOptions& o, const std::vector<std::filesystem::path>& files) {
  const Merged m = merge(o, std::nullopt);
  if (m.embodied.value && support::iequals(*m.embodied.value, "none")) return;
  if (!m.embodied.value && !m.gpu.value && !m.share.value) return;
  const auto data =
      files.empty() ? ReferenceData::embedded() : ReferenceData::with_overrides(files);
  if (m.gpu.value) require_gpu(*data, *m.gpu.value);
  if (m.share.value) parse_fraction(*m.share.value);
  if (m.embodied.value) {
    if (m.embodied.value->find_first_of("0123456789") == 0) {
      parse_mass_kg(*m.embodied.value);
    } else {
      lookup_embodied(*data, *m.embodied.value);
    }
  }
}

HardwarePlan plan_hardware(const ResolvedContext& ctx, const HardwareOptions& options,
                           const DetectedHardware* detected, Seconds time_reserved) {
  const Merged m = merge(options, ctx.hardware);
  HardwarePlan plan;
  if (m.embodied.value && support::iequals(*m.embodied.value, "none")) {
    plan.left_out = true;
    plan.notes.push_back(fmt::format("embodied emissions (M) left out: {}",
                                     described("embodied", "none", m.embodied.by)));
    return plan;
  }
  const auto data = ctx.data ? ctx.data : ReferenceData::embedded();
  plan_machine(*data, m, detected, plan);
  plan_gpus(*data, m, detected, plan);
  for (auto& input : plan.inputs) {
    input.time_reserved = time_reserved;
    if (m.lifetime_years.value) input.lifetime_years = m.lifetime_years.value;
  }
  return plan;
}

}  // namespace joule::carbon

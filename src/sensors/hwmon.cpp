// hwmon power and energy sensors: <sysfs>/class/hwmon/hwmonN with a `name`
// and attributes power<K>_input (or power<K>_average) in microwatts,
// energy<K>_input in microjoules and <attr>_label. Shunt monitors that only
// give voltage and current (the INA3221 rails on NVIDIA Jetson) yield power as
// in<K>_input (mV) x curr<K>_input (mA). This covers amd_energy, ARM boards,
// Jetson on L4T 34 (JetPack 5) and later, ACPI power meters and amdgpu. Older
// Jetsons (L4T 32.x: Nano, TX1, TX2, Xavier on JetPack 4) expose the INA3221
// through NVIDIA's ina3221x IIO driver instead
// (/sys/bus/i2c/drivers/ina3221x/*/iio:device*/in_power*_input, L4T 32.5
// Development Guide, "Power Management for Jetson Nano"), which joule does not
// read; the report names it when it is there.
//
// Which component a channel is comes from its label, then the driver name
// (see classify() and docs/sensors.md).
#include <algorithm>
#include <cctype>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <span>

#include <fmt/format.h>

#include "sensors/backends.hpp"
#include "sensors/sysfs.hpp"
#include "support/strings.hpp"

namespace joule::sensors {

namespace {

namespace fs = std::filesystem;
constexpr std::string_view kBackend = "hwmon";

// Drivers that read the CPU's own RAPL MSRs or telemetry: they measure what
// rapl-powercap/rapl-perf already measure, so keep them only without RAPL.
// amd_hsmp_hwmon reports each EPYC socket's power from the SMU
// (drivers/platform/x86/amd/hsmp/hwmon.c, HSMP_GET_SOCKET_POWER).
const std::set<std::string> kCpuDrivers = {"amd_energy", "zenpower", "fam15h_power",
                                           "amd_hsmp_hwmon"};

struct Attribute {
  std::string type;  // "power", "energy", "in", "curr"
  int index = 0;
  std::string item;  // "input", "average", "label"
};

std::optional<Attribute> parse_attribute(std::string_view name) {
  Attribute a;
  std::size_t i = 0;
  while (i < name.size() && std::isalpha(static_cast<unsigned char>(name[i]))) ++i;
  std::size_t j = i;
  while (j < name.size() && std::isdigit(static_cast<unsigned char>(name[j]))) ++j;
  if (i == 0 || j == i || j >= name.size() || name[j] != '_' || j - i > 4) return std::nullopt;
  a.type = std::string(name.substr(0, i));
  a.index = std::stoi(std::string(name.substr(i, j - i)));
  a.item = std::string(name.substr(j + 1));
  return a;
}

bool contains_word(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// NVIDIA Grace and GH200 name each ACPI power meter in its OEM string
// (power1_oem_info) "<Rail> Power Socket <N>". Per NVIDIA's Grace Performance
// Tuning Guide ("Power Telemetry"): Module is the whole GH200 superchip
// (Grace, Hopper GPU, HBM, LPDDR5X, regulator loss), Grace the CPU socket with
// its memory, CPU the cores' rail and SysIO the SoC rail, both inside Grace.
enum class GraceRail { module, grace, cpu, sysio };

struct GraceMeter {
  GraceRail rail = GraceRail::grace;
  std::string socket;
};

std::optional<GraceMeter> parse_grace_meter(const std::string& label) {
  const std::string l = support::to_upper(label);
  constexpr std::string_view marker = " POWER SOCKET ";
  const std::size_t at = l.find(marker);
  if (at == std::string::npos) return std::nullopt;
  const std::string rail = l.substr(0, at);
  GraceMeter meter;
  meter.socket = l.substr(at + marker.size());
  if (meter.socket.empty()) return std::nullopt;
  if (rail == "MODULE") {
    meter.rail = GraceRail::module;
  } else if (rail == "GRACE") {
    meter.rail = GraceRail::grace;
  } else if (rail == "CPU") {
    meter.rail = GraceRail::cpu;
  } else if (rail == "SYSIO") {
    meter.rail = GraceRail::sysio;
  } else {
    return std::nullopt;
  }
  return meter;
}

Component component_of(GraceRail rail) {
  switch (rail) {
    case GraceRail::module:
      return Component::system;
    case GraceRail::grace:
      return Component::cpu_package;
    case GraceRail::cpu:
      return Component::cpu_core;
    case GraceRail::sysio:
      return Component::cpu_uncore;
  }
  return Component::other;
}

// Label first (it says what the rail feeds), then the driver name.
Component classify(const std::string& driver, const std::string& label) {
  if (driver == "power_meter") {
    if (auto grace = parse_grace_meter(label)) return component_of(grace->rail);
  }
  const std::string l = support::to_upper(label);
  if (!l.empty()) {
    // A whole board's input rail: Jetson VDD_IN / POM_5V_IN, "VIN", "total".
    // Not "SYS*": TX2's VDD_SYS_GPU and Xavier's SYS5V are parts, not totals.
    if (l == "VIN" || l == "IN" || l == "INPUT" || l == "TOTAL" || l == "SYSTEM" || l == "BOARD" ||
        l.ends_with("_IN")) {
      return Component::system;
    }
    const bool cpu = contains_word(l, "CPU");
    const bool gpu = contains_word(l, "GPU");
    if (cpu && gpu) return Component::other;  // a shared rail (Orin VDD_CPU_GPU_CV)
    if (gpu) return Component::gpu;
    if (l.starts_with("ESOCKET") || l.starts_with("PACKAGE")) return Component::cpu_package;
    if (l.starts_with("ECORE") || contains_word(l, "CORE")) return Component::cpu_core;
    if (cpu) return Component::cpu_package;
    if (contains_word(l, "DDR") || contains_word(l, "DRAM") || contains_word(l, "MEM")) {
      return Component::dram;
    }
  }
  if (driver == "amdgpu" || driver == "radeon" || driver == "nouveau" || driver == "xe" ||
      driver == "i915") {
    return Component::gpu;
  }
  if (driver == "power_meter") return Component::system;  // ACPI power meter: whole machine
  if (driver == "fam15h_power" || driver == "amd_hsmp_hwmon") return Component::cpu_package;
  return Component::other;
}

// Shunt monitors are accurate to about 1% but see only their rail, sampled;
// ACPI power meters are usually PSU-input meters with a few % error; the rest
// (firmware estimates such as amdgpu, AMD's modelled RAPL) are wider.
double uncertainty_for(const std::string& driver) {
  if (driver.starts_with("ina")) return 0.05;
  if (driver == "power_meter") return 0.05;
  return 0.10;
}

std::string sanitize(std::string_view text) {
  std::string out;
  for (char ch : text) out += std::isspace(static_cast<unsigned char>(ch)) ? '_' : ch;
  return out;
}

struct Channel {
  DomainInfo info;
  std::optional<GraceMeter> grace;          // an NVIDIA Grace/GH200 rail meter
  bool includes_cpu = false;                // an APU\'s SoC power: the CPU is inside it
  std::vector<sysfs::AttributeFile> files;  // one value, or voltage then current
  double scale = 1e-6;                      // reading x scale = W or J
};

class HwmonSensor final : public Sensor {
 public:
  explicit HwmonSensor(std::vector<Channel> channels) : channels_(std::move(channels)) {
    for (const auto& c : channels_) domains_.push_back(c.info);
  }

  std::string_view backend() const override { return kBackend; }
  const std::vector<DomainInfo>& domains() const override { return domains_; }

  void read(std::span<Reading> out) override {
    const std::size_t n = std::min(out.size(), channels_.size());
    for (std::size_t i = 0; i < n; ++i) {
      const Channel& c = channels_[i];
      Reading& reading = out[i];
      double value = 1;
      bool ok = true;
      bool removed = false;
      for (const auto& file : c.files) {
        std::int64_t raw = 0;
        if (!file.read_i64(raw, reading.error)) {
          ok = false;
          removed = file.removed();
          break;
        }
        value *= static_cast<double>(raw);
      }
      if (!ok) {
        // A device removed (hot-unplug, driver unbound) is gone for good.
        reading.status = removed ? ReadStatus::gone : ReadStatus::unavailable;
        continue;
      }
      reading.status = ReadStatus::ok;
      reading.error.clear();
      if (c.info.kind == ReadingKind::power) {
        reading.power = Watts{value * c.scale};
      } else {
        reading.counter = Joules{value * c.scale};
      }
    }
  }

 private:
  std::vector<Channel> channels_;
  std::vector<DomainInfo> domains_;
};

struct Found {
  std::vector<Channel> channels;
  std::vector<std::string> problems;
  std::vector<std::string> refused;
};

// Opens the files of one channel and reads them once, so a channel that
// cannot be read is reported at discovery rather than on every sample.
bool open_channel(Channel& channel, const std::vector<fs::path>& paths, Found& found) {
  for (const auto& path : paths) {
    auto file = sysfs::AttributeFile::open(path);
    if (!file.ok()) {
      if (sysfs::is_permission_error(file.errno_value)) {
        found.refused.push_back(path.string());
      } else {
        found.problems.push_back(file.error);
      }
      return false;
    }
    std::int64_t first = 0;
    std::string error;
    if (!file.value.read_i64(first, error)) {
      found.problems.push_back(error);
      return false;
    }
    channel.files.push_back(std::move(file.value));
  }
  return true;
}

void scan_device(const fs::path& dir, const std::string& driver, Found& found) {
  // Old drivers keep their attributes in the device directory.
  fs::path attr_dir = dir;
  std::vector<std::string> names = sysfs::list_dir(dir);
  auto has_readings = [](const std::vector<std::string>& list) {
    return std::any_of(list.begin(), list.end(), [](const std::string& n) {
      return (n.starts_with("power") || n.starts_with("energy") || n.starts_with("curr")) &&
             (n.ends_with("_input") || n.ends_with("_average"));
    });
  };
  if (!has_readings(names)) {
    attr_dir = dir / "device";
    names = sysfs::list_dir(attr_dir);
  }
  std::map<std::string, std::map<int, std::set<std::string>>> attrs;  // type -> index -> items
  for (const auto& name : names) {
    if (auto a = parse_attribute(name)) attrs[a->type][a->index].insert(a->item);
  }
  auto label_of = [&](const std::string& type, int index) {
    auto label = sysfs::read_text(attr_dir / fmt::format("{}{}_label", type, index));
    if (label.ok()) return label.value;
    // ACPI power meters name their rail only in the _PMD OEM string.
    if (driver == "power_meter") {
      label = sysfs::read_text(attr_dir / fmt::format("{}{}_oem_info", type, index));
      if (label.ok()) return label.value;
    }
    return std::string();
  };
  auto make = [&](ReadingKind kind, const std::string& type, int index, std::string label) {
    Channel c;
    DomainInfo& d = c.info;
    d.kind = kind;
    d.provenance = Provenance::measured;
    d.component = classify(driver, label);
    const std::string tag = label.empty() ? fmt::format("{}{}", type, index) : sanitize(label);
    d.id = fmt::format("hwmon:{}-{}", driver, tag);
    d.label = label.empty() ? fmt::format("{} {}{}", driver, type, index)
                            : fmt::format("{} {}", driver, label);
    d.relative_uncertainty = uncertainty_for(driver);
    if (driver == "power_meter") c.grace = parse_grace_meter(label);
    return c;
  };

  bool has_power = false;
  for (const auto& [index, items] : attrs["power"]) {
    const std::string item = items.count("input")     ? "input"
                             : items.count("average") ? "average"
                                                      : "";
    if (item.empty()) continue;
    Channel c = make(ReadingKind::power, "power", index, label_of("power", index));
    const fs::path path = attr_dir / fmt::format("power{}_{}", index, item);
    c.info.resolution = 1e-6;
    c.info.source = path.string();
    if (open_channel(c, {path}, found)) found.channels.push_back(std::move(c));
    has_power = true;
  }
  for (const auto& [index, items] : attrs["energy"]) {
    if (!items.count("input")) continue;
    Channel c = make(ReadingKind::energy_counter, "energy", index, label_of("energy", index));
    const fs::path path = attr_dir / fmt::format("energy{}_input", index);
    c.info.resolution = 1e-6;
    // The hwmon ABI states no wrap; drivers keep 64-bit software totals.
    c.info.wrap_range = std::nullopt;
    c.info.source = path.string();
    if (open_channel(c, {path}, found)) found.channels.push_back(std::move(c));
    has_power = true;
  }
  // Voltage x current only for shunt monitors that give no power: elsewhere
  // in<K> and curr<K> need not describe the same rail.
  // On the INA3221 only channels 1-3 pair a bus voltage (mV) with a current:
  // in4-in6 are shunt voltages in uV and curr4 the summed current
  // (Documentation/hwmon/ina3221.rst).
  const int last_rail = driver == "ina3221" ? 3 : std::numeric_limits<int>::max();
  if (!has_power && driver.starts_with("ina")) {
    for (const auto& [index, items] : attrs["curr"]) {
      if (index > last_rail) continue;
      if (!items.count("input") || !attrs["in"][index].count("input")) continue;
      std::string label = label_of("in", index);
      if (label.empty()) label = label_of("curr", index);
      Channel c = make(ReadingKind::power, "power", index, label);
      const fs::path volts = attr_dir / fmt::format("in{}_input", index);
      const fs::path amps = attr_dir / fmt::format("curr{}_input", index);
      c.scale = 1e-6;            // mV x mA = uW
      c.info.resolution = 1e-3;  // 1 mA at a few volts
      c.info.source = fmt::format("{} x {}", volts.string(), amps.string());
      if (open_channel(c, {volts, amps}, found)) found.channels.push_back(std::move(c));
    }
  }
}

// Grace contains its socket's CPU and SysIO rails; Module contains its
// socket's three, and the GPUs found earlier (the Hopper GPU and its HBM are
// inside the module; which GPU sits on which socket is not in sysfs, so each
// module claims them all, which keeps each out of the total once).
void nest_grace_meters(std::vector<Channel>& channels, const std::vector<std::string>& gpu_ids) {
  for (auto& outer : channels) {
    if (!outer.grace) continue;
    const GraceRail rail = outer.grace->rail;
    if (rail != GraceRail::module && rail != GraceRail::grace) continue;
    outer.info.containment_note =
        rail == GraceRail::module
            ? "a GH200 module meter covers its socket's Grace, CPU and SysIO rails and the GPU"
            : "a Grace socket meter covers its CPU and SysIO rails";
    if (rail == GraceRail::module) {
      outer.info.contains.insert(outer.info.contains.end(), gpu_ids.begin(), gpu_ids.end());
    }
    for (const auto& inner : channels) {
      if (!inner.grace || inner.grace->socket != outer.grace->socket) continue;
      const GraceRail part = inner.grace->rail;
      const bool inside = part == GraceRail::cpu || part == GraceRail::sysio ||
                          (rail == GraceRail::module && part == GraceRail::grace);
      if (inside) outer.info.contains.push_back(inner.info.id);
    }
  }
}

bool is_cpu(Component component) {
  return component == Component::cpu_package || component == Component::cpu_core ||
         component == Component::cpu_uncore;
}

// amdgpu shows in1 ("vddnb") only on APUs (amdgpu_pm.c,
// hwmon_attributes_visible: "only APUs have vddnb"), and on an APU its power
// is the whole SoC's: "On APUs this includes the CPU" (amdgpu thermal.rst).
bool is_amd_apu(const fs::path& dir) {
  for (const auto& attr_dir : {dir, dir / "device"}) {
    auto label = sysfs::read_text(attr_dir / "in1_label");
    if (label.ok()) return label.value == "vddnb";
  }
  return false;
}

// Relations inside one device, once its ids are final.
void nest_within_device(const fs::path& dir, const std::string& driver,
                        std::span<Channel> channels) {
  auto nest = [&](auto outer_if, auto inner_if, std::string_view note) {
    for (auto& outer : channels) {
      if (!outer_if(outer.info)) continue;
      outer.info.containment_note = note;
      for (const auto& inner : channels) {
        if (&inner != &outer && inner_if(inner.info)) outer.info.contains.push_back(inner.info.id);
      }
    }
  };
  auto component_is = [](Component c) {
    return [c](const DomainInfo& d) { return d.component == c; };
  };
  auto id_ends = [](std::string_view suffix) {
    return [suffix](const DomainInfo& d) { return d.id.ends_with(suffix); };
  };
  if (driver == "amd_energy") {
    // Each socket counter includes its cores' counters.
    nest(component_is(Component::cpu_package), component_is(Component::cpu_core),
         "an amd_energy socket counter includes its cores");
  } else if (driver == "xe") {
    // sysfs-driver-intel-xe-hwmon: energy1 is the card, energy2 the GPU
    // package on it.
    nest(id_ends("-card"), id_ends("-pkg"), "xe's card energy includes the GPU package on it");
  } else if (driver == "amdgpu" && is_amd_apu(dir)) {
    for (auto& c : channels) c.includes_cpu = c.info.kind == ReadingKind::power;
  }
}

void make_ids_unique(std::span<Channel> channels, std::set<std::string>& ids) {
  for (auto& c : channels) {
    auto& d = c.info;
    if (ids.insert(d.id).second) continue;
    for (int n = 2;; ++n) {
      std::string candidate = fmt::format("{}-{}", d.id, n);
      if (ids.insert(candidate).second) {
        d.id = candidate;
        break;
      }
    }
  }
}

// An APU's SoC power contains every CPU domain, from RAPL or from hwmon.
void nest_cpus_in_apus(std::vector<Channel>& channels, const std::vector<std::string>& cpu_ids) {
  for (auto& outer : channels) {
    if (!outer.includes_cpu) continue;
    outer.info.containment_note = "on an APU amdgpu's power is the whole SoC, CPU included";
    outer.info.contains.insert(outer.info.contains.end(), cpu_ids.begin(), cpu_ids.end());
    for (const auto& inner : channels) {
      if (!inner.includes_cpu && is_cpu(inner.info.component)) {
        outer.info.contains.push_back(inner.info.id);
      }
    }
  }
}

// The domains earlier backends found, by what hwmon must nest or skip.
struct PriorDomains {
  std::vector<std::string> ids;
  std::vector<std::string> gpu_ids;
  std::vector<std::string> cpu_ids;
  std::map<std::string, std::string> gpu_by_pci;  // PCI address -> domain id
  bool rapl_present = false;
};

PriorDomains prior_domains(const ProbeResult& result) {
  PriorDomains prior;
  for (const auto& sensor : result.sensors) {
    for (const auto& d : sensor->domains()) {
      prior.ids.push_back(d.id);
      if (d.component == Component::gpu) prior.gpu_ids.push_back(d.id);
      if (d.component == Component::gpu && !d.pci_address.empty()) {
        prior.gpu_by_pci[d.pci_address] = d.id;
      }
      if (is_cpu(d.component)) prior.cpu_ids.push_back(d.id);
      if (d.component == Component::cpu_package) prior.rapl_present = true;
    }
  }
  return prior;
}

// A dGPU's amdgpu hwmon reads the same SMU power that ROCm SMI reads as a
// counter: the board counts once, through the better reading. The hwmon
// device's `device` link names its PCI function ("0000:03:00.0"). An APU's
// amdgpu power is the SoC's, CPU included, which ROCm SMI does not claim to
// measure, so it stays.
std::optional<std::string> measured_elsewhere(const fs::path& dir, const std::string& driver,
                                              const PriorDomains& prior) {
  if (driver != "amdgpu" || prior.gpu_by_pci.empty() || is_amd_apu(dir)) return std::nullopt;
  std::error_code error;
  const fs::path target = fs::read_symlink(dir / "device", error);
  if (error) return std::nullopt;
  const auto found = prior.gpu_by_pci.find(target.filename().string());
  if (found == prior.gpu_by_pci.end()) return std::nullopt;
  return found->second;
}

std::string how_to_enable(const SensorConfig& config) {
  if (fs::exists(config.sysfs_root / "bus" / "i2c" / "drivers" / "ina3221x")) {
    return "this Jetson's INA3221 is behind NVIDIA's ina3221x IIO driver (L4T 32.x), which joule "
           "does not read; upgrade to L4T 34 (JetPack 5) or later, whose ina3221 hwmon driver it "
           "reads";
  }
  return "load the power sensor's driver (e.g. modprobe amd_energy on AMD Zen, ina3221 on Jetson "
         "with L4T 34 or later); most desktops and VMs have no power hwmon";
}

// A whole-system meter includes every other rail and every domain found so
// far (RAPL, GPUs): it is the total, they are its parts.
void nest_in_system_meters(std::vector<Channel>& channels, const std::vector<std::string>& prior) {
  for (auto& outer : channels) {
    if (outer.info.component != Component::system || outer.grace) continue;
    outer.info.containment_note = "a whole-system meter includes every other domain";
    outer.info.contains.insert(outer.info.contains.end(), prior.begin(), prior.end());
    for (const auto& inner : channels) {
      if (inner.info.component != Component::system) outer.info.contains.push_back(inner.info.id);
    }
  }
}

BackendReport report_of(const Found& found, std::size_t device_count,
                        const std::vector<std::string>& driver_names, const std::string& notes,
                        const std::string& enable) {
  BackendReport report{std::string(kBackend), BackendState::absent, "", ""};
  if (found.channels.empty() && !found.refused.empty()) {
    report.state = BackendState::refused;
    report.reason = fmt::format("permission denied on {} file(s), e.g. {}{}", found.refused.size(),
                                found.refused.front(), notes);
    report.remedy = fmt::format(
        "run as root, or sudo chmod o+r {} (amd_energy is root-only since Linux 5.10, "
        "CVE-2020-8694)",
        found.refused.front());
    return report;
  }
  if (found.channels.empty()) {
    report.reason = fmt::format("{} hwmon device(s) ({}), none reports power or energy{}",
                                device_count, fmt::join(driver_names, ", "), notes);
    report.remedy = enable;
    return report;
  }
  std::vector<std::string> ids_found;
  for (const auto& c : found.channels) ids_found.push_back(c.info.id);
  report.state = BackendState::active;
  report.reason = fmt::format("{} domain{}: {}{}", ids_found.size(),
                              ids_found.size() == 1 ? "" : "s", fmt::join(ids_found, ", "), notes);
  if (!found.refused.empty()) {
    report.reason += fmt::format("; permission denied on {}", fmt::join(found.refused, ", "));
    report.remedy = fmt::format("run as root, or sudo chmod o+r {}", fmt::join(found.refused, " "));
  }
  return report;
}

}  // namespace

void probe_hwmon(const SensorConfig& config, ProbeResult& result) {
  const fs::path base = config.sysfs_root / "class" / "hwmon";
  const std::string enable = how_to_enable(config);
  const std::vector<std::string> devices = sysfs::list_dir(base, "hwmon");
  if (devices.empty()) {
    result.reports.push_back({std::string(kBackend), BackendState::absent,
                              fmt::format("no hwmon devices in {}", base.string()), enable});
    return;
  }
  const PriorDomains prior = prior_domains(result);

  Found found;
  // Ids must be unique even with two identical boards' drivers.
  std::set<std::string> ids(prior.ids.begin(), prior.ids.end());
  std::vector<std::string> driver_names;
  std::string notes;
  for (const auto& device : devices) {
    const fs::path dir = base / device;
    auto name = sysfs::read_text(dir / "name");
    if (!name.ok()) name = sysfs::read_text(dir / "device" / "name");
    const std::string driver = name.ok() && !name.value.empty() ? name.value : device;
    driver_names.push_back(driver);
    if (prior.rapl_present && kCpuDrivers.count(driver)) {
      notes += fmt::format("; skipped {} ({}: RAPL already measures the CPU)", device, driver);
      continue;
    }
    if (const auto gpu = measured_elsewhere(dir, driver, prior)) {
      notes += fmt::format("; skipped {} ({}: the same board as {})", device, driver, *gpu);
      continue;
    }
    const std::size_t before = found.channels.size();
    scan_device(dir, driver, found);
    const std::span<Channel> added = std::span(found.channels).subspan(before);
    make_ids_unique(added, ids);
    nest_within_device(dir, driver, added);
  }
  nest_cpus_in_apus(found.channels, prior.cpu_ids);
  nest_grace_meters(found.channels, prior.gpu_ids);
  nest_in_system_meters(found.channels, prior.ids);
  for (const auto& p : found.problems) notes += "; skipped " + p;

  result.reports.push_back(report_of(found, devices.size(), driver_names, notes, enable));
  if (!found.channels.empty()) {
    result.sensors.push_back(std::make_unique<HwmonSensor>(std::move(found.channels)));
  }
}

}  // namespace joule::sensors

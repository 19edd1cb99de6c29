// RAPL through the powercap sysfs tree: <sysfs>/class/powercap/intel-rapl:N
// (one per package, plus psys where the platform has it) and its subzones
// intel-rapl:N:M (core, uncore, dram). AMD Zen exposes the same tree with a
// package zone and a "core" subzone that is one core only. Each zone's energy_uj is a cumulative
// counter in microjoules that wraps at max_energy_range_uj.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "sensors/backends.hpp"
#include "sensors/rapl_common.hpp"
#include "sensors/sysfs.hpp"

namespace joule::sensors {

namespace {

namespace fs = std::filesystem;
constexpr std::string_view kBackend = "rapl-powercap";
constexpr std::string_view kZonePrefix = "intel-rapl:";

using rapl::kAmdUncertainty;
using rapl::kIntelDramUncertainty;
using rapl::kIntelUncertainty;

struct Zone {
  std::string dir_name;  // "intel-rapl:0:1"
  fs::path dir;
  int top = -1;  // N of intel-rapl:N
  int sub = -1;  // M of intel-rapl:N:M, -1 for a top-level zone
};

// Parses "intel-rapl:N" or "intel-rapl:N:M"; the control type directory
// "intel-rapl" and the duplicate MMIO interface "intel-rapl-mmio:N" do not match.
// N and M are hexadecimal: powercap_sys.c names a zone "%s:%x" after its idr
// id, so the eleventh is "intel-rapl:a".
std::optional<Zone> parse_zone_name(std::string_view name) {
  if (!name.starts_with(kZonePrefix)) return std::nullopt;
  std::string_view rest = name.substr(kZonePrefix.size());
  auto take_number = [&rest](int& out) {
    std::size_t digits = 0;
    while (digits < rest.size() && std::isxdigit(static_cast<unsigned char>(rest[digits]))) {
      ++digits;
    }
    if (digits == 0 || digits > 6) return false;
    out = std::stoi(std::string(rest.substr(0, digits)), nullptr, 16);
    rest.remove_prefix(digits);
    return true;
  };
  Zone zone;
  zone.dir_name = std::string(name);
  if (!take_number(zone.top)) return std::nullopt;
  if (!rest.empty()) {
    if (rest.front() != ':') return std::nullopt;
    rest.remove_prefix(1);
    if (!take_number(zone.sub) || !rest.empty()) return std::nullopt;
  }
  return zone;
}

// Zones appear both as links in class/powercap and as subdirectories of their
// parent zone; recorded trees may have either, so look in both places.
std::vector<Zone> find_zones(const fs::path& base) {
  std::map<std::pair<int, int>, Zone> zones;
  for (const auto& name : sysfs::list_dir(base, kZonePrefix)) {
    if (auto zone = parse_zone_name(name)) {
      zone->dir = base / name;
      zones.emplace(std::pair{zone->top, zone->sub}, *zone);
    }
  }
  std::vector<Zone> tops;
  for (const auto& [key, zone] : zones) {
    if (zone.sub < 0) tops.push_back(zone);
  }
  for (const auto& top : tops) {
    for (const auto& name : sysfs::list_dir(top.dir, kZonePrefix)) {
      auto zone = parse_zone_name(name);
      if (!zone || zone->sub < 0 || zone->top != top.top) continue;
      zone->dir = top.dir / name;
      zones.emplace(std::pair{zone->top, zone->sub}, *zone);
    }
  }
  std::vector<Zone> out;
  out.reserve(zones.size());
  for (auto& [key, zone] : zones) out.push_back(std::move(zone));
  return out;  // sorted by (top, sub): packages before their subzones
}

class PowercapSensor final : public Sensor {
 public:
  PowercapSensor(std::vector<DomainInfo> domains, std::vector<sysfs::AttributeFile> files)
      : domains_(std::move(domains)), files_(std::move(files)) {}

  std::string_view backend() const override { return kBackend; }
  const std::vector<DomainInfo>& domains() const override { return domains_; }

  void read(std::span<Reading> out) override {
    const std::size_t n = std::min(out.size(), files_.size());
    for (std::size_t i = 0; i < n; ++i) {
      std::uint64_t microjoules = 0;
      Reading& reading = out[i];
      if (files_[i].read_u64(microjoules, reading.error)) {
        reading.status = ReadStatus::ok;
        reading.counter = Joules{static_cast<double>(microjoules) * 1e-6};
        reading.error.clear();
      } else {
        // A zone removed (hot-unplug, driver unbound) is gone for good; its
        // energy up to the last reading stays (the meter says so).
        reading.status = files_[i].removed() ? ReadStatus::gone : ReadStatus::unavailable;
      }
    }
  }

 private:
  std::vector<DomainInfo> domains_;
  std::vector<sysfs::AttributeFile> files_;
};

// Where a zone sits. A top-level zone's name "package-N" or, where each die
// is its own RAPL package (intel_rapl_common.c, rapl_add_package_cpuslocked),
// "package-N-die-M" gives it; subzones take their parent's.
struct Place {
  int package = -1;  // socket; -1 for psys and other top-level zones
  int die = -1;      // -1 unless the zone is one die's
  // Top-level zone whose counter this zone reads again (-1: its own): every
  // per-die zone of an AMD socket re-reads the socket's package-scoped MSR.
  int same_counter_as = -1;

  std::string suffix() const {
    return die < 0 ? std::to_string(package) : fmt::format("{}-die-{}", package, die);
  }
};

struct Candidate {
  DomainInfo info;
  sysfs::AttributeFile file;
  Place place;
  int top = -1;  // N of the intel-rapl:N zone it is or is under
  bool is_subzone = false;
};

std::string refusal_remedy(const fs::path& base) {
  return fmt::format(
      "run as root, or let users read the counters: sudo chmod o+r {0}/intel-rapl:*/energy_uj "
      "{0}/intel-rapl:*:*/energy_uj (until reboot; a udev rule makes it permanent: "
      "ACTION==\"add\", SUBSYSTEM==\"powercap\", RUN+=\"/bin/chmod o+r /sys%p/energy_uj\"). "
      "This re-opens the PLATYPUS side channel (CVE-2020-8694) to local users",
      base.string());
}

constexpr std::string_view kEnableRemedy =
    "load the RAPL driver: sudo modprobe intel_rapl_msr (Intel; AMD Zen needs Linux 5.11 or "
    "later, Hygon 5.13); in a VM the hypervisor usually hides RAPL";

// What a pass over the zones found: the usable ones, and why others were left.
struct ZoneScan {
  std::vector<Candidate> candidates;
  std::vector<std::string> problems;  // zones skipped for a reason other than permission
  std::vector<std::string> refused;   // energy_uj paths we may not read
};

// Reads "package-N" or "package-N-die-M" into `place`; false for other names.
bool parse_package_name(std::string_view name, Place& place) {
  constexpr std::string_view package_prefix = "package-";
  constexpr std::string_view die_infix = "-die-";
  if (!name.starts_with(package_prefix)) return false;
  name.remove_prefix(package_prefix.size());
  std::int64_t package = -1;
  std::int64_t die = -1;
  const std::size_t die_at = name.find(die_infix);
  if (!sysfs::parse_i64(name.substr(0, die_at), package)) return false;
  if (die_at != std::string_view::npos &&
      !sysfs::parse_i64(name.substr(die_at + die_infix.size()), die)) {
    return false;
  }
  place.package = static_cast<int>(package);
  place.die = static_cast<int>(die);
  return true;
}

// Tracks where each top-level zone sits, so subzones can take their parent's
// place. On AMD the first die zone seen of a socket stands for the socket.
class Placer {
 public:
  explicit Placer(bool package_scoped_msrs) : package_scoped_msrs_(package_scoped_msrs) {}

  Place place(const Zone& zone, const std::string& zone_name) {
    if (zone.sub >= 0) {
      auto parent = by_top_.find(zone.top);
      if (parent != by_top_.end()) return parent->second;
      return Place{zone.top, -1, -1};
    }
    Place place;
    if (zone_name.starts_with("package-")) {
      // A name that does not parse still names a package: its directory
      // number stands in.
      if (!parse_package_name(zone_name, place)) place = Place{zone.top, -1, -1};
      if (package_scoped_msrs_ && place.die >= 0) {
        auto [lead, first] = lead_die_.emplace(place.package, zone.top);
        if (!first) place.same_counter_as = lead->second;
      }
    }
    by_top_[zone.top] = place;
    return place;
  }

 private:
  bool package_scoped_msrs_;
  std::map<int, Place> by_top_;  // intel-rapl:N -> its place
  std::map<int, int> lead_die_;  // socket -> top of its first die zone
};

// "psys" on the first RAPL package, "psys-N" (the physical package) on the
// others: intel_rapl_common.c, rapl_init_domains().
bool is_psys_name(std::string_view name) {
  if (name == "psys") return true;
  std::int64_t package = 0;
  return name.starts_with("psys-") && sysfs::parse_i64(name.substr(5), package);
}

// The domain a zone stands for, from the zone's "name" file. Ids are kept
// unique across the zones seen so far (`ids`).
Candidate describe_zone(const Zone& zone, const std::string& zone_name, const Place& place,
                        const sysfs::CpuInfo& cpu, bool amd, std::set<std::string>& ids) {
  Candidate c;
  c.is_subzone = zone.sub >= 0;
  c.place = place;
  c.top = zone.top;
  DomainInfo& d = c.info;

  const std::string where = place.package >= 0 ? place.suffix() : std::to_string(zone.top);
  double uncertainty = amd ? kAmdUncertainty : kIntelUncertainty;
  if (zone_name.starts_with("package-")) {
    d.id = fmt::format("cpu:package-{}", where);
    d.component = Component::cpu_package;
  } else if (zone_name == "core" && amd) {
    // MSR_AMD_CORE_ENERGY_STATUS is per core, and the kernel reads every RAPL
    // MSR on the package's lead CPU (intel_rapl_msr.c): one core's energy, not
    // the package's cores that cpu_core stands for.
    d.id = fmt::format("cpu:one-core-{}", where);
    d.component = Component::other;
  } else if (zone_name == "core") {
    d.id = fmt::format("cpu:core-{}", where);
    d.component = Component::cpu_core;
  } else if (zone_name == "uncore") {
    d.id = fmt::format("cpu:uncore-{}", where);
    d.component = Component::cpu_uncore;
  } else if (zone_name == "dram") {
    d.id = fmt::format("dram:{}", where);
    d.component = Component::dram;
    if (!amd) uncertainty = kIntelDramUncertainty;
  } else if (is_psys_name(zone_name)) {
    d.id = "system:" + zone_name;
    d.component = Component::psys;
    c.place = Place{};
  } else {
    d.id = fmt::format("cpu:{}-{}", zone_name, where);
    d.component = Component::other;
  }
  if (!ids.insert(d.id).second) {  // two zones claim one name: keep both, apart
    d.id += "@" + zone.dir_name;
    ids.insert(d.id);
  }
  d.label = zone_name;
  if (zone_name == "core" && amd) {
    d.label = fmt::format(
        "core: one core of package-{}, the one the kernel reads the package on; not all cores",
        where);
  }
  if (!cpu.model.empty() && d.component != Component::psys) {
    d.label = fmt::format("{} ({})", d.label, cpu.model);
  }
  d.kind = ReadingKind::energy_counter;
  d.provenance = Provenance::measured;
  d.resolution = 1e-6;  // sysfs reports whole microjoules
  if (d.component == Component::psys) {
    d.resolution = rapl::psys_resolution_override_j(cpu).value_or(d.resolution);
  }
  d.relative_uncertainty = uncertainty;
  d.source = (zone.dir / "energy_uj").string();
  return c;
}

// The most the zone may draw: the highest of its constraints' power limits
// and maximum powers (Documentation/ABI/testing/sysfs-class-powercap:
// constraint_X_power_limit_uw, constraint_X_max_power_uw, X being long_term,
// short_term and, on newer parts, peak_power), so turbo is inside it. A zone
// that declares none (dram and core often read 0) takes the physical bound.
Watts zone_max_power(const fs::path& dir, Component component) {
  std::uint64_t most_uw = 0;
  for (const auto& name : sysfs::list_dir(dir, "constraint_")) {
    if (!name.ends_with("_power_limit_uw") && !name.ends_with("_max_power_uw")) continue;
    if (auto value = sysfs::read_u64(dir / name); value.ok()) {
      most_uw = std::max(most_uw, value.value);
    }
  }
  if (most_uw == 0) return physical_max_power(component);
  return Watts{static_cast<double>(most_uw) * 1e-6};
}

// Reads the zone's wrap range and opens its energy_uj with a first read.
// False, with the reason added to `scan`, when the zone cannot be used.
bool open_counter(const Zone& zone, Candidate& c, ZoneScan& scan) {
  auto range = sysfs::read_u64(zone.dir / "max_energy_range_uj");
  if (!range.ok() || range.value == 0) {
    // Without the range a wrap cannot be told from a reset: skip, and say so.
    scan.problems.push_back(
        range.ok() ? fmt::format("{}: zero range", (zone.dir / "max_energy_range_uj").string())
                   : range.error);
    return false;
  }
  c.info.wrap_range = Joules{static_cast<double>(range.value) * 1e-6};
  c.info.max_power = zone_max_power(zone.dir, c.info.component);

  auto file = sysfs::AttributeFile::open(zone.dir / "energy_uj");
  if (!file.ok()) {
    if (sysfs::is_permission_error(file.errno_value)) {
      scan.refused.push_back(c.info.source);
    } else {
      scan.problems.push_back(file.error);
    }
    return false;
  }
  std::uint64_t first = 0;
  std::string error;
  if (!file.value.read_u64(first, error)) {
    scan.problems.push_back(error);
    return false;
  }
  c.file = std::move(file.value);
  return true;
}

ZoneScan scan_zones(const std::vector<Zone>& zones, const sysfs::CpuInfo& cpu) {
  const bool amd = cpu.vendor == "AuthenticAMD" || cpu.vendor == "HygonGenuine";
  ZoneScan scan;
  // AMD's RAPL MSRs are package-scoped (intel_rapl_common.c,
  // rapl_msrs_are_pkg_scope()): per-die zones there repeat the socket.
  Placer placer(amd);
  std::set<std::string> ids;
  for (const Zone& zone : zones) {
    auto name = sysfs::read_text(zone.dir / "name");
    if (!name.ok()) {
      scan.problems.push_back(name.error);
      continue;
    }
    const Place place = placer.place(zone, name.value);
    Candidate c = describe_zone(zone, name.value, place, cpu, amd, ids);
    if (open_counter(zone, c, scan)) scan.candidates.push_back(std::move(c));
  }
  return scan;
}

// Nesting: a package contains its core, uncore and any other subzone except
// dram (RAPL's package excludes memory); psys covers packages and dram.
// psys lists everything transitively so a total stays right even if a
// package domain is filtered out. Only the package that owns psys registers
// one (rapl_check_domain() skips a counter that reads 0), so two psys zones
// are the one platform seen twice: the first contains the others. A per-die
// zone that re-reads its socket's counter (AMD) is inside the socket's first
// die zone, with its subzones. Per-die zones of die-scoped MSRs (Intel) are
// separate dies: siblings.
void record_nesting(std::vector<Candidate>& candidates) {
  for (auto& outer : candidates) {
    for (const auto& inner : candidates) {
      if (&outer == &inner) continue;
      const bool package = outer.info.component == Component::cpu_package && !outer.is_subzone;
      const bool not_dram = inner.info.component != Component::dram;
      const bool own_subzone = inner.is_subzone && inner.top == outer.top;
      const bool repeats_outer = inner.place.same_counter_as == outer.top;
      const bool package_contains = package && not_dram && (own_subzone || repeats_outer);
      const bool psys_contains = outer.info.component == Component::psys &&
                                 (inner.info.component != Component::psys || outer.top < inner.top);
      if (package_contains || psys_contains) outer.info.contains.push_back(inner.info.id);
    }
  }
}

// No zone could be used: refused when permission stopped at least one.
BackendReport unusable_report(const fs::path& base, const ZoneScan& scan,
                              const std::string& problem_text) {
  BackendReport report{std::string(kBackend), BackendState::absent, "", ""};
  if (!scan.refused.empty()) {
    report.state = BackendState::refused;
    report.reason = fmt::format(
        "energy_uj is readable by root only (Linux 5.10 and later, CVE-2020-8694 PLATYPUS): "
        "permission denied on {} zone(s), e.g. {}{}",
        scan.refused.size(), scan.refused.front(), problem_text);
    report.remedy = refusal_remedy(base);
  } else {
    report.reason = fmt::format("no readable RAPL zone in {}{}", base.string(), problem_text);
    report.remedy = std::string(kEnableRemedy);
  }
  return report;
}

// The sensor over every usable zone, and its report: packages, domains and
// the kinds of zone, then whatever was skipped or refused.
void add_sensor(const fs::path& base, ZoneScan scan, const std::string& problem_text,
                ProbeResult& result) {
  std::set<int> packages;
  int repeated_dies = 0;
  std::vector<std::string> kinds;
  std::vector<DomainInfo> domains;
  std::vector<sysfs::AttributeFile> files;
  for (auto& c : scan.candidates) {
    if (c.info.component == Component::cpu_package) packages.insert(c.place.package);
    if (c.place.same_counter_as >= 0 && !c.is_subzone) ++repeated_dies;
    std::string kind(c.info.label.substr(0, c.info.label.find(' ')));
    if (kind.starts_with("package-")) kind = "package";
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
    domains.push_back(std::move(c.info));
    files.push_back(std::move(c.file));
  }
  BackendReport report{std::string(kBackend), BackendState::active, "", ""};
  report.reason = fmt::format("{} package{}, {} domain{} ({}){}", packages.size(),
                              packages.size() == 1 ? "" : "s", domains.size(),
                              domains.size() == 1 ? "" : "s", fmt::join(kinds, ", "), problem_text);
  if (repeated_dies > 0) {
    report.reason += fmt::format(
        "; {} per-die zone(s) re-read their socket's package-scoped counter (AMD): each socket "
        "counted once",
        repeated_dies);
  }
  if (!scan.refused.empty()) {
    report.reason += fmt::format("; permission denied on {} zone(s), e.g. {}", scan.refused.size(),
                                 scan.refused.front());
    report.remedy = refusal_remedy(base);
  }
  result.sensors.push_back(std::make_unique<PowercapSensor>(std::move(domains), std::move(files)));
  result.reports.push_back(std::move(report));
}

}  // namespace

void probe_rapl_powercap(const SensorConfig& config, ProbeResult& result) {
  const fs::path base = config.sysfs_root / "class" / "powercap";
  const std::vector<Zone> zones = find_zones(base);
  if (zones.empty()) {
    result.reports.push_back({std::string(kBackend), BackendState::absent,
                              sysfs::exists(base)
                                  ? fmt::format("no intel-rapl zones in {}", base.string())
                                  : fmt::format("no {}", base.string()),
                              std::string(kEnableRemedy)});
    return;
  }

  ZoneScan scan = scan_zones(zones, sysfs::read_cpu_info(config.proc_root));
  record_nesting(scan.candidates);

  std::string problem_text;
  for (const auto& p : scan.problems) problem_text += "; skipped " + p;
  if (scan.candidates.empty()) {
    result.reports.push_back(unusable_report(base, scan, problem_text));
    return;
  }
  add_sensor(base, std::move(scan), problem_text, result);
}

}  // namespace joule::sensors

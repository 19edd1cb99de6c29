// RAPL through perf_event: the kernel's "power" PMU
// (<sysfs>/bus/event_source/devices/power) exposes energy-pkg, energy-cores,
// energy-ram, energy-gpu and energy-psys as counting events, each with a
// .scale (joules per count) and a .unit. One system-wide event is opened per
// package, on the first CPU of that package, or per die where the PMU counts
// per die (its cpumask lists several CPUs of one package). It is the fallback for when the
// powercap tree is missing or root-only but perf_event_paranoid allows
// system-wide events (or the process has CAP_PERFMON).
#include "sensors/rapl_perf.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "sensors/backends.hpp"
#include "sensors/rapl_common.hpp"
#include "sensors/sysfs.hpp"
#include "support/strings.hpp"

namespace joule::sensors {

namespace {

namespace fs = std::filesystem;
constexpr std::string_view kBackend = "rapl-perf";
// How long a lone psys counter may read 0 before it is taken as inert.
constexpr int kPsysPatienceMs = 20;
constexpr int kPsysPatienceCoarseMs = 50;
using rapl::kAmdUncertainty;
using rapl::kIntelDramUncertainty;
using rapl::kIntelUncertainty;

struct EventKind {
  std::string_view event;  // file name under events/
  Component component;
  std::string_view id_format;  // {} is the scope: "0", or "0-die-1" per die
  bool once;                   // platform-wide: open on one CPU only
};

constexpr EventKind kEvents[] = {
    {"energy-pkg", Component::cpu_package, "cpu:package-{}", false},
    {"energy-cores", Component::cpu_core, "cpu:core-{}", false},
    {"energy-gpu", Component::cpu_uncore, "cpu:uncore-{}", false},
    {"energy-ram", Component::dram, "dram:{}", false},
    {"energy-psys", Component::psys, "system:psys", true},
};

// Writes `value` into the bit ranges a PMU format file names, e.g.
// "config:0-7" or "config:0-7,32-35". Only `config` is used by RAPL.
bool deposit_bits(std::string_view format, std::uint64_t value, std::uint64_t& config,
                  std::string& error) {
  const auto colon = format.find(':');
  if (colon == std::string_view::npos || support::trim(format.substr(0, colon)) != "config") {
    error = fmt::format("unsupported format '{}'", format);
    return false;
  }
  std::string_view ranges = format.substr(colon + 1);
  while (!ranges.empty()) {
    const auto comma = ranges.find(',');
    const std::string_view range = ranges.substr(0, comma);
    ranges = comma == std::string_view::npos ? std::string_view{} : ranges.substr(comma + 1);
    const auto dash = range.find('-');
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
    if (!sysfs::parse_u64(range.substr(0, dash), lo)) return (error = "bad bit range", false);
    hi = lo;
    if (dash != std::string_view::npos && !sysfs::parse_u64(range.substr(dash + 1), hi)) {
      return (error = "bad bit range", false);
    }
    if (hi < lo || hi > 63) return (error = "bad bit range", false);
    for (std::uint64_t bit = lo; bit <= hi; ++bit) {
      if (value & 1) config |= std::uint64_t{1} << bit;
      value >>= 1;
    }
  }
  return true;
}

// Parses an event description such as "event=0x02" or "event=0x01,umask=0x1"
// into perf_event_attr::config using the PMU's format/ files.
bool parse_event_config(const fs::path& pmu, std::string_view text, std::uint64_t& config,
                        std::string& error) {
  config = 0;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view term = support::trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (term.empty()) continue;
    const auto eq = term.find('=');
    const std::string name(support::trim(term.substr(0, eq)));
    std::uint64_t value = 1;  // a bare flag term means 1
    if (eq != std::string_view::npos && !sysfs::parse_u64(term.substr(eq + 1), value)) {
      error = fmt::format("bad value in term '{}'", term);
      return false;
    }
    auto format = sysfs::read_text(pmu / "format" / name);
    std::string layout = format.ok() ? format.value : "";
    if (!format.ok()) {
      // Old kernels had no format/ directory; "event" was the raw config.
      if (name != "event") {
        error = format.error;
        return false;
      }
      layout = "config:0-63";
    }
    if (!deposit_bits(layout, value, config, error)) {
      error = fmt::format("{}: {}", (pmu / "format" / name).string(), error);
      return false;
    }
  }
  return true;
}

// The first online CPU of each package, from topology/physical_package_id;
// falls back to the PMU's cpumask (which lists one CPU per package).
std::map<int, int> first_cpu_per_package(const SensorConfig& config, const fs::path& pmu) {
  std::map<int, int> cpus;
  const fs::path cpu_root = config.sysfs_root / "devices" / "system" / "cpu";
  for (const auto& name : sysfs::list_dir(cpu_root, "cpu")) {
    std::int64_t cpu = 0;
    if (!sysfs::parse_i64(std::string_view(name).substr(3), cpu)) continue;  // cpufreq, cpuidle
    if (auto online = sysfs::read_text(cpu_root / name / "online");
        online.ok() && online.value == "0") {
      continue;
    }
    auto package = sysfs::read_i64(cpu_root / name / "topology" / "physical_package_id");
    if (!package.ok()) continue;
    cpus.emplace(static_cast<int>(package.value), static_cast<int>(cpu));  // lowest first
  }
  if (!cpus.empty()) return cpus;
  if (auto mask = sysfs::read_text(pmu / "cpumask"); mask.ok()) {
    std::string_view rest = mask.value;
    int package = 0;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      item = item.substr(0, item.find('-'));
      std::int64_t cpu = 0;
      if (sysfs::parse_i64(item, cpu)) cpus.emplace(package++, static_cast<int>(cpu));
    }
  }
  if (cpus.empty()) cpus.emplace(0, 0);
  return cpus;
}

// Where an event counts: "0" for package 0, "0-die-1" for one die of it, and
// the CPU to open it on.
struct Scope {
  std::string place;
  int cpu = 0;
};

// Every CPU of a cpumask list such as "0,28" or "0-1" (cpumap_print_list).
std::vector<int> parse_cpu_list(std::string_view list) {
  std::vector<int> cpus;
  for (const auto& item : support::split_list(list)) {
    const auto dash = item.find('-');
    std::int64_t first = 0;
    std::int64_t last = 0;
    if (!sysfs::parse_i64(item.substr(0, dash), first)) continue;
    last = first;
    if (dash != std::string_view::npos && !sysfs::parse_i64(item.substr(dash + 1), last)) continue;
    for (std::int64_t cpu = first; cpu <= last; ++cpu) cpus.push_back(static_cast<int>(cpu));
  }
  return cpus;
}

// The power PMU counts per die where the RAPL MSRs are die-scoped (Cascade
// Lake-AP: two dies per package): since Linux 5.3 ("perf/x86/intel/rapl:
// Support multi-die/package") arch/x86/events/rapl.c keeps one rapl_pmu per
// topology_logical_die_id() and its cpumask lists one CPU per die; since
// 6.13 the generic PERF_PMU_SCOPE_DIE does the same. One event per package
// would miss every die but the first. Empty where the cpumask holds one CPU
// per package (package scope, as on every single-die part and on AMD).
std::vector<Scope> die_scopes(const SensorConfig& config, const fs::path& pmu) {
  auto mask = sysfs::read_text(pmu / "cpumask");
  if (!mask.ok()) return {};
  const fs::path cpu_root = config.sysfs_root / "devices" / "system" / "cpu";
  std::vector<Scope> scopes;
  std::map<std::int64_t, int> per_package;
  for (int cpu : parse_cpu_list(support::trim(mask.value))) {
    const fs::path topology = cpu_root / fmt::format("cpu{}", cpu) / "topology";
    auto package = sysfs::read_i64(topology / "physical_package_id");
    auto die = sysfs::read_i64(topology / "die_id");
    if (!package.ok() || !die.ok()) return {};
    ++per_package[package.value];
    scopes.push_back({fmt::format("{}-die-{}", package.value, die.value), cpu});
  }
  const bool several_per_package = std::any_of(per_package.begin(), per_package.end(),
                                               [](const auto& entry) { return entry.second > 1; });
  return several_per_package ? scopes : std::vector<Scope>{};
}

std::vector<Scope> rapl_scopes(const SensorConfig& config, const fs::path& pmu) {
  if (auto dies = die_scopes(config, pmu); !dies.empty()) return dies;
  std::vector<Scope> scopes;
  for (const auto& [package, cpu] : first_cpu_per_package(config, pmu)) {
    scopes.push_back({std::to_string(package), cpu});
  }
  return scopes;
}

class PerfSensor final : public Sensor {
 public:
  struct Counter {
    // One descriptor, or one per package for psys: only the package that
    // owns psys counts, the others read 0, so their sum is the platform.
    std::vector<int> fds;
    double joules_per_count = 0;
    std::string what;  // "energy-pkg on cpu 0", for errors
    // perf descriptors refuse pread (ESPIPE) and always read the current
    // count; ordinary files (tests) need offset 0. Learnt on first read.
    bool positional = true;
  };

  PerfSensor(std::vector<DomainInfo> domains, std::vector<Counter> counters)
      : domains_(std::move(domains)), counters_(std::move(counters)) {}
  ~PerfSensor() override {
    for (const auto& c : counters_) {
      for (const int fd : c.fds) ::close(fd);
    }
  }
  PerfSensor(const PerfSensor&) = delete;
  PerfSensor& operator=(const PerfSensor&) = delete;

  std::string_view backend() const override { return kBackend; }
  const std::vector<DomainInfo>& domains() const override { return domains_; }

  void read(std::span<Reading> out) override {
    const std::size_t n = std::min(out.size(), counters_.size());
    for (std::size_t i = 0; i < n; ++i) {
      Counter& c = counters_[i];
      Reading& reading = out[i];
      std::uint64_t total = 0;
      bool ok = true;
      for (const int fd : c.fds) {
        std::uint64_t count = 0;
        if (!read_count(c, fd, count, reading.error)) {
          ok = false;
          break;
        }
        total += count;
      }
      if (ok) {
        reading.status = ReadStatus::ok;
        reading.counter = Joules{static_cast<double>(total) * c.joules_per_count};
        reading.error.clear();
      } else {
        reading.status = ReadStatus::unavailable;
      }
    }
  }

 private:
  static bool read_count(Counter& c, int fd, std::uint64_t& count, std::string& error) {
    ssize_t got = -1;
    int err = 0;
    for (;;) {
      got = c.positional ? ::pread(fd, &count, sizeof count, 0) : ::read(fd, &count, sizeof count);
      err = got < 0 ? errno : 0;
      if (err == EINTR) continue;
      if (err == ESPIPE && c.positional) {
        c.positional = false;
        continue;
      }
      break;
    }
    if (got == static_cast<ssize_t>(sizeof count)) return true;
    error = got < 0 ? fmt::format("perf {}: {}", c.what, sysfs::errno_text(err))
                    : fmt::format("perf {}: read {} of 8 bytes", c.what, got);
    return false;
  }

  std::vector<DomainInfo> domains_;
  std::vector<Counter> counters_;
};

std::string paranoid_note(const SensorConfig& config) {
  const fs::path path = config.proc_root / "sys" / "kernel" / "perf_event_paranoid";
  auto level = sysfs::read_i64(path);
  if (!level.ok()) return "";
  return fmt::format(
      " (kernel.perf_event_paranoid is {}; system-wide events need 0 or lower, "
      "or CAP_PERFMON)",
      level.value);
}

constexpr std::string_view kPermissionRemedy =
    "run as root, or grant the capability: sudo setcap cap_perfmon+ep <joule binary>, or allow "
    "system-wide events for everyone: sudo sysctl -w kernel.perf_event_paranoid=0";

// One energy event of the PMU, checked and ready to open.
struct PmuEvent {
  const EventKind* kind = nullptr;
  fs::path path;  // events/<name>
  std::uint64_t config = 0;
  double joules_per_count = 0;  // its .scale
};

// What opening the events found.
struct EventScan {
  std::vector<DomainInfo> domains;
  std::vector<PerfSensor::Counter> counters;
  std::vector<std::string> problems;
  std::string refusal;  // first permission error, verbatim
  std::vector<std::string> event_names;
};

// Reads one event's description, .scale and .unit. Nullopt when the CPU has
// no such event, or (with the reason in `problems`) when it is unusable.
std::optional<PmuEvent> read_event(const fs::path& pmu, const EventKind& kind,
                                   std::vector<std::string>& problems) {
  const fs::path events = pmu / "events";
  PmuEvent event{&kind, events / kind.event};
  auto description = sysfs::read_text(event.path);
  if (!description.ok()) return std::nullopt;  // this CPU has no such domain
  std::string error;
  if (!parse_event_config(pmu, description.value, event.config, error)) {
    problems.push_back(fmt::format("{}: {}", event.path.string(), error));
    return std::nullopt;
  }
  const fs::path scale_path = events / fmt::format("{}.scale", kind.event);
  auto scale = sysfs::read_double(scale_path);
  if (!scale.ok() || !(scale.value > 0)) {
    problems.push_back(scale.ok() ? fmt::format("{}: scale must be positive", scale_path.string())
                                  : scale.error);
    return std::nullopt;
  }
  if (auto unit = sysfs::read_text(events / fmt::format("{}.unit", kind.event));
      unit.ok() && unit.value != "Joules") {
    problems.push_back(
        fmt::format("{}.unit: expected Joules, found '{}'", event.path.string(), unit.value));
    return std::nullopt;
  }
  event.joules_per_count = scale.value;
  return event;
}

DomainInfo describe_counter(const PmuEvent& event, std::uint64_t pmu_type, std::string_view place,
                            int cpu, const sysfs::CpuInfo& cpu_info, bool amd) {
  const EventKind& kind = *event.kind;
  DomainInfo d;
  d.id = fmt::format(fmt::runtime(kind.id_format), place);
  d.label = std::string(kind.event);
  if (kind.component != Component::psys) d.label += fmt::format(" package {}", place);
  if (!cpu_info.model.empty()) d.label += fmt::format(" ({})", cpu_info.model);
  d.component = kind.component;
  d.kind = ReadingKind::energy_counter;
  d.provenance = Provenance::measured;
  // The kernel extends the 32-bit MSR to a 64-bit count: no wrap to correct.
  d.wrap_range = std::nullopt;
  d.max_power = physical_max_power(kind.component);
  d.resolution = event.joules_per_count;
  if (kind.component == Component::psys) {
    d.resolution = rapl::psys_resolution_override_j(cpu_info).value_or(d.resolution);
  }
  d.relative_uncertainty = amd                                 ? kAmdUncertainty
                           : kind.component == Component::dram ? kIntelDramUncertainty
                                                               : kIntelUncertainty;
  d.source = fmt::format("perf_event type {} config {:#x} cpu {} ({})", pmu_type, event.config, cpu,
                         event.path.string());
  return d;
}

// Opens the event on the first CPU of each package, adding a domain and a
// counter for each success. A platform-wide event (psys) is opened on every
// package too, into one domain that sums them: only the package that owns
// psys reads a value, and it need not be package 0 (arch/x86/events/rapl.c,
// "perf/x86/rapl: Fix psys-energy event on Intel SPR platform").
void open_on_packages(const PmuEvent& event, std::uint64_t pmu_type,
                      const std::vector<Scope>& scopes, const sysfs::CpuInfo& cpu_info, bool amd,
                      const PerfEventOpen& open_event, EventScan& scan) {
  const EventKind& kind = *event.kind;
  perf_event_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.type = static_cast<std::uint32_t>(pmu_type);
  attr.config = event.config;

  PerfSensor::Counter platform{{}, event.joules_per_count, std::string(kind.event), true};
  std::vector<int> platform_cpus;
  for (const auto& [place, cpu] : scopes) {
    const int fd = open_event(attr, cpu);
    if (fd < 0) {
      const int err = errno;
      const std::string what =
          fmt::format("perf_event_open({}, cpu {}): {}", kind.event, cpu, sysfs::errno_text(err));
      if (sysfs::is_permission_error(err)) {
        if (scan.refusal.empty()) scan.refusal = what;
      } else {
        scan.problems.push_back(what);
      }
      continue;
    }
    if (kind.once) {
      platform.fds.push_back(fd);
      platform_cpus.push_back(cpu);
      continue;
    }
    scan.domains.push_back(describe_counter(event, pmu_type, place, cpu, cpu_info, amd));
    scan.counters.push_back(
        {{fd}, event.joules_per_count, fmt::format("{} on cpu {}", kind.event, cpu), true});
    if (scan.event_names.empty() || scan.event_names.back() != kind.event) {
      scan.event_names.emplace_back(kind.event);
    }
  }
  if (!platform.fds.empty()) {
    DomainInfo d = describe_counter(event, pmu_type, "0", platform_cpus.front(), cpu_info, amd);
    d.source = fmt::format("perf_event type {} config {:#x} cpus {} summed ({})", pmu_type,
                           event.config, fmt::join(platform_cpus, ","), event.path.string());
    scan.domains.push_back(std::move(d));
    scan.counters.push_back(std::move(platform));
    scan.event_names.emplace_back(kind.event);
  }
}

// perf's psys cannot be known to count: packages other than the owner, and
// every package when the BIOS disables psys, read 0. Made to contain the
// packages and dram it would zero the total, so beside them it is left out.
void drop_psys_beside_packages(EventScan& scan) {
  const auto is_psys = [](const DomainInfo& d) { return d.component == Component::psys; };
  const bool has_packages = std::any_of(scan.domains.begin(), scan.domains.end(),
                                        [&](const DomainInfo& d) { return !is_psys(d); });
  if (!has_packages) return;
  for (std::size_t i = 0; i < scan.domains.size();) {
    if (!is_psys(scan.domains[i])) {
      ++i;
      continue;
    }
    for (const int fd : scan.counters[i].fds) ::close(fd);
    scan.domains.erase(scan.domains.begin() + static_cast<std::ptrdiff_t>(i));
    scan.counters.erase(scan.counters.begin() + static_cast<std::ptrdiff_t>(i));
    std::erase(scan.event_names, "energy-psys");
    scan.problems.push_back(
        "energy-psys left out: perf reads 0 for it on all but the package that owns psys, and "
        "on all when the BIOS disables it, so it cannot stand for the packages and dram");
  }
}

// Nesting as in powercap: a package holds its cores and uncore; psys holds all.
void record_nesting(std::vector<DomainInfo>& domains, const std::vector<Scope>& scopes) {
  std::map<std::string, std::string> package_of;
  for (const auto& scope : scopes) {
    package_of[fmt::format("cpu:core-{}", scope.place)] = scope.place;
    package_of[fmt::format("cpu:uncore-{}", scope.place)] = scope.place;
  }
  for (auto& outer : domains) {
    for (const auto& inner : domains) {
      if (&outer == &inner) continue;
      const auto it = package_of.find(inner.id);
      const bool package_contains = outer.component == Component::cpu_package &&
                                    it != package_of.end() &&
                                    outer.id == fmt::format("cpu:package-{}", it->second);
      const bool psys_contains =
          outer.component == Component::psys && inner.component != Component::psys;
      if (package_contains || psys_contains) outer.contains.push_back(inner.id);
    }
  }
}

// Both paths read the same MSRs; probing both would count every joule twice.
bool powercap_found(const ProbeResult& result) {
  for (const auto& sensor : result.sensors) {
    if (sensor->backend() == "rapl-powercap" && !sensor->domains().empty()) return true;
  }
  return false;
}

// No event could be opened: refused when permission stopped at least one.
BackendReport unusable_report(const SensorConfig& config, const fs::path& pmu,
                              const EventScan& scan, const std::string& problem_text) {
  BackendReport report{std::string(kBackend), BackendState::absent, "", ""};
  if (!scan.refusal.empty()) {
    report.state = BackendState::refused;
    report.reason = scan.refusal + paranoid_note(config) + problem_text;
    report.remedy = std::string(kPermissionRemedy);
  } else {
    report.reason =
        fmt::format("no usable RAPL event in {}{}", (pmu / "events").string(), problem_text);
    report.remedy = "this CPU's RAPL PMU exposes no energy event the kernel can count";
  }
  return report;
}

// psys alone can be an event that never counts: the BIOS may disable it, and
// a hypervisor may expose the PMU without backing it (this reads 0 J on such
// VMs while the CPU burns). Every real platform draws watts, so a counter
// that stays at 0 for `patience` is left out rather than reported as 0 W.
// RAPL updates about every millisecond; psys in whole joules (Sapphire
// Rapids) needs longer to step.
bool psys_alone_stays_at_zero(PerfSensor& sensor) {
  const auto& domains = sensor.domains();
  const bool psys_alone = std::all_of(domains.begin(), domains.end(), [](const DomainInfo& d) {
    return d.component == Component::psys;
  });
  if (!psys_alone) return false;
  const bool coarse = std::any_of(domains.begin(), domains.end(),
                                  [](const DomainInfo& d) { return d.resolution >= 1.0; });
  const auto patience = std::chrono::milliseconds(coarse ? kPsysPatienceCoarseMs : kPsysPatienceMs);
  const auto deadline = std::chrono::steady_clock::now() + patience;
  std::vector<Reading> readings(domains.size());
  for (;;) {
    sensor.read(readings);
    for (const auto& r : readings) {
      if (r.status != ReadStatus::ok || r.counter.joules != 0) return false;
    }
    if (std::chrono::steady_clock::now() >= deadline) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// The sensor over every opened counter, and its report: packages, domains
// and events, then whatever failed or was refused.
void add_sensor(const SensorConfig& config, std::size_t scope_count, std::string_view scope_noun,
                EventScan scan, const std::string& problem_text, ProbeResult& result) {
  BackendReport report{std::string(kBackend), BackendState::active, "", ""};
  report.reason = fmt::format("{} {}{}, {} domain{} ({}){}", scope_count, scope_noun,
                              scope_count == 1 ? "" : "s", scan.domains.size(),
                              scan.domains.size() == 1 ? "" : "s",
                              fmt::join(scan.event_names, ", "), problem_text);
  if (!scan.refusal.empty()) {
    report.reason += "; " + scan.refusal + paranoid_note(config);
    report.remedy = std::string(kPermissionRemedy);
  }
  auto sensor = std::make_unique<PerfSensor>(std::move(scan.domains), std::move(scan.counters));
  if (psys_alone_stays_at_zero(*sensor)) {
    report.state = BackendState::absent;
    report.reason = fmt::format(
        "energy-psys read 0 J for {} ms after it was opened: the BIOS disables psys, or a "
        "hypervisor exposes the event without counting{}",
        sensor->domains().front().resolution >= 1.0 ? kPsysPatienceCoarseMs : kPsysPatienceMs,
        problem_text);
    report.remedy =
        "nothing to enable here: on a VM ask the provider for RAPL pass-through; the estimator "
        "models the CPU meanwhile";
    result.reports.push_back(std::move(report));
    return;
  }
  result.sensors.push_back(std::move(sensor));
  result.reports.push_back(std::move(report));
}

}  // namespace

int system_perf_event_open(const perf_event_attr& attr, int cpu) {
  perf_event_attr copy = attr;
  return static_cast<int>(::syscall(SYS_perf_event_open, &copy, /*pid=*/-1, cpu, /*group_fd=*/-1,
                                    PERF_FLAG_FD_CLOEXEC));
}

void probe_rapl_perf_with(const SensorConfig& config, ProbeResult& result,
                          const PerfEventOpen& open_event) {
  if (powercap_found(result)) {
    result.reports.push_back({std::string(kBackend), BackendState::absent,
                              "not needed: rapl-powercap already reads these domains", ""});
    return;
  }

  const fs::path pmu = config.sysfs_root / "bus" / "event_source" / "devices" / "power";
  auto type = sysfs::read_u64(pmu / "type");
  if (!type.ok()) {
    result.reports.push_back(
        {std::string(kBackend), BackendState::absent,
         sysfs::exists(pmu) ? type.error : fmt::format("no {}", pmu.string()),
         "the kernel has no RAPL perf PMU: load it with sudo modprobe rapl (Intel; AMD Zen needs "
         "Linux 5.8 or later); in a VM the hypervisor usually hides RAPL"});
    return;
  }

  const sysfs::CpuInfo cpu_info = sysfs::read_cpu_info(config.proc_root);
  const bool amd = cpu_info.vendor == "AuthenticAMD" || cpu_info.vendor == "HygonGenuine";
  const std::vector<Scope> scopes = rapl_scopes(config, pmu);

  EventScan scan;
  for (const EventKind& kind : kEvents) {
    if (auto event = read_event(pmu, kind, scan.problems)) {
      open_on_packages(*event, type.value, scopes, cpu_info, amd, open_event, scan);
    }
  }
  drop_psys_beside_packages(scan);
  record_nesting(scan.domains, scopes);

  std::string problem_text;
  for (const auto& p : scan.problems) problem_text += "; " + p;
  if (scan.domains.empty()) {
    result.reports.push_back(unusable_report(config, pmu, scan, problem_text));
    return;
  }
  const bool per_die = scopes.front().place.find("-die-") != std::string::npos;
  add_sensor(config, scopes.size(), per_die ? "die" : "package", std::move(scan), problem_text,
             result);
}

void probe_rapl_perf(const SensorConfig& config, ProbeResult& result) {
  probe_rapl_perf_with(config, result, system_perf_event_open);
}

}  // namespace joule::sensors

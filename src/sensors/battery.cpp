// Battery discharge: <sysfs>/class/power_supply/<name> with type "Battery".
// On battery (status Discharging and no "Mains" supply online), the power it
// delivers is what the whole machine draws: power_now (uW), or current_now
// (uA) x voltage_now (uV) where the gauge gives no power. Anywhere else the
// battery carries none or only part of the draw (charge_behaviour
// "force-discharge" reports Discharging while AC is attached, see
// Documentation/ABI/testing/sysfs-class-power), so readings are unavailable,
// with the reason, until the machine runs on battery again.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sensors/backends.hpp"
#include "sensors/sysfs.hpp"

namespace joule::sensors {

namespace {

namespace fs = std::filesystem;
constexpr std::string_view kBackend = "battery";

// Fuel gauges are calibrated to a few %, but many firmwares update power_now
// only every few seconds and average it, so short intervals are rough.
constexpr double kBatteryUncertainty = 0.10;

struct Battery {
  DomainInfo info;
  sysfs::AttributeFile status;
  sysfs::AttributeFile power_uw;    // power_now, when it reads
  sysfs::AttributeFile current_ua;  // else current_now x voltage_now
  sysfs::AttributeFile voltage_uv;
};

// The `online` flags of the Mains supplies (drivers/acpi/ac.c and chargers).
using MainsFlags = std::vector<sysfs::AttributeFile>;

// Whether any mains supply says it is online; `path` names the one.
bool mains_online(const MainsFlags& mains, std::string& path) {
  for (const auto& flag : mains) {
    std::int64_t online = 0;
    std::string error;
    if (flag.read_i64(online, error) && online != 0) {
      path = flag.path();
      return true;
    }
  }
  return false;
}

bool read_watts(const Battery& b, double& watts, std::string& error) {
  if (b.power_uw.is_open()) {
    std::int64_t uw = 0;
    if (!b.power_uw.read_i64(uw, error)) return false;
    watts = static_cast<double>(uw) * 1e-6;
  } else {
    std::int64_t ua = 0;
    std::int64_t uv = 0;
    if (!b.current_ua.read_i64(ua, error)) return false;
    if (!b.voltage_uv.read_i64(uv, error)) return false;
    watts = static_cast<double>(ua) * 1e-6 * static_cast<double>(uv) * 1e-6;
  }
  // Some drivers sign the flow (negative = discharging); the draw is its size.
  watts = std::fabs(watts);
  return true;
}

// Why the battery does not carry the machine's whole draw now, or empty when
// it does (discharging with no mains online).
std::string not_on_battery(const Battery& b, const MainsFlags& mains) {
  char buffer[64];
  std::string_view status;
  std::string error;
  if (!b.status.read_text(status, buffer, sizeof buffer, error)) return error;
  if (status != "Discharging") {
    return fmt::format("{} is {}: a battery shows the machine's draw only while discharging",
                       b.info.id, status);
  }
  if (std::string path; mains_online(mains, path)) {
    return fmt::format(
        "{} is Discharging but {} says the mains supply is online: the battery then carries only "
        "part of the machine's draw",
        b.info.id, path);
  }
  return {};
}

class BatterySensor final : public Sensor {
 public:
  BatterySensor(std::vector<Battery> batteries, MainsFlags mains)
      : batteries_(std::move(batteries)), mains_(std::move(mains)) {
    for (const auto& b : batteries_) domains_.push_back(b.info);
  }

  std::string_view backend() const override { return kBackend; }
  const std::vector<DomainInfo>& domains() const override { return domains_; }

  void read(std::span<Reading> out) override {
    const std::size_t n = std::min(out.size(), batteries_.size());
    for (std::size_t i = 0; i < n; ++i) read_one(batteries_[i], out[i]);
  }

 private:
  void read_one(const Battery& b, Reading& reading) const {
    reading.status = ReadStatus::unavailable;
    reading.error = not_on_battery(b, mains_);
    if (!reading.error.empty()) return;
    double watts = 0;
    if (!read_watts(b, watts, reading.error)) return;
    reading.power = Watts{watts};
    reading.status = ReadStatus::ok;
    reading.error.clear();
  }

  std::vector<Battery> batteries_;
  MainsFlags mains_;
  std::vector<DomainInfo> domains_;
};

MainsFlags open_mains_flags(const fs::path& base) {
  MainsFlags mains;
  for (const auto& name : sysfs::list_dir(base)) {
    auto type = sysfs::read_text(base / name / "type");
    if (!type.ok() || type.value != "Mains") continue;
    if (auto online = sysfs::AttributeFile::open(base / name / "online"); online.ok()) {
      mains.push_back(std::move(online.value));
    }
  }
  return mains;
}

// Picks power_now when it reads now, else current_now x voltage_now when they
// read; ACPI fails power_now with ENODEV while the firmware's rate is unknown
// (drivers/acpi/battery.c). Returns why neither reads, or empty.
std::string choose_power_source(Battery& b) {
  double watts = 0;
  std::string power_error;
  if (b.power_uw.is_open() && read_watts(b, watts, power_error)) {
    b.current_ua = {};
    b.voltage_uv = {};
    return {};
  }
  if (b.current_ua.is_open() && b.voltage_uv.is_open()) {
    sysfs::AttributeFile power = std::move(b.power_uw);
    b.power_uw = {};
    std::string error;
    if (read_watts(b, watts, error)) return {};
    // Neither reads now: keep power_now, the finer source, for later reads.
    if (power.is_open()) b.power_uw = std::move(power);
    return power_error.empty() ? error : power_error;
  }
  return power_error;
}

void describe(Battery& b, const std::string& name, const fs::path& dir) {
  DomainInfo& d = b.info;
  d.id = fmt::format("battery:{}", name);
  d.label = name;
  for (const char* field : {"manufacturer", "model_name"}) {
    if (auto v = sysfs::read_text(dir / field); v.ok() && !v.value.empty()) {
      d.label += " " + v.value;
    }
  }
  d.component = Component::battery;
  d.kind = ReadingKind::power;
  d.provenance = Provenance::measured;
  d.resolution = b.power_uw.is_open() ? 1e-6 : 1e-5;  // 1 uA at ~10 V
  d.relative_uncertainty = kBatteryUncertainty;
  d.source = b.power_uw.is_open()
                 ? b.power_uw.path()
                 : fmt::format("{} x {}", b.current_ua.path(), b.voltage_uv.path());
}

// At discovery, empty when the battery measures the whole machine now; else
// a short why ("Charging", "Discharging with <path> online", ...).
std::string discovery_state(const Battery& b, const MainsFlags& mains,
                            const std::string& unreadable) {
  char buffer[64];
  std::string_view status;
  std::string error;
  if (!b.status.read_text(status, buffer, sizeof buffer, error)) return error;
  if (status != "Discharging") return std::string(status.empty() ? "Unknown" : status);
  if (std::string path; mains_online(mains, path)) {
    return fmt::format("Discharging with the mains supply online ({})", path);
  }
  if (!unreadable.empty()) return fmt::format("Discharging, but unreadable ({})", unreadable);
  return {};
}

// What the walk over power_supply found, for the sensor and its report.
struct BatteryScan {
  std::vector<Battery> batteries;
  std::vector<std::string> notes;     // skipped, and why
  std::vector<std::string> refused;   // permission errors
  std::vector<std::string> states;    // one line per battery kept
  std::vector<std::string> left_out;  // plugged in beside other domains
};

std::vector<std::string> domain_ids_so_far(const ProbeResult& result) {
  std::vector<std::string> ids;
  for (const auto& sensor : result.sensors) {
    for (const auto& d : sensor->domains()) ids.push_back(d.id);
  }
  return ids;
}

// A system battery's attribute files, and which power reading would not read
// (empty when both do).
struct OpenedBattery {
  Battery battery;
  std::string unreadable;
};

// A system battery, or nullopt with the reason noted. Mice and headsets
// report their batteries here too, with scope Device.
std::optional<OpenedBattery> open_battery(const fs::path& dir, const std::string& name,
                                          BatteryScan& scan) {
  auto type = sysfs::read_text(dir / "type");
  if (!type.ok() || type.value != "Battery") return std::nullopt;
  if (auto scope = sysfs::read_text(dir / "scope"); scope.ok() && scope.value == "Device") {
    return std::nullopt;
  }
  Battery b;
  auto open = [&](const char* file, sysfs::AttributeFile& into) {
    auto opened = sysfs::AttributeFile::open(dir / file);
    if (opened.ok()) {
      into = std::move(opened.value);
    } else if (sysfs::is_permission_error(opened.errno_value)) {
      scan.refused.push_back(opened.error);
    }
    return opened.ok();
  };
  if (!open("status", b.status)) {
    scan.notes.push_back(fmt::format("{}: no readable status", name));
    return std::nullopt;
  }
  const bool has_power = open("power_now", b.power_uw);
  const bool has_current = open("current_now", b.current_ua) && open("voltage_now", b.voltage_uv);
  if (!has_power && !has_current) {
    scan.notes.push_back(
        fmt::format("{}: neither power_now nor current_now and voltage_now", name));
    return std::nullopt;
  }
  std::string unreadable = choose_power_source(b);
  describe(b, name, dir);
  return OpenedBattery{std::move(b), std::move(unreadable)};
}

// Keeps the battery, or leaves it out, by whether it discharges now.
void place_battery(Battery b, const std::string& name, const std::string& why_not,
                   const std::vector<std::string>& prior_ids, BatteryScan& scan) {
  if (why_not.empty()) {
    // On battery, discharge is the whole machine's draw: it contains every
    // domain found so far (CPU packages, GPUs, board rails), which leave
    // the total while the battery makes it.
    b.info.contains = prior_ids;
    scan.states.push_back(
        fmt::format("{} discharging on battery: measures the whole machine", name));
  } else if (prior_ids.empty()) {
    scan.states.push_back(
        fmt::format("{} {}: readings unavailable until it discharges on battery", name, why_not));
  } else {
    // The meter fixes which domains make the total when it starts. Once on
    // battery, this one would contain those found earlier, so counting it
    // beside them would count the machine twice.
    scan.left_out.push_back(fmt::format(
        "{} {}: left out, because once on battery its draw would contain {} and count them again",
        name, why_not, fmt::join(prior_ids, ", ")));
    return;
  }
  scan.batteries.push_back(std::move(b));
}

BackendReport report_without_battery(const BatteryScan& scan, const fs::path& base,
                                     const std::string& note_text) {
  BackendReport report{std::string(kBackend), BackendState::absent, "", ""};
  if (!scan.left_out.empty()) {
    report.reason = fmt::format("{}{}", fmt::join(scan.left_out, "; "), note_text);
    report.remedy =
        "unplug the charger before joule starts to measure the whole machine from the battery";
  } else if (!scan.refused.empty()) {
    report.state = BackendState::refused;
    report.reason = fmt::format("{}{}", scan.refused.front(), note_text);
    report.remedy = "run as root, or make the power_supply attributes readable";
  } else {
    report.reason = fmt::format("no battery in {}{}", base.string(), note_text);
    report.remedy =
        "only laptops and other battery-powered machines have one; on a desktop or server, use "
        "RAPL, NVML or hwmon";
  }
  return report;
}

}  // namespace

void probe_battery(const SensorConfig& config, ProbeResult& result) {
  const fs::path base = config.sysfs_root / "class" / "power_supply";
  const std::vector<std::string> prior_ids = domain_ids_so_far(result);
  MainsFlags mains = open_mains_flags(base);
  BatteryScan scan;
  for (const auto& name : sysfs::list_dir(base)) {
    const fs::path dir = base / name;
    std::optional<OpenedBattery> opened = open_battery(dir, name, scan);
    if (!opened) continue;
    const std::string why_not = discovery_state(opened->battery, mains, opened->unreadable);
    place_battery(std::move(opened->battery), name, why_not, prior_ids, scan);
  }
  scan.states.insert(scan.states.end(), scan.left_out.begin(), scan.left_out.end());

  std::string note_text;
  for (const auto& n : scan.notes) note_text += "; skipped " + n;
  if (scan.batteries.empty()) {
    result.reports.push_back(report_without_battery(scan, base, note_text));
    return;
  }
  result.reports.push_back({std::string(kBackend), BackendState::active,
                            fmt::format("{}{}", fmt::join(scan.states, "; "), note_text), ""});
  result.sensors.push_back(
      std::make_unique<BatterySensor>(std::move(scan.batteries), std::move(mains)));
}

}  // namespace joule::sensors

// Battery discharge: <sysfs>/class/power_supply/<name> with type "Battery".
// While the battery is discharging, the power it delivers is what the whole
// machine draws: power_now (uW), or current_now (uA) x voltage_now (uV) where
// the fuel gauge gives no power. While charging or full the machine runs on
// the charger and the battery says nothing about its draw, so readings are
// unavailable (with the status as the reason) until it discharges again.
#include <cmath>

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
  sysfs::AttributeFile power_uw;    // power_now, when present
  sysfs::AttributeFile current_ua;  // else current_now x voltage_now
  sysfs::AttributeFile voltage_uv;
};

class BatterySensor final : public Sensor {
 public:
  explicit BatterySensor(std::vector<Battery> batteries) : batteries_(std::move(batteries)) {
    for (const auto& b : batteries_) domains_.push_back(b.info);
  }

  std::string_view backend() const override { return kBackend; }
  const std::vector<DomainInfo>& domains() const override { return domains_; }

  void read(std::span<Reading> out) override {
    const std::size_t n = std::min(out.size(), batteries_.size());
    for (std::size_t i = 0; i < n; ++i) read_one(batteries_[i], out[i]);
  }

 private:
  static void read_one(const Battery& b, Reading& reading) {
    reading.status = ReadStatus::unavailable;
    char buffer[64];
    std::string_view status;
    if (!b.status.read_text(status, buffer, sizeof buffer, reading.error)) return;
    if (status != "Discharging") {
      reading.error = fmt::format(
          "{} is {}: a battery shows the machine's draw only while discharging", b.info.id, status);
      return;
    }
    double watts = 0;
    if (b.power_uw.is_open()) {
      std::int64_t uw = 0;
      if (!b.power_uw.read_i64(uw, reading.error)) return;
      watts = static_cast<double>(uw) * 1e-6;
    } else {
      std::int64_t ua = 0;
      std::int64_t uv = 0;
      if (!b.current_ua.read_i64(ua, reading.error)) return;
      if (!b.voltage_uv.read_i64(uv, reading.error)) return;
      watts = static_cast<double>(ua) * 1e-6 * static_cast<double>(uv) * 1e-6;
    }
    // Some drivers sign the flow (negative = discharging); the draw is its size.
    reading.power = Watts{std::fabs(watts)};
    reading.status = ReadStatus::ok;
    reading.error.clear();
  }

  std::vector<Battery> batteries_;
  std::vector<DomainInfo> domains_;
};

}  // namespace

void probe_battery(const SensorConfig& config, ProbeResult& result) {
  const fs::path base = config.sysfs_root / "class" / "power_supply";
  BackendReport report{std::string(kBackend), BackendState::absent, "", ""};
  const std::string no_battery_remedy =
      "only laptops and other battery-powered machines have one; on a desktop or server, use RAPL, "
      "NVML or hwmon";

  std::vector<std::string> prior_ids;
  for (const auto& sensor : result.sensors) {
    for (const auto& d : sensor->domains()) prior_ids.push_back(d.id);
  }

  std::vector<Battery> batteries;
  std::vector<std::string> notes;
  std::vector<std::string> refused;
  std::vector<std::string> states;
  for (const auto& name : sysfs::list_dir(base)) {
    const fs::path dir = base / name;
    auto type = sysfs::read_text(dir / "type");
    if (!type.ok() || type.value != "Battery") continue;
    // Mice and headsets report their batteries here too, with scope Device.
    if (auto scope = sysfs::read_text(dir / "scope"); scope.ok() && scope.value == "Device") {
      continue;
    }
    Battery b;
    auto open = [&](const char* file, sysfs::AttributeFile& into) {
      auto opened = sysfs::AttributeFile::open(dir / file);
      if (opened.ok()) {
        into = std::move(opened.value);
      } else if (sysfs::is_permission_error(opened.errno_value)) {
        refused.push_back(opened.error);
      }
      return opened.ok();
    };
    if (!open("status", b.status)) {
      notes.push_back(fmt::format("{}: no readable status", name));
      continue;
    }
    fs::path source;
    if (open("power_now", b.power_uw)) {
      source = dir / "power_now";
    } else if (open("current_now", b.current_ua) && open("voltage_now", b.voltage_uv)) {
      source = dir / "current_now";
    } else {
      notes.push_back(fmt::format("{}: neither power_now nor current_now and voltage_now", name));
      continue;
    }
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
                   ? source.string()
                   : fmt::format("{} x {}", source.string(), (dir / "voltage_now").string());
    char buffer[64];
    std::string_view status;
    std::string error;
    const bool discharging =
        b.status.read_text(status, buffer, sizeof buffer, error) && status == "Discharging";
    if (discharging) {
      // Discharge is the whole machine's draw: it includes every domain
      // found so far (CPU packages, GPUs, board rails), so those leave the
      // total. Only when discharging at discovery: on the charger the battery
      // reads nothing, and claiming the other domains would leave a plugged-in
      // laptop with no total at all (the meter's disjoint set is fixed at
      // construction). A run that changes power source midway is flagged by
      // the meter's unavailable-reading warning.
      d.contains = prior_ids;
      states.push_back(fmt::format("{} discharging", name));
    } else {
      states.push_back(fmt::format(
          "{} {}: readings unavailable until it discharges (other domains make the total "
          "meanwhile)",
          name,
          status.empty() ? std::string(error.empty() ? "Unknown" : error) : std::string(status)));
    }
    batteries.push_back(std::move(b));
  }

  std::string note_text;
  for (const auto& n : notes) note_text += "; skipped " + n;
  if (batteries.empty()) {
    if (!refused.empty()) {
      report.state = BackendState::refused;
      report.reason = fmt::format("{}{}", refused.front(), note_text);
      report.remedy = "run as root, or make the power_supply attributes readable";
    } else {
      report.reason = fmt::format("no battery in {}{}", base.string(), note_text);
      report.remedy = no_battery_remedy;
    }
    result.reports.push_back(std::move(report));
    return;
  }
  report.state = BackendState::active;
  report.reason = fmt::format("{}{}", fmt::join(states, "; "), note_text);
  result.sensors.push_back(std::make_unique<BatterySensor>(std::move(batteries)));
  result.reports.push_back(std::move(report));
}

}  // namespace joule::sensors

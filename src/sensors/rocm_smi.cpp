// AMD GPUs through ROCm SMI, loaded at run time (see rocm_smi_library.hpp).
//
// Each GPU is one domain `gpu:amd-N`. As with NVML we prefer the board's
// accumulated energy counter (rsmi_dev_energy_count_get), which the firmware
// integrates itself; where it is missing we fall back to a power reading
// (rsmi_dev_current_socket_power_get on ROCm 6, else rsmi_dev_power_ave_get),
// which the meter integrates between samples.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "joule/sensor.hpp"
#include "sensors/backends.hpp"
#include "sensors/failure_streak.hpp"
#include "sensors/rocm_smi_library.hpp"

namespace joule::sensors {

namespace {

constexpr std::string_view kBackend = "rocm-smi";

// Uncertainty. AMD documents no accuracy for either reading. Both come from
// the SMU's power estimate, which on Instinct boards is calibrated against
// on-board current sensing; we state the same 5 % as NVML's counter for the
// counter and 10 % for the power fallback, whose averaging window (the
// firmware's, unpublished) smears bursts across our samples.
constexpr double kCounterRelativeUncertainty = 0.05;
constexpr double kPowerRelativeUncertainty = 0.10;
constexpr double kPowerResolutionWatts = 1e-6;  // microwatts
constexpr double kMicro = 1e-6;

// ROCm SMI has no GPU_IS_LOST: a board that left the bus shows as reads
// failing from then on, which the failure streak turns into gone.

enum class Source { energy_counter, socket_power, average_power };

struct Gpu {
  std::uint32_t index = 0;
  Source source = Source::energy_counter;
  double resolution_j = 0;  // joules per counter step
  FailureStreak failures;
};

class RocmSmiSensor final : public Sensor {
 public:
  RocmSmiSensor(std::shared_ptr<rocm_smi::Library> library, std::vector<DomainInfo> domains,
                std::vector<Gpu> gpus)
      : library_(std::move(library)), domains_(std::move(domains)), gpus_(std::move(gpus)) {}

  std::string_view backend() const override { return kBackend; }
  const std::vector<DomainInfo>& domains() const override { return domains_; }

  void read(std::span<Reading> out) override {
    read_each_device(out, gpus_.size(), [this](std::size_t i) { return read_one(i); });
  }

 private:
  rocm_smi::Status read_value(const Gpu& gpu, Reading& reading) const {
    if (gpu.source == Source::energy_counter) {
      rocm_smi::EnergyCount energy;
      const rocm_smi::Status code = library_->energy_count(gpu.index, energy);
      reading.counter = Joules{static_cast<double>(energy.count) * gpu.resolution_j};
      return code;
    }
    std::uint64_t power_uw = 0;
    const rocm_smi::Status code = gpu.source == Source::socket_power
                                      ? library_->current_socket_power_uw(gpu.index, power_uw)
                                      : library_->average_power_uw(gpu.index, power_uw);
    reading.power = Watts{static_cast<double>(power_uw) * kMicro};
    return code;
  }

  Reading read_one(std::size_t slot) {
    Gpu& gpu = gpus_[slot];
    if (gpu.failures.gone()) return gpu.failures.gone_reading();
    Reading reading;
    const rocm_smi::Status code = read_value(gpu, reading);
    if (code == rocm_smi::kSuccess) {
      gpu.failures.succeeded();
      return reading;
    }
    return gpu.failures.failed(fmt::format("{} {}: {} (rsmi_status_t {})", domains_[slot].id,
                                           domains_[slot].label, library_->status_string(code),
                                           code));
  }

  std::shared_ptr<rocm_smi::Library> library_;
  std::vector<DomainInfo> domains_;
  std::vector<Gpu> gpus_;
};

BackendReport open_failure_report(const std::string& path, const rocm_smi::OpenError& error) {
  BackendReport report{std::string(kBackend), BackendState::absent, "", ""};
  switch (error.kind) {
    case rocm_smi::OpenError::Kind::library_not_found:
      report.reason = fmt::format("cannot load {}: {}", path, error.message);
      report.remedy =
          "install ROCm SMI (Debian: librocm-smi64-1), or set JOULE_ROCM_SMI_LIBRARY to the path "
          "of librocm_smi64.so.1";
      break;
    case rocm_smi::OpenError::Kind::missing_symbol:
      report.reason = fmt::format("{} lacks {} (not ROCm SMI?)", path, error.message);
      report.remedy = "point JOULE_ROCM_SMI_LIBRARY at ROCm SMI's librocm_smi64.so.1";
      break;
    case rocm_smi::OpenError::Kind::init_failed:
      report.reason =
          fmt::format("rsmi_init failed: {} (rsmi_status_t {})", error.message, error.code);
      if (error.code == rocm_smi::kPermission) {
        report.state = BackendState::refused;
        report.remedy = "give this user access to /dev/kfd and /dev/dri (the render group)";
      } else {
        report.remedy = "load the amdgpu kernel driver (`rocm-smi` should list the GPUs)";
      }
      break;
  }
  return report;
}

// Picks the reading: the counter, else the newest power call that answers.
// `note` says which, or why the GPU was left out.
bool choose_source(const rocm_smi::Library& library, Gpu& gpu, DomainInfo& domain,
                   std::string& note) {
  rocm_smi::EnergyCount energy;
  const rocm_smi::Status counter_code = library.energy_count(gpu.index, energy);
  if (counter_code == rocm_smi::kSuccess && energy.resolution_uj > 0) {
    gpu.source = Source::energy_counter;
    gpu.resolution_j = energy.resolution_uj * kMicro;
    domain.kind = ReadingKind::energy_counter;
    domain.resolution = gpu.resolution_j;
    domain.relative_uncertainty = kCounterRelativeUncertainty;
    // A 64-bit count of `resolution` steps: wraps, in principle, at 2^64.
    domain.wrap_range = Joules{std::ldexp(gpu.resolution_j, 64)};
    note += fmt::format(": energy counter, {:g} uJ per count", energy.resolution_uj);
    return true;
  }
  const std::string counter_error = counter_code == rocm_smi::kSuccess
                                        ? std::string("resolution 0")
                                        : library.status_string(counter_code);
  std::uint64_t power_uw = 0;
  rocm_smi::Status code = library.current_socket_power_uw(gpu.index, power_uw);
  gpu.source = Source::socket_power;
  const char* power_kind = "rsmi_dev_current_socket_power_get";
  if (code != rocm_smi::kSuccess) {
    code = library.average_power_uw(gpu.index, power_uw);
    gpu.source = Source::average_power;
    power_kind = "rsmi_dev_power_ave_get";
  }
  if (code != rocm_smi::kSuccess) {
    note += fmt::format(" skipped: energy counter: {}; power: {}", counter_error,
                        library.status_string(code));
    return false;
  }
  domain.kind = ReadingKind::power;
  domain.resolution = kPowerResolutionWatts;
  domain.relative_uncertainty = kPowerRelativeUncertainty;
  note += fmt::format(": power only (energy counter: {}), from {}, integrated", counter_error,
                      power_kind);
  return true;
}

std::optional<DomainInfo> describe_gpu(const rocm_smi::Library& library, std::uint32_t index,
                                       Gpu& gpu, std::string& note) {
  gpu.index = index;
  std::string name = "AMD GPU";
  library.device_name(index, name);  // cosmetic: keep the default on failure
  std::string pci;
  const bool has_pci = library.pci_address(index, pci) == rocm_smi::kSuccess;

  DomainInfo domain;
  domain.id = fmt::format("gpu:amd-{}", index);
  domain.label = name;
  domain.component = Component::gpu;
  domain.provenance = Provenance::measured;
  domain.pci_address = has_pci ? pci : "";
  domain.source = fmt::format("{} device {}{}", library.path(), index,
                              has_pci ? fmt::format(" (PCI {})", pci) : "");
  domain.max_power = physical_max_power(Component::gpu);
  note = fmt::format("{} {}", domain.id, name);
  if (!choose_source(library, gpu, domain, note)) return std::nullopt;
  std::uint64_t cap_uw = 0;
  if (library.power_cap_uw(index, cap_uw) == rocm_smi::kSuccess && cap_uw > 0) {
    note += fmt::format(", cap {:g} W", static_cast<double>(cap_uw) * kMicro);
  }
  return domain;
}

}  // namespace

void probe_rocm_smi(const SensorConfig& config, ProbeResult& result) {
  // ROCm SMI reads amdgpu's sysfs files. Without the module there is nothing
  // to read, and rsmi_init would print its failure to our stderr: skip it.
  const std::filesystem::path module = config.sysfs_root / "module" / "amdgpu";
  if (std::error_code error; !std::filesystem::exists(module, error)) {
    result.reports.push_back(
        {std::string(kBackend), BackendState::absent,
         fmt::format("the amdgpu kernel module is not loaded (no {})", module.string()),
         "load amdgpu (modprobe amdgpu) on a machine with an AMD GPU"});
    return;
  }
  auto opened = rocm_smi::Library::open(config.rocm_smi_library);
  if (!opened.library) {
    result.reports.push_back(open_failure_report(config.rocm_smi_library, *opened.error));
    return;
  }
  const rocm_smi::Library& library = *opened.library;
  std::uint32_t count = 0;
  if (const rocm_smi::Status code = library.device_count(count); code != rocm_smi::kSuccess) {
    result.reports.push_back(
        {std::string(kBackend), BackendState::absent,
         fmt::format("rsmi_num_monitor_devices failed: {}", library.status_string(code)),
         "check that `rocm-smi` works on this machine"});
    return;
  }
  if (count == 0) {
    result.reports.push_back({std::string(kBackend), BackendState::absent,
                              fmt::format("{} loaded, but it sees no AMD GPU", library.path()),
                              "check that `rocm-smi` lists the GPUs (containers: pass /dev/kfd "
                              "and /dev/dri)"});
    return;
  }
  std::vector<DomainInfo> domains;
  std::vector<Gpu> gpus;
  std::vector<std::string> notes;
  for (std::uint32_t index = 0; index < count; ++index) {
    Gpu gpu;
    std::string note;
    if (auto domain = describe_gpu(library, index, gpu, note)) {
      domains.push_back(std::move(*domain));
      gpus.push_back(gpu);
    }
    notes.push_back(std::move(note));
  }
  const std::string reason = fmt::format("{}", fmt::join(notes, "; "));
  if (domains.empty()) {
    result.reports.push_back({std::string(kBackend), BackendState::absent,
                              fmt::format("{} GPU(s), none readable: {}", count, reason),
                              "this GPU reports neither energy nor power through ROCm SMI"});
    return;
  }
  result.reports.push_back({std::string(kBackend), BackendState::active, reason, ""});
  result.sensors.push_back(std::make_unique<RocmSmiSensor>(std::move(opened.library),
                                                           std::move(domains), std::move(gpus)));
}

}  // namespace joule::sensors

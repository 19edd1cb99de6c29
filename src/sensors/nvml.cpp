// NVIDIA GPUs through NVML, loaded at run time (see nvml_library.hpp).
//
// Each GPU is one domain `gpu:N`. We prefer the board's cumulative energy
// counter (nvmlDeviceGetTotalEnergyConsumption, mJ, Volta and later) because
// it integrates on the board at the sensor's own rate; only where the counter
// is not supported do we fall back to the power reading (mW), which the meter
// integrates between samples.
#include <fmt/format.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "joule/sensor.hpp"
#include "sensors/backends.hpp"
#include "sensors/failure_streak.hpp"
#include "sensors/nvml_library.hpp"

namespace joule::sensors {

namespace {

constexpr std::string_view kBackend = "nvml";

// Uncertainty. NVIDIA documents nvmlDeviceGetPowerUsage as "accurate to within
// +/- 5% of current power draw" (stated for Fermi and Kepler; nothing newer is
// documented) and the energy counter comes from the same board sensor, so 5%
// for the counter. The power fallback is wider: on Ampere and later (except
// GA100) the reading is a one-second average, and Yang et al. 2023 ("Part-time
// Power Measurements: nvidia-smi's Lack of Attention", arXiv:2312.02741) found
// that on A100/H100 only about 25% of the runtime is sampled, so integrating
// it between our samples misses short bursts: 10%.
constexpr double kCounterRelativeUncertainty = 0.05;
constexpr double kPowerRelativeUncertainty = 0.10;
// Both APIs report integers: 1 mJ and 1 mW.
constexpr double kCounterResolutionJoules = 0.001;
constexpr double kPowerResolutionWatts = 0.001;

// What a GPU's domain reads, best first.
enum class Source {
  energy_counter,  // nvmlDeviceGetTotalEnergyConsumption
  power_instant,   // NVML_FI_DEV_POWER_INSTANT field value
  power_average,   // nvmlDeviceGetPowerUsage (1 s average on Ampere and later)
};

struct Gpu {
  nvml::Device device = nullptr;
  Source source = Source::energy_counter;
  FailureStreak failures;
};

class NvmlSensor final : public Sensor {
 public:
  NvmlSensor(std::shared_ptr<nvml::Library> library, std::vector<DomainInfo> domains,
             std::vector<Gpu> gpus)
      : library_(std::move(library)), domains_(std::move(domains)), gpus_(std::move(gpus)) {}

  std::string_view backend() const override { return kBackend; }
  const std::vector<DomainInfo>& domains() const override { return domains_; }

  void read(std::span<Reading> out) override {
    read_each_device(out, gpus_.size(), [this](std::size_t i) { return read_one(i); });
  }

 private:
  Reading read_one(std::size_t index) {
    Gpu& gpu = gpus_[index];
    if (gpu.failures.gone()) return gpu.failures.gone_reading();
    Reading reading;
    nvml::Return code = nvml::kSuccess;
    if (gpu.source == Source::energy_counter) {
      std::uint64_t energy_mj = 0;
      code = library_->total_energy_mj(gpu.device, energy_mj);
      reading.counter = Joules{static_cast<double>(energy_mj) / 1000.0};
    } else {
      unsigned int power_mw = 0;
      code = gpu.source == Source::power_instant ? library_->power_instant_mw(gpu.device, power_mw)
                                                 : library_->power_usage_mw(gpu.device, power_mw);
      reading.power = Watts{static_cast<double>(power_mw) / 1000.0};
    }
    if (code == nvml::kSuccess) {
      gpu.failures.succeeded();
      return reading;
    }
    // GPU_IS_LOST (fell off the bus, XID 79) never recovers within a run and
    // leaves the handle invalid: stop reading it and keep the others going.
    return gpu.failures.failed(
        fmt::format("{} {}: {} (NVML error {})", domains_[index].id, domains_[index].label,
                    library_->error_string(code), code),
        code == nvml::kErrorGpuIsLost);
  }

  std::shared_ptr<nvml::Library> library_;
  std::vector<DomainInfo> domains_;
  std::vector<Gpu> gpus_;
};

constexpr std::string_view kLibraryRemedy =
    "install the NVIDIA driver, or set JOULE_NVML_LIBRARY to the path of libnvidia-ml.so.1";

BackendReport open_failure_report(const std::string& path, const nvml::OpenError& error) {
  BackendReport report{std::string(kBackend), BackendState::absent, "", ""};
  switch (error.kind) {
    case nvml::OpenError::Kind::library_not_found:
      report.reason = fmt::format("cannot load {}: {}", path, error.message);
      report.remedy = std::string(kLibraryRemedy);
      break;
    case nvml::OpenError::Kind::missing_symbol:
      report.reason = fmt::format("{} lacks {} (driver too old?)", path, error.message);
      report.remedy = "install a newer NVIDIA driver (R450 or later), or set JOULE_NVML_LIBRARY";
      break;
    case nvml::OpenError::Kind::init_failed:
      report.reason = fmt::format("nvmlInit failed: {} (NVML error {})", error.message, error.code);
      if (error.code == nvml::kErrorLibRmVersionMismatch) {
        // The GPUs are there; the user-space library and kernel module disagree.
        report.state = BackendState::refused;
        report.remedy =
            "the NVIDIA kernel module and libnvidia-ml differ in version (driver upgraded "
            "without a reboot?): reboot or reload the nvidia module";
      } else if (error.code == nvml::kErrorNoPermission) {
        report.state = BackendState::refused;
        report.remedy = "give this user read/write access to /dev/nvidia* (e.g. the video group)";
      } else if (error.code == nvml::kErrorDriverNotLoaded) {
        report.remedy = "load the NVIDIA kernel driver (`nvidia-smi` should list the GPUs)";
      } else {
        report.remedy = "check that `nvidia-smi` works on this machine";
      }
      break;
  }
  return report;
}

// A GPU in MIG mode is still one domain: NVML counts physical GPUs only, and
// power and energy are board sensors that a MIG device handle does not answer
// (NOT_SUPPORTED). Its energy is every instance's together, which the note
// says, so that nobody reads it as one instance's.
void describe_mig(const nvml::Library& library, nvml::Device device, std::string& note) {
  std::optional<unsigned int> instances;
  if (library.mig_instances(device, instances) != nvml::kSuccess || !instances) return;
  note += fmt::format(
      ", MIG mode with {} instance(s): the whole board's energy, shared by every instance (NVML "
      "reads no energy per MIG instance)",
      *instances);
}

// One GPU's domain, or nullopt; `note` says which reading it uses or why it was left out.
std::optional<DomainInfo> describe_gpu(const nvml::Library& library, unsigned int index, Gpu& gpu,
                                       std::string& note, bool& permission_denied) {
  const std::string id = fmt::format("gpu:{}", index);
  nvml::Return code = library.device_handle(index, gpu.device);
  if (code != nvml::kSuccess) {
    // NO_PERMISSION here means the device node is not accessible to this user.
    permission_denied |= code == nvml::kErrorNoPermission;
    note = fmt::format("{} skipped: {}", id, library.error_string(code));
    return std::nullopt;
  }
  std::string name = "NVIDIA GPU";
  std::string uuid = "no UUID";
  library.device_name(gpu.device, name);  // cosmetic: keep defaults on failure
  library.device_uuid(gpu.device, uuid);

  DomainInfo domain;
  domain.id = id;
  domain.label = name;
  domain.component = Component::gpu;
  domain.provenance = Provenance::measured;
  domain.source = fmt::format("{} device {} ({})", library.path(), index, uuid);
  // The counter is 64-bit millijoules: at 1 kW it wraps after ~585 million
  // years, so no wrap range. A decrease would mean the driver reloaded, which
  // also invalidates the handle and is caught as an error on read.
  domain.wrap_range = std::nullopt;
  domain.max_power = physical_max_power(Component::gpu);

  std::string power_source;  // empty with the energy counter
  std::uint64_t energy_mj = 0;
  code = library.total_energy_mj(gpu.device, energy_mj);
  if (code == nvml::kSuccess) {
    gpu.source = Source::energy_counter;
    domain.kind = ReadingKind::energy_counter;
    domain.resolution = kCounterResolutionJoules;
    domain.relative_uncertainty = kCounterRelativeUncertainty;
    note = fmt::format("{} {}: energy counter", id, name);
  } else {
    // NOT_SUPPORTED (before Volta, some vGPUs) is the usual case, but any
    // counter error (NO_PERMISSION in some containers) is worth a power try:
    // an integrated power reading beats no reading.
    const std::string counter_error = code == nvml::kErrorFunctionNotFound
                                          ? std::string("not in this driver")
                                          : library.error_string(code);
    // The instantaneous field value where the driver has it (as Zeus reads
    // it): the 1 s average that nvmlDeviceGetPowerUsage returns on Ampere and
    // later smears bursts across our samples.
    unsigned int power_mw = 0;
    const char* power_kind = "instantaneous NVML_FI_DEV_POWER_INSTANT";
    gpu.source = Source::power_instant;
    if (library.power_instant_mw(gpu.device, power_mw) != nvml::kSuccess) {
      power_kind = "nvmlDeviceGetPowerUsage, a 1 s average on Ampere and later";
      gpu.source = Source::power_average;
      code = library.power_usage_mw(gpu.device, power_mw);
    } else {
      code = nvml::kSuccess;
    }
    if (code != nvml::kSuccess) {
      permission_denied |= code == nvml::kErrorNoPermission;
      note = fmt::format("{} {} skipped: energy counter: {}; power: {}", id, name, counter_error,
                         library.error_string(code));
      return std::nullopt;
    }
    domain.kind = ReadingKind::power;
    domain.resolution = kPowerResolutionWatts;
    domain.relative_uncertainty = kPowerRelativeUncertainty;
    note =
        fmt::format("{} {}: power only (energy counter: {}), integrated", id, name, counter_error);
    power_source = power_kind;
  }
  // The power limit bounds what the board can draw; say it so a reader can
  // judge the sampling interval (the meter's wrap check needs no more: no wrap).
  unsigned int limit_mw = 0;
  if (library.power_limit_mw(gpu.device, limit_mw) == nvml::kSuccess) {
    note += fmt::format(", limit {:g} W", limit_mw / 1000.0);
  }
  if (!power_source.empty()) note += fmt::format(", power from {}", power_source);
  describe_mig(library, gpu.device, note);
  return domain;
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text += "; ";
    text += item;
  }
  return text;
}

}  // namespace

void probe_nvml(const SensorConfig& config, ProbeResult& result) {
  auto opened = nvml::Library::open(config.nvml_library);
  if (!opened.library) {
    result.reports.push_back(open_failure_report(config.nvml_library, *opened.error));
    return;
  }
  const nvml::Library& library = *opened.library;

  unsigned int count = 0;
  if (const nvml::Return code = library.device_count(count); code != nvml::kSuccess) {
    result.reports.push_back({std::string(kBackend), BackendState::absent,
                              fmt::format("nvmlDeviceGetCount failed: {} (NVML error {})",
                                          library.error_string(code), code),
                              "check that `nvidia-smi` works on this machine"});
    return;
  }
  if (count == 0) {
    result.reports.push_back({std::string(kBackend), BackendState::absent,
                              fmt::format("{} loaded, but it sees no NVIDIA GPU", library.path()),
                              "check that `nvidia-smi -L` lists the GPUs (containers: run with "
                              "--gpus or the NVIDIA container runtime)"});
    return;
  }

  std::vector<DomainInfo> domains;
  std::vector<Gpu> gpus;
  std::vector<std::string> notes;
  bool permission_denied = false;
  for (unsigned int index = 0; index < count; ++index) {
    Gpu gpu;
    std::string note;
    if (auto domain = describe_gpu(library, index, gpu, note, permission_denied)) {
      domains.push_back(std::move(*domain));
      gpus.push_back(gpu);
    }
    notes.push_back(std::move(note));
  }

  if (domains.empty()) {
    result.reports.push_back(
        {std::string(kBackend), permission_denied ? BackendState::refused : BackendState::absent,
         fmt::format("{} GPU(s), none readable: {}", count, join(notes)),
         permission_denied ? "give this user access to /dev/nvidia*"
                           : "this GPU reports neither energy nor power through NVML"});
    return;
  }
  result.reports.push_back({std::string(kBackend), BackendState::active, join(notes), ""});
  result.sensors.push_back(
      std::make_unique<NvmlSensor>(std::move(opened.library), std::move(domains), std::move(gpus)));
}

}  // namespace joule::sensors

#pragma once
// A thin, internal wrapper over AMD's ROCm SMI library (librocm_smi64.so.1),
// loaded with dlopen at run time for the same reason as NVML
// (nvml_library.hpp): joule must start on machines without ROCm. We declare
// the entry points we call with rocm_smi.h's signatures and rsmi_status_t
// codes, and look each one up with dlsym.
//
// Which entry points exist depends on the release: Debian 12's
// librocm-smi64-1 (5.2.3) has rsmi_dev_energy_count_get and
// rsmi_dev_power_ave_get but not rsmi_dev_current_socket_power_get (ROCm 6),
// so only init, shutdown, status strings and the device count are required.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace joule::sensors::rocm_smi {

// rsmi_status_t, in rocm_smi.h's order. Only the codes we act on.
using Status = int;
inline constexpr Status kSuccess = 0;
inline constexpr Status kInvalidArgs = 1;
inline constexpr Status kNotSupported = 2;
inline constexpr Status kFileError = 3;
inline constexpr Status kPermission = 4;
inline constexpr Status kInitError = 8;
inline constexpr Status kNotYetImplemented = 9;
inline constexpr Status kNotFound = 10;
// Not an rsmi code: the library lacks the entry point.
inline constexpr Status kFunctionNotFound = -1;

// rsmi_dev_energy_count_get's three outputs.
struct EnergyCount {
  std::uint64_t count = 0;         // accumulated counts (64-bit, from gpu_metrics)
  double resolution_uj = 0;        // microjoules per count (15.3 on current ASICs)
  std::uint64_t timestamp_ns = 0;  // when the firmware last updated it
};

struct OpenError {
  enum class Kind { library_not_found, missing_symbol, init_failed };
  Kind kind = Kind::library_not_found;
  Status code = kSuccess;
  std::string message;
};

class Library {
 public:
  struct Opened {
    std::shared_ptr<Library> library;
    std::optional<OpenError> error;
  };
  // dlopens `path`, resolves the entry points and calls rsmi_init(0).
  static Opened open(const std::string& path);

  ~Library();
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  const std::string& path() const { return path_; }
  std::string status_string(Status code) const;

  Status device_count(std::uint32_t& count) const;
  Status device_name(std::uint32_t index, std::string& name) const;
  // "DDDD:BB:DD.F", decoded from rsmi_dev_pci_id_get's BDF id.
  Status pci_address(std::uint32_t index, std::string& address) const;
  Status energy_count(std::uint32_t index, EnergyCount& energy) const;
  // rsmi_dev_current_socket_power_get (ROCm 6, MI300) in microwatts.
  Status current_socket_power_uw(std::uint32_t index, std::uint64_t& power_uw) const;
  // rsmi_dev_power_ave_get, sensor 0, in microwatts.
  Status average_power_uw(std::uint32_t index, std::uint64_t& power_uw) const;
  // rsmi_dev_power_cap_get, sensor 0, in microwatts.
  Status power_cap_uw(std::uint32_t index, std::uint64_t& cap_uw) const;

 private:
  struct Api;
  Library(void* handle, std::string path, std::unique_ptr<Api> api);

  void* handle_ = nullptr;
  std::string path_;
  std::unique_ptr<Api> api_;
};

// rocm_smi.h's BDFID: domain in bits 63-32, bus 15-8, device 7-3, function
// 2-0 (newer releases put a partition id in bits 31-28, which is masked off).
std::string format_bdf_id(std::uint64_t bdf_id);

}  // namespace joule::sensors::rocm_smi

#pragma once
// A thin, internal wrapper over NVIDIA's NVML, loaded with dlopen at run time.
//
// Why dlopen and our own declarations: joule must build and run on machines
// without the NVIDIA driver or CUDA headers, and a link-time dependency on
// libnvidia-ml would make the whole binary fail to start there. We declare
// the handful of types and entry points we call, with the signatures and
// return codes of nvml.h (NVML API reference, "Device Queries" and "Error
// reporting"), and look each one up with dlsym.
//
// Shared by the NVML sensor (nvml.cpp) and, later, the per-process GPU
// attribution of `joule run` (process utilization and running processes).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace joule::sensors::nvml {

// nvmlReturn_t. Only the codes we act on; any other code is reported through
// nvmlErrorString.
using Return = int;
inline constexpr Return kSuccess = 0;
inline constexpr Return kErrorUninitialized = 1;
inline constexpr Return kErrorInvalidArgument = 2;
inline constexpr Return kErrorNotSupported = 3;
inline constexpr Return kErrorNoPermission = 4;
inline constexpr Return kErrorNotFound = 6;
inline constexpr Return kErrorInsufficientSize = 7;
inline constexpr Return kErrorDriverNotLoaded = 9;
inline constexpr Return kErrorLibraryNotFound = 12;
inline constexpr Return kErrorFunctionNotFound = 13;
inline constexpr Return kErrorGpuIsLost = 15;
inline constexpr Return kErrorLibRmVersionMismatch = 18;
inline constexpr Return kErrorUnknown = 999;

// nvmlDevice_t: an opaque handle owned by the library.
using Device = struct nvmlDevice_st*;

// nvmlProcessUtilizationSample_t: one process's share of one GPU over the
// driver's last sampling period. timeStamp is in microseconds (CPU clock).
struct ProcessUtilizationSample {
  unsigned int pid;
  unsigned long long time_stamp_us;
  unsigned int sm_util;   // percent
  unsigned int mem_util;  // percent
  unsigned int enc_util;  // percent
  unsigned int dec_util;  // percent
};

// One process of nvmlDeviceGetComputeRunningProcesses_v3, decoded. The
// library's own array is laid out by the driver: 24 bytes per process (these
// four fields), or 32 on the R535 drivers, which append
// usedGpuCcProtectedMemory (nvitop, nvitop/api/libnvml.py). Library decodes
// it by the driver version, so this struct is never the array's element.
struct ProcessInfo {
  unsigned int pid;
  unsigned long long used_gpu_memory_bytes;
  unsigned int gpu_instance_id;
  unsigned int compute_instance_id;
};

// nvmlAccountingStats_t: one process's use of a GPU over its life, kept by
// the driver only while accounting mode is on (an administrator's
// `nvidia-smi -am 1`).
struct AccountingStats {
  unsigned int gpu_utilization;     // percent of `time` with a kernel running
  unsigned int memory_utilization;  // percent
  unsigned long long max_memory_usage_bytes;
  unsigned long long time_ms;        // how long its context has been active
  unsigned long long start_time_us;  // CPU clock
  unsigned int is_running;
  unsigned int reserved[5];
};

// Why opening failed, for the backend report.
struct OpenError {
  enum class Kind {
    library_not_found,  // dlopen failed
    missing_symbol,     // the library lacks an entry point we require (too old)
    init_failed,        // nvmlInit_v2 returned an error
  };
  Kind kind = Kind::library_not_found;
  Return code = kSuccess;  // NVML's code, for init_failed
  std::string message;     // dlerror() text, the symbol name, or nvmlErrorString
};

class Library {
 public:
  // dlopens `path`, resolves the entry points and calls nvmlInit_v2. Exactly
  // one of the two results is set. The library stays initialized (and loaded)
  // as long as any shared_ptr to it lives: device handles die with it.
  struct Opened {
    std::shared_ptr<Library> library;
    std::optional<OpenError> error;
  };
  static Opened open(const std::string& path);

  ~Library();
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  const std::string& path() const { return path_; }
  std::string error_string(Return code) const;

  Return device_count(unsigned int& count) const;
  Return device_handle(unsigned int index, Device& device) const;
  Return device_name(Device device, std::string& name) const;
  Return device_uuid(Device device, std::string& uuid) const;
  // Energy since the driver was last loaded, in millijoules (Volta and later).
  Return total_energy_mj(Device device, std::uint64_t& energy_mj) const;
  // Board power in milliwatts (on Ampere and later, except GA100, an average
  // over the last second rather than an instantaneous value).
  Return power_usage_mw(Device device, unsigned int& power_mw) const;
  // Instantaneous board power in milliwatts: the field NVML_FI_DEV_POWER_INSTANT
  // (186) through nvmlDeviceGetFieldValues, scope NVML_POWER_SCOPE_GPU. Drivers
  // that predate the field answer NOT_SUPPORTED (or INVALID_ARGUMENT) in the
  // field's own return code, which this returns.
  Return power_instant_mw(Device device, unsigned int& power_mw) const;
  // The enforced power limit, falling back to the management limit, in mW.
  Return power_limit_mw(Device device, unsigned int& limit_mw) const;

  // MIG mode: `instances` is set to the number of MIG devices (compute
  // instances) when the GPU is in MIG mode, and left empty when it is not or
  // cannot be (pre-Ampere answers NOT_SUPPORTED; older libraries lack the
  // entry points: kErrorFunctionNotFound).
  Return mig_instances(Device device, std::optional<unsigned int>& instances) const;

  // MIG: how many GPU slices (compute slices, the "N" of an Ng.XXgb
  // profile) the GPU instance `gpu_instance_id` has: its profile id from
  // nvmlDeviceGetGpuInstanceById + nvmlGpuInstanceGetInfo, matched against
  // nvmlDeviceGetGpuInstanceProfileInfo's profiles for sliceCount.
  Return gpu_instance_slices(Device device, unsigned int gpu_instance_id,
                             unsigned int& slices) const;

  // Accounting mode (nvmlDeviceGetAccountingMode) is on, and one process's
  // stats (nvmlDeviceGetAccountingStats; NOT_FOUND for a pid it has none of).
  Return accounting_enabled(Device device, bool& enabled) const;
  Return accounting_stats(Device device, unsigned int pid, AccountingStats& stats) const;

  // Per-process attribution (optional entry points: kErrorFunctionNotFound
  // when the library lacks them). Samples newer than `last_seen_us` only.
  Return process_utilization(Device device, unsigned long long last_seen_us,
                             std::vector<ProcessUtilizationSample>& samples) const;
  Return compute_processes(Device device, std::vector<ProcessInfo>& processes) const;

 private:
  struct Api;
  Library(void* handle, std::string path, std::unique_ptr<Api> api);

  void* handle_ = nullptr;
  std::string path_;
  std::unique_ptr<Api> api_;
  // Bytes per process in nvmlDeviceGetComputeRunningProcesses_v3's array.
  std::size_t process_info_size_ = 24;
};

}  // namespace joule::sensors::nvml

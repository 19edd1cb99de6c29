#include "sensors/nvml_library.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <utility>

namespace joule::sensors::nvml {

namespace {
// nvml.h: NVML_DEVICE_NAME_V2_BUFFER_SIZE and NVML_DEVICE_UUID_V2_BUFFER_SIZE
// are both 96; the older sizes (64, 80) are smaller, so 96 fits all.
constexpr unsigned int kStringBufferSize = 96;

// nvmlFieldValue_t and nvmlValue_t as nvml.h lays them out (40 bytes): the
// field id and scope in, the per-field return code and value out.
union FieldValueUnion {
  double d_val;
  unsigned int ui_val;
  unsigned long ul_val;
  unsigned long long ull_val;
  long long sll_val;
  int si_val;
  unsigned short us_val;
};
struct FieldValue {
  unsigned int field_id;
  unsigned int scope_id;
  long long timestamp_us;
  long long latency_us;
  int value_type;  // nvmlValueType_t
  Return nvml_return;
  FieldValueUnion value;
};
static_assert(sizeof(FieldValue) == 40, "nvmlFieldValue_t is 40 bytes in nvml.h");

// nvml.h: "Current GPU power, supported on all architectures" (the 1 s
// average is NVML_FI_DEV_POWER_AVERAGE, 185); NVML_POWER_SCOPE_GPU is 0.
constexpr unsigned int kFieldPowerInstant = 186;
constexpr unsigned int kMigEnable = 1;  // NVML_DEVICE_MIG_ENABLE
constexpr unsigned int kPowerScopeGpu = 0;
constexpr int kValueTypeUnsignedInt = 1;
constexpr int kValueTypeUnsignedLong = 2;
constexpr int kValueTypeUnsignedLongLong = 3;
constexpr unsigned int kFeatureEnabled = 1;  // NVML_FEATURE_ENABLED
// NVML_GPU_INSTANCE_PROFILE_1_SLICE (0) up to NVML_GPU_INSTANCE_PROFILE_COUNT,
// which grows with new boards (14 in R550); profiles a board lacks answer
// NOT_SUPPORTED or INVALID_ARGUMENT.
constexpr unsigned int kGpuInstanceProfiles = 16;

// nvml.h's MIG types, as far as joule reads them.
using GpuInstance = struct nvmlGpuInstance_st*;
struct GpuInstancePlacement {
  unsigned int start;
  unsigned int size;  // memory slices
};
struct GpuInstanceInfo {
  Device device;
  unsigned int id;
  unsigned int profile_id;
  GpuInstancePlacement placement;
};
struct GpuInstanceProfileInfo {
  unsigned int id;
  unsigned int is_p2p_supported;
  unsigned int slice_count;
  unsigned int instance_count;
  unsigned int multiprocessor_count;
  unsigned int copy_engine_count;
  unsigned int decoder_count;
  unsigned int encoder_count;
  unsigned int jpeg_count;
  unsigned int ofa_count;
  unsigned long long memory_size_mb;
};
static_assert(sizeof(GpuInstanceInfo) == 24, "nvmlGpuInstanceInfo_t is 24 bytes in nvml.h");
static_assert(sizeof(GpuInstanceProfileInfo) == 48,
              "nvmlGpuInstanceProfileInfo_t is 48 bytes in nvml.h");
}  // namespace

static_assert(sizeof(AccountingStats) == 56, "nvmlAccountingStats_t is 56 bytes in nvml.h");

// The entry points, typed as nvml.h declares them (unsigned long long for the
// energy counter, unsigned int for mW and counts).
struct Library::Api {
  using InitFn = Return (*)();
  using ShutdownFn = Return (*)();
  using ErrorStringFn = const char* (*)(Return);
  using CountFn = Return (*)(unsigned int*);
  using HandleFn = Return (*)(unsigned int, Device*);
  using StringFn = Return (*)(Device, char*, unsigned int);
  using EnergyFn = Return (*)(Device, unsigned long long*);
  using UintFn = Return (*)(Device, unsigned int*);
  using ProcessUtilizationFn = Return (*)(Device, ProcessUtilizationSample*, unsigned int*,
                                          unsigned long long);
  using ProcessesFn = Return (*)(Device, unsigned int*, void*);
  using DriverVersionFn = Return (*)(char*, unsigned int);
  using FieldValuesFn = Return (*)(Device, int, FieldValue*);
  using MigModeFn = Return (*)(Device, unsigned int*, unsigned int*);
  using MigHandleFn = Return (*)(Device, unsigned int, Device*);
  using GpuInstanceByIdFn = Return (*)(Device, unsigned int, GpuInstance*);
  using GpuInstanceInfoFn = Return (*)(GpuInstance, GpuInstanceInfo*);
  using ProfileInfoFn = Return (*)(Device, unsigned int, GpuInstanceProfileInfo*);
  using AccountingStatsFn = Return (*)(Device, unsigned int, AccountingStats*);

  // Required: without these there is nothing to measure.
  InitFn init = nullptr;
  ShutdownFn shutdown = nullptr;
  ErrorStringFn error_string = nullptr;
  CountFn count = nullptr;
  HandleFn handle = nullptr;
  StringFn name = nullptr;
  StringFn uuid = nullptr;
  UintFn power = nullptr;
  // Optional: older drivers lack some; callers see kErrorFunctionNotFound.
  EnergyFn energy = nullptr;
  UintFn enforced_limit = nullptr;
  UintFn management_limit = nullptr;
  ProcessUtilizationFn process_utilization = nullptr;
  ProcessesFn compute_processes = nullptr;
  DriverVersionFn driver_version = nullptr;
  FieldValuesFn field_values = nullptr;
  MigModeFn mig_mode = nullptr;
  UintFn max_mig_devices = nullptr;
  MigHandleFn mig_handle = nullptr;
  GpuInstanceByIdFn gpu_instance_by_id = nullptr;
  GpuInstanceInfoFn gpu_instance_info = nullptr;
  ProfileInfoFn profile_info = nullptr;
  UintFn accounting_mode = nullptr;
  AccountingStatsFn accounting_stats = nullptr;
  // Present from R535 on, and from R545 on respectively; nvitop tells the
  // 32-byte process layout by them when the version is unknown.
  void* conf_compute_mem_size_info = nullptr;
  void* running_process_detail_list = nullptr;
};

namespace {
template <typename Fn>
bool resolve(void* handle, const char* symbol, Fn& out) {
  // POSIX guarantees a data pointer from dlsym converts to a function pointer.
  out = reinterpret_cast<Fn>(dlsym(handle, symbol));
  return out != nullptr;
}

// nvmlProcessInfo_t as the library writes it: 24 bytes, and 32 on the R535
// drivers, which appended usedGpuCcProtectedMemory and dropped it again in
// R545 (nvitop, nvitop/api/libnvml.py; nvidia-ml-py 12.535.x). The first
// four fields sit at the same offsets in both.
constexpr std::size_t kProcessInfoSize = 24;
constexpr std::size_t kProcessInfoSizeR535 = 32;
constexpr std::size_t kPidOffset = 0;
constexpr std::size_t kUsedMemoryOffset = 8;
constexpr std::size_t kGpuInstanceOffset = 16;
constexpr std::size_t kComputeInstanceOffset = 20;

// `driver_version` is nvmlSystemGetDriverVersion, or null; `r535_entry_points`
// whether the library has nvmlDeviceGetConfComputeMemSizeInfo (added in R535)
// but not nvmlDeviceGetRunningProcessDetailList (added in R545).
std::size_t process_info_size(Return (*driver_version)(char*, unsigned int),
                              bool r535_entry_points) {
  // "535.104.05": the branch is the first number.
  if (driver_version != nullptr) {
    char version[96] = {};
    if (driver_version(version, sizeof version) == kSuccess) {
      const long branch = std::strtol(version, nullptr, 10);
      if (branch > 0) return branch == 535 ? kProcessInfoSizeR535 : kProcessInfoSize;
    }
  }
  // No version: the entry points tell the branch, as nvitop does.
  return r535_entry_points ? kProcessInfoSizeR535 : kProcessInfoSize;
}

ProcessInfo decode_process(const unsigned char* entry) {
  ProcessInfo info{};
  std::memcpy(&info.pid, entry + kPidOffset, sizeof info.pid);
  std::memcpy(&info.used_gpu_memory_bytes, entry + kUsedMemoryOffset,
              sizeof info.used_gpu_memory_bytes);
  std::memcpy(&info.gpu_instance_id, entry + kGpuInstanceOffset, sizeof info.gpu_instance_id);
  std::memcpy(&info.compute_instance_id, entry + kComputeInstanceOffset,
              sizeof info.compute_instance_id);
  return info;
}
}  // namespace

Library::Opened Library::open(const std::string& path) {
  // RTLD_NODELETE: the real library starts driver threads, and unloading it
  // after nvmlShutdown has been known to crash in some drivers; keeping the
  // mapping costs nothing. RTLD_LOCAL keeps its symbols out of our namespace.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (handle == nullptr) {
    const char* why = dlerror();
    return {nullptr,
            OpenError{OpenError::Kind::library_not_found, kErrorLibraryNotFound, why ? why : path}};
  }
  auto api = std::make_unique<Api>();
  const std::pair<const char*, bool> required[] = {
      {"nvmlInit_v2", resolve(handle, "nvmlInit_v2", api->init)},
      {"nvmlShutdown", resolve(handle, "nvmlShutdown", api->shutdown)},
      {"nvmlErrorString", resolve(handle, "nvmlErrorString", api->error_string)},
      {"nvmlDeviceGetCount_v2", resolve(handle, "nvmlDeviceGetCount_v2", api->count)},
      {"nvmlDeviceGetHandleByIndex_v2",
       resolve(handle, "nvmlDeviceGetHandleByIndex_v2", api->handle)},
      {"nvmlDeviceGetName", resolve(handle, "nvmlDeviceGetName", api->name)},
      {"nvmlDeviceGetUUID", resolve(handle, "nvmlDeviceGetUUID", api->uuid)},
      {"nvmlDeviceGetPowerUsage", resolve(handle, "nvmlDeviceGetPowerUsage", api->power)},
  };
  for (const auto& [symbol, found] : required) {
    if (!found) {
      dlclose(handle);
      return {nullptr, OpenError{OpenError::Kind::missing_symbol, kErrorFunctionNotFound, symbol}};
    }
  }
  resolve(handle, "nvmlDeviceGetTotalEnergyConsumption", api->energy);
  resolve(handle, "nvmlDeviceGetEnforcedPowerLimit", api->enforced_limit);
  resolve(handle, "nvmlDeviceGetPowerManagementLimit", api->management_limit);
  resolve(handle, "nvmlDeviceGetProcessUtilization", api->process_utilization);
  resolve(handle, "nvmlDeviceGetComputeRunningProcesses_v3", api->compute_processes);
  resolve(handle, "nvmlSystemGetDriverVersion", api->driver_version);
  resolve(handle, "nvmlDeviceGetFieldValues", api->field_values);
  resolve(handle, "nvmlDeviceGetMigMode", api->mig_mode);
  resolve(handle, "nvmlDeviceGetMaxMigDeviceCount", api->max_mig_devices);
  resolve(handle, "nvmlDeviceGetMigDeviceHandleByIndex", api->mig_handle);
  resolve(handle, "nvmlDeviceGetGpuInstanceById", api->gpu_instance_by_id);
  resolve(handle, "nvmlGpuInstanceGetInfo", api->gpu_instance_info);
  resolve(handle, "nvmlDeviceGetGpuInstanceProfileInfo", api->profile_info);
  resolve(handle, "nvmlDeviceGetAccountingMode", api->accounting_mode);
  resolve(handle, "nvmlDeviceGetAccountingStats", api->accounting_stats);
  api->conf_compute_mem_size_info = dlsym(handle, "nvmlDeviceGetConfComputeMemSizeInfo");
  api->running_process_detail_list = dlsym(handle, "nvmlDeviceGetRunningProcessDetailList");

  if (const Return code = api->init(); code != kSuccess) {
    const char* text = api->error_string(code);
    OpenError error{OpenError::Kind::init_failed, code, text ? text : "unknown NVML error"};
    dlclose(handle);
    return {nullptr, std::move(error)};
  }
  return {std::shared_ptr<Library>(new Library(handle, path, std::move(api))), std::nullopt};
}

Library::Library(void* handle, std::string path, std::unique_ptr<Api> api)
    : handle_(handle),
      path_(std::move(path)),
      api_(std::move(api)),
      process_info_size_(process_info_size(api_->driver_version,
                                           api_->conf_compute_mem_size_info != nullptr &&
                                               api_->running_process_detail_list == nullptr)) {}

Library::~Library() {
  // NVML counts nvmlInit calls; this releases ours only.
  api_->shutdown();
  dlclose(handle_);
}

std::string Library::error_string(Return code) const {
  const char* text = api_->error_string(code);
  return text ? std::string(text) : "NVML error " + std::to_string(code);
}

Return Library::device_count(unsigned int& count) const {
  return api_->count(&count);
}

Return Library::device_handle(unsigned int index, Device& device) const {
  return api_->handle(index, &device);
}

Return Library::device_name(Device device, std::string& name) const {
  char buffer[kStringBufferSize] = {};
  const Return code = api_->name(device, buffer, kStringBufferSize);
  if (code == kSuccess) name.assign(buffer);
  return code;
}

Return Library::device_uuid(Device device, std::string& uuid) const {
  char buffer[kStringBufferSize] = {};
  const Return code = api_->uuid(device, buffer, kStringBufferSize);
  if (code == kSuccess) uuid.assign(buffer);
  return code;
}

Return Library::total_energy_mj(Device device, std::uint64_t& energy_mj) const {
  if (api_->energy == nullptr) return kErrorFunctionNotFound;
  unsigned long long value = 0;
  const Return code = api_->energy(device, &value);
  if (code == kSuccess) energy_mj = value;
  return code;
}

Return Library::power_usage_mw(Device device, unsigned int& power_mw) const {
  return api_->power(device, &power_mw);
}

Return Library::power_instant_mw(Device device, unsigned int& power_mw) const {
  if (api_->field_values == nullptr) return kErrorFunctionNotFound;
  FieldValue field{};
  field.field_id = kFieldPowerInstant;
  field.scope_id = kPowerScopeGpu;
  Return code = api_->field_values(device, 1, &field);
  if (code != kSuccess) return code;
  if (field.nvml_return != kSuccess) return field.nvml_return;
  // Zeus reads value.uiVal; accept the wider unsigned types too.
  switch (field.value_type) {
    case kValueTypeUnsignedInt:
      power_mw = field.value.ui_val;
      return kSuccess;
    case kValueTypeUnsignedLong:
      power_mw = static_cast<unsigned int>(field.value.ul_val);
      return kSuccess;
    case kValueTypeUnsignedLongLong:
      power_mw = static_cast<unsigned int>(field.value.ull_val);
      return kSuccess;
    default:
      return kErrorNotSupported;
  }
}

Return Library::power_limit_mw(Device device, unsigned int& limit_mw) const {
  Return code = kErrorFunctionNotFound;
  if (api_->enforced_limit != nullptr) {
    code = api_->enforced_limit(device, &limit_mw);
    if (code == kSuccess) return code;
  }
  if (api_->management_limit != nullptr) code = api_->management_limit(device, &limit_mw);
  return code;
}

Return Library::process_utilization(Device device, unsigned long long last_seen_us,
                                    std::vector<ProcessUtilizationSample>& samples) const {
  samples.clear();
  if (api_->process_utilization == nullptr) return kErrorFunctionNotFound;
  // First call with no buffer asks for the count (INSUFFICIENT_SIZE); NOT_FOUND
  // means no process used the GPU since last_seen_us.
  unsigned int count = 0;
  Return code = api_->process_utilization(device, nullptr, &count, last_seen_us);
  if (code == kErrorNotFound) return kSuccess;
  if (code != kSuccess && code != kErrorInsufficientSize) return code;
  if (count == 0) return kSuccess;
  samples.resize(count);
  code = api_->process_utilization(device, samples.data(), &count, last_seen_us);
  if (code == kErrorNotFound) {
    samples.clear();
    return kSuccess;
  }
  samples.resize(code == kSuccess ? count : 0);
  return code;
}

Return Library::mig_instances(Device device, std::optional<unsigned int>& instances) const {
  instances.reset();
  if (api_->mig_mode == nullptr || api_->max_mig_devices == nullptr ||
      api_->mig_handle == nullptr) {
    return kErrorFunctionNotFound;
  }
  unsigned int current = 0;
  unsigned int pending = 0;
  Return code = api_->mig_mode(device, &current, &pending);
  if (code != kSuccess || current != kMigEnable) return code;
  unsigned int slots = 0;
  code = api_->max_mig_devices(device, &slots);
  if (code != kSuccess) return code;
  // Slots without a compute instance answer NOT_FOUND; count the others.
  unsigned int live = 0;
  for (unsigned int slot = 0; slot < slots; ++slot) {
    Device instance = nullptr;
    if (api_->mig_handle(device, slot, &instance) == kSuccess) ++live;
  }
  instances = live;
  return kSuccess;
}

Return Library::gpu_instance_slices(Device device, unsigned int gpu_instance_id,
                                    unsigned int& slices) const {
  if (api_->gpu_instance_by_id == nullptr || api_->gpu_instance_info == nullptr ||
      api_->profile_info == nullptr) {
    return kErrorFunctionNotFound;
  }
  GpuInstance instance = nullptr;
  Return code = api_->gpu_instance_by_id(device, gpu_instance_id, &instance);
  if (code != kSuccess) return code;
  GpuInstanceInfo info{};
  code = api_->gpu_instance_info(instance, &info);
  if (code != kSuccess) return code;
  for (unsigned int profile = 0; profile < kGpuInstanceProfiles; ++profile) {
    GpuInstanceProfileInfo profile_info{};
    if (api_->profile_info(device, profile, &profile_info) != kSuccess) continue;
    if (profile_info.id != info.profile_id) continue;
    slices = profile_info.slice_count;
    return slices > 0 ? kSuccess : kErrorUnknown;
  }
  return kErrorNotFound;
}

Return Library::accounting_enabled(Device device, bool& enabled) const {
  enabled = false;
  if (api_->accounting_mode == nullptr || api_->accounting_stats == nullptr) {
    return kErrorFunctionNotFound;
  }
  unsigned int mode = 0;
  const Return code = api_->accounting_mode(device, &mode);
  enabled = code == kSuccess && mode == kFeatureEnabled;
  return code;
}

Return Library::accounting_stats(Device device, unsigned int pid, AccountingStats& stats) const {
  if (api_->accounting_stats == nullptr) return kErrorFunctionNotFound;
  return api_->accounting_stats(device, pid, &stats);
}

Return Library::compute_processes(Device device, std::vector<ProcessInfo>& processes) const {
  processes.clear();
  if (api_->compute_processes == nullptr) return kErrorFunctionNotFound;
  unsigned int count = 0;
  Return code = api_->compute_processes(device, &count, nullptr);
  if (code == kSuccess) return code;  // no process
  if (code != kErrorInsufficientSize) return code;
  // Processes may start between the two calls: leave room for a few more.
  count += 8;
  std::vector<unsigned char> buffer(static_cast<std::size_t>(count) * process_info_size_);
  code = api_->compute_processes(device, &count, buffer.data());
  if (code != kSuccess) return code;
  processes.reserve(count);
  for (unsigned int i = 0; i < count; ++i) {
    processes.push_back(decode_process(buffer.data() + i * process_info_size_));
  }
  return code;
}

}  // namespace joule::sensors::nvml

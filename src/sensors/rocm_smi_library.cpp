#include "sensors/rocm_smi_library.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstddef>
#include <utility>

namespace joule::sensors::rocm_smi {

namespace {
// rocm_smi.h gives no maximum for rsmi_dev_name_get; marketing names are
// well under this.
constexpr std::size_t kNameBufferSize = 256;

template <typename Fn>
bool resolve(void* handle, const char* symbol, Fn& out) {
  out = reinterpret_cast<Fn>(dlsym(handle, symbol));
  return out != nullptr;
}
}  // namespace

// The entry points, typed as rocm_smi.h declares them.
struct Library::Api {
  using InitFn = Status (*)(std::uint64_t);
  using ShutDownFn = Status (*)();
  using StatusStringFn = Status (*)(Status, const char**);
  using CountFn = Status (*)(std::uint32_t*);
  using NameFn = Status (*)(std::uint32_t, char*, std::size_t);
  using U64Fn = Status (*)(std::uint32_t, std::uint64_t*);
  using SensorU64Fn = Status (*)(std::uint32_t, std::uint32_t, std::uint64_t*);
  using EnergyFn = Status (*)(std::uint32_t, std::uint64_t*, float*, std::uint64_t*);

  InitFn init = nullptr;
  ShutDownFn shut_down = nullptr;
  StatusStringFn status_string = nullptr;
  CountFn count = nullptr;
  NameFn name = nullptr;
  U64Fn pci_id = nullptr;
  EnergyFn energy = nullptr;
  U64Fn socket_power = nullptr;
  SensorU64Fn power_ave = nullptr;
  SensorU64Fn power_cap = nullptr;
};

std::string format_bdf_id(std::uint64_t bdf_id) {
  const auto domain = static_cast<unsigned>(bdf_id >> 32);
  const auto bus = static_cast<unsigned>((bdf_id >> 8) & 0xff);
  const auto device = static_cast<unsigned>((bdf_id >> 3) & 0x1f);
  const auto function = static_cast<unsigned>(bdf_id & 0x7);
  return fmt::format("{:04x}:{:02x}:{:02x}.{:x}", domain, bus, device, function);
}

Library::Opened Library::open(const std::string& path) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (handle == nullptr) {
    const char* why = dlerror();
    return {nullptr,
            OpenError{OpenError::Kind::library_not_found, kFunctionNotFound, why ? why : path}};
  }
  auto api = std::make_unique<Api>();
  const std::pair<const char*, bool> required[] = {
      {"rsmi_init", resolve(handle, "rsmi_init", api->init)},
      {"rsmi_shut_down", resolve(handle, "rsmi_shut_down", api->shut_down)},
      {"rsmi_status_string", resolve(handle, "rsmi_status_string", api->status_string)},
      {"rsmi_num_monitor_devices", resolve(handle, "rsmi_num_monitor_devices", api->count)},
  };
  for (const auto& [symbol, found] : required) {
    if (!found) {
      dlclose(handle);
      return {nullptr, OpenError{OpenError::Kind::missing_symbol, kFunctionNotFound, symbol}};
    }
  }
  resolve(handle, "rsmi_dev_name_get", api->name);
  resolve(handle, "rsmi_dev_pci_id_get", api->pci_id);
  resolve(handle, "rsmi_dev_energy_count_get", api->energy);
  resolve(handle, "rsmi_dev_current_socket_power_get", api->socket_power);
  resolve(handle, "rsmi_dev_power_ave_get", api->power_ave);
  resolve(handle, "rsmi_dev_power_cap_get", api->power_cap);

  if (const Status code = api->init(0); code != kSuccess) {
    const char* text = nullptr;
    api->status_string(code, &text);
    OpenError error{OpenError::Kind::init_failed, code,
                    text ? text : fmt::format("rsmi_status_t {}", code)};
    dlclose(handle);
    return {nullptr, std::move(error)};
  }
  return {std::shared_ptr<Library>(new Library(handle, path, std::move(api))), std::nullopt};
}

Library::Library(void* handle, std::string path, std::unique_ptr<Api> api)
    : handle_(handle), path_(std::move(path)), api_(std::move(api)) {}

Library::~Library() {
  // rsmi_init and rsmi_shut_down are reference counted in ROCm SMI.
  api_->shut_down();
  dlclose(handle_);
}

std::string Library::status_string(Status code) const {
  if (code == kFunctionNotFound) return "not in this ROCm SMI release";
  const char* text = nullptr;
  if (api_->status_string(code, &text) == kSuccess && text != nullptr) return text;
  return fmt::format("rsmi_status_t {}", code);
}

Status Library::device_count(std::uint32_t& count) const {
  return api_->count(&count);
}

Status Library::device_name(std::uint32_t index, std::string& name) const {
  if (api_->name == nullptr) return kFunctionNotFound;
  char buffer[kNameBufferSize] = {};
  const Status code = api_->name(index, buffer, kNameBufferSize);
  if (code == kSuccess) name.assign(buffer);
  return code;
}

Status Library::pci_address(std::uint32_t index, std::string& address) const {
  if (api_->pci_id == nullptr) return kFunctionNotFound;
  std::uint64_t bdf_id = 0;
  const Status code = api_->pci_id(index, &bdf_id);
  if (code == kSuccess) address = format_bdf_id(bdf_id);
  return code;
}

Status Library::energy_count(std::uint32_t index, EnergyCount& energy) const {
  if (api_->energy == nullptr) return kFunctionNotFound;
  float resolution_uj = 0;
  const Status code = api_->energy(index, &energy.count, &resolution_uj, &energy.timestamp_ns);
  if (code == kSuccess) energy.resolution_uj = resolution_uj;
  return code;
}

Status Library::current_socket_power_uw(std::uint32_t index, std::uint64_t& power_uw) const {
  if (api_->socket_power == nullptr) return kFunctionNotFound;
  return api_->socket_power(index, &power_uw);
}

Status Library::average_power_uw(std::uint32_t index, std::uint64_t& power_uw) const {
  if (api_->power_ave == nullptr) return kFunctionNotFound;
  return api_->power_ave(index, 0, &power_uw);
}

Status Library::power_cap_uw(std::uint32_t index, std::uint64_t& cap_uw) const {
  if (api_->power_cap == nullptr) return kFunctionNotFound;
  return api_->power_cap(index, 0, &cap_uw);
}

}  // namespace joule::sensors::rocm_smi

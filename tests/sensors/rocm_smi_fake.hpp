#pragma once
// Drives the fake librocm_smi64.so.1 (tests/fixtures/fake_rocm_smi) through
// the very file the backend dlopens, so its setters change what it reads.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdint>

#include "joule/discovery.hpp"
#include "sensors/sysfs_fixture.hpp"

namespace joule::testing {

class FakeRocmSmi {
 public:
  static constexpr const char* kPath = FAKE_ROCM_SMI_PATH;

  FakeRocmSmi() {
    handle_ = dlopen(kPath, RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) {
      ADD_FAILURE() << "cannot load the fake ROCm SMI: " << dlerror();
      return;
    }
    bind("fake_rsmi_reset", reset_);
    bind("fake_rsmi_set_device_count", set_device_count_);
    bind("fake_rsmi_set_init_error", set_init_error_);
    bind("fake_rsmi_set_energy_count", set_energy_count_);
    bind("fake_rsmi_set_energy_supported", set_energy_supported_);
    bind("fake_rsmi_set_power_uw", set_power_uw_);
    bind("fake_rsmi_set_socket_power_supported", set_socket_power_supported_);
    bind("fake_rsmi_vanish_after", vanish_after_);
    bind("fake_rsmi_init_count", init_count_);
    reset_();
    // The backend looks for the amdgpu module before loading the library.
    tree_.write("module/amdgpu/initstate", "live");
  }
  ~FakeRocmSmi() {
    if (handle_ == nullptr) return;
    reset_();
    dlclose(handle_);
  }
  FakeRocmSmi(const FakeRocmSmi&) = delete;
  FakeRocmSmi& operator=(const FakeRocmSmi&) = delete;

  SensorConfig config() const {
    SensorConfig config = tree_.config();
    config.rocm_smi_library = kPath;
    return config;
  }
  sysfs_testing::FakeTree& tree() { return tree_; }

  void set_device_count(std::uint32_t count) { set_device_count_(count); }
  void set_init_error(int code) { set_init_error_(code); }
  void set_energy_count(std::uint32_t index, std::uint64_t count) {
    set_energy_count_(index, count);
  }
  void set_energy_supported(std::uint32_t index, bool on) { set_energy_supported_(index, on); }
  void set_power_uw(std::uint32_t index, std::uint64_t power_uw) { set_power_uw_(index, power_uw); }
  void set_socket_power_supported(std::uint32_t index, bool on) {
    set_socket_power_supported_(index, on);
  }
  // The board leaves the bus after `reads` more reads (0: never).
  void vanish_after(std::uint32_t index, unsigned int reads) { vanish_after_(index, reads); }
  int init_count() { return init_count_(); }

 private:
  template <typename Fn>
  void bind(const char* symbol, Fn& out) {
    out = reinterpret_cast<Fn>(dlsym(handle_, symbol));
    if (out == nullptr) ADD_FAILURE() << "the fake ROCm SMI lacks " << symbol;
  }

  void* handle_ = nullptr;
  sysfs_testing::FakeTree tree_;
  void (*reset_)() = nullptr;
  void (*set_device_count_)(std::uint32_t) = nullptr;
  void (*set_init_error_)(int) = nullptr;
  void (*set_energy_count_)(std::uint32_t, std::uint64_t) = nullptr;
  void (*set_energy_supported_)(std::uint32_t, int) = nullptr;
  void (*set_power_uw_)(std::uint32_t, std::uint64_t) = nullptr;
  void (*set_socket_power_supported_)(std::uint32_t, int) = nullptr;
  void (*vanish_after_)(std::uint32_t, unsigned int) = nullptr;
  int (*init_count_)() = nullptr;
};

}  // namespace joule::testing

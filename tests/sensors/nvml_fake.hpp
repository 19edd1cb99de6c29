#pragma once
// Drives the fake libnvidia-ml.so.1 (tests/fixtures/fake_nvml). The test
// dlopens the very file the backend will dlopen; one path is loaded once per
// process, so the setters found here change the state the backend reads.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "joule/discovery.hpp"

namespace joule::testing {

class FakeNvml {
 public:
  static constexpr const char* kPath = FAKE_NVML_PATH;

  FakeNvml() {
    handle_ = dlopen(kPath, RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) {
      ADD_FAILURE() << "cannot load the fake NVML: " << dlerror();
      return;
    }
    bind("fake_nvml_reset", reset_);
    bind("fake_nvml_set_device_count", set_device_count_);
    bind("fake_nvml_set_init_error", set_init_error_);
    bind("fake_nvml_set_energy_mj", set_energy_mj_);
    bind("fake_nvml_set_energy_supported", set_energy_supported_);
    bind("fake_nvml_set_power_mw", set_power_mw_);
    bind("fake_nvml_set_lost", set_lost_);
    bind("fake_nvml_set_process_pids", set_process_pids_);
    bind("fake_nvml_set_instant_power_mw", set_instant_power_mw_);
    bind("fake_nvml_set_instant_power_supported", set_instant_power_supported_);
    bind("fake_nvml_fail_next_reads", fail_next_reads_);
    bind("fake_nvml_init_count", init_count_);
    bind("fake_nvml_set_process_count", set_process_count_);
    bind("fake_nvml_set_driver_version", set_driver_version_);
    bind("fake_nvml_set_mig_instances", set_mig_instances_);
    bind("fake_nvml_set_process_utilization", set_process_utilization_);
    bind("fake_nvml_set_gpu_instance_slices", set_gpu_instance_slices_);
    bind("fake_nvml_set_accounting", set_accounting_);
    reset();
  }
  ~FakeNvml() {
    if (handle_ == nullptr) return;
    reset();
    dlclose(handle_);
  }
  FakeNvml(const FakeNvml&) = delete;
  FakeNvml& operator=(const FakeNvml&) = delete;

  SensorConfig config() const {
    SensorConfig config;
    config.nvml_library = kPath;
    return config;
  }

  void reset() { reset_(); }
  void set_device_count(unsigned int count) { set_device_count_(count); }
  void set_init_error(int code) { set_init_error_(code); }
  void set_energy_mj(unsigned int index, unsigned long long energy_mj) {
    set_energy_mj_(index, energy_mj);
  }
  void set_energy_supported(unsigned int index, bool supported) {
    set_energy_supported_(index, supported ? 1 : 0);
  }
  void set_power_mw(unsigned int index, unsigned int power_mw) { set_power_mw_(index, power_mw); }
  // Only the instantaneous field value (set_power_mw sets it and the average).
  void set_instant_power_mw(unsigned int index, unsigned int power_mw) {
    set_instant_power_mw_(index, power_mw);
  }
  // false: the driver predates NVML_FI_DEV_POWER_INSTANT.
  void set_instant_power_supported(unsigned int index, bool supported) {
    set_instant_power_supported_(index, supported ? 1 : 0);
  }
  // The device's compute processes are exactly these pids (at most 8).
  void set_process_pids(unsigned int index, std::vector<unsigned int> pids) {
    set_process_pids_(index, pids.data(), static_cast<unsigned int>(pids.size()));
  }
  void set_lost(unsigned int index, bool lost) { set_lost_(index, lost ? 1 : 0); }
  int init_count() { return init_count_(); }
  // The next `count` energy and power reads on the device return `code`.
  void fail_next_reads(unsigned int index, unsigned int count, int code) {
    fail_next_reads_(index, count, code);
  }
  // Compute processes on the device: pids 4242, 4243, ...
  void set_process_count(unsigned int index, unsigned int count) {
    set_process_count_(index, count);
  }
  // The version nvmlSystemGetDriverVersion returns; "535.x" lays processes out
  // in 32 bytes each, any other in 24.
  void set_driver_version(const char* version) { set_driver_version_(version); }
  // MIG mode with `count` compute instances (0: MIG off).
  void set_mig_instances(unsigned int index, unsigned int count) {
    set_mig_instances_(index, count);
  }
  // The driver's next utilization sample: pids[k] used sm_percent[k] % of the SMs.
  void set_process_utilization(unsigned int index, std::vector<unsigned int> pids,
                               std::vector<unsigned int> sm_percent) {
    set_process_utilization_(index, pids.data(), sm_percent.data(),
                             static_cast<unsigned int>(pids.size()));
  }

  // MIG mode with one GPU instance per entry, of that many slices (1, 2, 3, 4, 7).
  void set_gpu_instance_slices(unsigned int index, std::vector<unsigned int> slices) {
    set_gpu_instance_slices_(index, slices.data(), static_cast<unsigned int>(slices.size()));
  }
  // Accounting mode on or off; pids[k] had a kernel running gpu_percent[k] %
  // of its time_ms[k] of activity.
  void set_accounting(unsigned int index, bool enabled, std::vector<unsigned int> pids,
                      std::vector<unsigned int> gpu_percent,
                      std::vector<unsigned long long> time_ms) {
    set_accounting_(index, enabled ? 1 : 0, pids.data(), gpu_percent.data(), time_ms.data(),
                    static_cast<unsigned int>(pids.size()));
  }

 private:
  template <typename Fn>
  void bind(const char* symbol, Fn& out) {
    out = reinterpret_cast<Fn>(dlsym(handle_, symbol));
    if (out == nullptr) ADD_FAILURE() << "the fake NVML lacks " << symbol;
  }

  void* handle_ = nullptr;
  void (*reset_)() = nullptr;
  void (*set_device_count_)(unsigned int) = nullptr;
  void (*set_init_error_)(int) = nullptr;
  void (*set_energy_mj_)(unsigned int, unsigned long long) = nullptr;
  void (*set_energy_supported_)(unsigned int, int) = nullptr;
  void (*set_power_mw_)(unsigned int, unsigned int) = nullptr;
  void (*set_lost_)(unsigned int, int) = nullptr;
  void (*set_process_pids_)(unsigned int, const unsigned int*, unsigned int) = nullptr;
  void (*set_instant_power_mw_)(unsigned int, unsigned int) = nullptr;
  void (*set_instant_power_supported_)(unsigned int, int) = nullptr;
  void (*fail_next_reads_)(unsigned int, unsigned int, int) = nullptr;
  int (*init_count_)() = nullptr;
  void (*set_mig_instances_)(unsigned int, unsigned int) = nullptr;
  void (*set_process_utilization_)(unsigned int, const unsigned int*, const unsigned int*,
                                   unsigned int) = nullptr;
  void (*set_process_count_)(unsigned int, unsigned int) = nullptr;
  void (*set_gpu_instance_slices_)(unsigned int, const unsigned int*, unsigned int) = nullptr;
  void (*set_accounting_)(unsigned int, int, const unsigned int*, const unsigned int*,
                          const unsigned long long*, unsigned int) = nullptr;
  void (*set_driver_version_)(const char*) = nullptr;
};

}  // namespace joule::testing

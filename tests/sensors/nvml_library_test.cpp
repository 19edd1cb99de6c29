// The internal NVML wrapper, including the per-process queries that `joule
// run` attribution will use.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "sensors/nvml_fake.hpp"
#include "sensors/nvml_library.hpp"

namespace joule::sensors::nvml {
namespace {

TEST(NvmlLibrary, OpenInitializesAndReleaseShutsDown) {
  testing::FakeNvml fake;
  {
    auto opened = Library::open(testing::FakeNvml::kPath);
    ASSERT_TRUE(opened.library) << opened.error->message;
    EXPECT_FALSE(opened.error);
    EXPECT_EQ(fake.init_count(), 1);
    unsigned int count = 0;
    EXPECT_EQ(opened.library->device_count(count), kSuccess);
    EXPECT_EQ(count, 2u);
  }
  EXPECT_EQ(fake.init_count(), 0);
}

TEST(NvmlLibrary, OpenReportsWhyItFailed) {
  auto missing = Library::open("/nonexistent/libnvidia-ml.so.1");
  EXPECT_FALSE(missing.library);
  ASSERT_TRUE(missing.error);
  EXPECT_EQ(missing.error->kind, OpenError::Kind::library_not_found);

  testing::FakeNvml fake;
  fake.set_init_error(kErrorDriverNotLoaded);
  auto refused = Library::open(testing::FakeNvml::kPath);
  EXPECT_FALSE(refused.library);
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(refused.error->kind, OpenError::Kind::init_failed);
  EXPECT_EQ(refused.error->code, kErrorDriverNotLoaded);
  EXPECT_EQ(refused.error->message, "Driver Not Loaded");
}

TEST(NvmlLibrary, PowerLimitFallsBackToManagementLimit) {
  testing::FakeNvml fake;
  auto opened = Library::open(testing::FakeNvml::kPath);
  ASSERT_TRUE(opened.library);
  Device gpu0 = nullptr, gpu1 = nullptr;
  ASSERT_EQ(opened.library->device_handle(0, gpu0), kSuccess);
  ASSERT_EQ(opened.library->device_handle(1, gpu1), kSuccess);
  unsigned int limit_mw = 0;
  EXPECT_EQ(opened.library->power_limit_mw(gpu0, limit_mw), kSuccess);
  EXPECT_EQ(limit_mw, 700'000u);
  EXPECT_EQ(opened.library->power_limit_mw(gpu1, limit_mw), kSuccess);  // enforced unsupported
  EXPECT_EQ(limit_mw, 70'000u);
}

TEST(NvmlLibrary, PerProcessUtilizationAndRunningProcesses) {
  testing::FakeNvml fake;
  auto opened = Library::open(testing::FakeNvml::kPath);
  ASSERT_TRUE(opened.library);
  const Library& library = *opened.library;
  Device gpu0 = nullptr, gpu1 = nullptr;
  ASSERT_EQ(library.device_handle(0, gpu0), kSuccess);
  ASSERT_EQ(library.device_handle(1, gpu1), kSuccess);

  std::vector<ProcessUtilizationSample> samples;
  ASSERT_EQ(library.process_utilization(gpu0, 0, samples), kSuccess);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].pid, 4242u);
  EXPECT_EQ(samples[0].sm_util, 55u);
  EXPECT_EQ(samples[0].mem_util, 20u);
  // Nothing newer than the last sample seen; NVML's NOT_FOUND is "no samples".
  EXPECT_EQ(library.process_utilization(gpu0, samples[0].time_stamp_us, samples), kSuccess);
  EXPECT_TRUE(samples.empty());
  EXPECT_EQ(library.process_utilization(gpu1, 0, samples), kSuccess);
  EXPECT_TRUE(samples.empty());

  std::vector<ProcessInfo> processes;
  ASSERT_EQ(library.compute_processes(gpu0, processes), kSuccess);
  ASSERT_EQ(processes.size(), 1u);
  EXPECT_EQ(processes[0].pid, 4242u);
  EXPECT_EQ(processes[0].used_gpu_memory_bytes, 2ULL << 30);
  EXPECT_EQ(library.compute_processes(gpu1, processes), kSuccess);
  EXPECT_TRUE(processes.empty());

  fake.set_lost(0, true);
  EXPECT_EQ(library.process_utilization(gpu0, 0, samples), kErrorGpuIsLost);
  EXPECT_EQ(library.compute_processes(gpu0, processes), kErrorGpuIsLost);
}

// The R535 drivers fill 32 bytes per process, every other driver 24 (see
// the fake's header for the sources). Reading one layout as the other gives
// garbage pids past the first, and a 24-byte buffer overruns beyond 24
// processes on R535.
void expect_processes_read_whole(const char* driver_version) {
  SCOPED_TRACE(driver_version);
  testing::FakeNvml fake;
  fake.set_driver_version(driver_version);
  constexpr unsigned int process_count = 40;
  fake.set_process_count(0, process_count);
  auto opened = Library::open(testing::FakeNvml::kPath);
  ASSERT_TRUE(opened.library) << opened.error->message;
  Library& library = *opened.library;
  Device gpu0 = nullptr;
  ASSERT_EQ(library.device_handle(0, gpu0), kSuccess);
  std::vector<ProcessInfo> processes;
  ASSERT_EQ(library.compute_processes(gpu0, processes), kSuccess);
  ASSERT_EQ(processes.size(), process_count);
  for (unsigned int i = 0; i < process_count; ++i) {
    EXPECT_EQ(processes[i].pid, 4242u + i);
    EXPECT_EQ(processes[i].used_gpu_memory_bytes, (2ULL << 30) + i);
    EXPECT_EQ(processes[i].gpu_instance_id, 0xFFFFFFFFu);
  }
}

TEST(NvmlLibrary, ProcessesOnR535DriversAre32BytesEach) {
  expect_processes_read_whole("535.104.05");
}

TEST(NvmlLibrary, ProcessesOnOtherDriversAre24BytesEach) {
  expect_processes_read_whole("550.54.15");
  expect_processes_read_whole("525.125.06");
}

// A GPU in MIG mode says how many compute instances it holds; its processes
// name their GPU instance; one out of MIG mode leaves `instances` empty.
TEST(NvmlLibrary, MigModeCountsTheComputeInstances) {
  testing::FakeNvml fake;
  fake.set_mig_instances(0, 3);
  fake.set_process_count(0, 2);
  auto opened = Library::open(testing::FakeNvml::kPath);
  ASSERT_TRUE(opened.library) << opened.error->message;
  Library& library = *opened.library;
  Device gpu0 = nullptr;
  Device gpu1 = nullptr;
  ASSERT_EQ(library.device_handle(0, gpu0), kSuccess);
  ASSERT_EQ(library.device_handle(1, gpu1), kSuccess);
  std::optional<unsigned int> instances;
  ASSERT_EQ(library.mig_instances(gpu0, instances), kSuccess);
  EXPECT_EQ(instances, 3u);
  ASSERT_EQ(library.mig_instances(gpu1, instances), kSuccess);
  EXPECT_FALSE(instances.has_value());
  std::vector<ProcessInfo> processes;
  ASSERT_EQ(library.compute_processes(gpu0, processes), kSuccess);
  ASSERT_EQ(processes.size(), 2u);
  EXPECT_EQ(processes[0].gpu_instance_id, 1u);
  EXPECT_EQ(processes[1].gpu_instance_id, 2u);
}

}  // namespace
}  // namespace joule::sensors::nvml

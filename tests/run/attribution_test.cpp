#include "run/attribution.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "sensors/nvml_fake.hpp"

using namespace joule;
using namespace joule::run;

namespace {

DomainInfo domain(std::string id, Component component) {
  DomainInfo info;
  info.id = std::move(id);
  info.component = component;
  return info;
}

Measurement interval(std::initializer_list<std::pair<double, bool>> joules_in_total) {
  Measurement m;
  for (auto [joules, in_total] : joules_in_total) {
    DomainEnergy d;
    d.energy = Joules{joules};
    d.in_total = in_total;
    m.domains.push_back(d);
  }
  return m;
}

}  // namespace

TEST(CpuTimeShare, IsTheRatioClampedToOne) {
  EXPECT_DOUBLE_EQ(cpu_time_share({1.0}, {4.0}), 0.25);
  EXPECT_DOUBLE_EQ(cpu_time_share({4.01}, {4.0}), 1.0);
  EXPECT_DOUBLE_EQ(cpu_time_share({1.0}, {0.0}), 0.0);
  EXPECT_DOUBLE_EQ(cpu_time_share({0.0}, {3.0}), 0.0);
}

TEST(ShareKind, GpusByUtilizationEverythingElseByCpuTime) {
  EXPECT_EQ(share_kind(Component::gpu), ShareKind::gpu);
  EXPECT_EQ(share_kind(Component::cpu_package), ShareKind::cpu_time);
  EXPECT_EQ(share_kind(Component::dram), ShareKind::cpu_time);
  EXPECT_EQ(share_kind(Component::psys), ShareKind::cpu_time);
}

TEST(AttributionAccumulator, AppliesEachIntervalsShareToItsEnergy) {
  AttributionAccumulator acc(
      {domain("cpu:package-0", Component::cpu_package), domain("cpu:core-0", Component::cpu_core),
       domain("cpu:dram-0", Component::dram), domain("gpu:0", Component::gpu)});
  std::vector<GpuShare> gpu(4);
  gpu[3] = {0.5, "per-process SM utilization (NVML)"};
  acc.add(interval({{10, true}, {6, false}, {2, true}, {100, true}}), 0.5, gpu);
  gpu[3] = {1.0, "whole GPU (only the command's processes use it)"};
  acc.add(interval({{20, true}, {12, false}, {4, true}, {100, true}}), 0.25, gpu);
  EXPECT_DOUBLE_EQ(acc.machine()[0].joules, 30);
  EXPECT_DOUBLE_EQ(acc.attributed()[0].joules, 5 + 5);
  EXPECT_DOUBLE_EQ(acc.attributed()[1].joules, 3 + 3);
  EXPECT_DOUBLE_EQ(acc.attributed()[2].joules, 1 + 1);
  EXPECT_DOUBLE_EQ(acc.attributed()[3].joules, 50 + 100);
  // The nested core domain is not summed.
  EXPECT_DOUBLE_EQ(acc.machine_total().joules, 30 + 6 + 200);
  EXPECT_DOUBLE_EQ(acc.attributed_total().joules, 10 + 2 + 150);
  ASSERT_EQ(acc.methods().size(), 2u);
  EXPECT_EQ(acc.methods()[0], "gpu:0: per-process SM utilization (NVML)");
}

TEST(GpuShareSource, FallsBackToTheWholeGpuWithoutNvml) {
  auto source = make_gpu_share_source("/nonexistent/libnvidia-ml.so.1");
  auto share = source->share(domain("gpu:0", Component::gpu), {});
  EXPECT_DOUBLE_EQ(share.fraction, 1.0);
  EXPECT_NE(share.method.find("whole GPU"), std::string::npos);
  EXPECT_NE(share.method.find("NVML not available"), std::string::npos);
}

// A pid above PID_MAX_LIMIT (4194304 on 64-bit Linux, include/linux/threads.h)
// exists in no pid namespace: it stands for a host pid that a container's
// /proc does not have.
constexpr unsigned int kPidOutsideThisNamespace = 4'194'305;

TEST(NvmlGpuShare, OnlyTheCommandsProcessesMeansTheWholeGpu) {
  joule::testing::FakeNvml fake;
  fake.set_process_pids(0, {static_cast<unsigned int>(::getpid())});
  auto source = make_gpu_share_source(fake.kPath);
  const pid_t ours[] = {::getpid()};
  auto share = source->share(domain("gpu:0", Component::gpu), ours);
  EXPECT_DOUBLE_EQ(share.fraction, 1.0);
  EXPECT_EQ(share.method, "whole GPU (only the command's processes use it)");
}

TEST(NvmlGpuShare, PidsThisNamespaceCannotSeeAreSaidNotSilentlyCharged) {
  joule::testing::FakeNvml fake;
  const auto self = static_cast<unsigned int>(::getpid());
  const pid_t ours[] = {::getpid()};
  for (const std::vector<unsigned int>& pids :
       {std::vector<unsigned int>{self, kPidOutsideThisNamespace},
        std::vector<unsigned int>{kPidOutsideThisNamespace}}) {
    fake.set_process_pids(0, pids);
    auto source = make_gpu_share_source(fake.kPath);
    auto share = source->share(domain("gpu:0", Component::gpu), ours);
    // Still the whole GPU (an upper bound), but the method says why it may be wrong.
    EXPECT_DOUBLE_EQ(share.fraction, 1.0);
    EXPECT_NE(share.method.find("pid namespace"), std::string::npos) << share.method;
    EXPECT_NE(share.method.find("may be shared"), std::string::npos) << share.method;
  }
}

// Shared GPUs: the command (this test process) shares gpu:0 with pid 1 and
// its parent, both visible in this pid namespace.
class SharedGpu : public ::testing::Test {
 protected:
  void SetUp() override { fake_.set_process_pids(0, {self_, 1, parent_}); }
  GpuShare share() {
    // One source per test, as one `joule run` has; shares since the last call.
    if (!source_) source_ = make_gpu_share_source(fake_.kPath);
    const pid_t ours[] = {::getpid()};
    return source_->share(domain("gpu:0", Component::gpu), ours);
  }

  joule::testing::FakeNvml fake_;
  std::unique_ptr<GpuShareSource> source_;
  const unsigned int self_ = static_cast<unsigned int>(::getpid());
  const unsigned int parent_ = static_cast<unsigned int>(::getppid());
};

TEST_F(SharedGpu, SplitsByEachProcesssSmUtilizationSinceTheLastSample) {
  fake_.set_process_utilization(0, {self_, 1, parent_}, {30, 6, 4});
  GpuShare first = share();
  EXPECT_DOUBLE_EQ(first.fraction, 0.75);
  EXPECT_EQ(first.method, "per-process SM utilization (NVML)");
  EXPECT_TRUE(first.warning.empty());
  // The next interval reads the next sample only.
  fake_.set_process_utilization(0, {self_, 1}, {10, 30});
  EXPECT_DOUBLE_EQ(share().fraction, 0.25);
}

TEST_F(SharedGpu, WithoutUtilizationItSplitsEquallyAmongProcessesAndWarns) {
  fake_.set_process_utilization(0, {}, {});
  const GpuShare split = share();
  EXPECT_DOUBLE_EQ(split.fraction, 1.0 / 3.0);
  EXPECT_NE(split.method.find("equal split among 3 running compute processes, 1 of them"),
            std::string::npos)
      << split.method;
  EXPECT_NE(split.warning.find("split equally among its 3 compute processes"), std::string::npos)
      << split.warning;
}

TEST_F(SharedGpu, MigSplitsTheBoardAmongActiveInstancesThenTheirProcesses) {
  // The fake puts processes on instances 1, 2, 1 of 2: ours and the parent
  // share instance 1, pid 1 has instance 2 alone. Both are 1-slice instances.
  fake_.set_mig_instances(0, 2);
  const GpuShare split = share();
  EXPECT_DOUBLE_EQ(split.fraction, (1.0 / 2.0 + 0.0) / 2.0);
  EXPECT_NE(split.method.find("2 active GPU instance(s) of 2 by their slice counts"),
            std::string::npos)
      << split.method;
  EXPECT_NE(split.warning.find("MIG mode"), std::string::npos) << split.warning;
}

TEST_F(SharedGpu, MigWeighsEachInstanceByItsSlices) {
  // Instance 1 is a 3g (3 slices), instance 2 a 1g; ours and the parent
  // share instance 1, pid 1 has instance 2. The fake's profile ids are not
  // its profile indices (as on an A100), so a lookup by index would fail.
  fake_.set_gpu_instance_slices(0, {3, 1});
  const GpuShare split = share();
  EXPECT_DOUBLE_EQ(split.fraction, 3.0 / 4.0 * (1.0 / 2.0));
  EXPECT_NE(split.method.find("instance 1: 3 slice(s), instance 2: 1 slice(s)"), std::string::npos)
      << split.method;
}

TEST_F(SharedGpu, AccountingStatsComeBeforeUtilizationSamples) {
  // Samples would say 75 %; accounting says otherwise and wins once it has
  // seen each process twice (the processes ran before the source existed,
  // so their first stats are a baseline, not this interval's work).
  fake_.set_process_utilization(0, {self_, 1, parent_}, {30, 6, 4});
  fake_.set_accounting(0, true, {self_, 1, parent_}, {50, 50, 50}, {1000, 1000, 1000});
  EXPECT_DOUBLE_EQ(share().fraction, 0.75);  // baseline taken: samples this time
  // Since then: ours busy 50 % of 2000 ms more, pid 1 of 6000 ms, the parent not at all.
  fake_.set_accounting(0, true, {self_, 1, parent_}, {50, 50, 50}, {3000, 7000, 1000});
  const GpuShare split = share();
  EXPECT_DOUBLE_EQ(split.fraction, 1000.0 / (1000.0 + 3000.0));
  EXPECT_NE(split.method.find("accounting stats"), std::string::npos) << split.method;
}

TEST_F(SharedGpu, AccountingOffMeansUtilizationSamples) {
  fake_.set_accounting(0, false, {self_, 1, parent_}, {90, 5, 5}, {9000, 9000, 9000});
  fake_.set_process_utilization(0, {self_, 1, parent_}, {30, 6, 4});
  const GpuShare split = share();
  EXPECT_DOUBLE_EQ(split.fraction, 0.75);
  EXPECT_EQ(split.method, "per-process SM utilization (NVML)");
}

TEST(AttributionAccumulator, GpuShareWarningsReachTheRunOnce) {
  AttributionAccumulator acc({domain("gpu:0", Component::gpu)});
  const std::vector<GpuShare> shares = {{0.5, "equal split", "shared: split equally"}};
  acc.add(interval({{10, true}}), 0.0, shares);
  acc.add(interval({{10, true}}), 0.0, shares);
  ASSERT_EQ(acc.warnings().size(), 1u);
  EXPECT_EQ(acc.warnings()[0], "gpu:0: shared: split equally");
  EXPECT_DOUBLE_EQ(acc.attributed_total().joules, 10.0);
}

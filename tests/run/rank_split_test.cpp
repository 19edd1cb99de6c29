// Each rank's share of a job under `joule run`: two ranks on one shared GPU
// (two child processes), split by the driver's per-process samples, take
// exactly the command's share between them.
#include "run/rank_split.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
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

Measurement interval(double package_j, double gpu_j) {
  Measurement m;
  for (double joules : {package_j, gpu_j}) {
    DomainEnergy d;
    d.energy = Joules{joules};
    d.in_total = true;
    m.domains.push_back(d);
  }
  return m;
}

// A child that sleeps until killed: one rank's process.
class Sleeper {
 public:
  Sleeper() {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::pause();
      ::_exit(0);
    }
  }
  ~Sleeper() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

}  // namespace

TEST(RankSplit, RanksShareAGpuByTheirProcessesAndNeverExceedTheCommand) {
  joule::testing::FakeNvml fake;
  Sleeper first, second;
  const auto self = static_cast<unsigned int>(first.pid());
  const auto child = static_cast<unsigned int>(second.pid());
  fake.set_process_pids(0, {self, child});
  RankSplit split(
      {domain("cpu:package-0", Component::cpu_package), domain("gpu:0", Component::gpu)},
      fake.kPath);
  split.add(0, first.pid());
  split.add(1, second.pid());

  // The command (both ranks) had the whole GPU; the driver sampled rank 0
  // at 30 % SM and rank 1 at 10 %.
  fake.set_process_utilization(0, {self, child}, {30, 10});
  const std::vector<GpuShare> command = {{}, {1.0, "whole GPU", "", true}};
  split.tick(interval(0, 100), Seconds{1}, 0.0, command);

  std::vector<record::RankRecord> ranks(2);
  ranks[0].rank = 0;
  ranks[1].rank = 1;
  split.fill(ranks);
  EXPECT_NEAR(ranks[0].gpu_energy_j, 75, 1e-9);
  EXPECT_NEAR(ranks[1].gpu_energy_j, 25, 1e-9);
  EXPECT_DOUBLE_EQ(ranks[0].cpu_energy_j, 0);  // the command had no CPU share

  // When the command's own share is smaller (another user's process took
  // half the GPU), the ranks' shares are scaled down to it, never above.
  fake.set_process_utilization(0, {self, child}, {30, 10});
  const std::vector<GpuShare> half = {{}, {0.5, "per-process SM utilization (NVML)", "", true}};
  split.tick(interval(0, 100), Seconds{1}, 0.0, half);
  split.fill(ranks);
  EXPECT_NEAR(ranks[0].gpu_energy_j + ranks[1].gpu_energy_j, 100 + 50, 1e-9);
}

TEST(RankSplit, AGpuWhoseShareIgnoresPidsGoesToNoRank) {
  RankSplit split({domain("gpu:0", Component::gpu)}, "/nonexistent/libnvidia-ml.so.1");
  split.add(0, ::getpid());
  Measurement m;
  DomainEnergy d;
  d.energy = Joules{40};
  d.in_total = true;
  m.domains.push_back(d);
  const std::vector<GpuShare> command = {{1.0, "whole GPU (no NVML)", ""}};
  split.tick(m, Seconds{1}, 0.0, command);
  std::vector<record::RankRecord> ranks(1);
  split.fill(ranks);
  EXPECT_DOUBLE_EQ(ranks[0].gpu_energy_j, 0);
}

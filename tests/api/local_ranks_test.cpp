// Four ranks of one job measuring themselves (local mode, no `joule run`),
// as four real processes on one fixture machine: a RAPL tree (two packages,
// one DRAM) and four GPUs of the fake NVML. The test drives every counter by
// a known amount while all four scopes are open; the four ranks' figures
// must add up to the machine's energy once: one rank counts the machine-wide
// domains, each counts its own GPU.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/local_ranks.hpp"
#include "sensors/sysfs_fixture.hpp"
#include "support/background_process.hpp"

using joule::detail::RankEnvironment;
using joule::detail::select_rank_gpus;
using joule::sysfs_testing::FakeTree;
using joule::testing::BackgroundProcess;

namespace {

constexpr int kRanks = 4;
// What the test drives while the scopes are open, in joules.
constexpr double kPackage0 = 100, kPackage1 = 80, kDram = 20;
constexpr double kGpu[kRanks] = {50, 60, 70, 80};
constexpr std::uint64_t kStartUj = 5'000'000'000;

void write_rapl(FakeTree& tree, double package0_j, double package1_j, double dram_j) {
  auto uj = [](double joules) { return std::to_string(kStartUj + std::uint64_t(joules * 1e6)); };
  for (int socket = 0; socket < 2; ++socket) {
    const std::string zone = "class/powercap/intel-rapl:" + std::to_string(socket);
    tree.write(zone + "/name", "package-" + std::to_string(socket));
    tree.write(zone + "/energy_uj", uj(socket == 0 ? package0_j : package1_j));
    tree.write(zone + "/max_energy_range_uj", "262143328850");
  }
  const std::string dram = "class/powercap/intel-rapl:0/intel-rapl:0:0";
  tree.write(dram + "/name", "dram");
  tree.write(dram + "/energy_uj", uj(dram_j));
  tree.write(dram + "/max_energy_range_uj", "65712999613");
}

void write_gpus(const std::filesystem::path& file, bool driven) {
  std::ofstream out(file.string() + ".tmp");
  for (int i = 0; i < kRanks; ++i) {
    out << 1'000'000ULL * (i + 1) + (driven ? std::uint64_t(kGpu[i] * 1000) : 0) << " ";
  }
  out.close();
  std::filesystem::rename(file.string() + ".tmp", file);  // a reader sees all four or none
}

bool wait_for_files(const std::filesystem::path& dir, const std::string& prefix) {
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    int found = 0;
    for (int r = 0; r < kRanks; ++r)
      found += std::filesystem::exists(dir / (prefix + std::to_string(r)));
    if (found == kRanks) return true;
    if (std::chrono::steady_clock::now() > limit) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

struct RankResult {
  double total_j = 0;
  std::map<std::string, double> domains_j;
  std::string report;
};

RankResult read_result(const std::filesystem::path& file) {
  RankResult result;
  std::ifstream in(file);
  std::string key;
  while (in >> key) {
    if (key == "report") {
      std::getline(in, result.report);
    } else if (key == "total") {
      in >> result.total_j;
    } else {
      in >> result.domains_j[key];
    }
  }
  return result;
}

class LocalRanks : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tree_.root() / "ranks";
    runtime_ = tree_.root() / "runtime";
    std::filesystem::create_directories(dir_);
    std::filesystem::create_directories(runtime_);
    std::filesystem::permissions(runtime_, std::filesystem::perms::owner_all);
    write_rapl(tree_, 0, 0, 0);
    write_gpus(gpu_file(), false);
  }

  std::filesystem::path gpu_file() const { return tree_.root() / "gpu_energy_mj"; }

  std::map<std::string, std::string> rank_env(int rank) const {
    return {{"RANK", std::to_string(rank)},
            {"LOCAL_RANK", std::to_string(rank)},
            {"WORLD_SIZE", std::to_string(kRanks)},
            {"LOCAL_WORLD_SIZE", std::to_string(kRanks)},
            {"TORCHELASTIC_RUN_ID", "local-job-1"},
            {"CUDA_VISIBLE_DEVICES", "\x01unset"},
            {"JOULE_CONTROL", "\x01unset"},
            {"JOULE_TRACE", "\x01unset"},
            {"JOULE_SENSORS", "rapl-powercap,nvml"},
            {"JOULE_ESTIMATOR", "off"},
            {"JOULE_SYSFS_ROOT", tree_.sys().string()},
            {"JOULE_NVML_LIBRARY", FAKE_NVML_PATH},
            {"FAKE_NVML_DEVICE_COUNT", std::to_string(kRanks)},
            {"FAKE_NVML_ENERGY_FILE", gpu_file().string()},
            {"XDG_RUNTIME_DIR", runtime_.string()}};
  }

  FakeTree tree_;
  std::filesystem::path dir_;
  std::filesystem::path runtime_;
};

TEST_F(LocalRanks, FourRanksAddUpToTheMachineOnce) {
  std::vector<std::unique_ptr<BackgroundProcess>> ranks;
  for (int r = 0; r < kRanks; ++r) {
    ranks.push_back(std::make_unique<BackgroundProcess>(
        std::vector<std::string>{LOCAL_RANK_PROGRAM, dir_.string()}, rank_env(r),
        dir_ / ("log-" + std::to_string(r))));
  }
  ASSERT_TRUE(wait_for_files(dir_, "ready-")) << "the ranks did not all start";
  // A second between the scopes' start and the step keeps the step's implied
  // power (at most 100 W) below every domain's physical bound.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  write_rapl(tree_, kPackage0, kPackage1, kDram);
  write_gpus(gpu_file(), true);
  std::ofstream(dir_ / "go") << "go\n";
  ASSERT_TRUE(wait_for_files(dir_, "result-")) << "the ranks did not all finish";
  for (int r = 0; r < kRanks; ++r) EXPECT_EQ(ranks[r]->wait_for(std::chrono::seconds(30)), 0);

  const double machine_j = kPackage0 + kPackage1 + kDram + kGpu[0] + kGpu[1] + kGpu[2] + kGpu[3];
  double sum_j = 0;
  int owners = 0;
  for (int r = 0; r < kRanks; ++r) {
    const RankResult result = read_result(dir_ / ("result-" + std::to_string(r)));
    SCOPED_TRACE("rank " + std::to_string(r) + ": " + result.report);
    sum_j += result.total_j;
    // Each rank counts the GPU of its LOCAL_RANK, and no other.
    for (int g = 0; g < kRanks; ++g) {
      const double gpu_j = result.domains_j.at("gpu:" + std::to_string(g));
      EXPECT_NEAR(gpu_j, g == r ? kGpu[g] : 0, 1e-6);
    }
    const double package_j = result.domains_j.at("cpu:package-0");
    if (package_j > 0) {
      ++owners;
      EXPECT_NEAR(package_j, kPackage0, 1e-6);
      EXPECT_NE(result.report.find("counts the machine-wide domains"), std::string::npos);
    } else {
      EXPECT_NE(result.report.find("the machine-wide domains are counted by rank"),
                std::string::npos);
    }
  }
  EXPECT_EQ(owners, 1);
  EXPECT_NEAR(sum_j, machine_j, machine_j * 0.01);
}

}  // namespace

namespace {

std::vector<joule::DomainInfo> four_gpus_and_a_package() {
  std::vector<joule::DomainInfo> domains;
  joule::DomainInfo package;
  package.id = "cpu:package-0";
  package.component = joule::Component::cpu_package;
  domains.push_back(package);
  for (int i = 0; i < 4; ++i) {
    joule::DomainInfo gpu;
    gpu.id = "gpu:" + std::to_string(i);
    gpu.component = joule::Component::gpu;
    gpu.source = "libnvidia-ml.so.1 device " + std::to_string(i) + " (GPU-" +
                 std::string(8, char('a' + i)) + "-fake)";
    domains.push_back(gpu);
  }
  return domains;
}

RankEnvironment rank(int local_rank, std::optional<int> local_world,
                     std::optional<std::string> visible = std::nullopt) {
  RankEnvironment env;
  env.rank = env.local_rank = local_rank;
  env.local_world_size = local_world;
  env.cuda_visible_devices = std::move(visible);
  return env;
}

}  // namespace

TEST(SelectRankGpus, OneGpuPerRankIsTheLocalRanksOne) {
  const auto selection = select_rank_gpus(rank(2, 4), four_gpus_and_a_package());
  EXPECT_EQ(selection.mine, std::set<std::string>{"gpu:2"});
  EXPECT_FALSE(selection.shared);
}

TEST(SelectRankGpus, AListOfOneIsTheRanksByIndexOrUuid) {
  EXPECT_EQ(select_rank_gpus(rank(0, 4, "3"), four_gpus_and_a_package()).mine,
            std::set<std::string>{"gpu:3"});
  EXPECT_EQ(select_rank_gpus(rank(0, 4, "GPU-bbbb"), four_gpus_and_a_package()).mine,
            std::set<std::string>{"gpu:1"});
}

TEST(SelectRankGpus, AListAsLongAsTheRanksIsIndexedByLocalRank) {
  const auto selection = select_rank_gpus(rank(1, 2, "3,0"), four_gpus_and_a_package());
  EXPECT_EQ(selection.mine, std::set<std::string>{"gpu:0"});
}

TEST(SelectRankGpus, MoreRanksThanGpusOrAMigIdMeansSharedGpus) {
  const auto more_ranks = select_rank_gpus(rank(1, 8), four_gpus_and_a_package());
  EXPECT_TRUE(more_ranks.mine.empty());
  EXPECT_TRUE(more_ranks.shared);
  const auto mig = select_rank_gpus(rank(0, 2, "MIG-1234"), four_gpus_and_a_package());
  EXPECT_TRUE(mig.shared);
  EXPECT_NE(mig.why.find("MIG instance MIG-1234"), std::string::npos) << mig.why;
  const auto unknown = select_rank_gpus(rank(0, 1, "GPU-zzzz"), four_gpus_and_a_package());
  EXPECT_TRUE(unknown.shared);
  EXPECT_NE(unknown.why.find("matches no GPU"), std::string::npos) << unknown.why;
}

TEST(SelectRankGpus, AnEmptyListMeansNoGpu) {
  const auto selection = select_rank_gpus(rank(0, 4, ""), four_gpus_and_a_package());
  EXPECT_TRUE(selection.mine.empty());
  EXPECT_FALSE(selection.shared);
}

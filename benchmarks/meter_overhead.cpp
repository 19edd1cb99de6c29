// Meter overhead, measured side by side in one run (the machine is shared and
// noisy, so only ratios within one run mean anything):
//  - snapshot() over N fixture RAPL domains against raw pread() of the same
//    energy_uj files (target: at most 2x);
//  - the sampler thread's own CPU time at 100 Hz and 1 kHz, from its thread
//    CPU clock (targets: at most 0.1% and 1% of one core).
// Run: ./build/benchmarks/meter_overhead (see docs/performance.md).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <time.h>

#include <charconv>
#include <thread>

#include "joule/meter.hpp"
#include "sensors/sysfs_fixture.hpp"

namespace {

using joule::sysfs_testing::FakeTree;

// A powercap tree with `packages` packages, each with core and dram subzones.
std::unique_ptr<FakeTree> make_tree(int packages) {
  auto tree = std::make_unique<FakeTree>();
  for (int p = 0; p < packages; ++p) {
    const std::string zone = "class/powercap/intel-rapl:" + std::to_string(p);
    tree->write(zone + "/name", "package-" + std::to_string(p));
    tree->write(zone + "/energy_uj", "123456789");
    tree->write(zone + "/max_energy_range_uj", "262143328850");
    for (int s = 0; s < 2; ++s) {
      const std::string sub = zone + "/intel-rapl:" + std::to_string(p) + ":" + std::to_string(s);
      tree->write(sub + "/name", s == 0 ? "core" : "dram");
      tree->write(sub + "/energy_uj", "2345678");
      tree->write(sub + "/max_energy_range_uj", "262143328850");
    }
  }
  return tree;
}

std::unique_ptr<joule::Meter> make_meter(const FakeTree& tree, joule::MeterOptions options) {
  auto config = tree.config();
  config.only_backends = {"rapl-powercap"};
  auto meter = joule::Meter::discover(config, options);
  if (meter->domains().empty()) throw std::runtime_error("fixture tree yielded no domains");
  return meter;
}

void BM_Snapshot(benchmark::State& state) {
  auto tree = make_tree(static_cast<int>(state.range(0)));
  auto meter = make_meter(*tree, {.start_sampler = false});
  for (auto _ : state) benchmark::DoNotOptimize(meter->snapshot());
  state.counters["domains"] = static_cast<double>(meter->domains().size());
}

// The floor: pread and parse the same files, nothing else.
void BM_RawPread(benchmark::State& state) {
  auto tree = make_tree(static_cast<int>(state.range(0)));
  std::vector<int> fds;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(tree->sys())) {
    if (entry.path().filename() == "energy_uj")
      fds.push_back(::open(entry.path().c_str(), O_RDONLY));
  }
  char buffer[32];
  for (auto _ : state) {
    std::uint64_t sum = 0;
    for (int fd : fds) {
      ssize_t n = ::pread(fd, buffer, sizeof buffer, 0);
      std::uint64_t uj = 0;
      std::from_chars(buffer, buffer + std::max<ssize_t>(n, 0), uj);
      sum += uj;
    }
    benchmark::DoNotOptimize(sum);
  }
  for (int fd : fds) ::close(fd);
  state.counters["domains"] = static_cast<double>(fds.size());
}

BENCHMARK(BM_Snapshot)->Arg(1)->Arg(4)->Arg(16);
BENCHMARK(BM_RawPread)->Arg(1)->Arg(4)->Arg(16);

// Runs the sampler for a fixed wall time and reports its CPU time as a
// share of one core.
void BM_SamplerCpuShare(benchmark::State& state) {
  auto tree = make_tree(2);
  const auto interval = std::chrono::microseconds(state.range(0));
  for (auto _ : state) {
    auto meter = make_meter(*tree, {.interval = interval, .start_sampler = false});
    const auto start = std::chrono::steady_clock::now();
    meter->start_sampler();
    std::this_thread::sleep_for(std::chrono::seconds(3));
    meter->stop_sampler();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.counters["cpu_share_pct"] = 100.0 * meter->sampler_cpu_time().seconds / wall;
    state.counters["samples_per_s"] = static_cast<double>(meter->timeline().size()) / wall;
  }
}

BENCHMARK(BM_SamplerCpuShare)
    ->Arg(10000)  // 100 Hz
    ->Arg(1000)   // 1 kHz
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The floor: a thread that only sleeps to the same absolute deadlines. On a
// loaded VM each wake-up alone costs tens of microseconds of CPU time; the
// sampler's share should be read against this one.
void BM_BareWakeupCpuShare(benchmark::State& state) {
  const long interval_ns = state.range(0) * 1000;
  for (auto _ : state) {
    double cpu_seconds = 0;
    const auto start = std::chrono::steady_clock::now();
    std::thread sleeper([&] {
      timespec next{};
      clock_gettime(CLOCK_MONOTONIC, &next);
      for (long i = 0; i < 3'000'000'000L / interval_ns; ++i) {
        next.tv_nsec += interval_ns;
        if (next.tv_nsec >= 1'000'000'000L) {
          next.tv_nsec -= 1'000'000'000L;
          ++next.tv_sec;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
      }
      timespec used{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &used);
      cpu_seconds = static_cast<double>(used.tv_sec) + static_cast<double>(used.tv_nsec) * 1e-9;
    });
    sleeper.join();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.counters["cpu_share_pct"] = 100.0 * cpu_seconds / wall;
  }
}

BENCHMARK(BM_BareWakeupCpuShare)
    ->Arg(10000)
    ->Arg(1000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

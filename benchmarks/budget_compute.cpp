// The budget's speed target (issue #13): a scenario with 3 deployments and
// 10 what-ifs computed in under 50 ms of CPU, start-up included.
//   BM_ComputeBudget:   compute_budget in-process, tables already parsed
//   BM_JouleBudgetCold: the whole `joule budget` process (exec, table
//                       parsing, the page), its CPU time from wait4's rusage
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "joule/budget.hpp"

namespace {

const std::string kScenario = std::string(JOULE_SOURCE_DIR) + "/benchmarks/budget_scenario.toml";

joule::budget::BudgetOptions options() {
  joule::budget::BudgetOptions o;
  o.read_config_files = false;
  o.guess_from_time_zone = false;
  return o;
}

void BM_ComputeBudget(benchmark::State& state) {  // NOLINT(readability-identifier-naming)
  std::size_t what_ifs = 0;
  for (auto _ : state) {
    const auto result = joule::budget::compute_budget(kScenario, options());
    what_ifs = result.what_ifs.size();
    benchmark::DoNotOptimize(result.co2e_g.central);
  }
  state.counters["what_ifs"] = static_cast<double>(what_ifs);
  state.counters["deployments"] = 3;
}
BENCHMARK(BM_ComputeBudget)->Unit(benchmark::kMillisecond);

// CPU seconds (user + system) of one `joule budget` process, output discarded.
double joule_budget_cpu_seconds() {
  const std::string joule = std::string(JOULE_BINARY_DIR) + "/joule";
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    execl(joule.c_str(), joule.c_str(), "budget", kScenario.c_str(), "--no-config", "--no-tz-guess",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("joule budget failed: is " + joule + " built?");
  }
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void BM_JouleBudgetCold(benchmark::State& state) {  // NOLINT(readability-identifier-naming)
  for (auto _ : state) state.SetIterationTime(joule_budget_cpu_seconds());
}
BENCHMARK(BM_JouleBudgetCold)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

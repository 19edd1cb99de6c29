// joule-bench, run as `joule bench`: common model families trained and served
// on the user's own machine, compared on quality against joules.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/engine/engine.hpp"
#include "bench/engine/task.hpp"
#include "bench/plan.hpp"
#include "bench_driver.hpp"

namespace {

// libgomp reads OMP_WAIT_POLICY once, in a constructor that runs when
// LibTorch is loaded, before main(). Setting it here is too late for this
// process image, so when the user has not chosen a policy we set the passive
// one and execute ourselves again (once: the variable is then set).
void reexec_with_passive_openmp(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  execv("/proc/self/exe", argv);
  fmt::print(stderr,
             "joule bench: warning: could not restart with OMP_WAIT_POLICY=PASSIVE ({}); "
             "OpenMP threads will spin and measurements may collapse under contention\n",
             std::strerror(errno));
}

std::vector<std::string> quick_mode_tasks() {
  std::vector<std::string> names;
  for (const auto& task : joule::bench::registered_tasks()) {
    if (task->in_quick_mode()) names.push_back(task->name());
  }
  return names;
}

}  // namespace

int main(int argc, char** argv) {
  reexec_with_passive_openmp(argv);
  joule::bench::prepare_process_environment();

  using joule::bench::BenchOptions;
  BenchOptions options;
  joule::bench::DriverOptions driver;
  std::string tiers_text;
  std::string task;
  bool list_models = false;

  CLI::App app{
      "joule bench: common model families on the same task, quality against joules, on this "
      "machine",
      "joule bench"};
  app.add_flag("--quick", options.quick,
               "Every model of the quick-mode tasks on reduced budgets with one seed (about 5 "
               "minutes on 2 cores)");
  const std::vector<std::string> task_names = joule::bench::task_names();
  std::vector<std::string> task_choices = task_names;
  task_choices.emplace_back("all");
  app.add_option("--task", task,
                 fmt::format("{} or all (default: quick -> {}, full -> all)",
                             fmt::join(task_names, ", "), fmt::join(quick_mode_tasks(), ", ")))
      ->check(CLI::IsMember(task_choices));
  app.add_option("--models", options.models, "Only these models (comma-separated)")->delimiter(',');
  app.add_option("--seeds", options.seeds, "Seeds per model (default: quick 1, full 3)")
      ->check(CLI::PositiveNumber);
  app.add_option("--threads", options.threads, "LibTorch intra-op threads (default: every core)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--tiers", tiers_text,
                 "Quality targets of the one --task, e.g. 0.84,0.88,0.91 (accuracy) or 2.3,2.1 "
                 "(bits/char)");
  app.add_option("--out", options.out,
                 "Directory for summary.md, results.json, SVG charts and "
                 "run records (default: ./joule-bench)");
  app.add_option("--fashion-mnist", options.fashion_dir,
                 "Fashion-MNIST IDX directory (default: dataset-fashion-mnist's)");
  app.add_option("--austen", options.austen_rdb,
                 "janeaustenr's Rdata.rdb (default: r-cran-janeaustenr's)");
  app.add_flag("!--no-variants", options.variants,
               "Skip the hidden-cost variants (threads, precision, layout, TorchScript)");
  app.add_option("--order-seed", options.order_seed,
                 "Seed of the randomized run order (default: random, printed)");
  app.add_option("--ledger", driver.ledger,
                 "Ledger file (default: $JOULE_LEDGER, else the XDG "
                 "data directory)");
  app.add_flag("--no-ledger", driver.no_ledger, "Do not record the runs in the ledger");
  app.add_flag("--list-models", list_models, "Print the registered models and exit");
  auto* resume = app.add_option("--resume", driver.resume,
                                "Continue the interrupted benchmark in DIR: run only the "
                                "(model, seed) pieces it has not finished");
  app.add_option("--only", driver.only,
                 "Run only these pieces: MODEL or MODEL/SEED (TASK:MODEL where the name is "
                 "ambiguous), repeatable or comma-separated, to split a benchmark across runs "
                 "or machines");
  auto* merge = app.add_option("--merge", driver.merge,
                               "Join the pieces of these benchmark directories into --out and "
                               "report on them (machines may differ)")
                    ->expected(1, -1);
  merge->excludes(resume);
  CLI11_PARSE(app, argc, argv);

  if (list_models) return joule::bench::print_models();
  try {
    if (!task.empty() && task != "all") options.tasks = {task};
    if (task == "all") options.tasks = task_names;
    if (!tiers_text.empty()) {
      if (options.tasks.size() != 1) {
        throw std::invalid_argument(fmt::format("--tiers applies to one task: add --task {}",
                                                fmt::join(task_names, " or --task ")));
      }
      options.tiers = joule::bench::parse_tiers(tiers_text);
    }
  } catch (const std::exception& error) {
    fmt::print(stderr, "joule bench: {}\n", error.what());
    return 2;
  }
  driver.out_given = app.count("--out") > 0;
  if (!driver.resume.empty()) {
    // Given beside --resume, these must agree with the directory's benchmark.
    if (app.count("--quick") > 0) driver.asked.mode = options.quick ? "quick" : "full";
    if (!task.empty()) driver.asked.tasks = options.tasks;
    if (app.count("--models") > 0) driver.asked.models = options.models;
    if (app.count("--seeds") > 0) driver.asked.seeds = options.seeds;
  }
  if (!driver.merge.empty() && !driver.out_given) {
    fmt::print(stderr, "joule bench: --merge needs --out DIR for the joined results\n");
    return 2;
  }
  driver.argv.assign(argv, argv + argc);
  return joule::bench::run_bench(options, driver);
}

// `joule demo`: a short measured demonstration on whatever sensors this
// machine has: the same number of seconds idle and then busy on every core,
// side by side, so the reader sees what the sensors can tell apart.
#include <fmt/format.h>

#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

#include "cli/command.hpp"
#include "cli/validators.hpp"
#include "joule/format.hpp"
#include "joule/meter.hpp"

namespace joule::cli {
namespace {

// Dense floating-point work that the compiler cannot remove: a small matrix
// product repeated until told to stop.
double burn_until(const std::atomic<bool>& stop) {
  constexpr std::size_t n = 64;
  std::vector<double> a(n * n, 1.0001), b(n * n, 0.9999), c(n * n, 0.0);
  double checksum = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t k = 0; k < n; ++k) {
        const double aik = a[i * n + k];
        for (std::size_t j = 0; j < n; ++j) c[i * n + j] += aik * b[k * n + j];
      }
    }
    checksum += c[0];
    std::fill(c.begin(), c.end(), 0.0);
  }
  return checksum;
}

Measurement measure_phase(Meter& meter, double seconds, bool busy) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  std::atomic<double> sink{0};
  auto start = meter.start();
  if (busy) {
    const unsigned count = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < count; ++i) {
      workers.emplace_back([&] { sink.store(burn_until(stop)); });
    }
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  return meter.stop(start);
}

void print_phase(std::string_view name, const Measurement& m) {
  fmt::print("{:<6} {:>8}  total {:>10} ({:>9})  {} ±{:.0f}%\n", name, m.duration, m.total,
             m.mean_power, to_string(m.total_provenance), m.total_relative_uncertainty * 100);
  for (const auto& d : m.domains) {
    fmt::print("         {:<18} {:>10} ({:>9})  {}{}\n", d.id, d.energy, d.mean_power,
               to_string(d.provenance), d.in_total ? "" : "  (inside another domain)");
  }
}

void run_demo(double seconds) {
  auto meter = Meter::discover();
  fmt::print("Measuring {:.3g} s idle, then {:.3g} s with every core busy...\n\n", seconds,
             seconds);
  auto idle = measure_phase(*meter, seconds, false);
  auto busy = measure_phase(*meter, seconds, true);
  print_phase("idle", idle);
  print_phase("busy", busy);
  const double extra_j = busy.total.joules - idle.total.joules;
  fmt::print("\nThe busy phase drew {} more than the idle one ({:+.2f} W).\n", Joules{extra_j},
             busy.mean_power.watts - idle.mean_power.watts);
  fmt::print(
      "These are whole-machine figures: anything else running counts in both phases (use `joule "
      "run -- COMMAND` to attribute energy to one command).\n");
  if (busy.total_provenance == Provenance::modelled) {
    fmt::print(
        "These figures are MODELLED from CPU utilisation and reference tables (no readable "
        "energy counter here); see `joule sensors` for how to enable measured ones.\n");
  }
  for (const auto& w : busy.warnings) fmt::print("warning: {}\n", w);
}

const CommandRegistrar registrar("demo", [](CLI::App& app) {
  auto seconds = std::make_shared<double>(3.0);
  auto* cmd = app.add_subcommand("demo", "Measure a few seconds idle and busy, side by side");
  cmd->add_option("--seconds", *seconds, "Length of each phase")
      ->check(between(0.1, 600))
      ->capture_default_str();
  cmd->callback([seconds] { run_demo(*seconds); });
});

}  // namespace
}  // namespace joule::cli

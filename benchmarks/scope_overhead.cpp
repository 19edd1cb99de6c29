// Overhead of a scope: opening and ending one, on the stepped trace fixture
// (no I/O beyond the fixture sensor's in-memory rows) and on the estimator
// (reads /proc/stat per snapshot), with and without the carbon arithmetic.
#include <benchmark/benchmark.h>

#include <string>

#include "joule/scope.hpp"

namespace {

joule::SessionOptions options(bool trace) {
  joule::SessionOptions o;
  o.mode = joule::SessionMode::local;
  o.sensors = joule::SensorConfig{};
  if (trace) {
    o.sensors.trace_file =
        std::string(JOULE_SOURCE_DIR) + "/tests/fixtures/traces/wrapping_counters.csv";
  } else {
    o.sensors.only_backends = {"estimator"};
    o.sensors.estimator = joule::EstimatorMode::on;
  }
  o.carbon = joule::carbon::ContextOptions{};
  o.carbon->country = "FR";
  o.carbon->read_config_files = false;
  return o;
}

void BM_ScopeOpenEnd_Trace(benchmark::State& state) {
  joule::Session session(options(true));
  for (auto _ : state) {
    auto scope = session.scope("step");
    benchmark::DoNotOptimize(scope.end().measurement.total);
  }
}
BENCHMARK(BM_ScopeOpenEnd_Trace);

void BM_ScopeOpenEndUnits_Trace(benchmark::State& state) {
  joule::Session session(options(true));
  for (auto _ : state) {
    auto scope = session.scope("batch", "inference");
    scope.add_units(32);
    benchmark::DoNotOptimize(scope.end().measurement.total);
  }
}
BENCHMARK(BM_ScopeOpenEndUnits_Trace);

void BM_ScopeOpenEndFootprint_Trace(benchmark::State& state) {
  joule::Session session(options(true));
  for (auto _ : state) {
    auto scope = session.scope("batch", "inference");
    scope.add_units(32);
    benchmark::DoNotOptimize(scope.end().footprint().sci_g_per_unit);
  }
}
BENCHMARK(BM_ScopeOpenEndFootprint_Trace);

void BM_ScopeOpenEnd_Estimator(benchmark::State& state) {
  joule::Session session(options(false));
  for (auto _ : state) {
    auto scope = session.scope("step");
    benchmark::DoNotOptimize(scope.end().measurement.total);
  }
}
BENCHMARK(BM_ScopeOpenEnd_Estimator);

void BM_ScopeOpenEnd_FourThreads(benchmark::State& state) {
  static joule::Session* session = nullptr;
  if (state.thread_index() == 0) session = new joule::Session(options(true));
  for (auto _ : state) {
    auto scope = session->scope("step");
    benchmark::DoNotOptimize(scope.end().measurement.total);
  }
  if (state.thread_index() == 0) {
    delete session;
    session = nullptr;
  }
}
BENCHMARK(BM_ScopeOpenEnd_FourThreads)->Threads(4)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

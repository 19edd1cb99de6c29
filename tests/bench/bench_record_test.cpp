// A benchmark run as a run record: what `joule ls --tag bench`, `joule show`
// and `joule compare` read back from the ledger.
#include "bench/bench_record.hpp"

#include <gtest/gtest.h>

#include "carbon/context_hooks.hpp"
#include "record/json_io.hpp"

namespace joule::bench {
namespace {

RunResult sample_run() {
  RunResult run;
  run.task = "fashion-mnist";
  run.model = "mlp";
  run.seed = 2;
  run.curve = {{0.5, Seconds{1.0}, Joules{30.0}, 0.81}, {1.0, Seconds{2.5}, Joules{70.0}, 0.86}};
  run.training = {Joules{70.0}, Seconds{2.5}, 0.5, Joules{25.0}, Seconds{4.0}, Seconds{0.2}};
  run.final_quality = 0.86;
  InferenceResult batch1;
  batch1.variant = "default";
  batch1.batch = 1;
  batch1.cost = {Joules{5.0}, Seconds{0.5}, 0.5, Joules{0.0}, Seconds{0.9}, Seconds{0.0}};
  InferenceResult unsupported;
  unsupported.variant = "torchscript";
  unsupported.supported = false;
  run.inference = {batch1, unsupported};
  run.warnings = {"something odd"};
  return run;
}

RecordContext sample_context() {
  RecordContext context;
  context.command = {"joule-bench", "--quick"};
  context.mode = "quick";
  context.energy_source = "modelled: estimator";
  context.modelled = true;
  context.idle_power = Watts{10};
  context.idle_duration = Seconds{2};
  context.threads = 2;
  context.blas = "OpenBLAS";
  return context;
}

TEST(BenchRecord, TotalsAddTrainingAndInference) {
  TaskInfo task{"fashion-mnist", "accuracy", Direction::higher_is_better, {0.84}, ""};
  const auto now = std::chrono::system_clock::now();
  const record::RunRecord record =
      to_run_record(sample_run(), task, sample_context(), {}, now - std::chrono::seconds(3), now);
  EXPECT_EQ(record.status, record::RunStatus::finished);
  EXPECT_DOUBLE_EQ(record.totals.machine_energy_j, 75.0);
  EXPECT_DOUBLE_EQ(record.totals.idle_energy_j, 25.0);
  EXPECT_DOUBLE_EQ(record.totals.above_idle_energy_j, 50.0);
  EXPECT_DOUBLE_EQ(record.duration_s, 3.0);
  EXPECT_EQ(record.totals.provenance, Provenance::modelled);
  ASSERT_TRUE(record.idle.has_value());
  EXPECT_DOUBLE_EQ(record.idle->power_w, 10);
}

TEST(BenchRecord, PhasesCoverTrainingStretchesAndSupportedInference) {
  TaskInfo task{"fashion-mnist", "accuracy", Direction::higher_is_better, {0.84}, ""};
  const auto now = std::chrono::system_clock::now();
  const record::RunRecord record =
      to_run_record(sample_run(), task, sample_context(), {}, now, now);
  ASSERT_EQ(record.phases.size(),
            3u);  // two training stretches, one inference; not the unsupported
  EXPECT_DOUBLE_EQ(record.phases[0].machine_energy_j, 30.0);
  EXPECT_DOUBLE_EQ(record.phases[1].machine_energy_j, 40.0);
  EXPECT_DOUBLE_EQ(record.phases[1].start_offset_s, 1.0);
  EXPECT_DOUBLE_EQ(record.phases[2].start_offset_s, 2.5);
  EXPECT_DOUBLE_EQ(record.phases[2].end_offset_s, 3.0);
  EXPECT_NE(record.phases[2].name.find("batch 1"), std::string::npos);
}

TEST(BenchRecord, TuningIsAPhaseBeforeTrainingAndPartOfTheTotals) {
  TaskInfo task{"fashion-mnist", "accuracy", Direction::higher_is_better, {0.84}, ""};
  const auto now = std::chrono::system_clock::now();
  RunResult run = sample_run();
  run.tuning.energy = Joules{200};
  run.tuning.duration = Seconds{4};
  run.tuning_trials = {{1e-3, 0.86, run.training, StopReason::epoch_cap, true},
                       {2e-3, 0.8, run.tuning, StopReason::plateau, false}};
  const record::RunRecord record = to_run_record(run, task, sample_context(), {}, now, now);
  EXPECT_DOUBLE_EQ(record.totals.machine_energy_j, 275.0);
  ASSERT_EQ(record.phases.size(), 4u);
  EXPECT_NE(record.phases[0].name.find("tuning"), std::string::npos);
  EXPECT_DOUBLE_EQ(record.phases[0].machine_energy_j, 200.0);
  EXPECT_DOUBLE_EQ(record.phases[1].start_offset_s, 4.0);  // training after tuning
  EXPECT_DOUBLE_EQ(record.phases[3].end_offset_s, 7.0);
  EXPECT_EQ(record.tags.at("stopped_by"), "epoch_cap");
}

TEST(BenchRecord, TaggedForTheLedgerAndRoundTripsThroughJson) {
  TaskInfo task{"fashion-mnist", "accuracy", Direction::higher_is_better, {0.84}, ""};
  const auto now = std::chrono::system_clock::now();
  RunResult run = sample_run();
  run.disturbed = true;
  const record::RunRecord record = to_run_record(run, task, sample_context(), {}, now, now);
  EXPECT_EQ(record.tags.at("bench"), "fashion-mnist");
  EXPECT_EQ(record.tags.at("model"), "mlp");
  EXPECT_EQ(record.tags.at("seed"), "2");
  EXPECT_EQ(record.tags.at("accuracy"), "0.8600");
  ASSERT_EQ(record.warnings.size(), 2u);
  EXPECT_NE(record.warnings[1].find("disturbed"), std::string::npos);

  const record::RunRecord back = record::parse_json_text(record::to_json_text(record), "test");
  EXPECT_EQ(back.id, record.id);
  EXPECT_EQ(back.tags, record.tags);
  EXPECT_DOUBLE_EQ(back.totals.machine_energy_j, record.totals.machine_energy_j);
  EXPECT_EQ(back.phases.size(), record.phases.size());
}

TEST(BenchRecord, ListsTheProbesDomainsAndTheCarbonOfItsEnergy) {
  TaskInfo task{"fashion-mnist", "accuracy", Direction::higher_is_better, {0.84}, ""};
  RecordContext context = sample_context();
  carbon::ContextOptions where;
  where.country = "FR";
  where.read_config_files = false;
  where.guess_from_time_zone = false;
  carbon::detail::ContextHooks no_environment;
  no_environment.environment = std::map<std::string, std::string>{};
  context.carbon = std::make_shared<const carbon::ResolvedContext>(
      carbon::detail::resolve_context(where, no_environment));
  DomainInfo package;
  package.id = "cpu:package-0";
  package.label = "package-0";
  package.source = "/sys/class/powercap/intel-rapl:0";
  context.domains = {package};
  DomainEnergy package_energy;
  package_energy.id = "cpu:package-0";
  package_energy.energy = Joules{60};
  package_energy.in_total = true;
  package_energy.relative_uncertainty = 0.05;
  DomainEnergy core_energy = package_energy;
  core_energy.id = "cpu:core-0";
  core_energy.energy = Joules{40};
  core_energy.in_total = false;

  const auto now = std::chrono::system_clock::now();
  const record::RunRecord record =
      to_run_record(sample_run(), task, context, {package_energy, core_energy}, now, now);
  ASSERT_EQ(record.domains.size(), 2u);
  EXPECT_EQ(record.domains[0].source, "/sys/class/powercap/intel-rapl:0");
  EXPECT_DOUBLE_EQ(record.domains[0].machine_energy_j, 60);
  EXPECT_DOUBLE_EQ(record.domains[0].mean_power_w, 60 / 3.0);
  EXPECT_FALSE(record.domains[1].in_total);
  ASSERT_TRUE(record.carbon.has_value());
  EXPECT_EQ(record.carbon->location, "FR");
  // 75 J at France's intensity: positive, and central within its range.
  EXPECT_GT(record.carbon->total_co2e_g.central, 0);
  EXPECT_LE(record.carbon->total_co2e_g.low, record.carbon->total_co2e_g.central);
  EXPECT_LE(record.carbon->total_co2e_g.central, record.carbon->total_co2e_g.high);
  const double kwh = 75 / 3.6e6;
  EXPECT_NEAR(record.carbon->operational_co2e_g.central,
              kwh * record.carbon->intensity_g_per_kwh.central * record.carbon->pue /
                  (1 - record.carbon->td_loss_fraction),
              1e-9);
}

}  // namespace
}  // namespace joule::bench

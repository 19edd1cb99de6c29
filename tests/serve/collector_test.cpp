// What the exporter exports for a machine whose counters the test sets: the
// energy per domain and in total, sensor health, coarsening, and carbon
// computed by the carbon layer from the same energy.
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "meter/fake_sensor.hpp"
#include "serve/collector.hpp"
#include "serve/serve_support.hpp"

namespace joule::serve {
namespace {

using joule::testing::counter_domain;
using joule::testing::FakeSensor;
using joule::testing::sample_value;

struct Machine {
  FakeSensor* sensor = nullptr;
  std::unique_ptr<Meter> meter;
};

// package-0 containing core-0, and a GPU: the total sums package and GPU.
Machine machine() {
  auto pkg = counter_domain("cpu:package-0", Component::cpu_package, 0, 0.05);
  pkg.contains = {"cpu:core-0"};
  auto core = counter_domain("cpu:core-0", Component::cpu_core, 0, 0.05);
  auto gpu = counter_domain("gpu:0", Component::gpu, 0, 0.05);
  auto sensor = std::make_unique<FakeSensor>(std::vector<DomainInfo>{pkg, core, gpu});
  Machine m;
  m.sensor = sensor.get();
  for (std::size_t i = 0; i < 3; ++i) m.sensor->set_counter(i, 1000);
  std::vector<std::unique_ptr<Sensor>> sensors;
  sensors.push_back(std::move(sensor));
  MeterOptions options;
  options.start_sampler = false;
  m.meter = std::make_unique<Meter>(std::move(sensors), options);
  return m;
}

std::string scrape(Collector& c) {
  c.update();
  return render(c.families(), ExpositionFormat::prometheus_text);
}

TEST(Collector, ExportsEnergyPerDomainAndTheMachineTotal) {
  auto m = machine();
  Collector collector(*m.meter, {});
  m.sensor->set_counter(0, 1100.5);
  m.sensor->set_counter(1, 1040);
  m.sensor->set_counter(2, 1200);
  const std::string text = scrape(collector);
  EXPECT_EQ(sample_value(text, "joule_energy_joules_total{domain=\"cpu:package-0\""), 100.5)
      << text;
  EXPECT_EQ(sample_value(text, "joule_energy_joules_total{domain=\"cpu:core-0\""), 40);
  EXPECT_EQ(sample_value(text, "joule_energy_joules_total{domain=\"gpu:0\""), 200);
  // package + GPU; the core is inside the package.
  EXPECT_EQ(sample_value(text, "joule_machine_energy_joules_total{provenance=\"measured\"}"),
            300.5);
  EXPECT_EQ(sample_value(text, "joule_machine_energy_joules_total{provenance=\"modelled\"}"), 0);
  EXPECT_EQ(sample_value(text, "joule_sensor_up{domain=\"gpu:0\"}"), 1);
  EXPECT_EQ(sample_value(text, "joule_energy_relative_uncertainty_ratio{domain=\"gpu:0\"}"), 0.05);
  EXPECT_NE(text.find("# TYPE joule_power_watts gauge"), std::string::npos);
}

TEST(Collector, ASensorThatFailsIsDown) {
  auto m = machine();
  Collector collector(*m.meter, {});
  m.sensor->set_status(2, ReadStatus::unavailable, "driver busy");
  const std::string text = scrape(collector);
  EXPECT_EQ(sample_value(text, "joule_sensor_up{domain=\"gpu:0\"}"), 0);
  EXPECT_EQ(sample_value(text, "joule_sensor_up{domain=\"cpu:package-0\"}"), 1);
}

TEST(Collector, CoarsenedReadingsAreWholeJoulesAtMostOncePerPeriod) {
  auto m = machine();
  CollectorOptions options;
  options.coarsening.enabled = true;
  options.coarsening.period = std::chrono::milliseconds(300);
  Collector collector(*m.meter, options);
  std::this_thread::sleep_for(std::chrono::milliseconds(310));
  m.sensor->set_counter(0, 1010.75);
  const std::string first = scrape(collector);
  EXPECT_EQ(sample_value(first, "joule_energy_joules_total{domain=\"cpu:package-0\""), 10);
  // Within the period nothing moves, however the counter does.
  m.sensor->set_counter(0, 1020.25);
  EXPECT_EQ(sample_value(scrape(collector), "joule_energy_joules_total{domain=\"cpu:package-0\""),
            10);
  std::this_thread::sleep_for(std::chrono::milliseconds(310));
  EXPECT_EQ(sample_value(scrape(collector), "joule_energy_joules_total{domain=\"cpu:package-0\""),
            20);
}

TEST(Collector, CarbonIsTheCarbonLayersOperationalFigureOfTheSameEnergy) {
  auto m = machine();
  carbon::ContextOptions where;
  where.country = "FR";
  where.pue = 1.2;
  where.read_config_files = false;
  where.guess_from_time_zone = false;
  CollectorOptions options;
  options.carbon = CarbonSettings{carbon::resolve_context(where), {}};
  carbon::EmbodiedInput server;
  server.total_kg = 1000;
  server.lifetime_years = 4;
  options.carbon->embodied.push_back(server);
  Collector collector(*m.meter, options);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  m.sensor->set_counter(0, 1000 + 3.6e6);  // 1 kWh
  const std::string text = scrape(collector);
  const auto& ctx = *options.carbon;
  const double expected =
      ctx.context.intensity_g_per_kwh.central * 1.2 / (1 - ctx.context.loss_fraction.central);
  EXPECT_NEAR(*sample_value(text, "joule_operational_co2e_grams_total{estimate=\"central\"}"),
              expected, 1e-6 * expected)
      << text;
  const double low = *sample_value(text, "joule_operational_co2e_grams_total{estimate=\"low\"}");
  const double high = *sample_value(text, "joule_operational_co2e_grams_total{estimate=\"high\"}");
  EXPECT_LE(low, expected);
  EXPECT_GE(high, expected);
  EXPECT_NE(text.find("joule_grid_intensity_co2e_grams_per_joule{location=\"FR\""),
            std::string::npos);
  EXPECT_NE(text.find("joule_pue_ratio{source=\"stated: --pue 1.2\",estimate=\"central\"} 1.2\n"),
            std::string::npos)
      << text;
  // 1000 kg over 4 years accrue about 7.9 mg a second.
  const double embodied =
      *sample_value(text, "joule_embodied_co2e_grams_total{estimate=\"central\"}");
  EXPECT_GT(embodied, 0.0);
  EXPECT_LT(embodied, 1e6 / (4 * 365.25 * 86400) * 5.0);
}

}  // namespace
}  // namespace joule::serve

// Playing traces back: stepped (one row per read), realtime (interpolated on
// the clock, through wraps), the probe, and the real meter reproducing a
// trace's known energy exactly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <string>

#include "joule/meter.hpp"
#include "sensors/backends.hpp"
#include "sensors/trace_replay.hpp"

namespace joule::sensors::trace {
namespace {

using ::testing::HasSubstr;

const std::string kFixtures = JOULE_FIXTURES_DIR "/traces/";

struct ManualClock {
  MonotonicTime now{};
  void advance(double seconds) {
    now += std::chrono::duration_cast<MonotonicClock::duration>(
        std::chrono::duration<double>(seconds));
  }
};

std::vector<Reading> read_all(Sensor& sensor) {
  std::vector<Reading> out(sensor.domains().size());
  sensor.read(out);
  return out;
}

TEST(TraceReplay, SteppedReturnsTheNextRowEachReadThenHoldsTheLast) {
  TraceSensor sensor(load_trace(kFixtures + "wrapping_counters.csv"), PlaybackMode::stepped);
  const std::vector<double> pkg = {900, 950, 990, 20, 100, 180};
  for (std::size_t i = 0; i < pkg.size(); ++i) {
    EXPECT_FALSE(sensor.finished());
    auto r = read_all(sensor);
    EXPECT_EQ(r[0].status, ReadStatus::ok);
    EXPECT_DOUBLE_EQ(r[0].counter.joules, pkg[i]) << "row " << i;
  }
  EXPECT_TRUE(sensor.finished());
  EXPECT_DOUBLE_EQ(read_all(sensor)[0].counter.joules, 180);
  EXPECT_DOUBLE_EQ(read_all(sensor)[2].counter.joules, 12.5);
  EXPECT_THAT(sensor.domains()[0].source, HasSubstr("stepped playback"));
}

TEST(TraceReplay, RealtimeInterpolatesOnTheClockAndThroughAWrap) {
  ManualClock clock;
  TraceSensor sensor(load_trace(kFixtures + "wrapping_counters.csv"), PlaybackMode::realtime,
                     [&] { return clock.now; });
  EXPECT_DOUBLE_EQ(read_all(sensor)[0].counter.joules, 900);
  clock.advance(0.25);
  auto r = read_all(sensor);
  EXPECT_NEAR(r[0].counter.joules, 925, 1e-6);
  EXPECT_NEAR(r[2].counter.joules, 5.75, 1e-6);
  // Between 990 (t=1.0) and 20 (t=1.5) the counter wraps at 1000 J: 30 J in
  // 0.5 s, so it reaches 1000 at t=1.1667 and starts again from zero.
  clock.advance(0.9);  // t=1.15
  EXPECT_NEAR(read_all(sensor)[0].counter.joules, 999, 1e-6);
  clock.advance(0.1);  // t=1.25: 1005 - 1000
  EXPECT_NEAR(read_all(sensor)[0].counter.joules, 5, 1e-6);
  EXPECT_FALSE(sensor.finished());
  clock.advance(100);  // past the end: the last row holds
  r = read_all(sensor);
  EXPECT_DOUBLE_EQ(r[0].counter.joules, 180);
  EXPECT_TRUE(sensor.finished());
}

TEST(TraceReplay, RealtimePowerGapsAndGone) {
  ManualClock clock;
  TraceSensor sensor(load_trace(kFixtures + "power_and_gaps.csv"), PlaybackMode::realtime,
                     [&] { return clock.now; });
  clock.advance(0.5);  // trace time 10.5
  auto r = read_all(sensor);
  EXPECT_NEAR(r[0].power.watts, 150, 1e-9);
  // The next counter sample is missing: the earlier row holds.
  EXPECT_EQ(r[1].status, ReadStatus::ok);
  EXPECT_DOUBLE_EQ(r[1].counter.joules, 0);
  clock.advance(1.0);  // 11.5: the row itself is unavailable
  r = read_all(sensor);
  EXPECT_NEAR(r[0].power.watts, 250, 1e-9);
  EXPECT_EQ(r[1].status, ReadStatus::unavailable);
  clock.advance(1.0);  // 12.5
  r = read_all(sensor);
  EXPECT_DOUBLE_EQ(r[0].power.watts, 300);  // next sample missing: holds
  EXPECT_DOUBLE_EQ(r[1].counter.joules, 4);
  clock.advance(1.0);  // 13.5: past the end
  r = read_all(sensor);
  EXPECT_EQ(r[0].status, ReadStatus::unavailable);
  EXPECT_EQ(r[1].status, ReadStatus::gone);
  EXPECT_THAT(r[1].error, HasSubstr("marked gone"));
}

// The real meter over a stepped trace: every snapshot consumes one row (the
// meter's constructor takes the first as its origin), so the energies are the
// trace's known sums exactly, wrap included.
TEST(TraceReplayMeter, ReproducesTheKnownEnergyExactlyAcrossAWrap) {
  std::vector<std::unique_ptr<Sensor>> sensors;
  sensors.push_back(std::make_unique<TraceSensor>(load_trace(kFixtures + "wrapping_counters.csv"),
                                                  PlaybackMode::stepped));
  MeterOptions options;
  options.start_sampler = false;             // the sampler would consume rows too
  Meter meter(std::move(sensors), options);  // reads row 0
  ASSERT_EQ(meter.domains().size(), 3u);

  const auto row1 = meter.snapshot();
  EXPECT_EQ(row1.energy[0].joules, 50.0);
  meter.snapshot();                    // row 2: 990
  const auto row3 = meter.snapshot();  // row 3: 20, across the wrap
  EXPECT_EQ(row3.energy[0].joules, 120.0);
  meter.snapshot();                    // row 4
  const auto row5 = meter.snapshot();  // row 5: the last
  EXPECT_EQ(row5.energy[0].joules, 280.0);
  EXPECT_EQ(row5.energy[1].joules, 60.0);
  EXPECT_EQ(row5.energy[2].joules, 7.5);

  const auto m = meter.measure(row1, row5);
  ASSERT_EQ(m.domains.size(), 3u);
  EXPECT_EQ(m.domains[0].energy.joules, 230.0);
  EXPECT_EQ(m.domains[1].energy.joules, 50.0);
  EXPECT_FALSE(m.domains[1].in_total);  // the core is inside the package
  EXPECT_EQ(m.domains[2].energy.joules, 6.0);
  EXPECT_EQ(m.total.joules, 236.0);
  EXPECT_EQ(m.total_provenance, Provenance::measured);

  // Past the end nothing more is added.
  const auto after = meter.snapshot();
  EXPECT_EQ(after.energy[0].joules, 280.0);
  EXPECT_EQ(meter.measure(row5, after).total.joules, 0.0);
  EXPECT_TRUE(meter.warnings().empty()) << ::testing::PrintToString(meter.warnings());
}

TEST(TraceReplayMeter, DiscoverReplaysTheTraceAloneInTheModeTheFileAsks) {
  unsetenv("JOULE_TRACE_MODE");
  SensorConfig config;
  config.trace_file = kFixtures + "wrapping_counters.csv";
  MeterOptions options;
  options.start_sampler = false;
  auto meter = Meter::discover(config, options);
  ASSERT_EQ(meter->domains().size(), 3u);
  for (const auto& report : meter->backend_reports()) {
    if (report.backend == "trace") {
      EXPECT_EQ(report.state, BackendState::active);
      EXPECT_THAT(report.reason, HasSubstr("stepped mode (# mode: in the trace)"));
    } else {
      EXPECT_EQ(report.state, BackendState::disabled) << report.backend;
    }
  }
  for (int i = 0; i < 5; ++i) meter->snapshot();
  EXPECT_EQ(meter->snapshot().energy[0].joules, 280.0);
}

TEST(TraceProbe, EnvironmentOverridesTheModeAndBadValuesAreRefused) {
  SensorConfig config;
  config.trace_file = kFixtures + "wrapping_counters.csv";
  setenv("JOULE_TRACE_MODE", "realtime", 1);
  ProbeResult result;
  probe_trace(config, result);
  ASSERT_EQ(result.sensors.size(), 1u);
  EXPECT_EQ(static_cast<TraceSensor&>(*result.sensors[0]).mode(), PlaybackMode::realtime);
  EXPECT_THAT(result.reports.back().reason, HasSubstr("JOULE_TRACE_MODE"));

  setenv("JOULE_TRACE_MODE", "fast", 1);
  ProbeResult refused;
  probe_trace(config, refused);
  EXPECT_TRUE(refused.sensors.empty());
  EXPECT_EQ(refused.reports.back().state, BackendState::refused);
  unsetenv("JOULE_TRACE_MODE");
}

TEST(TraceProbe, MalformedTraceIsRefusedWithFileLineColumn) {
  const auto path = std::filesystem::temp_directory_path() / "joule-bad-trace.csv";
  std::ofstream(path) << "# joule trace v1\n# domain: a,gpu,wattage,measured,,0\n";
  SensorConfig config;
  config.trace_file = path;
  ProbeResult result;
  probe_trace(config, result);
  std::filesystem::remove(path);
  EXPECT_TRUE(result.sensors.empty());
  EXPECT_EQ(result.reports.back().state, BackendState::refused);
  EXPECT_THAT(result.reports.back().reason,
              HasSubstr(path.string() + ":2:17: unknown domain kind 'wattage'"));
  EXPECT_THAT(result.reports.back().remedy, HasSubstr("unset JOULE_TRACE"));
}

TEST(TraceProbe, NoTraceConfiguredIsAbsent) {
  ProbeResult result;
  probe_trace(SensorConfig{}, result);
  EXPECT_TRUE(result.sensors.empty());
  EXPECT_EQ(result.reports.back().state, BackendState::absent);
}

}  // namespace
}  // namespace joule::sensors::trace

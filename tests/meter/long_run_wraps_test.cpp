// A long run simulated through 1,000,000 counter wraps: the energy never
// decreases and the accumulated error stays below 1e-9 of the total. The
// exact energy is kept in integers (µJ, or perf counts) beside the doubles
// the meter works in.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>

#include <fmt/format.h>

#include "meter/accumulator.hpp"
#include "meter/fake_sensor.hpp"

using namespace joule;
using joule::testing::counter_domain;

namespace {

constexpr std::uint64_t kWraps = 1'000'000;
constexpr double kAllowedRelativeError = 1e-9;

MonotonicTime after(double seconds) {
  return MonotonicTime{} + std::chrono::duration_cast<MonotonicClock::duration>(
                               std::chrono::duration<double>(seconds));
}

Reading counter_at(double joules) {
  return Reading{ReadStatus::ok, Joules{joules}, Watts{}, ""};
}

struct LongRun {
  double total_j = 0;
  double exact_j = 0;
  std::size_t wraps = 0;        // as the accumulator counted them
  std::uint64_t raw_wraps = 0;  // of the simulated register
  std::size_t warnings = 0;
  bool ever_decreased = false;
};

// Steps the counter by 20 % to 45 % of `wrap_units` per sample (so no
// interval is ambiguous) until the raw value has wrapped `kWraps` times.
// `raw_of` maps the exact count to what the hardware shows; `joules_per_unit`
// converts it as the backend does.
template <typename RawOf>
LongRun simulate(const DomainInfo& domain, std::uint64_t wrap_units, double joules_per_unit,
                 RawOf raw_of) {
  meter::DomainAccumulator accumulator(domain);
  std::mt19937_64 random(20240501);
  std::uniform_int_distribution<std::uint64_t> step(wrap_units / 5, wrap_units * 9 / 20);
  const double seconds_per_sample = 600;  // a few hundred watts
  std::uint64_t exact_units = wrap_units / 3;
  LongRun run;
  double previous_total = 0;
  (void)accumulator.update(counter_at(static_cast<double>(raw_of(exact_units)) * joules_per_unit),
                           after(0));
  const std::uint64_t start_units = exact_units;
  for (std::uint64_t sample = 1; exact_units / wrap_units < kWraps; ++sample) {
    exact_units += step(random);
    const double reading = static_cast<double>(raw_of(exact_units)) * joules_per_unit;
    if (accumulator.update(counter_at(reading),
                           after(static_cast<double>(sample) * seconds_per_sample))) {
      ++run.warnings;
    }
    const double total = accumulator.total().joules;
    if (total < previous_total) run.ever_decreased = true;
    previous_total = total;
  }
  run.total_j = accumulator.total().joules;
  run.exact_j = static_cast<double>(exact_units - start_units) * joules_per_unit;
  run.wraps = accumulator.wraps();
  run.raw_wraps = exact_units / wrap_units;
  return run;
}

TEST(LongRun, PowercapCounterThroughAMillionWraps) {
  // max_energy_range_uj of a real package zone: energy_uj wraps there.
  constexpr std::uint64_t range_uj = 262'143'328'850;
  auto domain = counter_domain("cpu:package-0", Component::cpu_package, range_uj * 1e-6);
  domain.max_power = Watts{500};
  const LongRun run =
      simulate(domain, range_uj, 1e-6, [](std::uint64_t exact_uj) { return exact_uj % range_uj; });
  EXPECT_GE(run.raw_wraps, kWraps);
  EXPECT_EQ(run.wraps, run.raw_wraps);
  EXPECT_EQ(run.warnings, 0u);
  EXPECT_FALSE(run.ever_decreased);
  RecordProperty("relative_error",
                 fmt::format("{:.3g}", std::abs(run.total_j - run.exact_j) / run.exact_j));
  EXPECT_LT(std::abs(run.total_j - run.exact_j) / run.exact_j, kAllowedRelativeError)
      << run.total_j << " J counted, " << run.exact_j << " J drawn";
}

TEST(LongRun, PerfCounterThroughAMillionWrapsOfIts32BitRegister) {
  // The RAPL MSR is 32 bits of 2^-14 J; the kernel extends it to a 64-bit
  // count, so perf's count passes 2^32 a million times and its joules grow
  // to 2.6e11: the meter's differences must stay exact enough at that size.
  constexpr std::uint64_t register_counts = std::uint64_t{1} << 32;
  constexpr double joules_per_count = 1.0 / 16384;
  auto domain = counter_domain("cpu:package-0", Component::cpu_package, 0);
  domain.max_power = Watts{1500};
  const LongRun run = simulate(domain, register_counts, joules_per_count,
                               [](std::uint64_t exact_count) { return exact_count; });
  EXPECT_GE(run.raw_wraps, kWraps);
  EXPECT_EQ(run.warnings, 0u);
  EXPECT_FALSE(run.ever_decreased);
  RecordProperty("relative_error",
                 fmt::format("{:.3g}", std::abs(run.total_j - run.exact_j) / run.exact_j));
  EXPECT_LT(std::abs(run.total_j - run.exact_j) / run.exact_j, kAllowedRelativeError)
      << run.total_j << " J counted, " << run.exact_j << " J drawn";
}

}  // namespace

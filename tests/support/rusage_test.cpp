// This process's own CPU time.
#include "support/rusage.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace joule::support {
namespace {

TEST(OwnCpuTime, GrowsWhileThisProcessComputes) {
  const Seconds before = own_cpu_time();
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
  volatile double sink = 0;
  while (std::chrono::steady_clock::now() < until) sink = sink + 1;
  const Seconds after = own_cpu_time();
  EXPECT_GE(before.seconds, 0.0);
  EXPECT_GT(after.seconds, before.seconds);
  // CPU time cannot run faster than the wall clock on one thread by much.
  EXPECT_LT(after.seconds - before.seconds, 5.0);
}

}  // namespace
}  // namespace joule::support

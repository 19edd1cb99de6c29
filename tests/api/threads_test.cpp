// Scopes from several threads, and a shutdown racing them: every call either
// works or throws SessionShutDown; the sanitizer build checks for races.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "api_fixture.hpp"

namespace joule {
namespace {

TEST(Threads, ConcurrentScopesWithTheSampler) {
  auto options = test::trace_options();
  options.meter.start_sampler = true;
  options.meter.interval = std::chrono::milliseconds(1);
  Session session(std::move(options));
  std::atomic<int> ended{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto s = session.scope("t" + std::to_string(t), "inference");
        s.add_units(1);
        if (s.end().energy().joules >= 0) ++ended;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ended.load(), 800);
}

TEST(Threads, ShutdownRacingScopes) {
  Session session(test::trace_options());
  std::atomic<bool> go{false};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      while (!go) std::this_thread::yield();
      for (int i = 0; i < 500; ++i) {
        try {
          auto s = session.scope("racing");
          s.add_units(1);
          s.end();
        } catch (const SessionShutDown&) {
          ++refused;
        }
      }
    });
  }
  go = true;
  std::this_thread::sleep_for(std::chrono::microseconds(200));
  session.shutdown();
  for (auto& th : threads) th.join();
  EXPECT_TRUE(session.is_shut_down());
  EXPECT_GT(refused.load(), 0);
}

}  // namespace
}  // namespace joule

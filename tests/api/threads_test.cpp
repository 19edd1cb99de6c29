// Scopes from several threads, and a shutdown racing them: every call either
// works or throws SessionShutDown; the sanitizer build checks for races.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
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
  std::atomic<int> completed{0};
  // Each thread opens scopes until one is refused, so shutdown() lands while
  // scopes are being opened however the threads are scheduled; the deadline
  // only bounds a failure (shutdown that never refuses).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      while (!go) std::this_thread::yield();
      while (std::chrono::steady_clock::now() < deadline) {
        try {
          auto s = session.scope("racing");
          s.add_units(1);
          s.end();
          ++completed;
        } catch (const SessionShutDown&) {
          ++refused;
          return;
        }
      }
    });
  }
  go = true;
  while (completed.load() < 30 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  session.shutdown();
  for (auto& th : threads) th.join();
  EXPECT_TRUE(session.is_shut_down());
  EXPECT_EQ(refused.load(), 3);
}

}  // namespace
}  // namespace joule

#include "run/idle_baseline.hpp"

#include <algorithm>
#include <thread>

namespace joule::run {

std::optional<record::IdleBaseline> measure_idle(Meter& meter, std::chrono::nanoseconds length,
                                                 const IdleWait& wait, std::string how) {
  Snapshot from = meter.snapshot();
  auto until = MonotonicClock::now() + length;
  while (MonotonicClock::now() < until) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - MonotonicClock::now());
    if (!wait(std::max(left, std::chrono::milliseconds(1)))) return std::nullopt;
  }
  Measurement m = meter.measure(from, meter.snapshot());
  return record::IdleBaseline{m.mean_power.watts, m.duration.seconds, std::move(how)};
}

bool sleep_idle(std::chrono::milliseconds duration) {
  std::this_thread::sleep_for(duration);
  return true;
}

}  // namespace joule::run

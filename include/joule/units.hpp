#pragma once
// Physical quantities with the unit in the type and in the member name, so a
// bare double never has to be guessed at: `energy.joules`, `power.watts`.
#include <chrono>
#include <compare>

namespace joule {

struct Seconds {
  double seconds = 0;
  constexpr auto operator<=>(const Seconds&) const = default;
};

struct Joules {
  double joules = 0;
  constexpr auto operator<=>(const Joules&) const = default;
  constexpr Joules& operator+=(Joules other) {
    joules += other.joules;
    return *this;
  }
  constexpr Joules& operator-=(Joules other) {
    joules -= other.joules;
    return *this;
  }
  constexpr double kilowatt_hours() const { return joules / 3.6e6; }
};

struct Watts {
  double watts = 0;
  constexpr auto operator<=>(const Watts&) const = default;
};

constexpr Joules operator+(Joules a, Joules b) {
  return {a.joules + b.joules};
}
constexpr Joules operator-(Joules a, Joules b) {
  return {a.joules - b.joules};
}
constexpr Joules operator*(Joules a, double k) {
  return {a.joules * k};
}
constexpr Joules operator*(Watts p, Seconds t) {
  return {p.watts * t.seconds};
}
constexpr Watts operator/(Joules e, Seconds t) {
  return {t.seconds > 0 ? e.joules / t.seconds : 0.0};
}
constexpr Seconds operator+(Seconds a, Seconds b) {
  return {a.seconds + b.seconds};
}
constexpr Seconds operator-(Seconds a, Seconds b) {
  return {a.seconds - b.seconds};
}

constexpr Joules from_kilowatt_hours(double kwh) {
  return {kwh * 3.6e6};
}

// All intervals are taken on the monotonic clock (CLOCK_MONOTONIC on Linux);
// the wall clock is only used to label records.
using MonotonicClock = std::chrono::steady_clock;
using MonotonicTime = MonotonicClock::time_point;

inline Seconds seconds_between(MonotonicTime from, MonotonicTime to) {
  return {std::chrono::duration<double>(to - from).count()};
}

}  // namespace joule

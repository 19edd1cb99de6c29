#pragma once
// Physical quantities with the unit in the type and in the member name, so a
// bare double never has to be guessed at: `energy.joules`, `power.watts`.
#include <chrono>
#include <compare>

namespace joule {

inline constexpr double kSecondsPerHour = 3600;

// The NOLINTs on the defaulted operator<=> silence clang-tidy 14, which reads
// the comparison category's literal 0 as a null pointer.

struct Seconds {
  double seconds = 0;
  constexpr auto operator<=>(const Seconds&) const = default;  // NOLINT(modernize-use-nullptr)
  constexpr double hours() const { return seconds / kSecondsPerHour; }
  constexpr Seconds& operator+=(Seconds other) {
    seconds += other.seconds;
    return *this;
  }
};

struct Joules {
  double joules = 0;
  constexpr auto operator<=>(const Joules&) const = default;  // NOLINT(modernize-use-nullptr)
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
  constexpr auto operator<=>(const Watts&) const = default;  // NOLINT(modernize-use-nullptr)
};

// A mass of CO2-equivalent emissions.
struct GramsCO2e {
  double grams = 0;
  constexpr auto operator<=>(const GramsCO2e&) const = default;  // NOLINT(modernize-use-nullptr)
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
constexpr Joules operator/(Joules a, double k) {
  return {a.joules / k};
}
// A share of one energy in another (idle in total); no guard for zero, which
// gives the NaN or infinity a caller should test for.
constexpr double operator/(Joules part, Joules whole) {
  return part.joules / whole.joules;
}
constexpr Joules operator*(Watts p, Seconds t) {
  return {p.watts * t.seconds};
}
constexpr Joules operator*(Seconds t, Watts p) {
  return p * t;
}
constexpr Watts operator*(Watts p, double k) {
  return {p.watts * k};
}
constexpr Watts operator+(Watts a, Watts b) {
  return {a.watts + b.watts};
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
constexpr Seconds operator*(Seconds a, double k) {
  return {a.seconds * k};
}
constexpr Seconds operator/(Seconds a, double k) {
  return {a.seconds / k};
}
constexpr double operator/(Seconds part, Seconds whole) {
  return part.seconds / whole.seconds;
}
constexpr GramsCO2e operator+(GramsCO2e a, GramsCO2e b) {
  return {a.grams + b.grams};
}
constexpr GramsCO2e operator*(GramsCO2e a, double k) {
  return {a.grams * k};
}
constexpr GramsCO2e operator/(GramsCO2e a, double k) {
  return {a.grams / k};
}

constexpr Seconds from_hours(double hours) {
  return {hours * kSecondsPerHour};
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

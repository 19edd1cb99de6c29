#include "bench/results.hpp"

#include <algorithm>
#include <cmath>

namespace joule::bench {
namespace {

bool meets(double quality, double tier, Direction direction) {
  // A NaN quality (evaluation failed) compares false either way: never a reach.
  return direction == Direction::higher_is_better ? quality >= tier : quality <= tier;
}

struct StopReasonName {
  StopReason reason;
  const char* name;
};
constexpr StopReasonName kStopReasonNames[] = {
    {StopReason::last_tier, "last_tier"},     {StopReason::plateau, "plateau"},
    {StopReason::single_pass, "single_pass"}, {StopReason::epoch_cap, "epoch_cap"},
    {StopReason::time_cap, "time_cap"},       {StopReason::unknown, "unknown"}};

}  // namespace

std::string stop_reason_name(StopReason reason) {
  for (const auto& entry : kStopReasonNames) {
    if (entry.reason == reason) return entry.name;
  }
  return "unknown";
}

std::optional<StopReason> parse_stop_reason(const std::string& name) {
  for (const auto& entry : kStopReasonNames) {
    if (name == entry.name) return entry.reason;
  }
  return std::nullopt;
}

bool stopped_by_budget(StopReason reason) {
  return reason == StopReason::epoch_cap || reason == StopReason::time_cap;
}

bool stopped_by_model(StopReason reason) {
  return reason == StopReason::plateau || reason == StopReason::single_pass;
}

Cost& Cost::operator+=(const Cost& other) {
  // Both stretches come from the same sensors, so their errors are assumed
  // fully correlated: absolute uncertainties add. That is the conservative
  // choice; independent errors would partly cancel.
  const Joules absolute_uncertainty =
      energy * relative_uncertainty + other.energy * other.relative_uncertainty;
  energy += other.energy;
  duration += other.duration;
  relative_uncertainty = energy > Joules{0}
                             ? absolute_uncertainty / energy
                             : std::max(relative_uncertainty, other.relative_uncertainty);
  idle_energy += other.idle_energy;
  self_cpu_time += other.self_cpu_time;
  other_cpu_time += other.other_cpu_time;
  return *this;
}

std::optional<TierReach> reach_tier(const std::vector<CurvePoint>& curve, double tier,
                                    Direction direction) {
  // The curve is in training order: the first point meeting the tier is where
  // training could have stopped. Points are never interpolated, since quality
  // between two evaluations is unknown.
  for (const CurvePoint& point : curve) {
    if (meets(point.quality, tier, direction)) {
      return TierReach{point.energy, point.duration, point.epochs};
    }
  }
  return std::nullopt;
}

}  // namespace joule::bench

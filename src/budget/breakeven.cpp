// The day cumulative inference carbon passes training's. Training arrives in
// steps (the first run with its trials on day 0, then each retraining);
// inference accrues at a rate that is constant within a year. Between two
// consecutive steps or year boundaries both are known exactly, so the
// crossing is solved, not searched for.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "budget/model.hpp"

namespace joule::budget {

namespace {

double pick(const Estimate& e, int which) {
  return which < 0 ? e.low : which > 0 ? e.high : e.central;
}

// training_side / inference_side: -1 low, 0 central, +1 high.
std::optional<double> crossing(const std::vector<CarbonEvent>& events,
                               const std::vector<Estimate>& rates, double horizon_days,
                               int training_side, int inference_side) {
  std::vector<double> bounds{0, horizon_days};
  for (const auto& e : events) bounds.push_back(e.day);
  for (std::size_t y = 1; y < rates.size(); ++y)
    bounds.push_back(static_cast<double>(y) * kDaysPerYear);
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());

  double inference = 0;  // cumulative at the start of the segment
  for (std::size_t i = 0; i + 1 < bounds.size(); ++i) {
    const double from = bounds[i];
    const double to = std::min(bounds[i + 1], horizon_days);
    if (from >= horizon_days) break;
    double training = 0;
    for (const auto& e : events) {
      if (e.day <= from) training += pick(e.grams, training_side);
    }
    const auto year = std::min(static_cast<std::size_t>(from / kDaysPerYear), rates.size() - 1);
    const double rate = pick(rates[year], inference_side);
    if (inference >= training && training > 0) return from;
    if (rate > 0) {
      const double day = from + (training - inference) / rate;
      if (day <= to) return day;
    }
    inference += rate * (to - from);
  }
  return std::nullopt;
}

}  // namespace

Breakeven breakeven(const std::vector<CarbonEvent>& training_events,
                    const std::vector<Estimate>& inference_g_per_day, double horizon_days) {
  Breakeven b;
  b.training_events = training_events;
  b.inference_g_per_day = inference_g_per_day;
  if (training_events.empty() || inference_g_per_day.empty()) {
    b.note = "no training in the scenario";
    return b;
  }
  b.day_central = crossing(training_events, inference_g_per_day, horizon_days, 0, 0);
  b.day_low = crossing(training_events, inference_g_per_day, horizon_days, -1, 1);
  b.day_high = crossing(training_events, inference_g_per_day, horizon_days, 1, -1);
  if (!b.day_central) {
    b.note =
        fmt::format("inference does not pass training within the {:.4g}-day horizon", horizon_days);
  }
  return b;
}

}  // namespace joule::budget

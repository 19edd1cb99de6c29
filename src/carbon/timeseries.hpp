#pragma once
// Integrating an energy timeline against an intensity time series. The series
// is a step function: each point's value holds until the next point, the last
// one for one typical step (the median spacing). Energy outside the series'
// span is filled with the nearest point's value, and the result says so.
#include <string>
#include <vector>

#include "joule/carbon.hpp"

namespace joule::carbon {

struct SeriesIntegral {
  double energy_kwh = 0;           // energy seen in the timeline
  double g = 0;                    // sum of E_k x I_k over the overlaps (no PUE, no loss)
  double effective_g_per_kwh = 0;  // g / energy_kwh: the energy-weighted intensity
  double outside_kwh = 0;          // energy that fell before the first or after the last point
  std::string gap_note;            // non-empty when outside_kwh > 0
};

SeriesIntegral integrate(const IntensitySeries& series,
                         const std::vector<EnergyInterval>& timeline);

// Time-weighted mean of the series over its own span (used when there is no
// timeline to place the energy in time).
double time_weighted_mean(const IntensitySeries& series);

// "2024-05-01T12:00:00Z", "2024-05-01 12:00+02:00", "2024-05-01T12:00" (UTC),
// or Unix seconds (support::parse_iso8601 reads the ISO forms). nullopt when
// malformed or when the date is not on the calendar.
std::optional<std::chrono::system_clock::time_point> parse_timestamp(std::string_view text);
std::string format_timestamp(std::chrono::system_clock::time_point t);

}  // namespace joule::carbon

#include "carbon/timeseries.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "carbon/suggest.hpp"
#include "refdata/csv.hpp"
#include "support/iso8601.hpp"
#include "support/strings.hpp"

namespace joule::carbon {

using Clock = std::chrono::system_clock;
using refdata::DataError;

namespace {

double hours_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::chrono::hours::period>(b - a).count();
}

Clock::duration typical_step(const IntensitySeries& s) {
  if (s.points.size() < 2) return std::chrono::hours(1);
  std::vector<Clock::duration> steps;
  for (std::size_t i = 1; i < s.points.size(); ++i)
    steps.push_back(s.points[i].time - s.points[i - 1].time);
  std::nth_element(steps.begin(), steps.begin() + steps.size() / 2, steps.end());
  return steps[steps.size() / 2];
}

}  // namespace

std::optional<Clock::time_point> parse_timestamp(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  if (s.find('-') != std::string_view::npos && s.front() != '-') return support::parse_iso8601(s);
  double seconds = 0;  // Unix seconds
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), seconds);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return Clock::time_point(
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)));
}

std::string format_timestamp(Clock::time_point t) {
  return support::format_iso8601_utc(t, support::Iso8601Precision::seconds);
}

IntensitySeries load_intensity_series(const std::filesystem::path& path) {
  auto table = refdata::ReferenceTable::load_file(path);
  const std::size_t header = table.size() > 0 ? table.line_of(0) - 1 : table.comments().size() + 1;
  auto pick = [&](std::initializer_list<std::string_view> names) -> std::string {
    for (auto n : names) {
      if (table.has_column(n)) return std::string(n);
    }
    return "";
  };
  std::string time_col = pick({"timestamp", "time", "datetime", "start"});
  std::string value_col =
      pick({"g_co2e_per_kwh", "g_per_kwh", "gco2e_per_kwh", "carbon_intensity", "intensity"});
  if (time_col.empty() || value_col.empty()) {
    throw DataError(
        path.string(), header, 1,
        "expected a header with a 'timestamp' column and a 'g_co2e_per_kwh' column (gCO2e/kWh), "
        "optionally 'kind' (average|marginal)");
  }
  if (table.size() == 0)
    throw DataError(path.string(), header + 1, 1, "expected at least one data row");

  IntensitySeries series;
  std::optional<std::string> kind_text = table.comment_value("kind");
  for (std::size_t i = 0; i < table.size(); ++i) {
    auto t = parse_timestamp(table.text(i, time_col));
    if (!t) {
      // number() reports the exact column of a non-numeric field.
      std::size_t column = 1;
      try {
        (void)table.number(i, time_col);
      } catch (const DataError& e) {
        column = e.column();
      }
      throw DataError(
          path.string(), table.line_of(i), column,
          fmt::format(
              "expected a timestamp (ISO 8601 such as 2024-05-01T12:00:00Z, or Unix seconds), "
              "found '{}'",
              table.text(i, time_col)));
    }
    auto v = table.number(i, value_col);  // throws with line and column when not a number
    if (!v || *v < 0 || *v > 1500) {
      throw DataError(
          path.string(), table.line_of(i), 1,
          fmt::format("column '{}': expected an intensity between 0 and 1500 gCO2e/kWh, found '{}'",
                      value_col, table.text(i, value_col)));
    }
    if (table.has_column("kind")) {
      std::string k = support::to_lower(table.text(i, "kind"));
      if (!k.empty()) {
        if (kind_text && support::to_lower(*kind_text) != k) {
          throw DataError(
              path.string(), table.line_of(i), 1,
              fmt::format("column 'kind': expected '{}' like the rows above (average and marginal "
                          "intensities must not be mixed), found '{}'",
                          *kind_text, k));
        }
        kind_text = k;
      }
    }
    series.points.push_back({*t, *v});
  }
  std::string kind = support::to_lower(kind_text.value_or("average"));
  if (kind == "marginal") {
    series.kind = IntensityKind::marginal;
  } else if (kind != "average") {
    throw DataError(path.string(), header, 1,
                    fmt::format("kind: expected average or marginal, found '{}'", kind));
  }
  series.generation_based =
      support::to_lower(table.comment_value("basis").value_or("")) == "generation";
  std::stable_sort(series.points.begin(), series.points.end(),
                   [](const auto& a, const auto& b) { return a.time < b.time; });
  for (std::size_t i = 1; i < series.points.size(); ++i) {
    if (series.points[i].time == series.points[i - 1].time) {
      throw DataError(path.string(), header, 1,
                      fmt::format("expected one value per timestamp; {} appears twice",
                                  format_timestamp(series.points[i].time)));
    }
  }
  auto source = table.comment_value("source");
  series.source = fmt::format("{} ({} points, {} to {}, {}{})", path.filename().string(),
                              series.points.size(), format_timestamp(series.points.front().time),
                              format_timestamp(series.points.back().time), kind,
                              source ? "; " + *source : std::string());
  return series;
}

SeriesIntegral integrate(const IntensitySeries& series,
                         const std::vector<EnergyInterval>& timeline) {
  SeriesIntegral out;
  if (series.points.empty()) return out;
  const auto step = typical_step(series);
  const auto first = series.points.front().time;
  const auto last_end = series.points.back().time + step;
  Clock::time_point run_start = Clock::time_point::max(), run_end = Clock::time_point::min();
  double before_kwh = 0, after_kwh = 0;
  for (const auto& interval : timeline) {
    double kwh = interval.energy.kilowatt_hours();
    out.energy_kwh += kwh;
    run_start = std::min(run_start, interval.start);
    run_end = std::max(run_end, std::max(interval.start, interval.end));
    if (interval.end <= interval.start) {  // an instant: the value in force then
      auto it = std::upper_bound(series.points.begin(), series.points.end(), interval.start,
                                 [](auto t, const IntensityPoint& p) { return t < p.time; });
      const IntensityPoint& p =
          it == series.points.begin() ? series.points.front() : *std::prev(it);
      out.g += kwh * p.g_per_kwh;
      if (interval.start < first) before_kwh += kwh;
      if (interval.start >= last_end) after_kwh += kwh;
      continue;
    }
    // Uniform power within the interval: energy shares follow time overlaps.
    const double length_h = hours_between(interval.start, interval.end);
    auto share = [&](Clock::time_point a, Clock::time_point b) {
      a = std::max(a, interval.start);
      b = std::min(b, interval.end);
      return b > a ? kwh * hours_between(a, b) / length_h : 0.0;
    };
    double e_before = share(Clock::time_point::min(), first);
    double e_after = share(last_end, Clock::time_point::max());
    before_kwh += e_before;
    after_kwh += e_after;
    out.g += e_before * series.points.front().g_per_kwh + e_after * series.points.back().g_per_kwh;
    for (std::size_t i = 0; i < series.points.size(); ++i) {
      auto seg_end = i + 1 < series.points.size() ? series.points[i + 1].time : last_end;
      out.g += share(series.points[i].time, seg_end) * series.points[i].g_per_kwh;
    }
  }
  out.outside_kwh = before_kwh + after_kwh;
  out.effective_g_per_kwh = out.energy_kwh > 0 ? out.g / out.energy_kwh : 0;
  if (out.outside_kwh > 0) {
    std::string filled;
    if (before_kwh > 0) {
      filled += fmt::format("{:.3g} kWh before {} filled with the first value ({} g/kWh)",
                            before_kwh, format_timestamp(first), series.points.front().g_per_kwh);
    }
    if (after_kwh > 0) {
      if (!filled.empty()) filled += "; ";
      filled += fmt::format("{:.3g} kWh after {} filled with the last value ({} g/kWh)", after_kwh,
                            format_timestamp(last_end), series.points.back().g_per_kwh);
    }
    out.gap_note = fmt::format(
        "the intensity series covers {} to {} but the run spans {} to {} ({:.1f} % of its "
        "energy outside): {}",
        format_timestamp(first), format_timestamp(last_end), format_timestamp(run_start),
        format_timestamp(run_end), 100.0 * out.outside_kwh / std::max(out.energy_kwh, 1e-300),
        filled);
  }
  return out;
}

double time_weighted_mean(const IntensitySeries& series) {
  if (series.points.empty()) return 0;
  const auto step = typical_step(series);
  double weighted = 0, hours = 0;
  for (std::size_t i = 0; i < series.points.size(); ++i) {
    auto end =
        i + 1 < series.points.size() ? series.points[i + 1].time : series.points[i].time + step;
    double h = hours_between(series.points[i].time, end);
    weighted += h * series.points[i].g_per_kwh;
    hours += h;
  }
  return hours > 0 ? weighted / hours : series.points.front().g_per_kwh;
}

}  // namespace joule::carbon

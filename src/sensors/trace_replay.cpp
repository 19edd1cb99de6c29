// Trace replay: plays a recorded "joule trace v1" CSV back as a sensor, either
// against the clock (demos) or one row per read (tests, bug reports).
#include "sensors/trace_replay.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "refdata/csv.hpp"
#include "sensors/backends.hpp"

namespace joule::sensors {

namespace trace {

TraceSensor::TraceSensor(Trace trace, PlaybackMode mode, Clock clock)
    : trace_(std::move(trace)), mode_(mode), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return MonotonicClock::now(); };
  if (trace_.rows.empty()) throw std::invalid_argument("trace: no rows to replay");
  for (auto& d : trace_.domains) d.source += fmt::format(", {} playback", to_string(mode_));
  start_ = clock_();
}

bool TraceSensor::finished() const {
  std::lock_guard lock(mutex_);
  return finished_;
}

void TraceSensor::read_row(std::size_t row, std::span<Reading> out) const {
  const auto& readings = trace_.rows[row];
  std::copy(readings.begin(), readings.end(), out.begin());
}

// Between two good readings: straight line; a counter that went down across
// the interval wrapped (when it has a wrap range) and is interpolated forward
// through the wrap. Otherwise the earlier row holds until the next one.
void TraceSensor::read_interpolated(double trace_time_s, std::span<Reading> out) const {
  const auto& times = trace_.times_s;
  // The last row at or before trace_time_s.
  const auto after = std::upper_bound(times.begin(), times.end(), trace_time_s);
  const auto i = static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, after - times.begin() - 1));
  if (i + 1 >= times.size()) {
    read_row(times.size() - 1, out);
    return;
  }
  const double fraction = (trace_time_s - times[i]) / (times[i + 1] - times[i]);
  for (std::size_t d = 0; d < trace_.domains.size(); ++d) {
    const Reading& a = trace_.rows[i][d];
    const Reading& b = trace_.rows[i + 1][d];
    out[d] = a;
    if (a.status != ReadStatus::ok || b.status != ReadStatus::ok) continue;
    const auto& domain = trace_.domains[d];
    if (domain.kind == ReadingKind::power) {
      out[d].power = Watts{a.power.watts + fraction * (b.power.watts - a.power.watts)};
      continue;
    }
    double delta_j = b.counter.joules - a.counter.joules;
    const double wrap_j = domain.wrap_range ? domain.wrap_range->joules : 0;
    if (delta_j < 0 && wrap_j > 0) delta_j += wrap_j;
    double value = a.counter.joules + fraction * delta_j;
    if (wrap_j > 0 && value >= wrap_j) value -= wrap_j;
    out[d].counter = Joules{value};
  }
}

void TraceSensor::read(std::span<Reading> out) {
  std::lock_guard lock(mutex_);
  const auto last = trace_.rows.size() - 1;
  if (mode_ == PlaybackMode::stepped) {
    // After the last row the readings stay there: energy stops growing.
    read_row(std::min(next_row_, last), out);
    if (next_row_ >= last) finished_ = true;
    if (next_row_ <= last) ++next_row_;
    return;
  }
  const double elapsed_s = seconds_between(start_, clock_()).seconds;
  const double trace_time_s = trace_.times_s.front() + std::max(0.0, elapsed_s);
  if (trace_time_s >= trace_.times_s.back()) finished_ = true;
  read_interpolated(trace_time_s, out);
}

}  // namespace trace

void probe_trace(const SensorConfig& config, ProbeResult& result) {
  constexpr std::string_view kFormat = "format: docs/sensors.md, \"Trace replay\"";
  if (config.trace_file.empty()) {
    result.reports.push_back({"trace", BackendState::absent,
                              "no trace to replay (JOULE_TRACE is not set)",
                              "set JOULE_TRACE=<file> to replay a recorded trace"});
    return;
  }
  try {
    auto recorded = trace::load_trace(config.trace_file);
    // JOULE_TRACE_MODE overrides the file's "# mode:"; the default is realtime.
    auto mode = recorded.mode.value_or(trace::PlaybackMode::realtime);
    std::string mode_from = recorded.mode ? "# mode: in the trace" : "default";
    if (const char* env = std::getenv("JOULE_TRACE_MODE"); env && *env) {
      auto parsed = trace::parse_mode(env);
      if (!parsed) {
        result.reports.push_back(
            {"trace", BackendState::refused,
             fmt::format("JOULE_TRACE_MODE='{}' is not realtime or stepped", env),
             "set JOULE_TRACE_MODE=realtime or stepped, or unset it"});
        return;
      }
      mode = *parsed;
      mode_from = "JOULE_TRACE_MODE";
    }
    const auto rows = recorded.rows.size();
    const double span_s = recorded.times_s.back() - recorded.times_s.front();
    const auto domains = recorded.domains.size();
    result.sensors.push_back(std::make_unique<trace::TraceSensor>(std::move(recorded), mode));
    result.reports.push_back(
        {"trace", BackendState::active,
         fmt::format("replaying {} ({} domain{}, {} rows over {:.6g} s) in {} mode ({}); "
                     "not this machine's hardware",
                     config.trace_file.string(), domains, domains == 1 ? "" : "s", rows, span_s,
                     trace::to_string(mode), mode_from),
         ""});
  } catch (const std::exception& e) {
    // The user asked for this trace and every other backend is off: say
    // exactly where the file is wrong.
    result.reports.push_back({"trace", BackendState::refused,
                              fmt::format("cannot replay the trace: {}", e.what()),
                              fmt::format("fix the trace ({}) or unset JOULE_TRACE", kFormat)});
  }
}

}  // namespace joule::sensors

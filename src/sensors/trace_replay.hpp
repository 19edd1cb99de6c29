#pragma once
// Trace replay: a recorded CSV of counter readings played back as a sensor,
// for demos and for reproducing a user's bug report. Format (docs/sensors.md,
// "Trace replay"):
//
//   # joule trace v1
//   # mode: stepped
//   # domain: cpu:package-0,cpu-package,counter,measured,262143.32885,0.05,,package-0
//   # domain: gpu:0,gpu,power,measured,,0.05
//   time_s,cpu:package-0,gpu:0
//   0,1000.5,61.0
//   0.1,1004.25,
//
// A declaration is id,component,kind,provenance,wrap_range_j,relative_uncertainty
// and optionally ,contains (ids joined by ';') and ,label (the rest of the
// line). A row is the trace time in seconds and one field per domain: raw
// counter joules (may wrap) or watts; empty = unavailable at that row;
// "gone" = the device disappeared.
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "joule/sensor.hpp"
#include "joule/units.hpp"

namespace joule::sensors::trace {

enum class PlaybackMode {
  realtime,  // the reading is interpolated at the elapsed time since the sensor started
  stepped,   // each read() returns the next row (deterministic)
};
std::string_view to_string(PlaybackMode mode);
// "realtime" or "stepped"; nullopt otherwise.
std::optional<PlaybackMode> parse_mode(std::string_view text);

struct Trace {
  std::string origin;                // file name, for messages
  std::optional<PlaybackMode> mode;  // from "# mode:", if given
  std::vector<DomainInfo> domains;   // in header order
  std::vector<double> times_s;       // strictly increasing
  std::vector<std::size_t> lines;    // line of each row in the file
  // rows[r][d]: the reading of domain d at row r (counter or power filled by kind).
  std::vector<std::vector<Reading>> rows;
};

// Throws refdata::DataError ("origin:line:column: what was expected").
Trace parse_trace(std::string_view text, std::string origin);
Trace load_trace(const std::filesystem::path& path);

class TraceSensor : public Sensor {
 public:
  using Clock = std::function<MonotonicTime()>;
  // The clock defaults to MonotonicClock::now; realtime playback starts at
  // construction.
  TraceSensor(Trace trace, PlaybackMode mode, Clock clock = {});

  std::string_view backend() const override { return "trace"; }
  const std::vector<DomainInfo>& domains() const override { return trace_.domains; }
  void read(std::span<Reading> out) override;

  PlaybackMode mode() const { return mode_; }
  const Trace& trace() const { return trace_; }
  // True once playback has reached the last row (readings then stay there).
  bool finished() const;

 private:
  void read_row(std::size_t row, std::span<Reading> out) const;
  void read_interpolated(double trace_time_s, std::span<Reading> out) const;

  Trace trace_;
  PlaybackMode mode_;
  Clock clock_;
  MonotonicTime start_;
  mutable std::mutex mutex_;
  std::size_t next_row_ = 0;  // stepped mode
  bool finished_ = false;
};

}  // namespace joule::sensors::trace

#pragma once
// What applications report to `joule serve` over the control channel: units
// (requests, tokens) and phases, per application. Each datagram names its
// application in an `app` line; lines without one count for "unnamed".
// Cardinality is bounded: a series (application x unit, application x phase)
// past `max_series`, or a name longer than kMaxNameLength, is dropped and
// counted, so a misbehaving client cannot grow the exporter without bound.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "joule/units.hpp"
#include "run/control_channel.hpp"

namespace joule::serve {

inline constexpr std::size_t kMaxNameLength = 128;
inline constexpr const char* kUnnamedApplication = "unnamed";

struct ApplicationUnits {
  std::string application;
  std::string unit;
  double count = 0;
};

struct ApplicationPhase {
  std::string application;
  std::string phase;
  Seconds time;  // spent in the phase, an open one up to `now`
};

class ApplicationReports {
 public:
  explicit ApplicationReports(std::size_t max_series = 256) : max_series_(max_series) {}

  // Events in arrival order, as ControlServer::drain returns them.
  void handle(const run::ControlEvent& event);

  std::vector<ApplicationUnits> units() const;
  std::vector<ApplicationPhase> phases(MonotonicTime now) const;
  std::uint64_t dropped() const { return dropped_; }

 private:
  using Key = std::pair<std::string, std::string>;
  bool admit(const Key& key, bool known);
  void close_phase(const std::string& application, MonotonicTime at);

  std::size_t max_series_;
  std::map<Key, double> units_;
  std::map<Key, Seconds> phase_time_;
  struct Open {
    std::string phase;
    MonotonicTime since;
  };
  std::map<std::string, Open> open_;
  std::string current_application_ = kUnnamedApplication;
  std::uint64_t current_datagram_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace joule::serve

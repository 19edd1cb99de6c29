#pragma once
// Turns one domain's readings into a cumulative, wrap-corrected energy that
// never decreases: counters are differenced (adding the wrap range when the
// raw value falls), power is integrated with the trapezoid rule. A counter
// step more than the domain's maximum power could produce is a reset read as
// a wrap (resume, hot-unplug, driver reload) and is left out.
#include <optional>
#include <string>

#include "joule/sensor.hpp"
#include "joule/units.hpp"

namespace joule::meter {

class DomainAccumulator {
 public:
  explicit DomainAccumulator(const DomainInfo& domain);

  // Folds in one reading taken at `at`. Returns a warning for the reader of
  // the results when something about this domain must be known (a reset
  // counter, a device that vanished), otherwise nullopt.
  std::optional<std::string> update(const Reading& reading, MonotonicTime at);

  Joules total() const { return total_; }
  bool gone() const { return gone_; }
  std::size_t wraps() const { return wraps_; }

 private:
  std::optional<std::string> update_counter(const Reading& reading, MonotonicTime at);
  bool plausible(double delta_j, Seconds dt) const;
  void update_power(const Reading& reading, MonotonicTime at);

  std::string id_;
  ReadingKind kind_;
  std::optional<Joules> wrap_range_;
  std::optional<Watts> max_power_;
  Joules total_;
  bool has_previous_ = false;
  Joules previous_counter_;
  Watts previous_power_;
  MonotonicTime previous_at_;
  std::optional<MonotonicTime> first_at_;  // of the first reading, good or not
  bool gone_ = false;
  std::size_t wraps_ = 0;
};

}  // namespace joule::meter

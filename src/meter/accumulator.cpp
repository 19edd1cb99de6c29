#include "meter/accumulator.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "joule/format.hpp"

namespace joule::meter {

namespace {

// A step is implausible only past twice the domain's maximum power: turbo
// limits (PL2, PL4) sit above the limit a zone declares first, and readings
// are taken a little apart from the instant they are stamped with.
constexpr double kPowerMargin = 2.0;
// Counters move in steps (RAPL about every millisecond, NVML every 20 to 100
// ms), so a short interval may carry up to one step of the counter's own
// clock more than its length alone allows.
constexpr Seconds kCounterUpdateSlack{0.1};

}  // namespace

DomainAccumulator::DomainAccumulator(const DomainInfo& domain)
    : id_(domain.id),
      kind_(domain.kind),
      wrap_range_(domain.wrap_range),
      max_power_(domain.max_power) {}

std::optional<std::string> DomainAccumulator::update(const Reading& reading, MonotonicTime at) {
  if (gone_) return std::nullopt;
  if (!first_at_) first_at_ = at;
  switch (reading.status) {
    case ReadStatus::gone:
      gone_ = true;
      return fmt::format(
          "{} disappeared {} after measuring began ({}); its energy is counted up to its last "
          "reading{}",
          id_, seconds_between(*first_at_, at),
          reading.error.empty() ? "no reason given" : reading.error,
          has_previous_
              ? fmt::format(", {} after measuring began", seconds_between(*first_at_, previous_at_))
              : std::string(" (none)"));
    case ReadStatus::unavailable:
      // Keep the last good reading: the next good one covers the gap (for
      // power, by a straight line across it).
      return fmt::format("{} could not be read at least once ({}); the gap is bridged", id_,
                         reading.error.empty() ? "no reason given" : reading.error);
    case ReadStatus::ok:
      break;
  }
  if (kind_ == ReadingKind::energy_counter) return update_counter(reading, at);
  update_power(reading, at);
  return std::nullopt;
}

bool DomainAccumulator::plausible(double delta_j, Seconds dt) const {
  if (!max_power_ || max_power_->watts <= 0) return true;
  const double longest_s = std::max(dt.seconds, 0.0) + kCounterUpdateSlack.seconds;
  return delta_j <= kPowerMargin * max_power_->watts * longest_s;
}

std::optional<std::string> DomainAccumulator::update_counter(const Reading& reading,
                                                             MonotonicTime at) {
  std::optional<std::string> warning;
  if (has_previous_) {
    double delta_j = reading.counter.joules - previous_counter_.joules;
    bool wrapped = false;
    if (delta_j < 0) {
      if (wrap_range_ && wrap_range_->joules > 0) {
        delta_j += wrap_range_->joules;
        wrapped = true;
        if (delta_j < 0) {
          warning = fmt::format("{} read {} J above its wrap range of {} J; reading ignored", id_,
                                previous_counter_.joules, wrap_range_->joules);
          delta_j = 0;
        }
      } else {
        // No known wrap range: the counter was reset (driver reload). Count
        // from zero rather than lose or invent energy.
        warning = fmt::format("{} counter went backwards ({} J to {} J); assumed reset to zero",
                              id_, previous_counter_.joules, reading.counter.joules);
        delta_j = reading.counter.joules;
      }
    } else if (wrap_range_ && delta_j > wrap_range_->joules / 2) {
      warning = fmt::format(
          "{} advanced {} J between two samples, over half its wrap range; a wrap may have been "
          "missed (sample more often with --interval)",
          id_, delta_j);
    }
    const Seconds dt = seconds_between(previous_at_, at);
    if (!plausible(delta_j, dt)) {
      warning = fmt::format(
          "{} advanced {} J in {}, more than its maximum of {} W could draw: the counter was "
          "reset (resume, hot-unplug or driver reload), not wrapped; this interval is left out",
          id_, delta_j, dt, max_power_->watts);
      delta_j = 0;
      wrapped = false;
    }
    if (wrapped) ++wraps_;
    total_.joules += delta_j;
  }
  previous_counter_ = reading.counter;
  previous_at_ = at;
  has_previous_ = true;
  return warning;
}

void DomainAccumulator::update_power(const Reading& reading, MonotonicTime at) {
  if (has_previous_) {
    Seconds dt = seconds_between(previous_at_, at);
    if (dt.seconds > 0) {
      total_.joules += 0.5 * (previous_power_.watts + reading.power.watts) * dt.seconds;
    }
  }
  previous_power_ = reading.power;
  previous_at_ = at;
  has_previous_ = true;
}

}  // namespace joule::meter

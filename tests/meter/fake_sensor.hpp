#pragma once
// A sensor whose next readings the test sets, for exercising the meter's
// arithmetic without hardware.
#include <atomic>
#include <mutex>
#include <vector>

#include "joule/sensor.hpp"

namespace joule::testing {

class FakeSensor : public Sensor {
 public:
  explicit FakeSensor(std::vector<DomainInfo> domains)
      : domains_(std::move(domains)), next_(domains_.size()) {}

  std::string_view backend() const override { return "fake"; }
  const std::vector<DomainInfo>& domains() const override { return domains_; }
  void read(std::span<Reading> out) override {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = next_[i];
    ++reads_;
  }

  void set_counter(std::size_t domain, double joules) {
    std::lock_guard lock(mutex_);
    next_[domain] = Reading{ReadStatus::ok, Joules{joules}, Watts{}, ""};
  }
  void set_power(std::size_t domain, double watts) {
    std::lock_guard lock(mutex_);
    next_[domain] = Reading{ReadStatus::ok, Joules{}, Watts{watts}, ""};
  }
  void set_status(std::size_t domain, ReadStatus status, std::string error) {
    std::lock_guard lock(mutex_);
    next_[domain].status = status;
    next_[domain].error = std::move(error);
  }
  int reads() const { return reads_.load(); }

 private:
  std::vector<DomainInfo> domains_;
  std::vector<Reading> next_;
  std::mutex mutex_;
  std::atomic<int> reads_{0};
};

inline DomainInfo counter_domain(std::string id, Component component, double wrap_j,
                                 double uncertainty = 0.02) {
  DomainInfo d;
  d.id = std::move(id);
  d.label = d.id;
  d.component = component;
  d.kind = ReadingKind::energy_counter;
  if (wrap_j > 0) d.wrap_range = Joules{wrap_j};
  d.relative_uncertainty = uncertainty;
  d.source = "fake";
  return d;
}

inline DomainInfo power_domain(std::string id, Component component, double uncertainty = 0.05) {
  DomainInfo d;
  d.id = std::move(id);
  d.label = d.id;
  d.component = component;
  d.kind = ReadingKind::power;
  d.relative_uncertainty = uncertainty;
  d.source = "fake";
  return d;
}

}  // namespace joule::testing

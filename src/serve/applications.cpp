#include "serve/applications.hpp"

namespace joule::serve {

bool ApplicationReports::admit(const Key& key, bool known) {
  if (known) return true;
  if (key.first.size() > kMaxNameLength || key.second.size() > kMaxNameLength ||
      units_.size() + phase_time_.size() >= max_series_) {
    ++dropped_;
    return false;
  }
  return true;
}

void ApplicationReports::close_phase(const std::string& application, MonotonicTime at) {
  auto open = open_.find(application);
  if (open == open_.end()) return;
  Key key{application, open->second.phase};
  auto it = phase_time_.find(key);
  if (it != phase_time_.end() || admit(key, false)) {
    phase_time_[key] += seconds_between(open->second.since, at);
  }
  open_.erase(open);
}

void ApplicationReports::handle(const run::ControlEvent& event) {
  using Kind = run::ControlMessage::Kind;
  if (event.datagram != current_datagram_) {
    current_datagram_ = event.datagram;
    current_application_ = kUnnamedApplication;
  }
  const auto& message = event.message;
  switch (message.kind) {
    case Kind::application:
      current_application_ = message.name;
      return;
    case Kind::units: {
      Key key{current_application_, message.unit.empty() ? "unit" : message.unit};
      auto it = units_.find(key);
      if (it != units_.end()) {
        it->second += message.count;
      } else if (admit(key, false)) {
        units_.emplace(std::move(key), message.count);
      }
      return;
    }
    case Kind::phase:
      close_phase(current_application_, event.received);
      if (message.name.size() > kMaxNameLength ||
          (!open_.count(current_application_) && open_.size() >= max_series_)) {
        ++dropped_;
        return;
      }
      open_[current_application_] = {message.name, event.received};
      return;
    case Kind::end_phase:
      close_phase(current_application_, event.received);
      return;
    case Kind::hello:  // ranks of a distributed job speak to `joule run`, not to an exporter
    case Kind::bye:
      return;
  }
}

std::vector<ApplicationUnits> ApplicationReports::units() const {
  std::vector<ApplicationUnits> out;
  out.reserve(units_.size());
  for (const auto& [key, count] : units_) out.push_back({key.first, key.second, count});
  return out;
}

std::vector<ApplicationPhase> ApplicationReports::phases(MonotonicTime now) const {
  std::map<Key, Seconds> time = phase_time_;
  for (const auto& [application, open] : open_) {
    time[{application, open.phase}] += seconds_between(open.since, now);
  }
  std::vector<ApplicationPhase> out;
  out.reserve(time.size());
  for (const auto& [key, seconds] : time) out.push_back({key.first, key.second, seconds});
  return out;
}

}  // namespace joule::serve

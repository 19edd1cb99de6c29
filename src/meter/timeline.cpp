#include "meter/timeline.hpp"

#include <algorithm>

namespace joule::meter {

Timeline::Timeline(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 2)) {}

void Timeline::add(const Snapshot& snapshot) {
  latest_.at = snapshot.at;
  latest_.energy.assign(snapshot.energy.begin(), snapshot.energy.end());  // reuses its storage
  has_latest_ = true;
  if (!samples_.empty() && ++since_kept_ < stride_) return;
  since_kept_ = 0;
  if (samples_.size() + 1 >= capacity_) {
    // Keep even positions: the first sample (the origin) stays where it is.
    std::size_t kept = 1;
    for (std::size_t i = 2; i < samples_.size(); i += 2) samples_[kept++] = std::move(samples_[i]);
    samples_.resize(kept);
    stride_ *= 2;
  }
  samples_.push_back(latest_);
}

std::vector<TimelineSample> Timeline::samples() const {
  std::vector<TimelineSample> out = samples_;
  if (has_latest_ && (out.empty() || out.back().at != latest_.at)) out.push_back(latest_);
  return out;
}

}  // namespace joule::meter

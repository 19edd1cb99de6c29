#pragma once
// A bounded record of snapshots. When full it halves its resolution (keeps
// every other sample and records only every other new one from then on), so a
// week-long run keeps its whole shape in constant memory.
#include <cstddef>
#include <vector>

#include "joule/meter.hpp"

namespace joule::meter {

class Timeline {
 public:
  explicit Timeline(std::size_t capacity);
  void add(const Snapshot& snapshot);
  std::vector<TimelineSample> samples() const;
  std::size_t stride() const { return stride_; }

 private:
  std::size_t capacity_;
  std::vector<TimelineSample> samples_;
  std::size_t stride_ = 1;      // record one snapshot in `stride_`
  std::size_t since_kept_ = 0;  // snapshots seen since the last one kept
  TimelineSample latest_;       // always kept so the end of a run is never lost
  bool has_latest_ = false;
};

}  // namespace joule::meter

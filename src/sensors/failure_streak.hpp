#pragma once
// When a device read failure means the device is gone. A read error is
// transient more often than not: power reads on busy boards and vGPUs return
// UNKNOWN or TIMEOUT now and then and answer again on the next call. So a
// failed read is `unavailable` for that sample (the meter bridges the gap),
// and the device is given up as gone only after kFailuresBeforeGone failures
// in a row (3 s at the default 100 ms interval), or at once when the library
// says it is lost for good (NVML's GPU_IS_LOST). The GPU backends share it.
#include <cstddef>
#include <exception>
#include <span>
#include <string>
#include <utility>

#include "joule/sensor.hpp"

namespace joule::sensors {

class FailureStreak {
 public:
  static constexpr int kFailuresBeforeGone = 30;

  bool gone() const { return gone_; }
  // The reading of a device already given up.
  Reading gone_reading() const { return Reading{ReadStatus::gone, {}, {}, gone_error_}; }
  void succeeded() { failures_ = 0; }
  // The reading for a failed read, saying `error`: unavailable, or gone once
  // the streak is long enough or `lost` says the device will not come back.
  Reading failed(std::string error, bool lost = false) {
    if (lost || ++failures_ >= kFailuresBeforeGone) {
      gone_ = true;
      gone_error_ = error;
      return Reading{ReadStatus::gone, {}, {}, std::move(error)};
    }
    return Reading{ReadStatus::unavailable, {}, {}, std::move(error)};
  }

 private:
  int failures_ = 0;
  bool gone_ = false;
  std::string gone_error_;
};

// Fills out[i] with read_one(i) for each of `count` devices. An exception
// (formatting an error can allocate) becomes that sample's `unavailable`, so
// one device never stops the others from being read.
template <typename ReadOne>
void read_each_device(std::span<Reading> out, std::size_t count, ReadOne&& read_one) {
  for (std::size_t i = 0; i < count && i < out.size(); ++i) {
    try {
      out[i] = read_one(i);
    } catch (const std::exception& e) {
      out[i] = Reading{ReadStatus::unavailable, {}, {}, e.what()};
    }
  }
}

}  // namespace joule::sensors

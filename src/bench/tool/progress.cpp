#include "progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace joule::bench {

ProgressLine::ProgressLine(std::FILE* stream)
    : stream_(stream), terminal_(isatty(fileno(stream)) != 0) {}

void ProgressLine::begin(const std::string& label, std::size_t index, std::size_t count) {
  label_ = label;
  index_ = index;
  count_ = count;
  last_fraction_ = -1;
  update(0, "starting");
}

void ProgressLine::update(double fraction, const std::string& detail) {
  if (!terminal_) return;
  fraction = std::clamp(fraction, 0.0, 1.0);
  constexpr int width = 24;
  const int filled = static_cast<int>(std::lround(fraction * width));
  fmt::print(stream_, "\r\033[K[{}/{}] {:<22} [{}{}] {:3.0f}%  {}", index_ + 1, count_, label_,
             std::string(static_cast<std::size_t>(filled), '#'),
             std::string(static_cast<std::size_t>(width - filled), '.'), fraction * 100, detail);
  std::fflush(stream_);
  last_fraction_ = fraction;
}

void ProgressLine::end(const std::string& outcome) {
  if (terminal_) fmt::print(stream_, "\r\033[K");
  fmt::print(stream_, "[{}/{}] {:<22} {}\n", index_ + 1, count_, label_, outcome);
  std::fflush(stream_);
}

}  // namespace joule::bench

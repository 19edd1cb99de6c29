#pragma once
// A progress bar per model on a terminal; one line per finished run otherwise
// (CI logs, pipes), so that logs stay readable.
#include <cstdio>
#include <string>

namespace joule::bench {

class ProgressLine {
 public:
  explicit ProgressLine(std::FILE* stream);
  // Starts a bar for run `index` of `count`.
  void begin(const std::string& label, std::size_t index, std::size_t count);
  void update(double fraction, const std::string& detail);
  void end(const std::string& outcome);

 private:
  std::FILE* stream_;
  bool terminal_;
  std::string label_;
  std::size_t index_ = 0;
  std::size_t count_ = 0;
  double last_fraction_ = -1;
};

}  // namespace joule::bench

#pragma once
// The live line `joule run` keeps on stderr while the command runs, when stderr
// is a terminal: elapsed time, power now, energy so far (machine and the
// command's share). Redrawn in place with \r; cleared before the summary.
#include <string>

#include "joule/units.hpp"

namespace joule::cli {

class LiveLine {
 public:
  // Enabled only when stderr is a terminal and not `quiet`.
  explicit LiveLine(bool quiet);
  ~LiveLine() { clear(); }
  bool enabled() const { return enabled_; }
  void update(Seconds elapsed, Watts power_now, Joules machine, Joules attributed);
  void clear();

 private:
  bool enabled_ = false;
  bool drawn_ = false;
};

}  // namespace joule::cli

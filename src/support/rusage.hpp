#pragma once
// The CPU time this process has used (getrusage(2)): what joule reports as its
// own overhead beside the energy it measured.
#include "joule/units.hpp"

namespace joule::support {

// User plus system CPU time of this process, every thread included.
Seconds own_cpu_time();

}  // namespace joule::support

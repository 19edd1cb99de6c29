#include "support/rusage.hpp"

#include <sys/resource.h>

namespace joule::support {
namespace {

double seconds_of(const timeval& t) {
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
}

}  // namespace

Seconds own_cpu_time() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return Seconds{seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime)};
}

}  // namespace joule::support

// The smallest use of joule from C++: a session, a scope, a tracked call, and
// what they measured. Under `joule run`, the same code reports phases instead.
#include <cmath>
#include <cstdio>

#include "joule/scope.hpp"

namespace {
double busy_work(int n) {
  double sum = 0;
  for (int i = 1; i <= n; ++i) sum += std::sqrt(static_cast<double>(i));
  return sum;
}
}  // namespace

int main() {
  try {
    joule::Session session;  // sensors from the environment (JOULE_TRACE, ...)
    std::printf("mode: %s\n", std::string(joule::to_string(session.mode())).c_str());

    auto scope = session.scope("sum of roots", "inference");
    double total = 0;
    for (int i = 0; i < 10; ++i) {
      total += busy_work(200000);
      scope.add_units(1);
    }
    const joule::ScopeResult& r = scope.end();
    double tracked = session.track("tracked call", [] { return busy_work(100000); });

    if (r.reported_to_run) {
      std::printf("reported to joule run (%.3f s)\n", r.duration.seconds);
    } else {
      auto fp = r.footprint();
      std::printf("%s: %.3f J over %.3f s (%s, +-%.0f %%), %.3g g CO2e, %.3g g per inference\n",
                  r.name.c_str(), r.energy().joules, r.duration.seconds,
                  std::string(joule::to_string(r.provenance())).c_str(),
                  r.measurement.total_relative_uncertainty * 100, fp.total_g.central,
                  fp.sci_g_per_unit.central);
    }
    std::printf("(results %.1f, %.1f)\n", total, tracked);
    // A second end() is an error with a message, not undefined behaviour.
    try {
      scope.end();
    } catch (const joule::UsageError& e) {
      std::printf("as expected: %s\n", e.what());
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scope_basics: %s\n", e.what());
    return 1;
  }
}

#pragma once
// The benchmark loop: runtime set-up, idle power, every planned run under the
// probe, ledger records, and the reports.
#include <string>
#include <vector>

#include "bench/plan.hpp"

namespace joule::bench {

struct DriverOptions {
  std::string ledger;  // --ledger
  bool no_ledger = false;
  std::vector<std::string> argv;
};

int run_bench(BenchOptions options, const DriverOptions& driver);
int print_models();

}  // namespace joule::bench

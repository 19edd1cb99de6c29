#pragma once
// The benchmark loop: runtime set-up, idle power, every planned run that has
// no piece yet under the probe, pieces and ledger records, and the reports
// over every piece of the directory (tool/outputs.hpp).
#include <string>
#include <vector>

#include "bench/pieces.hpp"
#include "bench/plan.hpp"

namespace joule::bench {

struct DriverOptions {
  std::string ledger;  // --ledger
  bool no_ledger = false;
  std::vector<std::string> argv;
  bool out_given = false;                    // --out was on the command line
  std::filesystem::path resume;              // --resume DIR
  ResumeRequest asked;                       // what was given beside --resume, to check
  std::vector<std::string> only;             // --only items
  std::vector<std::filesystem::path> merge;  // --merge DIR...
};

int run_bench(BenchOptions options, const DriverOptions& driver);
int print_models();

}  // namespace joule::bench

#pragma once
// The terminal summary of one run: printed at the end of `joule run` and again
// by `joule show`. Every figure is printed with where it came from (measured or
// modelled, the sensor, the table or flag that decided a carbon term), because
// a number without provenance cannot be checked.
#include <string>

#include "record/run_record.hpp"

namespace joule::report {

struct SummaryOptions {
  bool show_domains_not_in_total = true;  // nested domains (cpu cores inside a package)
  bool show_sources = true;               // the sensor path / table of each figure
};

std::string render_summary(const record::RunRecord& run, const SummaryOptions& options = {});

}  // namespace joule::report

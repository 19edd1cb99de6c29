#pragma once
// The terminal summary of one run: printed at the end of `joule run` and again
// by `joule show`. Every figure is printed with where it came from (measured or
// modelled, the sensor, the table or flag that decided a carbon term), because
// a number without provenance cannot be checked.
#include <string>
#include <vector>

#include "record/run_record.hpp"

namespace joule::report {

struct SummaryOptions {
  bool show_domains_not_in_total = true;  // nested domains (cpu cores inside a package)
  bool show_sources = true;               // the sensor path / table of each figure
};

std::string render_summary(const record::RunRecord& run, const SummaryOptions& options = {});

// The pieces the summary is made of, for other renderings of the same run
// (the HTML report, the statement for papers), so that no figure is ever
// printed two ways.
using Rows = std::vector<std::vector<std::string>>;

std::string status_text(const record::RunRecord& run);   // "finished (exit 0)"
std::string command_text(const record::RunRecord& run);  // argv, quoted where needed
std::string host_text(const record::HostInfo& host);     // "box · Xeon (8 threads) · 31 GiB RAM"
// Per domain and the total: domain, machine, attributed, mean power,
// uncertainty, provenance[, source]. The first row is the header.
Rows energy_rows(const record::RunRecord& run, const SummaryOptions& options = {});
// gCO2e low, central and high of operational, embodied and total.
Rows carbon_rows(const record::CarbonRecord& carbon);
// Each carbon term: term, value, unit, source.
Rows carbon_term_rows(const record::CarbonRecord& carbon);
Rows phase_rows(const record::RunRecord& run);
// "412 gCO2e/kWh [380 – 450] (source)"
std::string intensity_text(const record::CarbonRecord& carbon);
// "1.2 g per token [1.0 g – 1.5 g] = (operational + embodied) / 1000 token"
std::string sci_text(const record::SciRecord& sci);

}  // namespace joule::report

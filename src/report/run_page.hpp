#pragma once
// The HTML report of recorded runs: `joule report ID` (one run) and
// `joule report ID ID...` (several, side by side as `joule compare` puts
// them). Every figure is the terminal summary's own cell (summary.hpp,
// compare.hpp), so that the page and the terminal never disagree.
#include <string>
#include <vector>

#include "record/run_record.hpp"
#include "report/chart.hpp"
#include "report/html.hpp"

namespace joule::report {

std::string run_report_html(const record::RunRecord& run);
std::string runs_report_html(const std::vector<record::RunRecord>& runs);

// What the page's banner says about a run: measured or modelled, which
// sensors, the uncertainty, and how the location was decided.
html::Banner run_banner(const record::RunRecord& run);

// Power per domain over the run, from the record's cumulative timeline, with
// the phases as shaded bands.
chart::LineChart power_timeline(const record::RunRecord& run);

}  // namespace joule::report

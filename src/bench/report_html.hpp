#pragma once
// `joule report --bench DIR`: the bench results as a page people read (the
// terminal's tables, the Pareto chart, energy to each tier, inference at
// each batch, the hidden-cost ratios and each model's energy label), and
// `joule report --statement --bench DIR`: the paragraph and table for papers.
#include <string>

#include "bench/results_io.hpp"
#include "report/statement.hpp"

namespace joule::bench {

std::string bench_report_html(const BenchResults& results);

report::Statement bench_statement(const BenchResults& results);

}  // namespace joule::bench

#pragma once
// Reading a `joule bench --out DIR` directory back: results.json (the runs,
// each task's definition, the measurement setup) and records/*.json (the run
// records, with their carbon). The summaries are computed again from the
// runs with summarize(), the function the terminal table came from, so that
// every figure of a report equals the terminal's.
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/analysis.hpp"
#include "bench/report.hpp"
#include "record/run_record.hpp"

namespace joule::bench {

// A directory that is not a bench output, or a results.json that is not
// what joule bench writes: what() names the file, the key and what was
// expected.
class ResultsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BenchResults {
  std::filesystem::path dir;
  MeasurementSetup provenance;
  std::vector<TaskSummary> summaries;
  std::vector<RunResult> runs;
  std::vector<std::string> notes;
  std::vector<record::RunRecord> records;  // records/*.json, by file name
};

BenchResults read_bench_results(const std::filesystem::path& dir);

// The output directory as a reader names it: its own name, relative
// ("quick"), not the path it had on the machine that ran the bench.
std::string bench_out_name(const BenchResults& results);

// The `joule bench` command that reproduces these results: the recorded
// arguments of the run of `task` and `model` (empty: the first record), with
// --out naming bench_out_name() in place of the recorded path, so that the
// line runs as it stands on another machine.
std::string reproduce_bench_command(const BenchResults& results, const std::string& task = "",
                                    const std::string& model = "");

// One run as to_json(RunResult) writes it, found at `path` ("runs[3]") of
// `file`, both only for the error messages. Fields that format 1 lacked
// (test_quality, stopped_by, tuning, machine, wall_seconds) are optional.
// Throws ResultsError naming the file, key and what was expected.
// The "provenance" object of results.json and bench.json, likewise.
MeasurementSetup read_measurement_setup(const nlohmann::json& value, const std::string& file,
                                        const std::string& path);

RunResult read_run(const nlohmann::json& value, const std::string& file, const std::string& path);

}  // namespace joule::bench

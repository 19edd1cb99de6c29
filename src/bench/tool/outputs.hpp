#pragma once
// A benchmark directory's reports, always computed from every finished piece
// in it: after a whole run, a resumed one, an --only part, or a --merge.
#include <filesystem>
#include <string>
#include <vector>

#include "bench/engine/task.hpp"
#include "bench/pieces.hpp"

namespace joule::bench {

// The task as the runs saw it: its own definition (or --tiers), with the
// tiers its baselines set once a baseline's run is among `runs`.
TaskInfo definition_from_runs(const Task& task, const std::vector<double>& tiers_override,
                              const std::vector<RunResult>& runs);

// Prints each task's table and writes DIR/results.json, DIR/summary.md and
// DIR/<task>-pareto.svg from `runs` (every piece of the directory). Returns
// 0, or 2 when nothing could be written or no task has a finished piece.
int write_outputs(const std::filesystem::path& dir, const BenchManifest& manifest,
                  const std::vector<RunResult>& runs, std::vector<std::string> notes);

// `joule bench --merge DIR... --out OUT`: the pieces and run records of every
// DIR copied into OUT, then OUT's reports. OUT must not hold a benchmark yet.
int run_merge(const std::vector<std::filesystem::path>& dirs, const std::filesystem::path& out);

}  // namespace joule::bench

#pragma once
// Energy labels from bench results (report/label.hpp draws them): per model,
// inference (energy per 1,000 inferences at its best batch) or training
// (energy to reach the tier), at the highest quality tier the model meets,
// on the fixed scale of its (task, tier, device class).
#include <optional>
#include <string>
#include <vector>

#include "bench/results_io.hpp"
#include "report/label.hpp"

namespace joule::bench {

struct ModelLabel {
  std::string task;
  std::string model;
  std::optional<report::EnergyLabel> label;
  std::string why_not;  // when there is no label: no tier met, no scale, no energy
};

// Every model of every task, in each task's ranking order; `only_model`
// keeps that model alone (empty: all).
std::vector<ModelLabel> bench_labels(const BenchResults& results, report::LabelPurpose purpose,
                                     const std::string& only_model = "");

// The device class joule bench measured on. LibTorch runs on the CPU in
// joule bench today, so every result is "cpu".
std::string device_class(const MeasurementSetup& provenance);

}  // namespace joule::bench

#pragma once
// Energy labels, shaped like the EU appliance label: classes A to G on a
// fixed, logarithmic scale per (task, purpose, device class, quality tier),
// read from data/label_scales.csv (the boundaries and why: docs/labels.md).
// A label rates inference (energy per 1,000 inferences at the model's best
// batch) or training (energy to reach the tier), never both at once.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "joule/units.hpp"

namespace joule::report {

enum class LabelPurpose { inference, training };
std::string to_string(LabelPurpose purpose);  // "inference", "training"

struct LabelScale {
  std::string id;  // printed on the label: "fmnist-inf-cpu-2026"
  std::string task;
  LabelPurpose purpose = LabelPurpose::inference;
  std::string device_class;  // "cpu"
  double tier = 0;
  // Upper bounds of classes A to F; G is everything above F.
  std::array<Joules, 6> upper_bounds{};
  std::string reference;  // what the anchor was set from
};

// The built-in scale for these, or nullopt (the caller says which exist).
std::optional<LabelScale> find_label_scale(const std::string& task, LabelPurpose purpose,
                                           const std::string& device_class, double tier);
// Every built-in scale, in the table's order.
std::vector<LabelScale> label_scales();
// The tiers that have a scale for this task, purpose and device class, in
// the table's order (empty: none), so that a run without a label can be told
// which tiers would get one.
std::vector<double> label_scale_tiers(const std::string& task, LabelPurpose purpose,
                                      const std::string& device_class);

// 'A' to 'G': the first class whose upper bound holds `energy` (bounds are
// inclusive). A non-finite or negative energy has no class: nullopt.
std::optional<char> energy_class(const LabelScale& scale, Joules energy);

struct EnergyLabel {
  std::string model;
  std::string task;
  std::string tier;          // "accuracy ≥ 0.84"
  std::string device_class;  // "cpu"
  std::string device;        // "Intel Xeon, 2 logical cores"
  LabelScale scale;
  char energy_class = 'G';
  Joules energy;            // per 1,000 inferences, or to reach the tier
  std::string energy_note;  // "at batch 256", "1/1 seeds"
  double relative_uncertainty = 0;
  bool modelled = false;
  std::string energy_source;
  // Carbon at a stated intensity: per million inferences, or per training.
  std::optional<double> intensity_g_per_kwh;
  std::string intensity_source;
  std::string command;  // the exact commands that reproduce the label
};

// The label as a standalone SVG document (about 360 x 560 px).
std::string label_svg(const EnergyLabel& label);

// The label's main figure in kWh whatever its size, as the EU label states
// kWh: per million inferences (inference) or to reach the tier (training).
// The SI-prefixed figure joule prints elsewhere is the line below it.
std::string label_energy_text(const EnergyLabel& label);

}  // namespace joule::report

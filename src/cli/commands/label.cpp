// `joule label --bench DIR [--model M] [--training] [-o PATH]`: energy
// labels (A to G, docs/labels.md) from bench results, as SVG, or as PNG
// through headless Chromium when PATH ends in .png.
#include <fmt/format.h>

#include "bench/labels.hpp"
#include "cli/command.hpp"
#include "report/chromium.hpp"
#include "support/files.hpp"

namespace joule::cli {
namespace {

namespace fs = std::filesystem;

struct LabelOptions {
  std::string bench;
  std::string model;
  bool training = false;
  bool png = false;
  std::string out;
};

void write_label(const report::EnergyLabel& label, const fs::path& path) {
  const std::string svg = report::label_svg(label);
  if (path.extension() != ".png") {
    support::write_file_atomically(path, svg);
    return;
  }
  const auto chromium = report::find_chromium();
  if (!chromium) {
    throw std::runtime_error(fmt::format(
        "cannot write {}: a PNG needs Chromium (Debian package chromium, or set JOULE_CHROMIUM); "
        "write .svg instead",
        path.string()));
  }
  const fs::path svg_path = fs::path(path.string() + ".svg");
  support::write_file_atomically(svg_path, svg);
  try {
    report::screenshot(*chromium, svg_path, path, 362, 582);
  } catch (...) {
    fs::remove(svg_path);
    throw;
  }
  fs::remove(svg_path);
}

// One label: the file itself. Several: DIR/TASK-MODEL-PURPOSE.svg (or .png).
fs::path target(const LabelOptions& options, const bench::ModelLabel& label, std::size_t count) {
  if (count == 1 && !fs::is_directory(options.out)) return options.out;
  fs::create_directories(options.out);
  return fs::path(options.out) / fmt::format("{}-{}-{}.{}", label.task, label.model,
                                             options.training ? "training" : "inference",
                                             options.png ? "png" : "svg");
}

void run_label(const LabelOptions& options) {
  const auto results = bench::read_bench_results(options.bench);
  const auto purpose =
      options.training ? report::LabelPurpose::training : report::LabelPurpose::inference;
  const auto labels = bench::bench_labels(results, purpose, options.model);
  if (labels.empty()) {
    std::string models;
    for (const auto& summary : results.summaries) {
      for (const auto& model : summary.models) models += (models.empty() ? "" : ", ") + model.model;
    }
    throw CLI::ValidationError("--model", fmt::format("no model '{}' in {}; it has: {}",
                                                      options.model, options.bench, models));
  }
  std::size_t drawn = 0;
  for (const auto& label : labels) drawn += label.label ? 1 : 0;
  if (options.out.empty() && drawn > 1) {
    throw CLI::ValidationError("-o", "several labels: give -o DIR (or --model M)");
  }
  for (const auto& label : labels) {
    if (!label.label) {
      fmt::print(stderr, "joule: {}: {}\n", label.model, label.why_not);
      exit_status() = 1;
      continue;
    }
    if (options.out.empty()) {
      fmt::print("{}", report::label_svg(*label.label));
      continue;
    }
    const fs::path path = target(options, label, drawn);
    write_label(*label.label, path);
    fmt::print(stderr, "joule: {} {}: class {} ({}, {}) written to {}\n", label.task, label.model,
               label.label->energy_class, report::label_energy_text(*label.label),
               label.label->scale.id, path.string());
  }
  if (drawn > 0 && exit_status() == 1 && options.model.empty()) exit_status() = 0;
}

const CommandRegistrar registrar{
    "label", [](CLI::App& app) {
      auto options = std::make_shared<LabelOptions>();
      auto* cmd = app.add_subcommand(
          "label", "Energy labels (A to G) of the models of a bench run (docs/labels.md)");
      cmd->add_option("--bench", options->bench, "A joule bench output directory")->required();
      cmd->add_option("--model", options->model, "Only this model");
      cmd->add_flag("--training", options->training,
                    "Label the energy to reach the quality tier instead of inference");
      cmd->add_option("-o,--out", options->out,
                      "File (.svg, or .png through Chromium) for one label; a directory for "
                      "several (default: the SVG on standard output)");
      cmd->add_flag("--png", options->png, "With -o DIR: PNG files (through Chromium), not SVG");
      cmd->callback([options] { run_label(*options); });
    }};

}  // namespace
}  // namespace joule::cli

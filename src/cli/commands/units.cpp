// `joule units N [--unit NAME]`: count N functional units (inferences,
// samples, tokens) for the enclosing `joule run`, from a shell script.
#include <cmath>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/validators.hpp"
#include "run/control_channel.hpp"

namespace joule::cli {

int send_control_or_explain(const std::string& text);  // mark.cpp

namespace {

struct UnitsOptions {
  double count = 0;
  std::string unit;
};

const CommandRegistrar registrar{
    "units", [](CLI::App& app) {
      auto options = std::make_shared<UnitsOptions>();
      auto* cmd =
          app.add_subcommand("units", "Count functional units for the enclosing `joule run`");
      cmd->add_option("count", options->count, "How many more units")
          ->required()
          ->check(at_least(0));
      cmd->add_option("--unit", options->unit, "Unit name (default: the run's --unit)");
      cmd->callback([options] {
        exit_status() = send_control_or_explain(
            run::format_control_message({.kind = run::ControlMessage::Kind::units,
                                         .count = options->count,
                                         .unit = options->unit}));
      });
    }};

}  // namespace
}  // namespace joule::cli

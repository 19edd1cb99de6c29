#pragma once
// The hardware options shared by `joule carbon` and `joule run`, so both
// accept the same flags for the embodied emissions M:
//   --embodied DEVICE|KG|none --gpu MODEL --gpus N --lifetime YEARS --share S
#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "joule/carbon.hpp"

namespace joule::cli {

// Storage the options write into; keep it alive as long as the CLI::App.
struct HardwareOptionValues {
  std::string embodied;
  std::string gpu;
  std::optional<double> gpus;
  std::optional<double> lifetime_years;
  std::string share;
};

// Adds the options to `command` (in an option group "Hardware (embodied
// emissions)"); `gpu_help` says what --gpu does for this command.
void add_hardware_options(CLI::App& command, HardwareOptionValues& values,
                          const std::string& gpu_help);

// What the person stated, for carbon::plan_hardware.
carbon::HardwareOptions to_hardware_options(const HardwareOptionValues& values);

}  // namespace joule::cli

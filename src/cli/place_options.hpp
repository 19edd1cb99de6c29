#pragma once
// The location / PUE / context options shared by every subcommand that prints
// carbon (`joule carbon`, `joule run`), so both accept exactly the same flags:
//   --country --region --cloud --cloud-basis --pue --context own|datacenter|cloud
//   --config --data FILE... --intensity-file --no-config --no-tz-guess
#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "joule/carbon.hpp"

namespace joule::cli {

// Storage the options write into; keep it alive as long as the CLI::App.
struct PlaceOptionValues {
  std::string country;
  std::string region;
  std::string cloud;
  std::string pue;  // text, so "1.2" and bad input give our own message
  std::string context;
  std::string cloud_basis;
  std::string config_file;
  std::vector<std::string> data_files;
  std::string intensity_file;
  bool no_config = false;
  bool no_tz_guess = false;
};

// Adds the options to `command` (in an option group "Location and PUE").
void add_place_options(CLI::App& command, PlaceOptionValues& values);

// Turns parsed values into the carbon layer's options; throws
// joule::carbon::CarbonError on a malformed --pue or --context.
carbon::ContextOptions to_context_options(const PlaceOptionValues& values);

}  // namespace joule::cli

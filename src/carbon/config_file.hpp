#pragma once
// joule.toml: the per-project or per-user place to state where the machine is.
//
//   # joule.toml (keys at the top level, or in a [carbon] table)
//   country = "FR"            # or region = "US-CAL-CISO", or cloud = "aws:eu-west-3"
//   pue = 1.2
//   context = "datacenter"    # own | datacenter | cloud
//   cloud_basis = "grid"      # grid | provider (Google's own figure, GCP only)
//   intensity_file = "grid.csv"   # relative to this file
//   data = ["my_factors.csv"]     # table overrides, relative to this file
//
//   [hardware]                 # what M is allocated from (default: detected)
//   embodied = "server"        # a device, a figure ("1312kg"), or "none"
//   gpu = "H100 SXM5"          # exact GPU model
//   gpus = 8
//   lifetime_years = 5
//   share = "2/8"              # of the machine
//
//   [ledger]
//   url = "postgresql://joule@db.example.org/joule"   # a team's shared ledger
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "joule/carbon.hpp"

namespace joule::carbon {

struct FileConfig {
  std::filesystem::path path;
  std::optional<std::string> country, region, cloud, context;
  std::optional<double> pue;
  std::optional<CloudBasis> cloud_basis;
  std::optional<std::filesystem::path> intensity_file;
  std::vector<std::filesystem::path> data_files;
  std::optional<std::string> ledger_url;
  std::optional<HardwareOptions>
      hardware;  // [hardware]  // [ledger] url: a file path or a postgresql:// URL
};

// The joule.toml that applies: `cwd`/joule.toml, else `config_dir`/joule/joule.toml
// (config_dir is $XDG_CONFIG_HOME or ~/.config; empty skips it).
std::optional<std::filesystem::path> find_config_file(const std::filesystem::path& cwd,
                                                      const std::filesystem::path& config_dir);

// Throws refdata::DataError "file:line:column: ..." on malformed TOML or a key
// with the wrong type; unknown keys are errors too (a typo must not be ignored).
FileConfig load_config_file(const std::filesystem::path& path);
// The same from text already read; `path` names it in messages and anchors
// its relative file names.
FileConfig parse_config_text(std::string_view text, const std::filesystem::path& path);

}  // namespace joule::carbon

#include <fmt/format.h>

#include <exception>
#include <map>

#include "cli/command.hpp"
#include "joule/version.h"

namespace joule::cli {
namespace {
std::map<std::string, CommandSetup>& registry() {
  static std::map<std::string, CommandSetup> commands;
  return commands;
}
}  // namespace

CommandRegistrar::CommandRegistrar(std::string name, CommandSetup setup) {
  registry().emplace(std::move(name), std::move(setup));
}

int& exit_status() {
  static int status = 0;
  return status;
}

}  // namespace joule::cli

int main(int argc, char** argv) {
  CLI::App app{"joule: the energy, carbon and hardware cost of deep learning, measured"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "joule " JOULE_VERSION_STRING);
  for (auto& [name, setup] : joule::cli::registry()) setup(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    fmt::print(stderr, "joule: error: {}\n", e.what());
    return 1;
  }
  return joule::cli::exit_status();
}

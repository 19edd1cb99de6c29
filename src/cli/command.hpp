#pragma once
// Subcommands register themselves with a static CommandRegistrar in their own
// file, so adding a subcommand touches no shared file.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace joule::cli {

// Receives the top-level app; adds one subcommand with its options and callback.
using CommandSetup = std::function<void(CLI::App& app)>;

struct CommandRegistrar {
  CommandRegistrar(std::string name, CommandSetup setup);
};

// The process exit status a subcommand wants (default 0). `joule run` sets
// the child's status here.
int& exit_status();

}  // namespace joule::cli

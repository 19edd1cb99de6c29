// `joule mark PHASE`: start a phase of the enclosing `joule run` from a shell
// script ("epoch 3"); `joule mark --end` ends the current one. Outside a
// `joule run` it says so and succeeds, so scripts work with and without joule.
#include <fmt/format.h>

#include "cli/command.hpp"
#include "run/control_channel.hpp"

namespace joule::cli {
namespace {

struct MarkOptions {
  std::vector<std::string> words;
  bool end = false;
};

int send_or_explain(const std::string& text) {
  auto socket = run::control_socket_from_environment();
  if (!socket) {
    fmt::print(stderr, "joule: not inside `joule run` ({} is not set); ignored\n",
               run::kControlEnvironmentVariable);
    return 0;
  }
  try {
    run::send_control(*socket, text);
  } catch (const std::exception& e) {
    fmt::print(stderr, "joule: {}\n", e.what());
    return 1;
  }
  return 0;
}

const CommandRegistrar registrar{
    "mark", [](CLI::App& app) {
      auto options = std::make_shared<MarkOptions>();
      auto* cmd =
          app.add_subcommand("mark", "Mark the start of a phase of the enclosing `joule run`");
      cmd->add_option("phase", options->words, "Phase name (words are joined with spaces)");
      cmd->add_flag("--end", options->end, "End the current phase instead");
      cmd->callback([options] {
        std::string name;
        for (const auto& w : options->words) name += (name.empty() ? "" : " ") + w;
        if (options->end) {
          exit_status() = send_or_explain(
              run::format_control_message({.kind = run::ControlMessage::Kind::end_phase}));
          return;
        }
        if (name.empty())
          throw CLI::ValidationError("phase", "a phase name is required (or --end)");
        exit_status() = send_or_explain(
            run::format_control_message({.kind = run::ControlMessage::Kind::phase, .name = name}));
      });
    }};

}  // namespace

// Shared with `joule units` (units.cpp).
int send_control_or_explain(const std::string& text) {
  return send_or_explain(text);
}

}  // namespace joule::cli

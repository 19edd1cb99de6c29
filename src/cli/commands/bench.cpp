// `joule bench [...]`: hands over to the joule-bench executable. joule-bench
// links LibTorch, which takes ~0.6 s and ~160 MB to load; keeping it out of
// `joule` keeps `joule run`'s start within milliseconds.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "cli/command.hpp"

namespace joule::cli {
namespace {

// $JOULE_BENCH, else beside this executable (the build tree), else
// ../libexec/joule/ (the install tree).
std::filesystem::path find_bench_executable() {
  if (const char* chosen = std::getenv("JOULE_BENCH"); chosen != nullptr && *chosen != '\0') {
    return chosen;
  }
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "joule-bench";
  const auto here = self.parent_path();
  for (const auto& candidate : {here / "joule-bench", here / ".." / "libexec/joule/joule-bench"}) {
    if (std::filesystem::exists(candidate, error)) return candidate;
  }
  return here / ".." / "libexec/joule/joule-bench";
}

const CommandRegistrar registrar{
    "bench", [](CLI::App& app) {
      auto* cmd = app.add_subcommand(
          "bench",
          "Compare model families on accuracy against joules (joule bench --help for options)");
      // Every argument, --help included, belongs to joule-bench.
      cmd->set_help_flag();
      cmd->allow_extras();
      cmd->prefix_command();
      cmd->callback([cmd] {
        const std::filesystem::path program = find_bench_executable();
        std::vector<std::string> arguments{program.string()};
        for (const std::string& argument : cmd->remaining()) arguments.push_back(argument);
        std::vector<char*> argv;
        argv.reserve(arguments.size() + 1);
        for (std::string& argument : arguments) argv.push_back(argument.data());
        argv.push_back(nullptr);
        execv(program.c_str(), argv.data());
        fmt::print(stderr,
                   "joule: cannot start {}: {}. joule bench is built with LibTorch "
                   "(libtorch-dev); set JOULE_BENCH to its path if it lives elsewhere.\n",
                   program.string(), std::strerror(errno));
        exit_status() = 127;
      });
    }};

}  // namespace
}  // namespace joule::cli

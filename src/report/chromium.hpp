#pragma once
// Headless Chromium, for what a browser must do: a label's PNG
// (`joule label --png`), and the tests that look at the reports as a person
// would (screenshot, DOM, console, print to PDF). Each run gets a fresh
// profile in a temporary directory, its own process group (killed whole at
// the end or when the time limit passes), and --no-sandbox only when run as
// root, where Chromium refuses to start with its sandbox.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace joule::report {

// $JOULE_CHROMIUM, else chromium or chromium-browser on $PATH (Debian's
// package is `chromium`); nullopt when none is found.
std::optional<std::filesystem::path> find_chromium();

struct ChromiumRun {
  int exit_status = -1;  // -1 when killed
  bool timed_out = false;
  std::string out;  // standard output (--dump-dom writes the DOM there)
  std::string err;  // standard error (--enable-logging=stderr writes the console there)
};

// Runs `chromium --headless ... arguments... url` and waits at most `limit`.
// Throws std::runtime_error when it cannot be started.
ChromiumRun run_chromium(const std::filesystem::path& chromium,
                         const std::vector<std::string>& arguments, const std::string& url,
                         std::chrono::seconds limit);

// A PNG of `page` (an HTML or SVG file) at width x height CSS pixels. Throws
// std::runtime_error, naming the file, when Chromium fails or writes nothing.
void screenshot(const std::filesystem::path& chromium, const std::filesystem::path& page,
                const std::filesystem::path& png, int width, int height);

}  // namespace joule::report

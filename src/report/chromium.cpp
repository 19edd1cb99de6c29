#include "report/chromium.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "support/files.hpp"
#include "support/strings.hpp"

namespace joule::report {
namespace {

namespace fs = std::filesystem;

// Chromium's own calls home (network time, hints, translation): a report is
// rendered offline, and the tests count the requests that leave it.
constexpr const char* kDisabledFeatures =
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,MediaRouter,"
    "AutofillServerCommunication";

// A private directory for the profile and the captured output, removed at
// the end whatever happens.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = (fs::temp_directory_path() / "joule-chromium-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error(
          fmt::format("cannot create a temporary directory: {}", std::strerror(errno)));
    }
    path_ = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::vector<std::string> command_line(const fs::path& chromium, const fs::path& profile,
                                      const std::vector<std::string>& arguments,
                                      const std::string& url) {
  std::vector<std::string> argv = {chromium.string(),
                                   "--headless",
                                   "--disable-gpu",
                                   "--no-first-run",
                                   "--no-default-browser-check",
                                   "--disable-extensions",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   kDisabledFeatures,
                                   "--disable-domain-reliability",
                                   "--disable-client-side-phishing-detection",
                                   "--safebrowsing-disable-auto-update",
                                   "--metrics-recording-only",
                                   "--no-pings",
                                   "--hide-scrollbars",
                                   "--user-data-dir=" + profile.string()};
  if (::geteuid() == 0) argv.emplace_back("--no-sandbox");
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  argv.push_back(url);
  return argv;
}

pid_t spawn(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group, so that the renderer and GPU helpers go with it.
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  std::vector<char*> pointers;
  pointers.reserve(argv.size() + 1);
  for (const std::string& argument : argv) pointers.push_back(const_cast<char*>(argument.c_str()));
  pointers.push_back(nullptr);
  pid_t pid = 0;
  const int error =
      posix_spawn(&pid, argv[0].c_str(), &actions, &attributes, pointers.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) {
    throw std::runtime_error(fmt::format("cannot start {}: {}", argv[0], std::strerror(error)));
  }
  return pid;
}

// Waits for `pid` until `limit`; kills its whole group either way, so that
// no helper process outlives the run.
ChromiumRun wait_for(pid_t pid, std::chrono::seconds limit) {
  ChromiumRun run;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      run.timed_out = true;
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid, SIGKILL);
  if (!run.timed_out && WIFEXITED(status)) run.exit_status = WEXITSTATUS(status);
  return run;
}

}  // namespace

std::optional<fs::path> find_chromium() {
  if (const char* chosen = std::getenv("JOULE_CHROMIUM"); chosen != nullptr && *chosen != '\0') {
    return fs::path(chosen);
  }
  const char* path = std::getenv("PATH");
  for (const auto& directory : support::split_list(path ? path : "/usr/bin:/bin", ':')) {
    for (const char* name : {"chromium", "chromium-browser"}) {
      const fs::path candidate = fs::path(std::string(directory)) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return std::nullopt;
}

ChromiumRun run_chromium(const fs::path& chromium, const std::vector<std::string>& arguments,
                         const std::string& url, std::chrono::seconds limit) {
  const TemporaryDirectory scratch;
  const fs::path out = scratch.path() / "stdout";
  const fs::path err = scratch.path() / "stderr";
  const pid_t pid =
      spawn(command_line(chromium, scratch.path() / "profile", arguments, url), out, err);
  ChromiumRun run = wait_for(pid, limit);
  run.out = support::read_file(out).value_or("");
  run.err = support::read_file(err).value_or("");
  return run;
}

void screenshot(const fs::path& chromium, const fs::path& page, const fs::path& png, int width,
                int height) {
  const fs::path target = fs::absolute(png);
  const fs::path partial = fs::path(target.string() + ".partial.png");
  const ChromiumRun run = run_chromium(
      chromium,
      {"--screenshot=" + partial.string(), fmt::format("--window-size={},{}", width, height),
       "--default-background-color=ffffffff"},
      "file://" + fs::absolute(page).string(), std::chrono::seconds(60));
  std::error_code error;
  if (run.timed_out || run.exit_status != 0 || !fs::exists(partial, error) ||
      fs::file_size(partial, error) == 0) {
    fs::remove(partial, error);
    throw std::runtime_error(
        fmt::format("cannot write {}: {} {}", png.string(), chromium.string(),
                    run.timed_out ? "did not finish within 60 s"
                                  : fmt::format("exited with status {}", run.exit_status)));
  }
  fs::rename(partial, target, error);
  if (error) {
    fs::remove(partial, error);
    throw std::runtime_error(fmt::format("cannot write {}: {}", png.string(), error.message()));
  }
}

}  // namespace joule::report

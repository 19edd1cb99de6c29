#pragma once
// Shared by the `joule run` end-to-end tests: a private directory per test
// with a fixture /proc for the estimator (so the sensors are the same on every
// machine), a ledger, and a way to start joule in the background and signal
// it. The command's own processes are always followed through the real /proc.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/subprocess.hpp"

namespace joule::testing {

class RunFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("joule-run-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "proc");
    // A two-vCPU machine with a known model and 8 GiB, half busy.
    std::ofstream(dir_ / "proc/stat") << "cpu  1000 0 500 1500 0 0 0 0 0 0\n"
                                         "cpu0 500 0 250 750 0 0 0 0 0 0\n"
                                         "cpu1 500 0 250 750 0 0 0 0 0 0\n";
    std::ofstream(dir_ / "proc/cpuinfo")
        << "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz\n"
           "physical id\t: 0\n\nprocessor\t: 1\n"
           "model name\t: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz\nphysical id\t: 0\n";
    std::ofstream(dir_ / "proc/meminfo") << "MemTotal:        8388608 kB\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path path(const std::string& name) const { return dir_ / name; }
  std::filesystem::path ledger() const { return dir_ / "ledger.sqlite"; }

  std::map<std::string, std::string> env() const {
    return {{"JOULE_SENSORS", "estimator"},
            {"JOULE_PROC_ROOT", (dir_ / "proc").string()},
            {"JOULE_LEDGER", ledger().string()},
            {"JOULE_COUNTRY", "FR"},
            {"XDG_CONFIG_HOME", (dir_ / "config").string()},
            {"JOULE_CONTROL", "\x01unset"}};
  }

  CommandResult joule(std::vector<std::string> args) const {
    return run_joule(std::move(args), env());
  }

  nlohmann::json read_json(const std::string& name) const {
    std::ifstream in(path(name));
    return nlohmann::json::parse(in);
  }

  std::filesystem::path dir_;
};

// joule started in the background, for tests that signal or kill it.
class BackgroundJoule {
 public:
  BackgroundJoule(std::vector<std::string> args, const std::map<std::string, std::string>& env,
                  const std::filesystem::path& stdout_file) {
    args.insert(args.begin(), joule_binary());
    std::vector<std::string> env_strings;
    std::map<std::string, std::string> merged;
    for (char** e = environ; *e; ++e) {
      std::string entry(*e);
      merged[entry.substr(0, entry.find('='))] = entry.substr(entry.find('=') + 1);
    }
    for (const auto& [k, v] : env) {
      if (v == "\x01unset") {
        merged.erase(k);
      } else {
        merged[k] = v;
      }
    }
    for (const auto& [k, v] : merged) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp, argv;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~BackgroundJoule() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }
  pid_t pid() const { return pid_; }
  // WEXITSTATUS, or 128 + signal.
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// Waits (at most `limit`) until `file` contains `text`.
inline bool wait_for_text(const std::filesystem::path& file, const std::string& text,
                          std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    std::ifstream in(file);
    std::stringstream content;
    content << in.rdbuf();
    if (content.str().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace joule::testing

#pragma once
// A fake sysfs (and procfs) tree in a temporary directory, built by each test
// so counters can be rewritten while a sensor holds them open.
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

#include "joule/discovery.hpp"
#include "joule/sensor.hpp"

namespace joule::sysfs_testing {

class FakeTree {
 public:
  FakeTree() {
    std::string pattern = (std::filesystem::temp_directory_path() / "joule-sysfs-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    root_ = pattern;
  }
  ~FakeTree() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  FakeTree(const FakeTree&) = delete;
  FakeTree& operator=(const FakeTree&) = delete;

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path sys() const { return root_ / "sys"; }
  std::filesystem::path proc() const { return root_ / "proc"; }

  // Writes `content` (plus a newline, as sysfs does) to sys/<relative>,
  // creating directories. Rewrites in place (same inode), like a counter
  // changing under an open descriptor.
  std::filesystem::path write(std::string_view relative, std::string_view content) {
    return write_at(sys() / relative, content);
  }
  std::filesystem::path write_proc(std::string_view relative, std::string_view content) {
    return write_at(proc() / relative, content);
  }
  static std::filesystem::path write_at(const std::filesystem::path& path,
                                        std::string_view content) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content << '\n';
    if (!out) throw std::runtime_error("cannot write " + path.string());
    return path;
  }

  SensorConfig config() const {
    SensorConfig config;
    config.sysfs_root = sys();
    config.proc_root = proc();
    return config;
  }

 private:
  std::filesystem::path root_;
};

// An attribute that reads "0" until vanish(), then fails as a removed sysfs
// node does. A file in a temporary directory cannot: an open descriptor goes
// on reading it after it is deleted. This is /proc/PID/oom_score_adj of a
// child that vanish() kills and reaps; procfs then answers ESRCH on the open
// descriptor, as sysfs answers ENODEV, and the path is gone.
class VanishingFile {
 public:
  VanishingFile() {
    char sleep[] = "sleep";
    char forever[] = "600";
    char* argv[] = {sleep, forever, nullptr};
    if (::posix_spawnp(&pid_, "sleep", nullptr, nullptr, argv, environ) != 0) {
      throw std::runtime_error("cannot start sleep");
    }
  }
  ~VanishingFile() { vanish(); }
  VanishingFile(const VanishingFile&) = delete;
  VanishingFile& operator=(const VanishingFile&) = delete;

  std::filesystem::path path() const { return "/proc/" + std::to_string(pid_) + "/oom_score_adj"; }
  // Puts this file at `where` (a symlink), in place of what was there.
  void link_at(const std::filesystem::path& where) const {
    std::filesystem::remove(where);
    std::filesystem::create_symlink(path(), where);
  }
  void vanish() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

inline const DomainInfo* find_domain(const Sensor& sensor, std::string_view id) {
  for (const auto& d : sensor.domains()) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

inline std::size_t index_of(const Sensor& sensor, std::string_view id) {
  const auto& domains = sensor.domains();
  for (std::size_t i = 0; i < domains.size(); ++i) {
    if (domains[i].id == id) return i;
  }
  throw std::runtime_error("no domain " + std::string(id));
}

inline const BackendReport* find_report(const ProbeResult& result, std::string_view backend) {
  for (const auto& r : result.reports) {
    if (r.backend == backend) return &r;
  }
  return nullptr;
}

// Ids of the domains no other domain contains: what a total sums.
inline std::set<std::string> disjoint_ids(const Sensor& sensor) {
  std::set<std::string> contained;
  for (const auto& d : sensor.domains()) contained.insert(d.contains.begin(), d.contains.end());
  std::set<std::string> out;
  for (const auto& d : sensor.domains()) {
    if (!contained.count(d.id)) out.insert(d.id);
  }
  return out;
}

}  // namespace joule::sysfs_testing

#include "record/run_metadata.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "support/files.hpp"
#include "support/strings.hpp"

namespace joule::record {
namespace {

// The file's text without surrounding whitespace; empty when unreadable.
std::string trimmed_file(const std::filesystem::path& path) {
  return std::string(support::trim(support::read_file(path).value_or("")));
}

// The value after "key:" in a /proc/cpuinfo-style line.
std::string after_colon(const std::string& line) {
  auto colon = line.find(':');
  if (colon == std::string::npos) return {};
  auto start = line.find_first_not_of(" \t", colon + 1);
  return start == std::string::npos ? std::string() : line.substr(start);
}

}  // namespace

HostInfo read_host_info() {
  HostInfo host;
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) == 0) host.hostname = name;
  utsname uts{};
  if (::uname(&uts) == 0) {
    host.kernel = uts.release;
    host.arch = uts.machine;
  }
  {
    std::ifstream os("/etc/os-release");
    for (std::string line; std::getline(os, line);) {
      if (line.starts_with("PRETTY_NAME=")) {
        host.os = line.substr(12);
        if (host.os.size() >= 2 && host.os.front() == '"')
          host.os = host.os.substr(1, host.os.size() - 2);
      }
    }
  }
  {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::set<std::string> sockets;
    std::set<std::pair<std::string, std::string>> cores;
    std::string physical;
    for (std::string line; std::getline(cpuinfo, line);) {
      if (line.starts_with("processor")) ++host.cpu_logical_cores;
      if (line.starts_with("model name") && host.cpu_model.empty())
        host.cpu_model = after_colon(line);
      if (line.starts_with("physical id")) {
        physical = after_colon(line);
        sockets.insert(physical);
      }
      if (line.starts_with("core id")) cores.insert({physical, after_colon(line)});
    }
    host.cpu_sockets = static_cast<int>(sockets.size());
    host.cpu_physical_cores = static_cast<int>(cores.size());
  }
  {
    std::ifstream meminfo("/proc/meminfo");
    for (std::string line; std::getline(meminfo, line);) {
      if (line.starts_with("MemTotal:")) {
        host.memory_bytes = std::stoull(after_colon(line)) * 1024;
        break;
      }
    }
  }
  return host;
}

std::optional<GitInfo> read_git_info(const std::filesystem::path& directory) {
  std::error_code error;
  std::filesystem::path dir = std::filesystem::absolute(directory, error);
  std::filesystem::path git;
  for (; !dir.empty(); dir = dir.parent_path()) {
    if (std::filesystem::exists(dir / ".git", error)) {
      git = dir / ".git";
      break;
    }
    if (dir == dir.parent_path()) break;
  }
  if (git.empty()) return std::nullopt;
  // A worktree or submodule: ".git" is a file saying "gitdir: <path>".
  if (std::filesystem::is_regular_file(git, error)) {
    std::string text = trimmed_file(git);
    if (!text.starts_with("gitdir: ")) return std::nullopt;
    std::filesystem::path target = text.substr(8);
    git = target.is_absolute() ? target : git.parent_path() / target;
  }
  GitInfo info;
  std::string head = trimmed_file(git / "HEAD");
  if (!head.starts_with("ref: ")) {
    info.commit = head;  // detached
    return info.commit.empty() ? std::nullopt : std::optional(info);
  }
  std::string ref = head.substr(5);
  if (ref.starts_with("refs/heads/")) info.branch = ref.substr(11);
  // Worktrees keep their refs in the common directory.
  std::filesystem::path common = git;
  if (std::string c = trimmed_file(git / "commondir"); !c.empty()) {
    common = std::filesystem::path(c).is_absolute() ? std::filesystem::path(c) : git / c;
  }
  for (const auto& base : {git, common}) {
    if (std::string commit = trimmed_file(base / ref); !commit.empty()) {
      info.commit = commit;
      return info;
    }
  }
  std::ifstream packed(common / "packed-refs");
  for (std::string line; std::getline(packed, line);) {
    if (line.size() > 41 && line.substr(41) == ref) {
      info.commit = line.substr(0, 40);
      return info;
    }
  }
  return info;  // a branch with no commit yet
}

}  // namespace joule::record

#include "run/cgroup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "support/files.hpp"

namespace joule::run {
namespace {

// From linux/magic.h; spelled out so the header is not needed.
constexpr unsigned long kCgroup2SuperMagic = 0x63677270;

bool write_file(const std::filesystem::path& path, std::string_view text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = ::write(fd, text.data(), text.size());
  ::close(fd);
  return n == static_cast<ssize_t>(text.size());
}

}  // namespace

bool cgroup_wanted(const char* value) {
  if (value == nullptr || *value == '\0') return true;
  if (std::string_view(value) == "off") return false;
  throw std::invalid_argument(fmt::format(
      "JOULE_CGROUP='{}': the only value it takes is off (follow the process tree instead of a "
      "cgroup); unset it to let joule use a cgroup",
      value));
}

std::optional<std::string> parse_unified_cgroup(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (line.starts_with("0::")) return std::string(line.substr(3));
    pos = end + 1;
  }
  return std::nullopt;
}

std::optional<Seconds> parse_cpu_stat_usage(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (line.starts_with("usage_usec ")) {
      std::string_view value = line.substr(11);
      std::uint64_t usec = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), usec);
      if (ec != std::errc() || ptr != value.data() + value.size()) return std::nullopt;
      return Seconds{static_cast<double>(usec) / 1e6};
    }
    pos = end + 1;
  }
  return std::nullopt;
}

RunCgroup::Created RunCgroup::create(pid_t owner, const CgroupOptions& options) {
  Created result;
  if (options.require_cgroup2) {
    struct statfs fs {};
    if (::statfs(options.mount.c_str(), &fs) != 0 ||
        static_cast<unsigned long>(fs.f_type) != kCgroup2SuperMagic) {
      result.reason =
          fmt::format("{} is not a cgroup v2 mount (cgroup v1 or hybrid)", options.mount.string());
      return result;
    }
  }
  auto self = support::read_file(options.self_cgroup_file);
  auto own = self ? parse_unified_cgroup(*self) : std::nullopt;
  if (!own) {
    result.reason = fmt::format("{} names no cgroup v2 path", options.self_cgroup_file.string());
    return result;
  }
  std::string relative = *own;
  while (!relative.empty() && relative.front() == '/') relative.erase(relative.begin());
  std::filesystem::path parent = relative.empty() ? options.mount : options.mount / relative;
  std::filesystem::path path = parent / fmt::format("joule-{}", owner);
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    result.reason = fmt::format("cannot create {}: {}", path.string(), std::strerror(errno));
    return result;
  }
  // Writable cgroup.procs is what the child needs; check now rather than
  // discovering it between fork and exec.
  if (::access((path / "cgroup.procs").c_str(), W_OK) != 0) {
    result.reason = fmt::format("{} is not writable: {}", (path / "cgroup.procs").string(),
                                std::strerror(errno));
    ::rmdir(path.c_str());
    return result;
  }
  result.cgroup.reset(new RunCgroup(path, parent));
  result.cgroup->fake_ = !options.require_cgroup2;
  return result;
}

RunCgroup::~RunCgroup() {
  release();
}

std::optional<Seconds> RunCgroup::cpu_usage() const {
  auto text = support::read_file(path_ / "cpu.stat");
  if (!text) return std::nullopt;
  return parse_cpu_stat_usage(*text);
}

std::vector<pid_t> RunCgroup::pids() const {
  std::vector<pid_t> pids;
  std::ifstream in(path_ / "cgroup.procs");
  pid_t pid = 0;
  while (in >> pid) pids.push_back(pid);
  return pids;
}

bool RunCgroup::release() {
  if (released_) return true;
  // A cgroup with processes cannot be removed; leftovers go back to where
  // joule itself lives, so the detached daemon keeps running untouched.
  for (pid_t pid : pids()) write_file(parent_ / "cgroup.procs", fmt::format("{}", pid));
  std::error_code ignored;
  if (fake_) {
    // A fake hierarchy in a test holds regular files, which rmdir refuses.
    std::filesystem::remove_all(path_, ignored);
  } else {
    // A real cgroup directory holds only kernel files, which rmdir ignores,
    // but the command may have made cgroups of its own inside: those first.
    std::vector<std::filesystem::path> nested;
    for (auto it = std::filesystem::recursive_directory_iterator(path_, ignored);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ignored)) {
      if (it->is_directory(ignored)) nested.push_back(it->path());
    }
    for (auto n = nested.rbegin(); n != nested.rend(); ++n) ::rmdir(n->c_str());
    ::rmdir(path_.c_str());
  }
  released_ = !std::filesystem::exists(path_, ignored);
  return released_;
}

}  // namespace joule::run

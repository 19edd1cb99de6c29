#include "record/process_identity.hpp"

#include <fstream>
#include <optional>
#include <sstream>

#include <unistd.h>

namespace joule::record {
namespace {

std::string read_boot_id(const std::filesystem::path& proc_root) {
  std::ifstream in(proc_root / "sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

struct StatFields {
  char state = '?';
  std::uint64_t start_ticks = 0;
};

// /proc/PID/stat: "pid (comm) state ppid ... starttime(22) ...". comm may hold
// spaces and parentheses, so parse from the last ')'.
std::optional<StatFields> read_stat(const std::filesystem::path& proc_root, std::int64_t pid) {
  std::ifstream in(proc_root / std::to_string(pid) / "stat");
  if (!in) return std::nullopt;
  std::string line;
  std::getline(in, line);
  auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  StatFields fields;
  rest >> fields.state;
  std::string skip;
  // Fields 4..21 lie between state (3) and starttime (22).
  for (int i = 4; i <= 21; ++i) rest >> skip;
  if (!(rest >> fields.start_ticks)) return std::nullopt;
  return fields;
}

}  // namespace

ProcessIdentity current_process_identity(const std::filesystem::path& proc_root) {
  ProcessIdentity id;
  id.pid = static_cast<std::int64_t>(getpid());
  id.boot_id = read_boot_id(proc_root);
  if (auto stat = read_stat(proc_root, id.pid)) id.start_ticks = stat->start_ticks;
  return id;
}

bool process_alive(const ProcessIdentity& owner, const std::filesystem::path& proc_root) {
  if (owner.pid <= 0) return false;
  std::string boot = read_boot_id(proc_root);
  if (!boot.empty() && !owner.boot_id.empty() && boot != owner.boot_id) return false;  // rebooted
  auto stat = read_stat(proc_root, owner.pid);
  if (!stat) return false;
  // A killed process lingers as a zombie until its parent reaps it; it will
  // never checkpoint again.
  if (stat->state == 'Z' || stat->state == 'X' || stat->state == 'x') return false;
  return owner.start_ticks == 0 || stat->start_ticks == owner.start_ticks;
}

}  // namespace joule::record

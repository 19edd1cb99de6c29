#include "record/process_identity.hpp"

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <utility>

#include <unistd.h>

#include "support/proc.hpp"

namespace joule::record {
namespace {

std::string override_or(const char* variable, std::string fallback) {
  const char* value = std::getenv(variable);
  return value != nullptr && *value != '\0' ? std::string(value) : std::move(fallback);
}

std::string read_boot_id(const std::filesystem::path& proc_root) {
  if (const char* value = std::getenv("JOULE_BOOT_ID"); value != nullptr && *value != '\0')
    return value;
  std::ifstream in(proc_root / "sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

}  // namespace

ProcessIdentity current_process_identity(const std::filesystem::path& proc_root) {
  ProcessIdentity id;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  id.host = override_or("JOULE_HOST_NAME", host);
  id.pid = static_cast<std::int64_t>(getpid());
  id.boot_id = read_boot_id(proc_root);
  if (auto stat = support::read_process_stat(proc_root, static_cast<pid_t>(id.pid))) {
    id.start_ticks = stat->start_ticks;
  }
  return id;
}

bool process_alive(const ProcessIdentity& owner, const std::filesystem::path& proc_root) {
  if (owner.pid <= 0) return false;
  std::string boot = read_boot_id(proc_root);
  if (!boot.empty() && !owner.boot_id.empty() && boot != owner.boot_id) return false;  // rebooted
  auto stat = support::read_process_stat(proc_root, static_cast<pid_t>(owner.pid));
  if (!stat) return false;
  // A killed process lingers as a zombie until its parent reaps it; it will
  // never checkpoint again.
  if (stat->state == 'Z' || stat->state == 'X' || stat->state == 'x') return false;
  return owner.start_ticks == 0 || stat->start_ticks == owner.start_ticks;
}

bool same_host(const ProcessIdentity& owner, const ProcessIdentity& self) {
  return owner.host.empty() || owner.host == self.host;
}

}  // namespace joule::record

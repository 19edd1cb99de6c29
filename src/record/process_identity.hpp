#pragma once
// Who owns a running row in the ledger. A pid alone is not enough: pids are
// reused, and after a reboot every pid is. The boot id plus the process's start
// time (clock ticks since boot, /proc/PID/stat field 22) name one process for
// the life of the machine.
#include <cstdint>
#include <filesystem>
#include <string>

namespace joule::record {

struct ProcessIdentity {
  std::int64_t pid = 0;
  std::string boot_id;            // /proc/sys/kernel/random/boot_id
  std::uint64_t start_ticks = 0;  // /proc/PID/stat field 22
};

// The calling process.
ProcessIdentity current_process_identity(const std::filesystem::path& proc_root = "/proc");

// True when the process is still running (not a zombie) and is the same
// process that was recorded. When the boot id cannot be read on either side,
// falls back to pid + start time.
bool process_alive(const ProcessIdentity& owner, const std::filesystem::path& proc_root = "/proc");

}  // namespace joule::record

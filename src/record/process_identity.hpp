#pragma once
// Who owns a running row in the ledger. A pid alone is not enough: pids are
// reused, and after a reboot every pid is. The boot id plus the process's start
// time (clock ticks since boot, /proc/PID/stat field 22) name one process for
// the life of the machine. On a ledger shared by several machines the host name
// says whose process it is: only that host can tell whether it still runs.
//
// JOULE_HOST_NAME and JOULE_BOOT_ID replace the host name and boot id, for
// containers that share a host name, and for tests that simulate several hosts
// on one machine.
#include <cstdint>
#include <filesystem>
#include <string>

namespace joule::record {

struct ProcessIdentity {
  std::string host;  // gethostname(), or $JOULE_HOST_NAME
  std::int64_t pid = 0;
  std::string boot_id;            // /proc/sys/kernel/random/boot_id, or $JOULE_BOOT_ID
  std::uint64_t start_ticks = 0;  // /proc/PID/stat field 22
};

// The calling process.
ProcessIdentity current_process_identity(const std::filesystem::path& proc_root = "/proc");

// True when the process is still running (not a zombie) and is the same
// process that was recorded. When the boot id cannot be read on either side,
// falls back to pid + start time. Only meaningful for a process of this host
// (see same_host).
bool process_alive(const ProcessIdentity& owner, const std::filesystem::path& proc_root = "/proc");

// True when `owner` ran on the host of `self`: same host name, or no host name
// recorded (rows written before the ledger kept one).
bool same_host(const ProcessIdentity& owner, const ProcessIdentity& self);

}  // namespace joule::record

#pragma once
// Parsers for the /proc files several layers read: /proc/PID/stat (a
// process's state, parent and CPU time) and /proc/stat (the machine's CPU
// time). proc(5) describes both.
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "joule/units.hpp"

namespace joule::support {

// USER_HZ, the unit of every time in /proc/stat and /proc/PID/stat:
// sysconf(_SC_CLK_TCK), read once.
double clock_ticks_per_second();

// The fields of one /proc/PID/stat line that joule needs. Times are in clock
// ticks (USER_HZ).
struct ProcessStat {
  pid_t pid = 0;
  std::string comm;
  char state = '?';  // R, S, D, Z, T, ...
  pid_t ppid = 0;
  pid_t pgrp = 0;
  pid_t session = 0;
  std::uint64_t utime_ticks = 0;
  std::uint64_t stime_ticks = 0;
  std::uint64_t cutime_ticks = 0;  // waited-for children, user
  std::uint64_t cstime_ticks = 0;  // waited-for children, system
  // Start time since boot: with the pid, identifies a process across pid reuse.
  std::uint64_t start_ticks = 0;

  std::uint64_t own_ticks() const { return utime_ticks + stime_ticks; }
  std::uint64_t with_children_ticks() const { return own_ticks() + cutime_ticks + cstime_ticks; }
};

// Parses one /proc/PID/stat text. comm may hold spaces and parentheses, so
// the fields after it are found from the last ')'. nullopt when malformed.
std::optional<ProcessStat> parse_process_stat(std::string_view text);

// Reads and parses <proc_root>/<pid>/stat; nullopt when the process is gone
// or the text is malformed.
std::optional<ProcessStat> read_process_stat(const std::filesystem::path& proc_root, pid_t pid);

struct CpuJiffies {
  // user + nice + system + irq + softirq + steal (guest time is already in user).
  std::uint64_t busy_jiffies = 0;
  // idle + iowait
  std::uint64_t idle_jiffies = 0;
};

struct ProcStat {
  CpuJiffies total;                 // the aggregate "cpu" line
  std::vector<CpuJiffies> per_cpu;  // one per "cpuN" line, in file order
  std::vector<int> cpu_ids;         // the N of each "cpuN" line
};

// Malformed /proc text: where (1-based line and column) and what was
// expected. what() is the bare message; callers add the file's name.
class ProcParseError : public std::runtime_error {
 public:
  ProcParseError(std::size_t line, std::size_t column, const std::string& message)
      : std::runtime_error(message), line_(line), column_(column) {}
  std::size_t line() const { return line_; }
  std::size_t column() const { return column_; }

 private:
  std::size_t line_;
  std::size_t column_;
};

// Parses /proc/stat text. Throws ProcParseError when the aggregate "cpu" line
// is missing or a field is not a whole number.
ProcStat parse_proc_stat(std::string_view text);

// Busy CPU time of the whole machine (the aggregate line's busy jiffies) from
// <proc_root>/stat; nullopt when it cannot be read or parsed.
std::optional<Seconds> read_machine_busy_cpu(const std::filesystem::path& proc_root = "/proc");

}  // namespace joule::support

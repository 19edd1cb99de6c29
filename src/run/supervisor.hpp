#pragma once
// Starting the measured command and standing by it: its own process group
// (and cgroup when given), signals forwarded to that group, every descendant
// reaped and counted, the terminal handed over while it runs.
//
// Construct the Supervisor before any thread starts (the meter's sampler):
// it blocks the signals it forwards in the calling thread, threads inherit
// the mask, and the signals then wait in a signalfd for the main loop
// instead of interrupting whichever thread the kernel picks.
#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "joule/units.hpp"

namespace joule::run {

struct ChildSpec {
  std::vector<std::string> argv;
  // "NAME=value" entries added to (or replacing those in) joule's environment.
  std::vector<std::string> environment;
  // cgroup.procs of the run's cgroup; empty = none. The child moves itself in
  // before exec.
  std::string cgroup_procs;
};

struct Spawned {
  pid_t pid = -1;          // -1 when it could not start
  bool in_cgroup = false;  // it wrote itself into cgroup_procs
  std::string error;       // why it could not start ("No such file or directory")
  int exit_status = 0;     // 127 not found, 126 not executable, when pid == -1
  MonotonicTime exec_at;   // when exec succeeded (the status pipe closed)
};

// How the root process ended.
struct RootExit {
  std::optional<int> exit_code;
  std::optional<int> signal;
  Seconds cpu;  // its rusage, including the children it waited for
  int shell_status() const { return signal ? 128 + *signal : exit_code.value_or(1); }
};

class Supervisor {
 public:
  Supervisor();
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  Spawned spawn(const ChildSpec& spec);

  // Poll for POLLIN; then call handle_signals().
  int signal_fd() const { return signal_fd_; }

  // Reads pending signals: forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT to the
  // command's process group, reaps exited descendants (calling on_reaped with
  // each one's rusage CPU time), follows a stopped command (Ctrl-Z) by
  // stopping joule too. Returns the names of signals forwarded.
  std::vector<std::string> handle_signals(const std::function<void(pid_t, Seconds)>& on_reaped);

  // Set once the root process has been reaped.
  const std::optional<RootExit>& root_exit() const { return root_exit_; }
  pid_t root() const { return root_; }

  // A signal that arrived before there was a command to forward it to (during
  // the idle baseline): the caller stops and exits 128 + it.
  std::optional<int> early_signal() const { return early_signal_; }

  // The first signal forwarded to the command ("SIGINT"); empty when none.
  const std::string& first_forwarded() const { return first_forwarded_; }
  // A second SIGINT within kSecondInterruptWindow of the first: a person
  // pressing Ctrl-C again because the command did not stop. joule stops too.
  bool interrupted_twice() const { return interrupted_twice_; }

 private:
  void reap(const std::function<void(pid_t, Seconds)>& on_reaped);
  void note_forwarded(int signal);
  void give_terminal_to(pid_t group);

  int signal_fd_ = -1;
  pid_t root_ = -1;
  int tty_fd_ = -1;  // the controlling terminal when joule runs in its foreground
  std::optional<RootExit> root_exit_;
  std::optional<int> early_signal_;
  std::string first_forwarded_;
  std::optional<MonotonicTime> last_interrupt_;
  bool interrupted_twice_ = false;
};

inline constexpr std::chrono::seconds kSecondInterruptWindow{1};

// "SIGINT" for SIGINT; "signal 64" for one without a name.
std::string signal_name(int signal);

// The program to execute for argv[0]: itself when it contains '/', else the
// first executable match on PATH. nullopt + errno-like code when none.
struct ResolvedProgram {
  std::string path;
  int error = 0;  // ENOENT or EACCES when path is empty
};
ResolvedProgram resolve_program(const std::string& name);

}  // namespace joule::run

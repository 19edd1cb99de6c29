#include "run/supervisor.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

extern char** environ;

namespace joule::run {
namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : kForwarded) sigaddset(&set, s);
  sigaddset(&set, SIGCHLD);
  return set;
}

Seconds rusage_cpu(const rusage& usage) {
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return {seconds(usage.ru_utime) + seconds(usage.ru_stime)};
}

// The mask joule started with, restored in the child before exec.
sigset_t& original_mask() {
  static sigset_t mask;
  return mask;
}

// What the child needs, prepared by the parent: the child shares the
// parent's memory until exec and may only make async-signal-safe calls.
struct ChildStart {
  const char* path;
  char** argv;
  char** envp;
  const char* cgroup_procs;  // nullptr: none
  int tty;                   // -1: no terminal to take
  int status_fd;             // write end of the status pipe (close-on-exec)
};

// Reports a failed step through the status pipe: one letter and an errno.
// Runs in the child, like start_child.
__attribute__((no_sanitize("address", "undefined"))) void report_failure(int status_fd, char what,
                                                                         int error) {
  char message[1 + sizeof error] = {what};
  std::memcpy(message + 1, &error, sizeof error);
  (void)!::write(status_fd, message, sizeof message);
}

// Not instrumented by the sanitizers: it runs on a stack they do not know,
// in a process that shares the parent's memory until exec.
__attribute__((no_sanitize("address", "undefined"))) int start_child(void* arg) {
  const auto& start = *static_cast<const ChildStart*>(arg);
  ::setpgid(0, 0);
  if (start.cgroup_procs) {
    int fd = ::open(start.cgroup_procs, O_WRONLY | O_CLOEXEC);
    bool moved = fd >= 0 && ::write(fd, "0", 1) == 1;
    const int error = errno;
    if (fd >= 0) ::close(fd);
    if (!moved) report_failure(start.status_fd, 'C', error);
  }
  if (start.tty >= 0) {
    sigset_t ttou;
    sigemptyset(&ttou);
    sigaddset(&ttou, SIGTTOU);
    ::sigprocmask(SIG_BLOCK, &ttou, nullptr);
    ::tcsetpgrp(start.tty, ::getpid());
  }
  ::sigprocmask(SIG_SETMASK, &original_mask(), nullptr);
  ::execve(start.path, start.argv, start.envp);
  const int error = errno;
  report_failure(start.status_fd, 'E', error);
  ::_exit(error == ENOENT ? 127 : 126);
}

}  // namespace

ResolvedProgram resolve_program(const std::string& name) {
  auto executable = [](const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
  };
  if (name.find('/') != std::string::npos) {
    if (executable(name)) return {name, 0};
    return {"", ::access(name.c_str(), F_OK) == 0 ? EACCES : ENOENT};
  }
  const char* path_env = std::getenv("PATH");
  std::stringstream dirs(path_env && *path_env ? path_env : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  int error = ENOENT;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (executable(candidate)) return {candidate, 0};
    if (::access(candidate.c_str(), F_OK) == 0) error = EACCES;
  }
  return {"", error};
}

Supervisor::Supervisor() {
  sigset_t set = handled_signals();
  ::pthread_sigmask(SIG_BLOCK, &set, &original_mask());
  signal_fd_ = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ < 0) throw std::runtime_error(fmt::format("signalfd: {}", std::strerror(errno)));
  // Orphans of the command (a daemon that double-forks) become our children
  // instead of init's: they stay in the process tree and we reap them.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  if (::isatty(STDIN_FILENO) && ::tcgetpgrp(STDIN_FILENO) == ::getpgrp()) tty_fd_ = STDIN_FILENO;
}

Supervisor::~Supervisor() {
  if (root_ > 0) give_terminal_to(::getpgrp());
  ::close(signal_fd_);
}

void Supervisor::give_terminal_to(pid_t group) {
  if (tty_fd_ < 0) return;
  // From a background group tcsetpgrp raises SIGTTOU; block it meanwhile.
  sigset_t ttou, old;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  ::pthread_sigmask(SIG_BLOCK, &ttou, &old);
  ::tcsetpgrp(tty_fd_, group);
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

Spawned Supervisor::spawn(const ChildSpec& spec) {
  Spawned result;
  if (spec.argv.empty()) throw std::runtime_error("no command given");
  ResolvedProgram program = resolve_program(spec.argv.front());
  if (program.path.empty()) {
    result.error = fmt::format("{}: {}", spec.argv.front(), std::strerror(program.error));
    result.exit_status = program.error == EACCES ? 126 : 127;
    return result;
  }

  // Everything the child touches is prepared here: between clone and exec a
  // multithreaded process may only make async-signal-safe calls.
  std::map<std::string, std::string> overrides;
  for (const auto& entry : spec.environment) {
    overrides[entry.substr(0, entry.find('='))] = entry;
  }
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    if (!overrides.count(entry.substr(0, entry.find('=')))) env_strings.push_back(std::move(entry));
  }
  for (auto& [name, entry] : overrides) env_strings.push_back(entry);
  std::vector<char*> envp, argv;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = spec.argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const char* procs = spec.cgroup_procs.empty() ? nullptr : spec.cgroup_procs.c_str();

  // The status pipe closes on exec (success) or carries one byte and an errno.
  int status_pipe[2];
  if (::pipe2(status_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
  }
  // clone(CLONE_VM | CLONE_VFORK), as posix_spawn does, rather than fork:
  // no page tables to copy, and no copy-on-write fault in joule afterwards
  // for every page it touches while the command runs. The parent waits until
  // the child has exec'd or exited, so the child's stack can be freed then.
  ChildStart start{program.path.c_str(), argv.data(), envp.data(), procs, tty_fd_, status_pipe[1]};
  constexpr std::size_t child_stack_bytes = std::size_t{64} * 1024;
  auto stack = std::make_unique_for_overwrite<char[]>(child_stack_bytes);  // untouched: no faults
  pid_t pid = ::clone(start_child, stack.get() + child_stack_bytes,
                      CLONE_VM | CLONE_VFORK | SIGCHLD, &start);
  if (pid < 0) {
    ::close(status_pipe[0]);
    ::close(status_pipe[1]);
    result.error = fmt::format("clone: {}", std::strerror(errno));
    result.exit_status = 126;
    return result;
  }
  ::close(status_pipe[1]);
  // Also from the parent, so neither side races the other (as shells do).
  ::setpgid(pid, pid);
  give_terminal_to(pid);
  root_ = pid;
  result.pid = pid;
  result.in_cgroup = procs != nullptr;
  char message[1 + sizeof(int)];
  for (;;) {
    ssize_t n = ::read(status_pipe[0], message, sizeof message);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof message)) break;  // EOF: exec succeeded
    int e = 0;
    std::memcpy(&e, message + 1, sizeof e);
    if (message[0] == 'C') {
      result.in_cgroup = false;
    } else {
      result.error = fmt::format("{}: {}", spec.argv.front(), std::strerror(e));
      result.exit_status = e == ENOENT ? 127 : 126;
    }
  }
  result.exec_at = MonotonicClock::now();
  ::close(status_pipe[0]);
  if (!result.error.empty()) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    give_terminal_to(::getpgrp());
    root_ = -1;
    result.pid = -1;
  }
  return result;
}

std::vector<std::string> Supervisor::handle_signals(
    const std::function<void(pid_t, Seconds)>& on_reaped) {
  std::vector<std::string> forwarded;
  signalfd_siginfo info{};
  bool child = false;
  while (::read(signal_fd_, &info, sizeof info) == sizeof info) {
    int sig = static_cast<int>(info.ssi_signo);
    if (sig == SIGCHLD) {
      child = true;
      continue;
    }
    if (root_ <= 0 || root_exit_) {
      if (!early_signal_) early_signal_ = sig;
      continue;
    }
    // The group, as a terminal would; the root alone when the group is gone.
    if (::kill(-root_, sig) != 0) ::kill(root_, sig);
    forwarded.push_back(strsignal(sig));
    note_forwarded(sig);
  }
  if (child) reap(on_reaped);
  return forwarded;
}

void Supervisor::note_forwarded(int sig) {
  if (first_forwarded_.empty()) first_forwarded_ = signal_name(sig);
  if (sig != SIGINT) return;
  const auto now = MonotonicClock::now();
  if (last_interrupt_ && now - *last_interrupt_ <= kSecondInterruptWindow) {
    interrupted_twice_ = true;
  }
  last_interrupt_ = now;
}

void Supervisor::reap(const std::function<void(pid_t, Seconds)>& on_reaped) {
  for (;;) {
    int status = 0;
    rusage usage{};
    pid_t pid = ::wait4(-1, &status, WNOHANG | WUNTRACED, &usage);
    if (pid <= 0) break;
    if (WIFSTOPPED(status)) {
      if (pid == root_) {
        // Ctrl-Z stopped the command: stop joule too, so the shell sees its
        // job stopped, and carry on together when it is continued.
        give_terminal_to(::getpgrp());
        ::kill(::getpid(), SIGSTOP);
        give_terminal_to(root_);
        ::kill(-root_, SIGCONT);
      }
      continue;
    }
    on_reaped(pid, rusage_cpu(usage));
    if (pid == root_) {
      RootExit exit;
      if (WIFSIGNALED(status)) {
        exit.signal = WTERMSIG(status);
      } else {
        exit.exit_code = WEXITSTATUS(status);
      }
      exit.cpu = rusage_cpu(usage);
      root_exit_ = exit;
      give_terminal_to(::getpgrp());
    }
  }
}

std::string signal_name(int signal) {
  const char* abbreviation = ::sigabbrev_np(signal);
  return abbreviation ? fmt::format("SIG{}", abbreviation) : fmt::format("signal {}", signal);
}

}  // namespace joule::run

#pragma once
// The state a Session shares with its Scopes, so a scope that outlives its
// session (or a session shut down under open scopes) is an error with a
// message rather than a dangling pointer.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "joule/scope.hpp"
#include "support/file_lock.hpp"

namespace joule::detail {

struct SessionCore {
  SessionMode mode = SessionMode::local;
  std::function<void(const ScopeResult&)> on_scope_end;
  std::shared_ptr<const carbon::ResolvedContext> carbon;
  std::shared_ptr<const SessionHardware> hardware;  // local mode with carbon
  std::filesystem::path control_socket;
  std::string application;  // serve mode
  mutable std::atomic<std::uint64_t> undelivered{0};
  // Control mode in a distributed job: "rank=N " (from RANK), which every
  // message starts with so the run keeps this rank's phases apart; else "".
  std::string rank_prefix;

  // Shared while a scope reads the meter, exclusive while shutting down:
  // shutdown never pulls the meter from under a snapshot.
  mutable std::shared_mutex lifecycle;
  std::unique_ptr<Meter> meter;  // local mode, until shutdown
  // Local mode in a distributed job: held while this rank counts the node's
  // machine-wide domains (api/local_ranks.hpp), released at shutdown.
  std::optional<support::FileLock> machine_lock;
  bool shut_down = false;

  // Control mode: the open scopes, oldest first. The run's phases are flat,
  // so the innermost open scope is the current phase.
  std::mutex phase_mutex;
  struct OpenPhase {
    std::uint64_t id;
    std::string name;
  };
  std::vector<OpenPhase> open_phases;
  std::atomic<std::uint64_t> next_scope_id{1};

  bool reports() const { return mode == SessionMode::control || mode == SessionMode::serve; }
  // Sends control lines: to `joule run`, throwing when it is gone; to `joule
  // serve`, prefixed with the application and counted when undelivered.
  void send(const std::string& lines) const;
  // Throws UsageError when shut down; call with `lifecycle` held.
  void require_running(std::string_view what) const;
  void phase_opened(std::uint64_t id, const std::string& name);
  void phase_closed(std::uint64_t id);
  void send_units(double count, const std::string& unit) const;
  void shutdown();
};

struct ScopeState {
  std::shared_ptr<SessionCore> core;
  std::uint64_t id = 0;
  std::string requested_unit;  // as given; empty = the run's (or "run")
  Snapshot start;
  MonotonicTime started;
  std::mutex mutex;  // guards result.units and ended
  bool ended = false;
  ScopeResult result;
};

// A scope's state before its opening snapshot (or control message).
std::unique_ptr<ScopeState> new_scope_state(const std::shared_ptr<SessionCore>& core,
                                            std::string name, std::string unit);

// Control-protocol text safe for one line: newlines become spaces.
std::string one_line(std::string_view text);

}  // namespace joule::detail

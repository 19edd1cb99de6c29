#pragma once
// The control channel between `joule run` and the command it measures: the
// command (a shell script through `joule mark` / `joule units`, or the
// language bindings) marks phases and counts functional units.
//
// Transport: a Unix datagram socket in a private (0700) directory under
// $XDG_RUNTIME_DIR, else /tmp; its path is given to the command in
// JOULE_CONTROL. Datagrams keep message boundaries, need no connection, and
// queue in one kernel buffer, so messages from any number of processes are
// read in the order they were sent. Any language can speak it in two lines:
//   s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
//   s.sendto(b"phase epoch 3\n", os.environ["JOULE_CONTROL"])
//
// Protocol: UTF-8 text, one message per line, several lines per datagram allowed.
//   phase <name>          a new phase begins (and the current one ends)
//   end-phase             the current phase ends
//   units <n> [unit]      n more functional units (n >= 0, may be fractional);
//                         unit defaults to the run's --unit
//   app <name>            the application the following lines of this
//                         datagram come from (`joule serve` keeps units per
//                         application; `joule run` has one command and ignores it)
//   hello [pid=P] [job=J] [world=W]
//                         a rank of a distributed job starts (P: its pid, J:
//                         its job id, e.g. TORCHELASTIC_RUN_ID, W: WORLD_SIZE)
//   bye                   the rank ends normally
// Any line may start with `rank=N` (N >= 0): it comes from rank N of a
// distributed job, so its phases are that rank's and run beside the others'.
// joule stamps each message with the monotonic time it reads it.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "joule/units.hpp"

namespace joule::run {

inline constexpr const char* kControlEnvironmentVariable = "JOULE_CONTROL";
// Longest datagram the server reads; longer ones are cut and reported.
inline constexpr std::size_t kMaxControlDatagram = 8192;

struct ControlMessage {
  enum class Kind { phase, end_phase, units, application, hello, bye };
  Kind kind = Kind::phase;
  std::string name{};         // phase or application name
  double count = 0;           // units
  std::string unit{};         // units' name; empty = the run's default
  std::optional<int> rank{};  // the sender's rank, when it gave one
  int pid = 0;                // hello: the rank's pid, 0 when not given
  std::string job{};          // hello: the rank's job id, empty when not given
  int world = 0;              // hello: the job's number of ranks, 0 when not given

  bool operator==(const ControlMessage&) const = default;
};

struct ParsedControlLine {
  std::optional<ControlMessage> message;
  std::string error;  // when message is empty: why, for a warning
};
ParsedControlLine parse_control_line(std::string_view line);

// The line (with its '\n') that parse_control_line reads back.
std::string format_control_message(const ControlMessage& message);

struct ControlEvent {
  ControlMessage message;
  MonotonicTime received;
  // Counts datagrams: events of one datagram share it, so a reader can tell
  // where an `app` line stops applying.
  std::uint64_t datagram = 0;
};

class ControlServer {
 public:
  // Creates the private directory and binds the socket. `directory` chooses
  // where (tests); empty = $XDG_RUNTIME_DIR, else /tmp. Throws
  // std::runtime_error saying what failed.
  static std::unique_ptr<ControlServer> create(const std::filesystem::path& directory = {});
  // Binds the socket at a path applications know in advance (`joule serve`).
  // A stale socket file left by a killed server is replaced; any other file
  // there is an error. `mode` sets who may send (0666: every local user).
  static std::unique_ptr<ControlServer> bind_at(const std::filesystem::path& path,
                                                unsigned mode = 0660);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Non-blocking, close-on-exec; poll it for POLLIN.
  int fd() const { return fd_; }

  // Reads every waiting datagram, in arrival order; one event per valid line.
  // Malformed lines are skipped and described in `errors`.
  std::vector<ControlEvent> drain(std::vector<std::string>& errors);

 private:
  ControlServer(int fd, std::filesystem::path directory, std::filesystem::path path)
      : fd_(fd), directory_(std::move(directory)), path_(std::move(path)) {}
  // Empty for bind_at: the directory is not ours to remove.
  int fd_ = -1;
  std::uint64_t datagrams_ = 0;
  std::filesystem::path directory_;
  std::filesystem::path path_;
};

// Sends `text` (one or more lines) as one datagram. Throws std::runtime_error
// with a message for people ("no joule run is listening on ...").
void send_control(const std::filesystem::path& socket, std::string_view text);

// Where `joule serve` listens for applications, and the variable that
// overrides it for both sides: $JOULE_SERVE, else /run/joule/serve.sock for
// root, else $XDG_RUNTIME_DIR/joule-serve.sock, else /tmp/joule-serve-UID.sock.
inline constexpr const char* kServeEnvironmentVariable = "JOULE_SERVE";
std::filesystem::path serve_socket_path();

// JOULE_CONTROL, when set and not empty.
std::optional<std::filesystem::path> control_socket_from_environment();

}  // namespace joule::run

#include "run/control_channel.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "support/strings.hpp"

namespace joule::run {
namespace {

using support::trim;

constexpr int kSendTimeoutSeconds = 5;

sockaddr_un socket_address(const std::filesystem::path& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string text = path.string();
  if (text.size() >= sizeof address.sun_path) {
    throw std::runtime_error(fmt::format("control socket path too long ({} bytes, at most {}): {}",
                                         text.size(), sizeof address.sun_path - 1, text));
  }
  std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
  return address;
}

}  // namespace

namespace {

// "N" as a non-negative int, or nullopt.
std::optional<int> parse_count(std::string_view text) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

// `hello`'s key=value words; false with `error` set on one it does not know.
bool parse_hello(std::string_view rest, ControlMessage& message, std::string& error) {
  for (const std::string_view word : support::split_list(rest, ' ')) {
    if (word.empty()) continue;
    if (word.starts_with("pid=")) {
      const auto pid = parse_count(word.substr(4));
      if (!pid || *pid == 0) {
        error = fmt::format("'hello' needs pid=<positive integer>, got '{}'", word);
        return false;
      }
      message.pid = *pid;
    } else if (word.starts_with("world=")) {
      const auto world = parse_count(word.substr(6));
      if (!world || *world == 0) {
        error = fmt::format("'hello' needs world=<positive integer>, got '{}'", word);
        return false;
      }
      message.world = *world;
    } else if (word.starts_with("job=") && word.size() > 4) {
      message.job = std::string(word.substr(4));
    } else {
      error = fmt::format("'hello' takes pid=P, job=J and world=W, got '{}'", word);
      return false;
    }
  }
  return true;
}

ParsedControlLine parse_message(std::string_view line);

}  // namespace

ParsedControlLine parse_control_line(std::string_view raw) {
  ParsedControlLine result;
  std::string_view line = trim(raw);
  std::optional<int> rank;
  if (line.starts_with("rank=")) {
    const std::size_t end = line.find_first_of(" \t");
    rank = parse_count(line.substr(5, end == std::string_view::npos ? end : end - 5));
    if (!rank) {
      result.error = fmt::format("'rank=' needs a non-negative integer, in '{}'", line);
      return result;
    }
    line = end == std::string_view::npos ? std::string_view() : trim(line.substr(end));
  }
  result = parse_message(line);
  if (result.message) result.message->rank = rank;
  return result;
}

namespace {
ParsedControlLine parse_message(std::string_view line) {
  ParsedControlLine result;
  std::size_t space = line.find_first_of(" \t");
  std::string_view verb = line.substr(0, space);
  std::string_view rest = space == std::string_view::npos ? "" : trim(line.substr(space));
  if (verb == "phase") {
    if (rest.empty()) {
      result.error = "'phase' needs a name";
      return result;
    }
    result.message = ControlMessage{.kind = ControlMessage::Kind::phase, .name = std::string(rest)};
  } else if (verb == "app") {
    if (rest.empty()) {
      result.error = "'app' needs a name";
      return result;
    }
    result.message =
        ControlMessage{.kind = ControlMessage::Kind::application, .name = std::string(rest)};
  } else if (verb == "end-phase") {
    result.message = ControlMessage{.kind = ControlMessage::Kind::end_phase};
  } else if (verb == "hello") {
    ControlMessage hello{.kind = ControlMessage::Kind::hello};
    if (!parse_hello(rest, hello, result.error)) return result;
    result.message = std::move(hello);
  } else if (verb == "bye") {
    result.message = ControlMessage{.kind = ControlMessage::Kind::bye};
  } else if (verb == "units") {
    std::size_t split = rest.find_first_of(" \t");
    std::string_view number = rest.substr(0, split);
    std::string_view unit = split == std::string_view::npos ? "" : trim(rest.substr(split));
    double count = 0;
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), count);
    if (number.empty() || ec != std::errc() || ptr != number.data() + number.size() ||
        !std::isfinite(count) || count < 0) {
      result.error = fmt::format("'units' needs a non-negative number, got '{}'", number);
      return result;
    }
    result.message = ControlMessage{
        .kind = ControlMessage::Kind::units, .count = count, .unit = std::string(unit)};
  } else {
    result.error = fmt::format("unknown control message '{}'", line);
  }
  return result;
}

std::string format_body(const ControlMessage& message) {
  switch (message.kind) {
    case ControlMessage::Kind::phase:
      return fmt::format("phase {}\n", message.name);
    case ControlMessage::Kind::end_phase:
      return "end-phase\n";
    case ControlMessage::Kind::application:
      return fmt::format("app {}\n", message.name);
    case ControlMessage::Kind::units:
      return message.unit.empty() ? fmt::format("units {}\n", message.count)
                                  : fmt::format("units {} {}\n", message.count, message.unit);
    case ControlMessage::Kind::hello: {
      std::string line = "hello";
      if (message.pid > 0) line += fmt::format(" pid={}", message.pid);
      if (!message.job.empty()) line += fmt::format(" job={}", message.job);
      if (message.world > 0) line += fmt::format(" world={}", message.world);
      return line + "\n";
    }
    case ControlMessage::Kind::bye:
      return "bye\n";
  }
  return {};
}
}  // namespace

std::string format_control_message(const ControlMessage& message) {
  const std::string body = format_body(message);
  return message.rank ? fmt::format("rank={} {}", *message.rank, body) : body;
}

std::unique_ptr<ControlServer> ControlServer::create(const std::filesystem::path& directory) {
  std::filesystem::path base = directory;
  if (base.empty()) {
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    base = runtime && *runtime ? runtime : "/tmp";
  }
  // A private directory rather than a bare socket in /tmp: other users can
  // neither connect nor race us for the name.
  std::string templ = (base / "joule-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) {
    if (directory.empty() && base != "/tmp") return create("/tmp");
    throw std::runtime_error(
        fmt::format("cannot create a directory in {}: {}", base.string(), std::strerror(errno)));
  }
  std::filesystem::path dir = templ;
  std::filesystem::path path = dir / "control";
  sockaddr_un address{};
  try {
    address = socket_address(path);
  } catch (...) {
    ::rmdir(dir.c_str());
    if (directory.empty() && base != "/tmp") return create("/tmp");
    throw;
  }
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    int error = errno;
    if (fd >= 0) ::close(fd);
    ::rmdir(dir.c_str());
    throw std::runtime_error(
        fmt::format("cannot bind control socket {}: {}", path.string(), std::strerror(error)));
  }
  return std::unique_ptr<ControlServer>(new ControlServer(fd, dir, path));
}

std::unique_ptr<ControlServer> ControlServer::bind_at(const std::filesystem::path& path,
                                                      unsigned mode) {
  sockaddr_un address = socket_address(path);
  std::error_code ec;
  const auto status = std::filesystem::symlink_status(path, ec);
  if (!ec && std::filesystem::exists(status)) {
    if (status.type() != std::filesystem::file_type::socket) {
      throw std::runtime_error(fmt::format(
          "{} exists and is not a socket; remove it or choose another path", path.string()));
    }
    ::unlink(path.c_str());  // a socket left behind by a server that was killed
  }
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::chmod(path.c_str(), mode) != 0) {
    int error = errno;
    if (fd >= 0) ::close(fd);
    throw std::runtime_error(
        fmt::format("cannot bind control socket {}: {}", path.string(), std::strerror(error)));
  }
  return std::unique_ptr<ControlServer>(new ControlServer(fd, {}, path));
}

ControlServer::~ControlServer() {
  ::close(fd_);
  ::unlink(path_.c_str());
  if (!directory_.empty()) ::rmdir(directory_.c_str());
}

std::vector<ControlEvent> ControlServer::drain(std::vector<std::string>& errors) {
  std::vector<ControlEvent> events;
  std::string buffer(kMaxControlDatagram + 1, '\0');
  for (;;) {
    ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), MSG_TRUNC);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;  // EAGAIN: nothing more waiting
    }
    const MonotonicTime received = MonotonicClock::now();
    std::size_t size = static_cast<std::size_t>(n);
    if (size > buffer.size()) {
      errors.push_back(fmt::format("control message of {} bytes cut to {}", size, buffer.size()));
      size = buffer.size();
    }
    std::string_view text(buffer.data(), size);
    const std::uint64_t datagram = ++datagrams_;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(pos, end - pos);
      pos = end + 1;
      if (trim(line).empty()) continue;
      auto parsed = parse_control_line(line);
      if (parsed.message) {
        events.push_back({std::move(*parsed.message), received, datagram});
      } else {
        errors.push_back(parsed.error);
      }
    }
  }
  return events;
}

void send_control(const std::filesystem::path& socket_path, std::string_view text) {
  sockaddr_un address = socket_address(socket_path);
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(fmt::format("socket: {}", std::strerror(errno)));
  // The sender blocks while joule's queue is full; bound that, so a stopped
  // joule cannot hang a training loop that marks phases.
  timeval timeout{kSendTimeoutSeconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  ssize_t n = 0;
  do {
    n = ::sendto(fd, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&address),
                 sizeof address);
  } while (n < 0 && errno == EINTR);
  int error = errno;
  ::close(fd);
  if (n < 0) {
    if (error == ECONNREFUSED || error == ENOENT) {
      throw std::runtime_error(
          fmt::format("no joule run is listening on {} (it has ended?)", socket_path.string()));
    }
    if (error == EAGAIN || error == EWOULDBLOCK) {
      throw std::runtime_error(fmt::format("joule run did not read {} within {} s",
                                           socket_path.string(), kSendTimeoutSeconds));
    }
    throw std::runtime_error(
        fmt::format("cannot send to {}: {}", socket_path.string(), std::strerror(error)));
  }
}

std::optional<std::filesystem::path> control_socket_from_environment() {
  const char* value = std::getenv(kControlEnvironmentVariable);
  if (!value || !*value) return std::nullopt;
  return std::filesystem::path(value);
}

}  // namespace joule::run

namespace joule::run {

std::filesystem::path serve_socket_path() {
  if (const char* set = std::getenv(kServeEnvironmentVariable); set && *set) return set;
  if (::geteuid() == 0) return "/run/joule/serve.sock";
  if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime && *runtime) {
    return std::filesystem::path(runtime) / "joule-serve.sock";
  }
  return fmt::format("/tmp/joule-serve-{}.sock", ::geteuid());
}

}  // namespace joule::run

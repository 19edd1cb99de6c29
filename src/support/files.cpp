#include "support/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace joule::support {
namespace {

// One read(2), retried when a signal interrupts it.
ssize_t read_some(int fd, char* buffer, std::size_t size) {
  ssize_t n = 0;
  do {
    n = ::read(fd, buffer, size);
  } while (n < 0 && errno == EINTR);
  return n;
}

// Closes `fd` without letting close(2) overwrite the errno the caller reports.
void close_keeping_errno(int fd) {
  const int saved = errno;
  ::close(fd);
  errno = saved;
}

// The whole buffer, retried on short writes and signals; false with errno set.
bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

[[noreturn]] void cannot_write(const std::filesystem::path& path, int error) {
  throw std::runtime_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(error)));
}

}  // namespace

std::optional<std::string> read_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buffer[8192];
  for (;;) {
    const ssize_t n = read_some(fd, buffer, sizeof buffer);
    if (n < 0) {
      close_keeping_errno(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  close_keeping_errno(fd);
  return text;
}

std::optional<std::string> read_small_file(const std::filesystem::path& path,
                                           std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text(max_bytes, '\0');
  const ssize_t n = read_some(fd, text.data(), max_bytes);
  close_keeping_errno(fd);
  if (n < 0) return std::nullopt;
  text.resize(static_cast<std::size_t>(n));
  return text;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
  // Beside the target, so that rename(2) stays within one file system; the
  // pid keeps two writers of the same path apart.
  std::filesystem::path tmp = path;
  tmp += fmt::format(".tmp-{}", ::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) cannot_write(path, errno);
  const bool written = write_all(fd, text);
  const int write_error = errno;
  const bool closed = ::close(fd) == 0;
  if (!written || !closed) {
    ::unlink(tmp.c_str());
    cannot_write(path, written ? errno : write_error);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int rename_error = errno;
    ::unlink(tmp.c_str());
    cannot_write(path, rename_error);
  }
}

void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::FILE*)>& write) {
  std::filesystem::path tmp = path;
  tmp += fmt::format(".tmp-{}", ::getpid());
  std::FILE* file = std::fopen(tmp.c_str(), "wb");
  if (file == nullptr) cannot_write(path, errno);
  try {
    write(file);
  } catch (...) {
    std::fclose(file);
    ::unlink(tmp.c_str());
    throw;
  }
  const bool flushed = std::fflush(file) == 0 && std::ferror(file) == 0;
  const int write_error = errno;
  const bool closed = std::fclose(file) == 0;
  if (!flushed || !closed) {
    ::unlink(tmp.c_str());
    cannot_write(path, flushed ? errno : write_error);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int rename_error = errno;
    ::unlink(tmp.c_str());
    cannot_write(path, rename_error);
  }
}

}  // namespace joule::support

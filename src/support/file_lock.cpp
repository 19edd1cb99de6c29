#include "support/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

namespace joule::support {

std::filesystem::path private_runtime_directory() {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  const std::filesystem::path dir =
      runtime != nullptr && *runtime != '\0'
          ? std::filesystem::path(runtime) / "joule"
          : std::filesystem::path(fmt::format("/tmp/joule-{}", ::geteuid()));
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw std::runtime_error(
        fmt::format("cannot create {}: {}", dir.string(), std::strerror(errno)));
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    throw std::runtime_error(fmt::format("cannot stat {}: {}", dir.string(), std::strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) {
    throw std::runtime_error(fmt::format(
        "{} is not a directory of this user (uid {}): refusing to share files through it",
        dir.string(), ::geteuid()));
  }
  return dir;
}

std::optional<FileLock> FileLock::try_exclusive(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    throw std::runtime_error(
        fmt::format("cannot open {}: {}", path.string(), std::strerror(errno)));
  }
  int locked = 0;
  do {
    locked = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (locked != 0 && errno == EINTR);
  if (locked != 0) {
    const int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK) return std::nullopt;
    throw std::runtime_error(
        fmt::format("cannot lock {}: {}", path.string(), std::strerror(error)));
  }
  return FileLock(fd);
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor drops the flock
}

void FileLock::write(std::string_view text) const {
  if (::ftruncate(fd_, 0) != 0 ||
      ::pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    throw std::runtime_error(fmt::format("cannot write the lock file: {}", std::strerror(errno)));
  }
}

}  // namespace joule::support

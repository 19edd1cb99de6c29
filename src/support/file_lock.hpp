#pragma once
// Agreement between processes of one user on one machine: a per-user private
// directory for small coordination files, and an exclusive flock(2) on one of
// them that the kernel drops when its holder dies, so a crashed holder never
// leaves a stale claim behind.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace joule::support {

// $XDG_RUNTIME_DIR/joule, else /tmp/joule-<euid>: created 0700 when missing,
// and refused (std::runtime_error naming the path) when it is a symlink, not
// a directory, or owned by another user, since another user could then
// forge the files in it.
std::filesystem::path private_runtime_directory();

// An exclusive flock on an open file, held until destruction.
class FileLock {
 public:
  // Opens (creating 0600) `path` and tries the lock without waiting. nullopt
  // when another process holds it; std::runtime_error "cannot open PATH:
  // reason" when the file cannot be opened.
  static std::optional<FileLock> try_exclusive(const std::filesystem::path& path);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  // Replaces the locked file's content (the holder says who it is).
  // std::runtime_error on failure.
  void write(std::string_view text) const;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace joule::support

#pragma once
// Reading files with plain syscalls: open(2) keeps the reason for a refusal
// (EACCES from a root-only sysfs counter), and read(2) into a buffer costs
// less than an ifstream on paths read once a second for every process.
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace joule::support {

// The whole file, read to its end: a /proc file (a children list, /proc/stat
// on a large machine) may need several reads. nullopt when the file cannot be
// opened or read (a directory, a missing file); errno then says why.
std::optional<std::string> read_file(const std::filesystem::path& path);

// At most `max_bytes` of the file, in one read(2): /proc and sysfs files hand
// over their whole text in one call, so this is one syscall where read_file
// needs two. A longer file gives its first `max_bytes`. nullopt when the file
// cannot be opened or read; errno then says why.
std::optional<std::string> read_small_file(const std::filesystem::path& path,
                                           std::size_t max_bytes);

// Writes `text` to a temporary file beside `path`, then renames it over
// `path`: a reader sees the old file or the whole new one, and a failed write
// (no such directory, no permission, disk full) leaves no partial file
// behind. Throws std::runtime_error "cannot write PATH: reason".
void write_file_atomically(const std::filesystem::path& path, std::string_view text);

// The same, for output too large to hold: `write` streams into the temporary
// file. If it throws, the temporary file is removed and the exception passes on.
void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::FILE*)>& write);

}  // namespace joule::support

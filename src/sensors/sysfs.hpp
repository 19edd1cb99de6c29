#pragma once
// Reading Linux sysfs and procfs attribute files, shared by the rapl-powercap,
// rapl-perf, hwmon and battery backends. Every error names the path it is
// about, and keeps errno so callers can tell "permission denied" (refused)
// from "not there" (absent).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace joule::sensors::sysfs {

// A value read from a file, or why it could not be read.
template <class T>
struct Result {
  T value{};
  std::string error;  // names the path; empty when ok
  int errno_value = 0;
  bool ok() const { return error.empty(); }
};

// Decimal (or 0x hex) integers and decimal floats; the whole text must parse.
bool parse_u64(std::string_view text, std::uint64_t& out);
bool parse_i64(std::string_view text, std::int64_t& out);
bool parse_double(std::string_view text, double& out);

// The whole file with surrounding whitespace trimmed.
Result<std::string> read_text(const std::filesystem::path& path);
Result<std::uint64_t> read_u64(const std::filesystem::path& path);
Result<std::int64_t> read_i64(const std::filesystem::path& path);
Result<double> read_double(const std::filesystem::path& path);

bool exists(const std::filesystem::path& path);
// Names of the entries of `dir` that start with `prefix`, in natural order
// (hwmon2 before hwmon10) so ids and report lines are stable. Empty when the
// directory is missing or unreadable.
std::vector<std::string> list_dir(const std::filesystem::path& dir, std::string_view prefix = {});
bool natural_less(std::string_view a, std::string_view b);

// "Permission denied" for EACCES, etc.
std::string errno_text(int errno_value);
bool is_permission_error(int errno_value);

// An attribute file kept open for the life of a sensor, so that each sample
// costs one pread(2) at offset 0 (which makes sysfs regenerate the value) and
// no open/close or allocation.
class AttributeFile {
 public:
  AttributeFile() = default;
  static Result<AttributeFile> open(const std::filesystem::path& path);
  AttributeFile(AttributeFile&& other) noexcept;
  AttributeFile& operator=(AttributeFile&& other) noexcept;
  AttributeFile(const AttributeFile&) = delete;
  AttributeFile& operator=(const AttributeFile&) = delete;
  ~AttributeFile();

  // Never throw: on failure they return false and set `error` (naming the
  // path); on success they leave `error` untouched.
  bool read_u64(std::uint64_t& value, std::string& error) const;
  bool read_i64(std::int64_t& value, std::string& error) const;
  // Reads the trimmed text into `buffer` and points `text` at it.
  bool read_text(std::string_view& text, char* buffer, std::size_t size, std::string& error) const;

  const std::string& path() const { return path_; }
  bool is_open() const { return fd_ >= 0; }
  // Whether the last failed read said that what the file stands for has
  // been removed (means_removed, and the path is gone too): it will not
  // answer through this descriptor again, whatever takes its place.
  bool removed() const { return removed_; }

 private:
  int fd_ = -1;
  std::string path_;
  mutable bool removed_ = false;
};

// A read error that means the attribute's object has gone: sysfs answers an
// open descriptor with ENODEV once its device or zone is removed (kernfs
// deactivates the node), ENOENT comes from drivers that unbind, and procfs
// answers ESRCH once the task behind the file has exited.
bool means_removed(int errno_value);

// What /proc/cpuinfo says about the first CPU, for labels, for choosing the
// uncertainty of AMD (modelled) RAPL and for the kernel's per-model RAPL
// quirks. Empty fields, or -1, when unknown.
struct CpuInfo {
  std::string vendor;     // "GenuineIntel", "AuthenticAMD"
  std::string model;      // "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz"
  int family = -1;        // "cpu family": 6 for Intel's Core and Xeon lines
  int model_number = -1;  // "model", decimal in cpuinfo: 143 (0x8F) is Sapphire Rapids
};
CpuInfo read_cpu_info(const std::filesystem::path& proc_root);

}  // namespace joule::sensors::sysfs

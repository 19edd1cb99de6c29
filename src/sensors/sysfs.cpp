#include "sensors/sysfs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "support/files.hpp"
#include "support/strings.hpp"

namespace joule::sensors::sysfs {

namespace fs = std::filesystem;
using support::trim;

bool parse_u64(std::string_view text, std::uint64_t& out) {
  text = trim(text);
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && end == text.data() + text.size();
}

bool parse_i64(std::string_view text, std::int64_t& out) {
  text = trim(text);
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool parse_double(std::string_view text, double& out) {
  text = trim(text);
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::string errno_text(int errno_value) {
  return std::generic_category().message(errno_value);
}

bool is_permission_error(int errno_value) {
  return errno_value == EACCES || errno_value == EPERM;
}

bool means_removed(int errno_value) {
  return errno_value == ENODEV || errno_value == ENOENT || errno_value == ESRCH;
}

namespace {

std::string quoted_excerpt(std::string_view text) {
  text = trim(text);
  std::string excerpt(text.substr(0, 40));
  if (text.size() > 40) excerpt += "...";
  return fmt::format("'{}'", excerpt);
}

template <class T, class Parse>
Result<T> read_number(const fs::path& path, const char* what, Parse parse) {
  Result<T> result;
  auto text = read_text(path);
  if (!text.ok()) {
    result.error = std::move(text.error);
    result.errno_value = text.errno_value;
    return result;
  }
  if (!parse(text.value, result.value)) {
    result.error =
        fmt::format("{}: expected {}, found {}", path.string(), what, quoted_excerpt(text.value));
  }
  return result;
}

}  // namespace

Result<std::string> read_text(const fs::path& path) {
  Result<std::string> result;
  // The errno of a refusal (EACCES) tells "refused" from "absent".
  auto text = support::read_file(path);
  if (!text) {
    result.errno_value = errno;
    result.error = fmt::format("{}: {}", path.string(), errno_text(result.errno_value));
    return result;
  }
  result.value = std::string(trim(*text));
  return result;
}

Result<std::uint64_t> read_u64(const fs::path& path) {
  return read_number<std::uint64_t>(
      path, "an unsigned integer",
      [](std::string_view t, std::uint64_t& v) { return parse_u64(t, v); });
}

Result<std::int64_t> read_i64(const fs::path& path) {
  return read_number<std::int64_t>(
      path, "an integer", [](std::string_view t, std::int64_t& v) { return parse_i64(t, v); });
}

Result<double> read_double(const fs::path& path) {
  return read_number<double>(path, "a number",
                             [](std::string_view t, double& v) { return parse_double(t, v); });
}

bool exists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

bool natural_less(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = std::isdigit(static_cast<unsigned char>(a[i]));
    const bool db = std::isdigit(static_cast<unsigned char>(b[j]));
    if (da && db) {
      std::size_t ie = i;
      std::size_t je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      // Compare numerically without overflow: strip leading zeros, then by
      // length, then lexically.
      std::string_view na = a.substr(i, ie - i);
      std::string_view nb = b.substr(j, je - j);
      while (na.size() > 1 && na.front() == '0') na.remove_prefix(1);
      while (nb.size() > 1 && nb.front() == '0') nb.remove_prefix(1);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = ie;
      j = je;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

std::vector<std::string> list_dir(const fs::path& dir, std::string_view prefix) {
  std::vector<std::string> names;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return names;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::string name = it->path().filename().string();
    if (name.starts_with(prefix)) names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end(),
            [](const std::string& a, const std::string& b) { return natural_less(a, b); });
  return names;
}

Result<AttributeFile> AttributeFile::open(const fs::path& path) {
  Result<AttributeFile> result;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    result.errno_value = errno;
    result.error = fmt::format("{}: {}", path.string(), errno_text(result.errno_value));
    return result;
  }
  result.value.fd_ = fd;
  result.value.path_ = path.string();
  return result;
}

AttributeFile::AttributeFile(AttributeFile&& other) noexcept
    : fd_(other.fd_), path_(std::move(other.path_)), removed_(other.removed_) {
  other.fd_ = -1;
}

AttributeFile& AttributeFile::operator=(AttributeFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    removed_ = other.removed_;
    other.fd_ = -1;
  }
  return *this;
}

AttributeFile::~AttributeFile() {
  if (fd_ >= 0) ::close(fd_);
}

bool AttributeFile::read_text(std::string_view& text, char* buffer, std::size_t size,
                              std::string& error) const {
  if (fd_ < 0) {
    error = fmt::format("{}: not open", path_);
    return false;
  }
  ssize_t n;
  do {
    n = ::pread(fd_, buffer, size, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    const int read_errno = errno;
    // Some drivers answer ENODEV for a while (ACPI's unknown battery rate):
    // only a path that has gone as well is a removal.
    removed_ = means_removed(read_errno) && !exists(path_);
    error = fmt::format("{}: {}{}", path_, errno_text(read_errno),
                        removed_ ? ", and the file is no longer there" : "");
    return false;
  }
  text = trim(std::string_view(buffer, static_cast<std::size_t>(n)));
  return true;
}

bool AttributeFile::read_u64(std::uint64_t& value, std::string& error) const {
  // Counters are at most 20 digits; a longer file is not a counter.
  char buffer[64];
  std::string_view text;
  if (!read_text(text, buffer, sizeof buffer, error)) return false;
  if (!parse_u64(text, value)) {
    error = fmt::format("{}: expected an unsigned integer, found {}", path_, quoted_excerpt(text));
    return false;
  }
  return true;
}

bool AttributeFile::read_i64(std::int64_t& value, std::string& error) const {
  char buffer[64];
  std::string_view text;
  if (!read_text(text, buffer, sizeof buffer, error)) return false;
  if (!parse_i64(text, value)) {
    error = fmt::format("{}: expected an integer, found {}", path_, quoted_excerpt(text));
    return false;
  }
  return true;
}

namespace {

void parse_cpuinfo_number(std::string_view text, int& number) {
  int parsed = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (ec == std::errc() && end == text.data() + text.size()) number = parsed;
}

}  // namespace

CpuInfo read_cpu_info(const fs::path& proc_root) {
  CpuInfo info;
  auto text = read_text(proc_root / "cpuinfo");
  if (!text.ok()) return info;
  std::istringstream lines(text.value);
  std::string line;
  while (std::getline(lines, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string_view key = trim(std::string_view(line).substr(0, colon));
    const std::string_view value = trim(std::string_view(line).substr(colon + 1));
    if (key == "vendor_id" && info.vendor.empty()) info.vendor = value;
    if (key == "model name" && info.model.empty()) info.model = value;
    if (key == "cpu family" && info.family < 0) parse_cpuinfo_number(value, info.family);
    if (key == "model" && info.model_number < 0) parse_cpuinfo_number(value, info.model_number);
    if (key == "processor" && value != "0") break;  // the first CPU's block is over
  }
  return info;
}

}  // namespace joule::sensors::sysfs

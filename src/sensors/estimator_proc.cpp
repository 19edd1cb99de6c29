// /proc parsing for the estimator: CPU jiffies, cpuinfo, meminfo.
#include <fmt/format.h>

#include <charconv>
#include <set>

#include "refdata/csv.hpp"
#include "sensors/estimator.hpp"

namespace joule::sensors::estimator {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Calls fn(line, line_number) for each line of text.
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  std::size_t line_number = 1;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    fn(line, line_number++);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

// "key<spaces>: value" as /proc/cpuinfo and /proc/meminfo write it.
std::optional<std::pair<std::string_view, std::string_view>> key_value(std::string_view line) {
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return std::pair{trim(line.substr(0, colon)), trim(line.substr(colon + 1))};
}

}  // namespace

ProcStat parse_proc_stat(std::string_view text, const std::string& origin) {
  ProcStat stat;
  bool have_total = false;
  for_each_line(text, [&](std::string_view line, std::size_t line_number) {
    if (line.substr(0, 3) != "cpu") return;
    // Split into whitespace-separated fields, remembering each one's column.
    std::vector<std::string_view> fields;
    std::vector<std::size_t> columns;
    std::size_t pos = 0;
    while (pos < line.size()) {
      while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
      if (pos >= line.size() || line[pos] == '\r') break;
      auto start = pos;
      while (pos < line.size() && line[pos] != ' ' && line[pos] != '\t' && line[pos] != '\r') ++pos;
      fields.push_back(line.substr(start, pos - start));
      columns.push_back(start + 1);
    }
    const auto name = fields.front();
    const bool aggregate = name == "cpu";
    int cpu_id = -1;
    if (!aggregate) {
      auto digits = name.substr(3);
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cpu_id);
      if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
        throw refdata::DataError(origin, line_number, 1,
                                 fmt::format("expected 'cpu' or 'cpuN', found '{}'", name));
      }
    }
    // user nice system idle iowait irq softirq steal guest guest_nice; kernels
    // before 2.6.11 stop after idle, so missing trailing fields count as zero.
    if (fields.size() < 5) {
      throw refdata::DataError(origin, line_number, line.size() + 1,
                               fmt::format("expected at least 4 jiffy counts (user nice system "
                                           "idle) after '{}', found {}",
                                           name, fields.size() - 1));
    }
    std::uint64_t value[10] = {};
    for (std::size_t i = 1; i < fields.size() && i <= 10; ++i) {
      auto f = fields[i];
      auto [ptr, ec] = std::from_chars(f.data(), f.data() + f.size(), value[i - 1]);
      if (ec != std::errc() || ptr != f.data() + f.size()) {
        throw refdata::DataError(origin, line_number, columns[i],
                                 fmt::format("expected a whole number of jiffies, found '{}'", f));
      }
    }
    enum { user, nice, system, idle, iowait, irq, softirq, steal };
    CpuJiffies jiffies;
    jiffies.busy_jiffies =
        value[user] + value[nice] + value[system] + value[irq] + value[softirq] + value[steal];
    jiffies.idle_jiffies = value[idle] + value[iowait];
    if (aggregate) {
      stat.total = jiffies;
      have_total = true;
    } else {
      stat.per_cpu.push_back(jiffies);
      stat.cpu_ids.push_back(cpu_id);
    }
  });
  if (!have_total) {
    throw refdata::DataError(origin, 1, 1, "expected an aggregate 'cpu ' line, found none");
  }
  return stat;
}

CpuInfo parse_cpuinfo(std::string_view text) {
  CpuInfo info;
  std::set<std::string, std::less<>> physical_ids;
  for_each_line(text, [&](std::string_view line, std::size_t) {
    auto kv = key_value(line);
    if (!kv) return;
    auto [key, value] = *kv;
    if (key == "model name" && info.model_name.empty()) info.model_name = std::string(value);
    if (key == "physical id") physical_ids.emplace(value);
    if (key == "processor") ++info.logical_cpus;
  });
  info.sockets = std::max<int>(1, static_cast<int>(physical_ids.size()));
  return info;
}

std::optional<std::uint64_t> parse_meminfo_total_kib(std::string_view text) {
  std::optional<std::uint64_t> total;
  for_each_line(text, [&](std::string_view line, std::size_t) {
    auto kv = key_value(line);
    if (!kv || kv->first != "MemTotal" || total) return;
    auto value = kv->second;
    std::uint64_t kib = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), kib);
    if (ec != std::errc() ||
        trim(std::string_view(ptr, value.data() + value.size() - ptr)) != "kB") {
      return;
    }
    total = kib;
  });
  return total;
}

}  // namespace joule::sensors::estimator

#include "support/proc.hpp"

#include <unistd.h>

#include <charconv>
#include <string>

#include <fmt/format.h>

#include "support/files.hpp"
#include "support/strings.hpp"

namespace joule::support {
namespace {

// A stat line is a few hundred bytes; this bound leaves room for any comm.
constexpr std::size_t kStatLineBound = 1024;

template <typename T>
bool parse_number(std::string_view field, T& out) {
  auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), out);
  return ec == std::errc() && ptr == field.data() + field.size();
}

// Next space-separated field of `text` from `pos`; empty at the end.
std::string_view next_field(std::string_view text, std::size_t& pos) {
  while (pos < text.size() && text[pos] == ' ') ++pos;
  std::size_t end = text.find(' ', pos);
  if (end == std::string_view::npos) end = text.size();
  std::string_view field = text.substr(pos, end - pos);
  pos = end;
  return field;
}

struct LineFields {
  std::vector<std::string_view> fields;
  std::vector<std::size_t> columns;  // 1-based column of each field
};

// Splits a /proc/stat line at blanks, remembering each field's column.
LineFields split_blank_separated(std::string_view line) {
  LineFields out;
  std::size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
    if (pos >= line.size() || line[pos] == '\r') break;
    const std::size_t start = pos;
    while (pos < line.size() && line[pos] != ' ' && line[pos] != '\t' && line[pos] != '\r') ++pos;
    out.fields.push_back(line.substr(start, pos - start));
    out.columns.push_back(start + 1);
  }
  return out;
}

// "cpu" (the aggregate line) -> nullopt, "cpuN" -> N.
std::optional<int> cpu_id_of(std::string_view name, std::size_t line_number) {
  if (name == "cpu") return std::nullopt;
  int cpu_id = -1;
  const auto digits = name.substr(3);
  if (digits.empty() || !parse_number(digits, cpu_id)) {
    throw ProcParseError(line_number, 1, fmt::format("expected 'cpu' or 'cpuN', found '{}'", name));
  }
  return cpu_id;
}

// user nice system idle iowait irq softirq steal guest guest_nice; kernels
// before 2.6.11 stop after idle, so missing trailing fields count as zero.
CpuJiffies jiffies_of(const LineFields& line, std::size_t line_number, std::size_t line_size) {
  const auto& fields = line.fields;
  if (fields.size() < 5) {
    throw ProcParseError(line_number, line_size + 1,
                         fmt::format("expected at least 4 jiffy counts (user nice system "
                                     "idle) after '{}', found {}",
                                     fields.front(), fields.size() - 1));
  }
  std::uint64_t value[10] = {};
  for (std::size_t i = 1; i < fields.size() && i <= 10; ++i) {
    if (!parse_number(fields[i], value[i - 1])) {
      throw ProcParseError(
          line_number, line.columns[i],
          fmt::format("expected a whole number of jiffies, found '{}'", fields[i]));
    }
  }
  enum { user, nice, system, idle, iowait, irq, softirq, steal };
  CpuJiffies jiffies;
  jiffies.busy_jiffies =
      value[user] + value[nice] + value[system] + value[irq] + value[softirq] + value[steal];
  jiffies.idle_jiffies = value[idle] + value[iowait];
  return jiffies;
}

}  // namespace

double clock_ticks_per_second() {
  static const double ticks = [] {
    const long v = ::sysconf(_SC_CLK_TCK);
    return v > 0 ? static_cast<double>(v) : 100.0;
  }();
  return ticks;
}

std::optional<ProcessStat> parse_process_stat(std::string_view text) {
  // "pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt
  //  majflt cmajflt utime stime cutime cstime priority nice num_threads
  //  itrealvalue starttime ..." (proc(5)).
  const std::size_t open = text.find('(');
  const std::size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  ProcessStat stat;
  std::string_view pid_text = text.substr(0, open);
  while (!pid_text.empty() && pid_text.back() == ' ') pid_text.remove_suffix(1);
  if (!parse_number(pid_text, stat.pid)) return std::nullopt;
  stat.comm = std::string(text.substr(open + 1, close - open - 1));

  std::size_t pos = close + 1;
  const std::string_view state = next_field(text, pos);
  if (state.size() != 1) return std::nullopt;
  stat.state = state[0];
  // Fields 4.. (1-based, as proc(5) numbers them).
  std::uint64_t values[19] = {};  // fields 4..22
  for (std::uint64_t& value : values) {
    const std::string_view field = next_field(text, pos);
    if (field.empty()) return std::nullopt;
    // tty_nr, tpgid, priority, nice may be negative; only unsigned ones are kept.
    if (field[0] == '-') continue;
    if (!parse_number(field, value)) return std::nullopt;
  }
  stat.ppid = static_cast<pid_t>(values[0]);     // 4
  stat.pgrp = static_cast<pid_t>(values[1]);     // 5
  stat.session = static_cast<pid_t>(values[2]);  // 6
  stat.utime_ticks = values[14 - 4];             // 14
  stat.stime_ticks = values[15 - 4];             // 15
  stat.cutime_ticks = values[16 - 4];            // 16
  stat.cstime_ticks = values[17 - 4];            // 17
  stat.start_ticks = values[22 - 4];             // 22
  return stat;
}

std::optional<ProcessStat> read_process_stat(const std::filesystem::path& proc_root, pid_t pid) {
  auto text = read_small_file(proc_root / std::to_string(pid) / "stat", kStatLineBound);
  if (!text) return std::nullopt;
  return parse_process_stat(*text);
}

ProcStat parse_proc_stat(std::string_view text) {
  ProcStat stat;
  bool have_total = false;
  for_each_line(text, [&](std::string_view line, std::size_t line_number) {
    if (line.substr(0, 3) != "cpu") return;
    const LineFields fields = split_blank_separated(line);
    const std::optional<int> cpu_id = cpu_id_of(fields.fields.front(), line_number);
    const CpuJiffies jiffies = jiffies_of(fields, line_number, line.size());
    if (!cpu_id) {
      stat.total = jiffies;
      have_total = true;
    } else {
      stat.per_cpu.push_back(jiffies);
      stat.cpu_ids.push_back(*cpu_id);
    }
  });
  if (!have_total) throw ProcParseError(1, 1, "expected an aggregate 'cpu ' line, found none");
  return stat;
}

std::optional<Seconds> read_machine_busy_cpu(const std::filesystem::path& proc_root) {
  auto text = read_file(proc_root / "stat");
  if (!text) return std::nullopt;
  try {
    const ProcStat stat = parse_proc_stat(*text);
    return Seconds{static_cast<double>(stat.total.busy_jiffies) / clock_ticks_per_second()};
  } catch (const ProcParseError&) {
    return std::nullopt;
  }
}

}  // namespace joule::support

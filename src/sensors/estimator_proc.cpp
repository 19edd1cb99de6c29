// /proc parsing for the estimator: CPU jiffies, cpuinfo, meminfo.
#include <fmt/format.h>

#include <charconv>
#include <set>

#include "refdata/csv.hpp"
#include "sensors/estimator.hpp"
#include "support/proc.hpp"
#include "support/strings.hpp"

namespace joule::sensors::estimator {

namespace {

using support::for_each_line;
using support::trim;

// "key<spaces>: value" as /proc/cpuinfo and /proc/meminfo write it.
std::optional<std::pair<std::string_view, std::string_view>> key_value(std::string_view line) {
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return std::pair{trim(line.substr(0, colon)), trim(line.substr(colon + 1))};
}

}  // namespace

ProcStat parse_proc_stat(std::string_view text, const std::string& origin) {
  try {
    return support::parse_proc_stat(text);
  } catch (const support::ProcParseError& e) {
    throw refdata::DataError(origin, e.line(), e.column(), e.what());
  }
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
    // x86 kernels set this flag when a hypervisor says it is there.
    if (key == "flags" && !info.hypervisor) {
      for (std::string_view rest = value; !rest.empty();) {
        const auto space = rest.find(' ');
        info.hypervisor = info.hypervisor || rest.substr(0, space) == "hypervisor";
        rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
      }
    }
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

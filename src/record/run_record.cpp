#include "record/run_record.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <ctime>
#include <random>

#include <unistd.h>

namespace joule::record {

std::string_view to_string(RunStatus status) {
  switch (status) {
    case RunStatus::running:
      return "running";
    case RunStatus::finished:
      return "finished";
    case RunStatus::interrupted:
      return "interrupted";
    case RunStatus::failed_to_start:
      return "failed-to-start";
  }
  return "running";
}

std::optional<RunStatus> parse_run_status(std::string_view text) {
  for (auto s : {RunStatus::running, RunStatus::finished, RunStatus::interrupted,
                 RunStatus::failed_to_start}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

std::string iso8601_utc(std::chrono::system_clock::time_point at) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(at.time_since_epoch()).count();
  // Floor toward minus infinity so times before 1970 still print sensibly.
  std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  int millis = static_cast<int>(ms - static_cast<long long>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

std::optional<std::chrono::system_clock::time_point> parse_iso8601_utc(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  int consumed = 0;
  std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) !=
      6) {
    return std::nullopt;
  }
  std::string_view rest = text.substr(static_cast<std::size_t>(consumed));
  long long millis = 0;
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    int digits = 0;
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
      if (digits < 3) millis = millis * 10 + (rest.front() - '0');
      ++digits;
      rest.remove_prefix(1);
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) millis *= 10;
  }
  if (rest != "Z" && rest != "+00:00") return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  using namespace std::chrono;
  auto days = sys_days{year{y} / month{static_cast<unsigned>(mo)} / day{static_cast<unsigned>(d)}};
  return time_point_cast<system_clock::duration>(days + hours{h} + minutes{mi} + seconds{s} +
                                                 milliseconds{millis});
}

std::string make_run_id(std::chrono::system_clock::time_point at) {
  using namespace std::chrono;
  std::time_t secs = system_clock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  // A forked child inherits the generator's state, so it is reseeded whenever
  // the pid changes; otherwise concurrent runs forked from one parent collide.
  static thread_local std::mt19937 rng;
  static thread_local pid_t seeded_for = 0;
  if (seeded_for != getpid()) {
    seeded_for = getpid();
    rng.seed(std::random_device{}() ^ (static_cast<unsigned>(seeded_for) * 2654435761u));
  }
  std::uint32_t suffix = rng();
  return fmt::format("{:04}{:02}{:02}-{:02}{:02}{:02}-{:08x}", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, suffix);
}

std::optional<double> total_units(const RunRecord& record) {
  if (record.units.empty()) return std::nullopt;
  return record.units.front().count;
}

}  // namespace joule::record

#include "record/run_record.hpp"

#include <fmt/format.h>

#include <ctime>
#include <random>

#include <unistd.h>

#include "support/iso8601.hpp"

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
  return support::format_iso8601_utc(at, support::Iso8601Precision::milliseconds);
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

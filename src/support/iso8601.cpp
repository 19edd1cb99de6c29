#include "support/iso8601.hpp"

#include <fmt/format.h>

namespace joule::support {
namespace {

using Clock = std::chrono::system_clock;

// The whole years system_clock's nanoseconds can hold.
constexpr int kFirstYear = 1678;
constexpr int kLastYear = 2261;

// Reads exactly `count` ASCII digits at `pos`. Unlike from_chars it takes no
// sign, so "-1" is never an hour.
bool read_digits(std::string_view text, std::size_t& pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  pos += count;
  return true;
}

bool accept(std::string_view text, std::size_t& pos, char c) {
  if (pos < text.size() && text[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

struct TimeOfDay {
  int hours = 0;
  int minutes = 0;
  int seconds = 0;
  std::chrono::nanoseconds fraction{0};
};

// ".123456789..." after the seconds: at least one digit, digits past the
// ninth are dropped.
bool read_fraction(std::string_view text, std::size_t& pos, std::chrono::nanoseconds& out) {
  if (!accept(text, pos, '.')) return true;
  std::int64_t nanos = 0;
  std::size_t digits = 0;
  for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits) {
    if (digits < 9) nanos = nanos * 10 + (text[pos] - '0');
  }
  if (digits == 0) return false;
  for (; digits < 9; ++digits) nanos *= 10;
  out = std::chrono::nanoseconds{nanos};
  return true;
}

// "HH:MM[:SS[.fraction]]" after the date's 'T' or ' '.
bool read_time_of_day(std::string_view text, std::size_t& pos, TimeOfDay& out) {
  if (!read_digits(text, pos, 2, out.hours) || !accept(text, pos, ':') ||
      !read_digits(text, pos, 2, out.minutes)) {
    return false;
  }
  if (!accept(text, pos, ':')) return true;
  if (!read_digits(text, pos, 2, out.seconds)) return false;
  return read_fraction(text, pos, out.fraction);
}

// "Z", "+HH", "+HH:MM", "+HHMM" or '-' likewise, or nothing (UTC).
bool read_zone(std::string_view text, std::size_t& pos, std::chrono::minutes& offset) {
  if (pos == text.size()) return true;
  if (accept(text, pos, 'Z')) return true;
  const char sign = text[pos];
  if (sign != '+' && sign != '-') return false;
  ++pos;
  int hours = 0, minutes = 0;
  if (!read_digits(text, pos, 2, hours)) return false;
  accept(text, pos, ':');
  if (pos < text.size() && !read_digits(text, pos, 2, minutes)) return false;
  offset = std::chrono::minutes{(sign == '-' ? -1 : 1) * (hours * 60 + minutes)};
  return true;
}

}  // namespace

std::optional<Clock::time_point> parse_iso8601(std::string_view text) {
  using namespace std::chrono;
  std::size_t pos = 0;
  int y = 0, mo = 0, d = 0;
  if (!read_digits(text, pos, 4, y) || !accept(text, pos, '-') || !read_digits(text, pos, 2, mo) ||
      !accept(text, pos, '-') || !read_digits(text, pos, 2, d)) {
    return std::nullopt;
  }
  TimeOfDay time;
  if (accept(text, pos, 'T') || accept(text, pos, ' ')) {
    if (!read_time_of_day(text, pos, time)) return std::nullopt;
  }
  minutes offset{0};
  if (!read_zone(text, pos, offset) || pos != text.size()) return std::nullopt;
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                            day{static_cast<unsigned>(d)}};
  if (!date.ok() || time.hours > 23 || time.minutes > 59 || time.seconds > 60) return std::nullopt;
  // system_clock counts nanoseconds in 64 bits, from 1677-09-21 to
  // 2262-04-11: a year beyond would overflow (found by tests/fuzz/iso8601).
  if (y < kFirstYear || y > kLastYear) return std::nullopt;
  const auto at = sys_days{date} + hours{time.hours} + minutes{time.minutes} +
                  seconds{time.seconds} + time.fraction - offset;
  return time_point_cast<Clock::duration>(at);
}

std::string format_iso8601_utc(Clock::time_point at, Iso8601Precision precision) {
  using namespace std::chrono;
  const auto millis = floor<milliseconds>(at);
  const auto day_start = floor<days>(millis);
  const year_month_day date{day_start};
  const hh_mm_ss time{millis - day_start};
  const std::string whole =
      fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  time.hours().count(), time.minutes().count(), time.seconds().count());
  if (precision == Iso8601Precision::seconds) return whole + "Z";
  return fmt::format("{}.{:03}Z", whole, time.subseconds().count());
}

}  // namespace joule::support

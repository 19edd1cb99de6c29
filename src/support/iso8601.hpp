#pragma once
// ISO-8601 time stamps, as the run records, the ledger's date filters and the
// carbon-intensity series write them.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace joule::support {

// Parses "YYYY-MM-DD", optionally followed by 'T' or ' ' and "HH:MM", then
// ":SS", then ".fraction" (any number of digits, kept to the nanosecond),
// then a zone: "Z", "+HH", "+HH:MM" or "+HHMM" (or '-'); no zone means UTC.
// nullopt when malformed or when the date is not on the calendar
// (2024-02-31, 2023-02-29) or outside the years 1678 to 2261, which
// system_clock's nanoseconds hold; a leap second (:60) is accepted.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

enum class Iso8601Precision { seconds, milliseconds };

// "2024-05-01T12:34:56.789Z" (milliseconds) or "2024-05-01T12:34:56Z"
// (seconds). The time is floored, never rounded up into the next second.
std::string format_iso8601_utc(std::chrono::system_clock::time_point at,
                               Iso8601Precision precision = Iso8601Precision::milliseconds);

}  // namespace joule::support

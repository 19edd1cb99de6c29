// The one ISO-8601 parser and formatter.
#include "support/iso8601.hpp"

#include <gtest/gtest.h>

namespace joule::support {
namespace {

std::chrono::system_clock::time_point at(std::string_view text) {
  auto t = parse_iso8601(text);
  EXPECT_TRUE(t) << text;
  return t.value_or(std::chrono::system_clock::time_point{});
}

TEST(Iso8601, RoundTripsWhatTheRecordsWrite) {
  EXPECT_EQ(format_iso8601_utc(at("2024-05-01T12:34:56.789Z")), "2024-05-01T12:34:56.789Z");
  EXPECT_EQ(format_iso8601_utc(at("2024-05-01T12:34:56Z")), "2024-05-01T12:34:56.000Z");
  EXPECT_EQ(format_iso8601_utc(at("2024-05-01T12:34:56.7Z")), "2024-05-01T12:34:56.700Z");
  EXPECT_EQ(format_iso8601_utc(at("2024-05-01T12:34:56+00:00")), "2024-05-01T12:34:56.000Z");
  EXPECT_LT(at("2024-05-01T12:00:00Z"), at("2024-05-01T12:00:01Z"));
}

TEST(Iso8601, FormatsWholeSecondsWhenAsked) {
  EXPECT_EQ(format_iso8601_utc(at("2024-05-01T12:00:00.999Z"), Iso8601Precision::seconds),
            "2024-05-01T12:00:00Z");
}

TEST(Iso8601, FloorsBeforeTheEpoch) {
  using namespace std::chrono;
  const system_clock::time_point before{-milliseconds{1}};
  EXPECT_EQ(format_iso8601_utc(before), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(at("1969-12-31T23:59:59.999Z"), before);
}

TEST(Iso8601, AcceptsTheShortFormsTheSeriesAndFiltersUse) {
  EXPECT_EQ(at("2024-05-01 12:00"), at("2024-05-01T12:00:00Z"));
  EXPECT_EQ(at("2024-05-01T12:00Z"), at("2024-05-01T12:00:00Z"));
  EXPECT_EQ(at("2024-05-01"), at("2024-05-01T00:00:00Z"));
  EXPECT_EQ(at("2024-05-01T12:00:00"), at("2024-05-01T12:00:00Z"));
}

TEST(Iso8601, AppliesZoneOffsets) {
  EXPECT_EQ(at("2024-05-01T14:00:00+02:00"), at("2024-05-01T12:00:00Z"));
  EXPECT_EQ(at("2024-05-01T14:00:00+0200"), at("2024-05-01T12:00:00Z"));
  EXPECT_EQ(at("2024-05-01T14:00:00+02"), at("2024-05-01T12:00:00Z"));
  EXPECT_EQ(at("2024-05-01T07:30:00-04:30"), at("2024-05-01T12:00:00Z"));
}

TEST(Iso8601, KeepsFractionsToTheNanosecond) {
  using namespace std::chrono;
  EXPECT_EQ(at("2024-05-01T00:00:00.123456789Z") - at("2024-05-01T00:00:00Z"),
            duration_cast<system_clock::duration>(nanoseconds{123456789}));
  // Digits past the ninth are dropped, not rounded.
  EXPECT_EQ(at("2024-05-01T00:00:00.0000000019Z"), at("2024-05-01T00:00:00.000000001Z"));
}

TEST(Iso8601, RejectsDatesNotOnTheCalendar) {
  EXPECT_FALSE(parse_iso8601("2024-02-31"));
  EXPECT_FALSE(parse_iso8601("2024-02-31T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2023-02-29T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2024-04-31T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2024-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2024-00-10T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2024-05-00T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("1900-02-29T00:00:00Z"));  // divisible by 100, not by 400
}

// system_clock's 64-bit nanoseconds end in 2262; beyond, converting
// overflowed (undefined behaviour, found by fuzzing).
TEST(Iso8601, RejectsYearsTheClockCannotHold) {
  EXPECT_FALSE(parse_iso8601("2446-05-01"));
  EXPECT_FALSE(parse_iso8601("9999-12-31T23:59:59Z"));
  EXPECT_FALSE(parse_iso8601("1600-01-01T00:00:00Z"));
  EXPECT_EQ(format_iso8601_utc(at("2261-12-31T23:59:59Z")), "2261-12-31T23:59:59.000Z");
  EXPECT_EQ(format_iso8601_utc(at("1678-01-01T00:00:00Z")), "1678-01-01T00:00:00.000Z");
}

TEST(Iso8601, AcceptsLeapDaysAndLeapSeconds) {
  EXPECT_EQ(format_iso8601_utc(at("2024-02-29T00:00:00Z")), "2024-02-29T00:00:00.000Z");
  EXPECT_EQ(format_iso8601_utc(at("2000-02-29T00:00:00Z")), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(at("2016-12-31T23:59:60Z"), at("2017-01-01T00:00:00Z"));
}

TEST(Iso8601, RejectsMalformedText) {
  EXPECT_FALSE(parse_iso8601(""));
  EXPECT_FALSE(parse_iso8601("   "));
  EXPECT_FALSE(parse_iso8601("yesterday"));
  EXPECT_FALSE(parse_iso8601("2024-05-01 noon"));
  EXPECT_FALSE(parse_iso8601("2024-5-1T12:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2024-05-01T24:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2024-05-01T12:60:00Z"));
  EXPECT_FALSE(parse_iso8601("2024-05-01T12:00:61Z"));
  EXPECT_FALSE(parse_iso8601("2024-05-01T-1:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2024-05-01T12:00:00.Z"));
  EXPECT_FALSE(parse_iso8601("2024-05-01T12:00:00Zjunk"));
  EXPECT_FALSE(parse_iso8601("2024-05-01T12"));
}

}  // namespace
}  // namespace joule::support

#include <gtest/gtest.h>

#include <set>

#include "record/run_record.hpp"
#include "support/iso8601.hpp"

namespace joule::record {
namespace {

using support::parse_iso8601;

TEST(RunRecord, StatusNamesRoundTrip) {
  for (auto s : {RunStatus::running, RunStatus::finished, RunStatus::interrupted,
                 RunStatus::failed_to_start}) {
    EXPECT_EQ(parse_run_status(to_string(s)), s);
  }
  EXPECT_EQ(to_string(RunStatus::failed_to_start), "failed-to-start");
  EXPECT_FALSE(parse_run_status("done"));
}

TEST(RunRecord, Iso8601RoundTrip) {
  auto t = parse_iso8601("2024-05-01T12:34:56.789Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(iso8601_utc(*t), "2024-05-01T12:34:56.789Z");
  EXPECT_EQ(iso8601_utc(*parse_iso8601("2024-05-01T12:34:56Z")), "2024-05-01T12:34:56.000Z");
  EXPECT_FALSE(parse_iso8601("2024-05-01 noon"));
  EXPECT_FALSE(parse_iso8601("2024-13-01T00:00:00Z"));
}

TEST(RunRecord, RunIdsSortByTimeAndDiffer) {
  auto early = parse_iso8601("2024-05-01T12:00:00Z");
  auto late = parse_iso8601("2024-05-01T12:00:01Z");
  auto a = make_run_id(*early);
  auto b = make_run_id(*late);
  EXPECT_EQ(a.substr(0, 15), "20240501-120000");
  EXPECT_EQ(a.size(), 24u);
  EXPECT_LT(a, b);
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(make_run_id(*early));
  EXPECT_EQ(ids.size(), 1000u);
}

}  // namespace
}  // namespace joule::record

// Units and phases applications report, per application, with a bound on
// the number of series a client can create.
#include <gtest/gtest.h>

#include <chrono>

#include "serve/applications.hpp"

namespace joule::serve {
namespace {

using Kind = run::ControlMessage::Kind;

run::ControlEvent event(Kind kind, std::string name, double count, std::string unit,
                        std::uint64_t datagram, MonotonicTime at = MonotonicTime{}) {
  return {{kind, std::move(name), count, std::move(unit)}, at, datagram};
}

TEST(ApplicationReports, AnAppLineNamesTheRestOfItsDatagramOnly) {
  ApplicationReports reports;
  reports.handle(event(Kind::application, "chat", 0, "", 1));
  reports.handle(event(Kind::units, "", 2, "request", 1));
  reports.handle(event(Kind::units, "", 3, "request", 2));  // another sender, no app line
  reports.handle(event(Kind::application, "chat", 0, "", 3));
  reports.handle(event(Kind::units, "", 5, "request", 3));
  reports.handle(event(Kind::units, "", 7, "", 3));
  const auto units = reports.units();
  ASSERT_EQ(units.size(), 3u);
  EXPECT_EQ(units[0].application, "chat");
  EXPECT_EQ(units[0].unit, "request");
  EXPECT_EQ(units[0].count, 7);
  EXPECT_EQ(units[1].application, "chat");
  EXPECT_EQ(units[1].unit, "unit");
  EXPECT_EQ(units[1].count, 7);
  EXPECT_EQ(units[2].application, kUnnamedApplication);
  EXPECT_EQ(units[2].count, 3);
}

TEST(ApplicationReports, PhasesAccumulateTimeIncludingTheOpenOne) {
  ApplicationReports reports;
  const MonotonicTime t0{};
  using std::chrono::seconds;
  reports.handle(event(Kind::application, "train", 0, "", 1, t0));
  reports.handle(event(Kind::phase, "load", 0, "", 1, t0));
  reports.handle(event(Kind::application, "train", 0, "", 2, t0 + seconds(2)));
  reports.handle(event(Kind::phase, "epoch", 0, "", 2, t0 + seconds(2)));
  const auto phases = reports.phases(t0 + seconds(5));
  ASSERT_EQ(phases.size(), 2u);
  EXPECT_EQ(phases[0].phase, "epoch");
  EXPECT_DOUBLE_EQ(phases[0].time.seconds, 3.0);
  EXPECT_EQ(phases[1].phase, "load");
  EXPECT_DOUBLE_EQ(phases[1].time.seconds, 2.0);
  reports.handle(event(Kind::application, "train", 0, "", 3, t0 + seconds(6)));
  reports.handle(event(Kind::end_phase, "", 0, "", 3, t0 + seconds(6)));
  EXPECT_DOUBLE_EQ(reports.phases(t0 + seconds(100))[0].time.seconds, 4.0);
}

TEST(ApplicationReports, SeriesPastTheLimitAreDroppedAndCounted) {
  ApplicationReports reports(3);
  for (int i = 0; i < 10; ++i) {
    reports.handle(event(Kind::application, "app" + std::to_string(i), 0, "", i + 1));
    reports.handle(event(Kind::units, "", 1, "request", i + 1));
  }
  EXPECT_EQ(reports.units().size(), 3u);
  EXPECT_EQ(reports.dropped(), 7u);
  // A known series still counts.
  reports.handle(event(Kind::application, "app0", 0, "", 100));
  reports.handle(event(Kind::units, "", 4, "request", 100));
  EXPECT_EQ(reports.units()[0].count, 5);
  reports.handle(event(Kind::application, std::string(kMaxNameLength + 1, 'x'), 0, "", 101));
  reports.handle(event(Kind::units, "", 1, "request", 101));
  EXPECT_EQ(reports.dropped(), 8u);
}

}  // namespace
}  // namespace joule::serve

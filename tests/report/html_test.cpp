// The HTML pieces, the charts and the run pages: escaping, self-containment,
// labels that never overlap, and figures equal to the terminal summary's.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <regex>

#include "joule/format.hpp"
#include "record/sample_record.hpp"
#include "report/chart.hpp"
#include "report/html.hpp"
#include "report/run_page.hpp"
#include "report/summary.hpp"

namespace joule::report {
namespace {

TEST(Html, EscapesMarkupInTextAndAttributes) {
  EXPECT_EQ(html::escape(R"(<a href="x">&'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  const std::string table = html::table({{"name", "value"}, {"<b>", "1 & 2"}}, {false, true});
  EXPECT_NE(table.find("<td>&lt;b&gt;</td><td class=\"num\">1 &amp; 2</td>"), std::string::npos)
      << table;
}

TEST(Html, PageLoadsNothingFromElsewhere) {
  const std::string page = html::page("t <1>", "<p>body</p>");
  EXPECT_NE(page.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  EXPECT_NE(page.find("<title>t &lt;1&gt;</title>"), std::string::npos);
  EXPECT_NE(page.find("@page { size: A4"), std::string::npos);
  // No attribute that fetches: src=, href=, url( or @import.
  EXPECT_FALSE(std::regex_search(page, std::regex(R"((src|href)\s*=|url\(|@import)")));
}

TEST(Html, ModelledFiguresAreTaggedInWords) {
  const std::string out =
      html::figures({{"energy", "1.00 J", "", true}, {"time", "1 s", "", false}});
  EXPECT_NE(out.find("class=\"figure modelled\""), std::string::npos);
  EXPECT_NE(out.find("modelled, not measured"), std::string::npos);
  EXPECT_NE(out.find("class=\"figure\""), std::string::npos);
}

TEST(Chart, LabelsOfNearbyPointsDoNotOverlap) {
  // Today's quick run put vit, lstm and gru at the same energy, a few pixels
  // apart: every label beside its point collided with the next.
  const std::vector<chart::Point> points = {
      {560, 200}, {560, 206}, {561, 212}, {562, 150}, {300, 90}};
  const std::vector<std::string> names = {"vit", "lstm", "gru", "cnn", "logreg"};
  const chart::Box area{80, 60, 716, 370};
  const auto placed = chart::place_labels(points, names, 12, 5, area);
  ASSERT_EQ(placed.size(), points.size());
  for (std::size_t i = 0; i < placed.size(); ++i) {
    EXPECT_GE(placed[i].box.left, area.left);
    EXPECT_LE(placed[i].box.right, area.right);
    EXPECT_GE(placed[i].box.top, area.top);
    EXPECT_LE(placed[i].box.bottom, area.bottom);
    for (std::size_t j = 0; j < placed.size(); ++j) {
      if (i != j) {
        EXPECT_FALSE(placed[i].box.overlaps(placed[j].box)) << names[i] << " and " << names[j];
      }
      const chart::Box marker{points[j].x - 5, points[j].y - 5, points[j].x + 5, points[j].y + 5};
      EXPECT_FALSE(placed[i].box.overlaps(marker))
          << names[i] << " covers the point of " << names[j];
    }
  }
  // A lone point keeps its label right beside it, with no leader line.
  EXPECT_FALSE(placed[4].leader);
}

TEST(Chart, TickLabelsUseTheQuantityFormatters) {
  EXPECT_EQ(chart::quantity_text(chart::Quantity::watts, 1200), fmt::format("{}", Watts{1200}));
  EXPECT_EQ(chart::quantity_text(chart::Quantity::seconds, 303), "5 min 03 s");
  chart::LineChart line{"P", chart::Quantity::seconds,           chart::Quantity::watts, "t",
                        "p", {{"cpu", {0, 1, 2}, {10, 20, 15}}}, {{0, 1, "warm-up"}},    true};
  const std::string svg = chart::line_chart(line);
  EXPECT_NE(svg.find("MODELLED, NOT MEASURED"), std::string::npos);
  EXPECT_NE(svg.find(">warm-up</text>"), std::string::npos);
  EXPECT_NE(svg.find(">20.0 W</text>"), std::string::npos) << svg;
}

// The cells of the terminal's own "total" energy row, split on runs of spaces.
std::vector<std::string> terminal_total_row(const std::string& summary) {
  std::vector<std::string> cells;
  const auto at = summary.find("\n  total  ");
  const std::string line = summary.substr(at + 3, summary.find('\n', at + 1) - at - 3);
  for (std::size_t start = 0; start < line.size();) {
    std::size_t end = line.find("  ", start);
    if (end == std::string::npos) end = line.size();
    if (end > start) cells.push_back(line.substr(start, end - start));
    start = line.find_first_not_of(' ', end);
    if (start == std::string::npos) break;
  }
  return cells;
}

TEST(RunPage, HeadlineFiguresAreTheTerminalsOwn) {
  const auto run = testing::sample_record();
  const std::string page = run_report_html(run);
  const auto total = terminal_total_row(render_summary(run));
  ASSERT_GE(total.size(), 5u);
  for (std::size_t i = 1; i < 5; ++i) {
    EXPECT_NE(page.find(">" + html::escape(total[i]) + "<"), std::string::npos) << total[i];
  }
  EXPECT_NE(page.find(fmt::format("{}", GramsCO2e{run.carbon->total_co2e_g.central})),
            std::string::npos);
  EXPECT_NE(page.find(html::escape(sci_text(*run.sci))), std::string::npos);
  for (const auto& phase : run.phases)
    EXPECT_NE(page.find(">" + phase.name + "<"), std::string::npos);
}

TEST(RunPage, ModelledRunSaysSoAtTheTop) {
  auto run = testing::sample_record();
  EXPECT_EQ(run_banner(run).modelled, run.totals.provenance == Provenance::modelled);
  run.totals.provenance = Provenance::modelled;
  const std::string page = run_report_html(run);
  const auto banner = page.find("class=\"banner modelled\"");
  ASSERT_NE(banner, std::string::npos);
  EXPECT_LT(banner, page.find("<section>"));
  EXPECT_NE(page.find("Modelled, not measured"), std::string::npos);
}

TEST(RunPage, PowerTimelineIsTheSlopeOfTheCumulativeEnergy) {
  const auto run = testing::sample_record();
  const auto timeline = power_timeline(run);
  ASSERT_EQ(timeline.series.size(), run.timeline.domain_ids.size());
  // 3000 J over the first 50 s of cpu:package-0: 60 W, drawn at 25 s.
  ASSERT_FALSE(timeline.series[0].x.empty());
  EXPECT_DOUBLE_EQ(timeline.series[0].x[0], 25);
  EXPECT_DOUBLE_EQ(timeline.series[0].y[0], 60);
  EXPECT_EQ(timeline.bands.size(), run.phases.size());
}

TEST(RunPage, SeveralRunsCarryTheComparisonsRatios) {
  auto a = testing::sample_record("20240501-120000-aaaa0001");
  auto b = testing::sample_record("20240502-120000-bbbb0002");
  b.totals.attributed_energy_j *= 2;
  const std::string page = runs_report_html({a, b});
  EXPECT_NE(page.find("×2.00"), std::string::npos);
  EXPECT_NE(page.find("20240502-120000-bbbb0002"), std::string::npos);
}

}  // namespace
}  // namespace joule::report

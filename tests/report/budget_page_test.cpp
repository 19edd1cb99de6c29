// The budget's terminal and Markdown pages from a hand-made result: the
// figures go through the shared formatters, ranges print only where there is
// one, and a missing breakeven says why.
#include <gtest/gtest.h>

#include <algorithm>

#include "report/budget.hpp"
#include "report/chart.hpp"

namespace {

using joule::budget::BudgetResult;
using joule::budget::Estimate;

BudgetResult two_parts() {
  BudgetResult r;
  r.name = "small";
  r.scenario_file = "small.toml";
  r.horizon_years = 1;
  r.years = 1;
  r.parts = {{"training",
              {{3.6e6, 3.6e6, 3.6e6}},
              {{900, 1000, 1100}},
              {3.6e6, 3.6e6, 3.6e6},
              {900, 1000, 1100}},
             {"embodied", {{}}, {{3000, 3000, 3000}}, {}, {3000, 3000, 3000}}};
  r.energy_j = {3.6e6, 3.6e6, 3.6e6};
  r.co2e_g = {3900, 4000, 4100};
  r.energy_j_per_year = {r.energy_j};
  r.co2e_g_per_year = {r.co2e_g};
  r.per_request = {1000, 0.5, {3600, 3600, 3600}, {3.9, 4, 4.1}, {7200, 7200, 7200}, {7.8, 8, 8.2}};
  r.breakeven.note = "no training in the scenario";
  r.dominant =
      "Embodied dominates: 75% of the life-cycle carbon, 3.0x the next part (training, 25%).";
  r.equivalents = {{"km driven by an average new car (EU)", {36.6, 37.5, 38.5}, "EEA 2023"}};
  r.what_ifs = {{"region", "FR", "serving from FR | elsewhere", {1000, 1000, 1000}, 0.75, ""}};
  r.what_if_sentence = "Serving from FR saves 75% of the life-cycle carbon.";
  r.inputs = {{"energy per request", Estimate::exact(3600), "J", "given", "small.toml: x"}};
  return r;
}

TEST(BudgetPage, TerminalShowsPartsSharesAndSources) {
  const std::string page = joule::report::budget_terminal(two_parts());
  for (const char* s :
       {"1.00 kWh", "1.00 kg", "900 g – 1.10 kg", "75.0%", "25.0%", "embodied", "SCI per request",
        "4.00 g [3.90 g – 4.10 g]", "Breakeven: no training in the scenario", "37.5 km driven",
        "source: EEA 2023", "energy per request: 3.60 kJ  (given)"}) {
    EXPECT_NE(page.find(s), std::string::npos) << s << "\n" << page;
  }
  // The embodied part has no energy of its own: a dash, not "0 Wh".
  EXPECT_EQ(page.find("0 Wh"), std::string::npos) << page;
}

TEST(BudgetPage, MarkdownEscapesCellsAndKeepsTheSentences) {
  const std::string md = joule::report::budget_markdown(two_parts());
  EXPECT_NE(md.find("serving from FR \\| elsewhere"), std::string::npos) << md;
  EXPECT_NE(md.find("**Embodied dominates"), std::string::npos) << md;
  EXPECT_NE(md.find("Serving from FR saves 75%"), std::string::npos) << md;
}

TEST(BudgetPage, BreakevenWithAndWithoutAnEnd) {
  joule::budget::Breakeven b;
  b.day_central = 41.25;
  b.day_low = 3.5;
  EXPECT_EQ(joule::report::breakeven_text(b),
            "day 41.2 [3.5 – beyond the horizon]: cumulative inference carbon passes training's");
}

}  // namespace

TEST(BudgetPage, HtmlHoldsTheTerminalsCellsAndSaysModelled) {
  const BudgetResult r = two_parts();
  const std::string page = joule::report::budget_report_html(r);
  const std::string terminal = joule::report::budget_terminal(r);
  for (const auto& table :
       {joule::report::budget_parts_table(r), joule::report::budget_what_if_table(r)}) {
    for (const auto& row : table.rows) {
      for (const auto& cell : row) {
        if (cell.empty()) continue;
        EXPECT_NE(terminal.find(cell), std::string::npos) << cell;
        EXPECT_NE(page.find(">" + cell + "<"), std::string::npos) << cell;
      }
    }
  }
  EXPECT_NE(page.find(">4.00 g [3.90 g – 4.10 g]<"), std::string::npos);
  // Given inputs are not measurements: the banner and figures say so.
  EXPECT_NE(page.find("Modelled, not measured"), std::string::npos);
  EXPECT_NE(page.find("1 given"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
}

TEST(BudgetPage, BreakevenChartDrawsWhatTheDayIsSolvedFrom) {
  BudgetResult r = two_parts();
  r.breakeven.day_central = 100;
  r.breakeven.day_low = 50;
  r.breakeven.day_high = 200;
  r.breakeven.training_events = {{0, {900, 1000, 1100}}};
  r.breakeven.inference_g_per_day = {{5, 10, 20}};
  const std::string page = joule::report::budget_report_html(r);
  // Inference: from (day 0, 0 g) to (day 365, 3650 g); training: a step of
  // 1000 g on day 0, flat to the horizon; the band names the day's range.
  EXPECT_NE(page.find(">day 100.0 [50.0 – 200.0]<"), std::string::npos) << page;
  const auto chart = page.substr(page.find("Cumulative CO2e"));
  std::size_t polylines = 0;
  for (auto at = chart.find("<polyline"); at != std::string::npos;
       at = chart.find("<polyline", at + 1)) {
    ++polylines;
  }
  EXPECT_EQ(polylines, 2u);
}

TEST(Chart, StackedBarsAreProportionalWithAWhiskerEach) {
  joule::report::chart::StackedBarChart c;
  c.title = "t";
  c.segments = {"a", "b"};
  c.stacks = {{"year 1", {100, 300}, 350, 450, "400 g"}, {"year 2", {200, 0}, 150, 250, "200 g"}};
  const std::string svg = joule::report::chart::stacked_bar_chart(c);
  // Three drawn segments (a zero draws nothing), each named for a reader.
  std::vector<double> heights;
  for (auto at = svg.find("<rect x="); at != std::string::npos; at = svg.find("<rect x=", at + 1)) {
    const auto h = svg.find("height=\"", at) + 8;
    if (svg.find("<title>", at) < svg.find("</rect>", at))
      heights.push_back(std::stod(svg.substr(h)));
  }
  ASSERT_EQ(heights.size(), 3u) << svg;
  EXPECT_NEAR(heights[1] / heights[0], 3.0, 0.01);
  EXPECT_NEAR(heights[2] / heights[0], 2.0, 0.01);
  EXPECT_EQ(std::count(svg.begin(), svg.end(), 'V'), 2) << "one whisker per bar";
  EXPECT_NE(svg.find(">400 g<"), std::string::npos);
}

// `joule report` and `joule label` end to end, and looked at in headless
// Chromium as a person would: the screenshot is not blank, the DOM holds
// the terminal's figures exactly, the page requests nothing and logs
// nothing, and printing gives A4 pages.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "cli/browser_support.hpp"
#include "cli/ledger_cli_support.hpp"
#include "support/subprocess.hpp"

namespace joule::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kBench = fs::path(JOULE_FIXTURES_DIR) / "bench/quick";
const fs::path kCctv =
    fs::path(JOULE_FIXTURES_DIR) / ".." / ".." / "examples" / "budget" / "cctv.toml";

class ReportCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto found = report::find_chromium();
    if (found) chromium_ = *found;
    ledger_.fill();
  }
  void require_chromium() const {
    if (chromium_.empty()) GTEST_SKIP() << "no chromium (scripts/install-deps.sh installs it)";
  }
  CommandResult joule(std::vector<std::string> args) const {
    return run_joule(std::move(args), ledger_.env());
  }

  // The page printed to PDF as Chromium prints it for a person.
  PdfPages print(const fs::path& page) const {
    const fs::path pdf = ledger_.dir / (page.stem().string() + ".pdf");
    const auto run = report::run_chromium(
        chromium_, {"--print-to-pdf=" + pdf.string(), "--no-pdf-header-footer"},
        "file://" + fs::absolute(page).string(), std::chrono::seconds(90));
    EXPECT_EQ(run.exit_status, 0) << run.err;
    return pdf_pages(pdf);
  }
  Ink screenshot_ink(const fs::path& page, int width, int height) const {
    const fs::path png = ledger_.dir / (page.stem().string() + ".png");
    report::screenshot(chromium_, page, png, width, height);
    const Pixels pixels = decode_png(png);
    EXPECT_EQ(pixels.width, width);
    return ink(pixels);
  }

  CliLedger ledger_;
  fs::path chromium_;
};

// A4 is 595 x 842 points; Chromium's Letter default would be 612 x 792.
void expect_a4(const PdfPages& pages) {
  for (const std::string& box : pages.media_boxes) {
    EXPECT_TRUE(std::regex_search(box, std::regex(R"(^\[0 0 59[4-6](\.\d+)? 84[12](\.\d+)?\]$)")))
        << box;
  }
}

std::vector<std::string> capture(const std::string& text, const std::string& pattern) {
  std::smatch match;
  std::vector<std::string> out;
  if (std::regex_search(text, match, std::regex(pattern))) {
    for (std::size_t i = 1; i < match.size(); ++i) out.push_back(match[i]);
  }
  return out;
}

TEST_F(ReportCli, RunPageShowsTheTerminalsFiguresAndNothingElseLoads) {
  require_chromium();
  const std::string id = "20240501-120000-aaaa0001";
  const fs::path page = ledger_.dir / "run.html";
  const auto made = joule({"report", id, "-o", page.string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;

  // The headline figures exactly as `joule show` prints them.
  const std::string shown = joule({"show", id}).out;
  std::vector<std::string> figures = capture(shown, R"(\n  machine     (\S+ \S+) \((\S+ \S+)\))");
  for (const auto& f : capture(shown, R"(\n  attributed  (\S+ \S+) \()")) figures.push_back(f);
  const std::string carbon = shown.substr(shown.find("\nCarbon\n"));
  for (const auto& f : capture(carbon, R"(\n  total\s+(\S+ \S+)\s+(\S+ \S+)\s+(\S+ \S+)\n)")) {
    figures.push_back(f);
  }
  for (const auto& f : capture(shown, R"(\n  SCI         ([^\n]+)\n)")) figures.push_back(f);
  ASSERT_EQ(figures.size(), 7u) << shown;

  const BrowserLook look = look_at(chromium_, page);
  for (const std::string& figure : figures) {
    EXPECT_NE(look.dom.find(figure), std::string::npos) << "not in the page: " << figure;
  }
  EXPECT_TRUE(look.console.empty()) << look.console.front();
  EXPECT_TRUE(look.requests.empty()) << fmt::format("{}", fmt::join(look.requests, "\n"));

  const Ink painted = screenshot_ink(page, 1000, 1400);
  EXPECT_GT(painted.share, 0.03);
  EXPECT_GT(painted.colours, 50u);
  const PdfPages pages = print(page);
  EXPECT_GE(pages.count, 2);
  EXPECT_LE(pages.count, 4);
  expect_a4(pages);
}

TEST_F(ReportCli, SeveralRunsPageHoldsTheComparisonTable) {
  require_chromium();
  const fs::path page = ledger_.dir / "runs.html";
  ASSERT_EQ(
      joule({"report", "20240501-120000-aaaa0001", "20240502-120000-bbbb0002", "-o", page.string()})
          .exit_code,
      0);
  const std::string compared =
      joule({"compare", "20240501-120000-aaaa0001", "20240502-120000-bbbb0002"}).out;
  const auto cells = capture(compared, R"(\n  attributed energy\s+(\S+ \S+)\s+(\S+ \S+ \(\S+\)))");
  ASSERT_EQ(cells.size(), 2u) << compared;
  const BrowserLook look = look_at(chromium_, page);
  for (const auto& cell : cells) EXPECT_NE(look.dom.find(cell), std::string::npos) << cell;
  EXPECT_TRUE(look.console.empty());
  EXPECT_TRUE(look.requests.empty()) << fmt::format("{}", fmt::join(look.requests, "\n"));
}

TEST_F(ReportCli, BenchPageHoldsTheTablesChartAndLabels) {
  require_chromium();
  const fs::path page = ledger_.dir / "bench.html";
  const auto made = joule({"report", "--bench", kBench.string(), "-o", page.string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const BrowserLook look = look_at(chromium_, page);
  // summary.md is joule bench's own table: every cell of the logreg and cnn
  // rows appears in the page, in the same words.
  const std::string summary = support::read_file(kBench / "summary.md").value();
  for (const char* model : {"| 1 | logreg * |", "| 3 | cnn * |"}) {
    const auto at = summary.find(model);
    ASSERT_NE(at, std::string::npos);
    const std::string row = summary.substr(at, summary.find('\n', at) - at);
    for (std::size_t start = 1; start < row.size();) {
      const std::size_t end = row.find(" |", start);
      if (end == std::string::npos) break;
      const std::string cell = row.substr(start + 1, end - start - 1);
      EXPECT_NE(look.dom.find(">" + cell + "<"), std::string::npos) << cell;
      start = end + 2;
    }
  }
  EXPECT_NE(look.dom.find("ENERGY MODELLED, NOT MEASURED"), std::string::npos);
  EXPECT_EQ(std::count(look.dom.begin(), look.dom.end(), '\x01'), 0);
  EXPECT_NE(look.dom.find("Energy label of logreg: class C"), std::string::npos);
  EXPECT_NE(look.dom.find("no label: vit does not meet the first quality tier"), std::string::npos);
  EXPECT_TRUE(look.console.empty()) << look.console.front();
  EXPECT_TRUE(look.requests.empty()) << fmt::format("{}", fmt::join(look.requests, "\n"));
  const Ink painted = screenshot_ink(page, 1000, 1400);
  EXPECT_GT(painted.share, 0.03);
  expect_a4(print(page));
}

TEST_F(ReportCli, BudgetPageShowsTheTerminalsFiguresAndNothingElseLoads) {
  require_chromium();
  const fs::path page = ledger_.dir / "budget.html";
  const auto made = joule({"report", "--budget", kCctv.string(), "-o", page.string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;

  // The headline figures exactly as `joule budget` prints them: the total's
  // energy, CO2e and range, per request and per useful insight, the
  // breakeven, and the first what-if's change, CO2e and saving.
  const std::string terminal = joule({"budget", kCctv.string()}).out;
  std::vector<std::string> figures =
      capture(terminal, R"(\n  total\s+(\S+ \S+)\s+(\S+ \S+)\s+(\S+ \S+ – \S+ \S+)\s+100\.0%\n)");
  for (const char* pattern :
       {R"(\n  SCI per request\s+(.+?)   energy (.+?)\n)",
        R"(\n  SCI per useful insight\s+(.+?)   energy (.+?)   \()", R"(\nBreakeven: ([^\n]+)\n)",
        R"(\n +1  (\S+: .+?)  +(\S+ \S+ \[[^\]]+\]) +(-?[\d.]+%))"}) {
    for (const auto& f : capture(terminal, pattern)) figures.push_back(f);
  }
  ASSERT_EQ(figures.size(), 11u) << terminal;

  const BrowserLook look = look_at(chromium_, page);
  for (const std::string& figure : figures) {
    EXPECT_NE(look.dom.find(figure), std::string::npos) << "not in the page: " << figure;
  }
  EXPECT_NE(look.dom.find("Modelled, not measured"), std::string::npos);
  EXPECT_NE(look.dom.find("CO2e per year, by part"), std::string::npos);
  EXPECT_NE(look.dom.find("Cumulative CO2e"), std::string::npos);
  EXPECT_TRUE(look.console.empty()) << look.console.front();
  EXPECT_TRUE(look.requests.empty()) << fmt::format("{}", fmt::join(look.requests, "\n"));

  const Ink painted = screenshot_ink(page, 1000, 1400);
  EXPECT_GT(painted.share, 0.03);
  EXPECT_GT(painted.colours, 50u);
  const PdfPages pages = print(page);
  EXPECT_GE(pages.count, 3);
  EXPECT_LE(pages.count, 6);
  expect_a4(pages);
}

// --what-if as `joule budget` takes it: the page states the change and shows
// the figures the terminal prints with it, and the ranking of the what-ifs
// left; a bad one gives budget's own message and leaves no page.
TEST_F(ReportCli, BudgetPageTakesWhatIfsAsJouleBudgetDoes) {
  const fs::path page = ledger_.dir / "budget-se.html";
  const auto made =
      joule({"report", "--budget", kCctv.string(), "--what-if", "region=SE", "-o", page.string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string terminal = joule({"budget", kCctv.string(), "--what-if", "region=SE"}).out;
  const std::string plain = joule({"budget", kCctv.string()}).out;
  const auto total = R"(\n  total\s+(\S+ \S+)\s+(\S+ \S+)\s+)";
  const std::vector<std::string> with = capture(terminal, total);
  ASSERT_EQ(with.size(), 2u) << terminal;
  ASSERT_NE(with, capture(plain, total)) << "the what-if changed nothing to compare";
  std::ifstream in(page);
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("With: region=SE"), std::string::npos);
  for (const std::string& figure : with) {
    EXPECT_NE(html.find(figure), std::string::npos) << "not in the page: " << figure;
  }
  EXPECT_NE(html.find("What-ifs (one change each, biggest saving first)"), std::string::npos);

  const fs::path bad = ledger_.dir / "budget-bad.html";
  const auto failed =
      joule({"report", "--budget", kCctv.string(), "--what-if", "regoin=FR", "-o", bad.string()});
  EXPECT_NE(failed.exit_code, 0);
  EXPECT_EQ(failed.err, joule({"budget", kCctv.string(), "--what-if", "regoin=FR"}).err);
  EXPECT_FALSE(fs::exists(bad));
  const auto alone = joule({"report", "--bench", kBench.string(), "--what-if", "region=SE"});
  EXPECT_NE(alone.exit_code, 0);
  EXPECT_NE(alone.err.find("go with --budget SCENARIO"), std::string::npos) << alone.err;
}

TEST_F(ReportCli, ABadBudgetScenarioGivesJouleBudgetsError) {
  const fs::path scenario = ledger_.dir / "bad.toml";
  std::ofstream(scenario) << "name = \"x\"\nhorizon_yeers = 3\n";
  const fs::path page = ledger_.dir / "bad.html";
  const auto failed = joule({"report", "--budget", scenario.string(), "-o", page.string()});
  const auto budget = joule({"budget", scenario.string()});
  EXPECT_NE(failed.exit_code, 0);
  EXPECT_EQ(failed.err, budget.err);
  EXPECT_NE(failed.err.find("horizon_yeers"), std::string::npos) << failed.err;
  EXPECT_FALSE(fs::exists(page));
  EXPECT_NE(joule({"report", "--budget", scenario.string(), "--bench", kBench.string()}).exit_code,
            0);
}

TEST_F(ReportCli, LabelAsPngThroughChromium) {
  require_chromium();
  const fs::path png = ledger_.dir / "logreg.png";
  const auto made =
      joule({"label", "--bench", kBench.string(), "--model", "logreg", "-o", png.string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_NE(made.err.find("class C"), std::string::npos) << made.err;
  const Pixels pixels = decode_png(png);
  EXPECT_EQ(pixels.width, 362);
  const Ink painted = ink(pixels);
  EXPECT_GT(painted.share, 0.15);  // seven coloured bars and a blue header
  EXPECT_GT(painted.colours, 20u);
  EXPECT_FALSE(fs::exists(png.string() + ".svg"));  // the intermediate SVG is gone
  const fs::path svg = ledger_.dir / "logreg.svg";
  ASSERT_EQ(joule({"label", "--bench", kBench.string(), "--model", "logreg", "-o", svg.string()})
                .exit_code,
            0);
  EXPECT_EQ(print(svg).count, 1);
}

// The checks above must fail when a page does reach out: a CSP refusal is
// logged, and without the CSP the request reaches the trap.
TEST_F(ReportCli, BrowserChecksCatchAPageThatLoadsSomething) {
  require_chromium();
  const fs::path page = ledger_.dir / "run.html";
  ASSERT_EQ(joule({"report", "20240501-120000-aaaa0001", "-o", page.string()}).exit_code, 0);
  std::string html = support::read_file(page).value();
  const std::string external = "<img src=\"http://fonts.example.com/x.png\">";
  html.replace(html.find("<body>"), 6, "<body>" + external);
  const fs::path with_csp = ledger_.dir / "with-csp.html";
  std::ofstream(with_csp) << html;
  const auto refused = look_at(chromium_, with_csp).console;
  ASSERT_FALSE(refused.empty());
  EXPECT_NE(refused.front().find("Content Security Policy"), std::string::npos) << refused.front();
  html = std::regex_replace(html, std::regex("<meta http-equiv=\"Content-Security-Policy\"[^>]*>"),
                            "");
  const fs::path without_csp = ledger_.dir / "without-csp.html";
  std::ofstream(without_csp) << html;
  const auto requests = look_at(chromium_, without_csp).requests;
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requested_host(requests.front()), "fonts.example.com");
}

TEST_F(ReportCli, BadInputGivesTheCommandsOwnErrors) {
  const auto unknown = joule({"report", "19990101", "-o", (ledger_.dir / "x.html").string()});
  const auto shown = joule({"show", "19990101"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_EQ(unknown.err, shown.err);
  EXPECT_FALSE(fs::exists(ledger_.dir / "x.html"));

  const auto empty = joule({"report", "--bench", ledger_.dir.string()});
  EXPECT_NE(empty.exit_code, 0);
  EXPECT_NE(empty.err.find("no results.json"), std::string::npos) << empty.err;
  const auto label = joule({"label", "--bench", kBench.string(), "--model", "resnet"});
  EXPECT_NE(label.exit_code, 0);
  EXPECT_NE(label.err.find("it has: logreg, mlp, cnn"), std::string::npos) << label.err;
  EXPECT_NE(
      joule({"report", "--statement", "20240501-120000-aaaa0001", "--format", "html"}).exit_code,
      0);
}

TEST_F(ReportCli, AResultsFileThatIsNotJoulesNamesTheKey) {
  const fs::path dir = ledger_.dir / "bench";
  fs::create_directories(dir);
  std::string results = support::read_file(kBench / "results.json").value();
  const std::string task = "\"task\": \"fashion-mnist\"";
  results.replace(results.find(task), task.size(), "\"task\": 7");
  std::ofstream(dir / "results.json") << results;
  const auto failed = joule({"report", "--bench", dir.string()});
  EXPECT_NE(failed.exit_code, 0);
  EXPECT_NE(failed.err.find((dir / "results.json").string() + ": runs[0].task: expected a string"),
            std::string::npos)
      << failed.err;
}

TEST_F(ReportCli, TrainingLabelRatesTheEnergyToReachTheTier) {
  const auto made = joule({"label", "--bench", kBench.string(), "--model", "logreg", "--training"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  // 56.7 J to reach 0.84: between 31.6 J and 100 J, class D.
  EXPECT_NE(made.out.find("class D"), std::string::npos);
  EXPECT_NE(made.out.find(">1.57×10⁻⁵ kWh</tspan><tspan font-size=\"12\"> to reach the tier<"),
            std::string::npos)
      << made.out;
  EXPECT_NE(made.out.find(">56.7 J · 1/1 seeds reached it<"), std::string::npos) << made.out;
  // The reproduce line runs as it stands: the bench's output directory by
  // its own name, not the path it had where the fixture was made.
  EXPECT_NE(made.out.find(">joule bench --quick --no-ledger --out quick &amp;&amp; joule label<"),
            std::string::npos)
      << made.out;
  EXPECT_NE(made.out.find(">--bench quick --model logreg --training<"), std::string::npos);
  EXPECT_EQ(made.out.find("/tmp/"), std::string::npos) << made.out;
  EXPECT_EQ(made.out.find("/work/"), std::string::npos) << made.out;
}

// A run whose tiers have no scale gets no label and is told which tiers
// have one, never a class from a neighbouring scale.
TEST_F(ReportCli, ATierWithoutAScaleNamesTheTiersThatHaveOne) {
  const fs::path dir = ledger_.dir / "other-tiers";
  fs::create_directories(dir);
  fs::copy(kBench, dir, fs::copy_options::recursive);
  std::string results = support::read_file(dir / "results.json").value();
  const std::string tiers = "\"tiers\": [\n          0.84,";
  ASSERT_NE(results.find(tiers), std::string::npos);
  results.replace(results.find(tiers), tiers.size(), "\"tiers\": [\n          0.83,");
  std::ofstream(dir / "results.json") << results;
  const auto label = joule({"label", "--bench", dir.string(), "--model", "logreg"});
  EXPECT_NE(label.err.find("logreg: no label: fashion-mnist's inference scale on cpu is fixed at "
                           "the accuracy tiers 0.84, 0.88, 0.91, not at this run's accuracy ≥ "
                           "0.83 (rerun joule bench with --tiers 0.84,0.88,0.91"),
            std::string::npos)
      << label.err;
}

TEST_F(ReportCli, AnOutputThatCannotBeWrittenLeavesNoFile) {
  // A directory where the file should go: the rename fails after the write.
  const fs::path taken = ledger_.dir / "out.html";
  fs::create_directories(taken);
  const auto failed = joule({"report", "20240501-120000-aaaa0001", "-o", taken.string()});
  EXPECT_NE(failed.exit_code, 0);
  EXPECT_NE(failed.err.find("cannot write " + taken.string()), std::string::npos) << failed.err;
  // Under a regular file: not even the temporary file can be made.
  const auto under_file =
      joule({"report", "20240501-120000-aaaa0001", "-o", (ledger_.path / "x.html").string()});
  EXPECT_NE(under_file.exit_code, 0);
  for (const auto& entry : fs::directory_iterator(ledger_.dir)) {
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << entry.path();
  }
}

TEST_F(ReportCli, StatementsInMarkdownAndLatex) {
  const auto markdown = joule({"report", "--statement", "20240501-120000-aaaa0001"});
  ASSERT_EQ(markdown.exit_code, 0) << markdown.err;
  EXPECT_NE(markdown.out.find("| Grid intensity |"), std::string::npos);
  const auto latex =
      joule({"report", "--statement", "--bench", kBench.string(), "--format", "latex"});
  ASSERT_EQ(latex.exit_code, 0) << latex.err;
  EXPECT_NE(latex.out.find("\\begin{tabular}"), std::string::npos);
  EXPECT_NE(latex.out.find("modelled, not measured"), std::string::npos);
}

}  // namespace
}  // namespace joule::testing

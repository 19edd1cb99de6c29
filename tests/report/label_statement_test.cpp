// Energy label scales and drawings; the statement for papers in Markdown and
// in LaTeX (texlive is not installed on the build machines, so the LaTeX is
// checked here for what makes pdflatex fail: unbalanced braces and
// environments, unescaped specials, characters outside ASCII).
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <stack>
#include <tuple>

#include "record/sample_record.hpp"
#include "report/label.hpp"
#include "report/statement.hpp"
#include "report/summary.hpp"

namespace joule::report {
namespace {

LabelScale fashion_inference(double tier = 0.84) {
  auto scale = find_label_scale("fashion-mnist", LabelPurpose::inference, "cpu", tier);
  EXPECT_TRUE(scale.has_value());
  return scale.value_or(LabelScale{});
}

TEST(LabelScale, BoundsAreFixedAndTwoClassesPerDecade) {
  const auto scales = label_scales();
  ASSERT_EQ(scales.size(), 54u);  // 3 tasks x 2 purposes x 3 tiers x 3 device classes
  for (const auto& scale : scales) {
    for (std::size_t k = 1; k < scale.upper_bounds.size(); ++k) {
      EXPECT_NEAR(scale.upper_bounds[k] / scale.upper_bounds[k - 1], std::sqrt(10.0), 1e-6)
          << scale.id << " tier " << scale.tier;
    }
  }
  // Each tier up moves the scale one class up.
  EXPECT_NEAR(fashion_inference(0.88).upper_bounds[0] / fashion_inference(0.84).upper_bounds[0],
              std::sqrt(10.0), 1e-3);
}

TEST(LabelScale, ClassesFollowTheBoundsInclusively) {
  const LabelScale scale = fashion_inference();
  EXPECT_EQ(energy_class(scale, Joules{0}), 'A');
  EXPECT_EQ(energy_class(scale, scale.upper_bounds[0]), 'A');
  EXPECT_EQ(energy_class(scale, Joules{scale.upper_bounds[0].joules * 1.001}), 'B');
  EXPECT_EQ(energy_class(scale, Joules{0.0165}), 'C');  // logreg, the anchor
  EXPECT_EQ(energy_class(scale, Joules{0.675}), 'F');   // mlp
  EXPECT_EQ(energy_class(scale, Joules{7.86}), 'G');    // cnn
  EXPECT_EQ(energy_class(scale, Joules{NAN}), std::nullopt);
  EXPECT_EQ(energy_class(scale, Joules{-1}), std::nullopt);
}

TEST(LabelScale, UnknownTaskOrTierHasNoScale) {
  EXPECT_FALSE(find_label_scale("austen-chars", LabelPurpose::inference, "cpu", 2.3));
  EXPECT_FALSE(find_label_scale("fashion-mnist", LabelPurpose::inference, "gpu", 0.84));
  EXPECT_FALSE(find_label_scale("fashion-mnist", LabelPurpose::inference, "cpu", 0.85));
  EXPECT_FALSE(find_label_scale("imagenet", LabelPurpose::inference, "cpu", 0.7));
  EXPECT_TRUE(label_scale_tiers("imagenet", LabelPurpose::inference, "cpu").empty());
  EXPECT_TRUE(find_label_scale("fashion-mnist", LabelPurpose::training, "cpu", 0.91));
}

// The scale of a task is data: one row per (task, purpose, device class,
// tier), each key once, and every task rated on every device class.
TEST(LabelScale, EveryTaskHasOneScalePerPurposeDeviceClassAndTier) {
  std::set<std::tuple<std::string, LabelPurpose, std::string, double>> keys;
  std::map<std::string, std::set<std::string>> classes_of_task;
  for (const auto& scale : label_scales()) {
    EXPECT_TRUE(keys.emplace(scale.task, scale.purpose, scale.device_class, scale.tier).second)
        << scale.id << " tier " << scale.tier << " twice";
    EXPECT_FALSE(scale.reference.empty()) << scale.id;
    classes_of_task[scale.task].insert(scale.device_class);
  }
  const std::set<std::string> all = {"cpu", "datacenter-gpu", "consumer-gpu"};
  for (const std::string task : {"fashion-mnist", "austen-chars", "austen-novel"}) {
    EXPECT_EQ(classes_of_task[task], all) << task;
  }
}

TEST(LabelScale, AustenScalesAreFixedAtTheirTiers) {
  // austen-chars' labels use fixed tiers, easiest first; its n-gram anchor
  // (41.5 J per 1,000 characters at 2.2 bits/char) falls in C.
  EXPECT_EQ(label_scale_tiers("austen-chars", LabelPurpose::inference, "cpu"),
            (std::vector<double>{2.4, 2.2, 2.0}));
  const auto chars = find_label_scale("austen-chars", LabelPurpose::inference, "cpu", 2.2);
  ASSERT_TRUE(chars);
  EXPECT_EQ(energy_class(*chars, Joules{41.5}), 'C');
  const auto chars_training = find_label_scale("austen-chars", LabelPurpose::training, "cpu", 2.2);
  ASSERT_TRUE(chars_training);
  EXPECT_EQ(energy_class(*chars_training, Joules{172}), 'D');
  // austen-novel's anchor, tfidf-logreg, falls in C and D at the first tier.
  const auto novel = find_label_scale("austen-novel", LabelPurpose::inference, "cpu", 0.60);
  ASSERT_TRUE(novel);
  EXPECT_EQ(novel->id, "novel-inf-cpu-2026");
  EXPECT_EQ(energy_class(*novel, Joules{0.484}), 'C');
  const auto novel_training = find_label_scale("austen-novel", LabelPurpose::training, "cpu", 0.60);
  ASSERT_TRUE(novel_training);
  EXPECT_EQ(energy_class(*novel_training, Joules{10.6}), 'D');
  EXPECT_TRUE(find_label_scale("austen-novel", LabelPurpose::training, "cpu", 0.85));
}

TEST(LabelScale, GpuClassesTakeTheCpuBoundsUnderTheirOwnIds) {
  const LabelScale cpu = fashion_inference();
  for (const std::string device : {"datacenter-gpu", "consumer-gpu"}) {
    const auto gpu = find_label_scale("fashion-mnist", LabelPurpose::inference, device, 0.84);
    ASSERT_TRUE(gpu) << device;
    EXPECT_NE(gpu->id, cpu.id);
    for (std::size_t k = 0; k < cpu.upper_bounds.size(); ++k) {
      EXPECT_NEAR(gpu->upper_bounds[k].joules, cpu.upper_bounds[k].joules, 1e-12) << device;
    }
  }
}

EnergyLabel sample_label() {
  EnergyLabel label;
  label.model = "logreg";
  label.task = "fashion-mnist";
  label.tier = "accuracy ≥ 0.84";
  label.device_class = "cpu";
  label.device = "Xeon, 2 logical cores";
  label.scale = fashion_inference();
  label.energy = Joules{0.0165};
  label.energy_class = 'C';
  label.relative_uncertainty = 0.5;
  label.modelled = true;
  label.energy_source = "modelled: estimator";
  label.intensity_g_per_kwh = 472.9;
  label.command = "joule bench --quick && joule label --bench out --model logreg";
  return label;
}

TEST(Label, DrawsClassFiguresProvenanceAndCommand) {
  const EnergyLabel label = sample_label();
  const std::string svg = label_svg(label);
  // 16.5 mJ per 1,000 inferences is 16.5 J per million: 4.58 mWh, stated
  // in kWh as the EU label states energy.
  EXPECT_EQ(label_energy_text(label), "4.58×10⁻⁶ kWh per million inferences");
  EXPECT_NE(svg.find(">4.58×10⁻⁶ kWh</tspan><tspan font-size=\"12\"> per million inferences<"),
            std::string::npos)
      << svg;
  EXPECT_NE(svg.find("16.5 mJ per 1,000 inferences"), std::string::npos);
  EXPECT_NE(svg.find("class C"), std::string::npos);
  EXPECT_NE(svg.find("MODELLED, not measured"), std::string::npos);
  EXPECT_NE(svg.find("0.00217 gCO2e at 473 gCO2e/kWh"), std::string::npos) << svg;
  EXPECT_NE(svg.find("joule bench --quick"), std::string::npos);
  EXPECT_NE(svg.find("fmnist-inf-cpu-2026"), std::string::npos);
  // The arrow: a second, larger letter C beside the C bar.
  EXPECT_EQ(std::regex_search(svg, std::regex(R"(font-size="24"[^>]*>C</text>)")), true);

  EnergyLabel measured = label;
  measured.modelled = false;
  EXPECT_EQ(label_svg(measured).find("MODELLED"), std::string::npos);
  EXPECT_NE(label_svg(measured).find("MEASURED"), std::string::npos);
}

// What pdflatex rejects: an unbalanced brace, an \end that closes another
// environment, a special character left raw, bytes outside ASCII.
void expect_compilable_latex(const std::string& tex) {
  int depth = 0;
  std::stack<std::string> environments;
  const std::regex environment(R"(\\(begin|end)\{([a-z*]+)\})");
  for (auto it = std::sregex_iterator(tex.begin(), tex.end(), environment);
       it != std::sregex_iterator(); ++it) {
    if ((*it)[1] == "begin") {
      environments.push((*it)[2]);
    } else {
      ASSERT_FALSE(environments.empty()) << "\\end{" << (*it)[2] << "} without \\begin";
      EXPECT_EQ(environments.top(), (*it)[2]);
      environments.pop();
    }
  }
  EXPECT_TRUE(environments.empty());
  bool in_comment = false;
  for (std::size_t i = 0; i < tex.size(); ++i) {
    const char c = tex[i];
    if (c == '\n') in_comment = false;
    if (in_comment) continue;
    EXPECT_LT(static_cast<unsigned char>(c), 128u) << "non-ASCII byte at " << i;
    const bool escaped = i > 0 && tex[i - 1] == '\\' && (i < 2 || tex[i - 2] != '\\');
    if (c == '%' && !escaped) in_comment = true;
    if (escaped) continue;
    if (c == '{') ++depth;
    if (c == '}') --depth;
    EXPECT_GE(depth, 0) << "unbalanced } at " << i;
    EXPECT_TRUE(c != '$' && c != '#' && c != '_' && c != '^' && c != '~')
        << "raw '" << c << "' at " << i << ": " << tex.substr(i > 30 ? i - 30 : 0, 60);
  }
  EXPECT_EQ(depth, 0);
}

TEST(Statement, LatexEscapesEverySpecial) {
  EXPECT_EQ(latex_escape(R"(50% of $5 & #1_a {b} ~ ^ \)"),
            R"(50\% of \$5 \& \#1\_a \{b\} \textasciitilde{} \textasciicircum{} \textbackslash{})");
  EXPECT_EQ(latex_escape("±5.0% × 2 – 3 µg"),
            R"(\ensuremath{\pm}5.0\% \ensuremath{\times} 2 -- 3 \ensuremath{\mu}g)");
}

TEST(Statement, RunStatementAnswersTheChecklist) {
  auto run = testing::sample_record();
  run.command = {"python", "train_%d.py", "--lr=1e-3", "$HOME/data_set#1"};
  const Statement statement = run_statement(run);
  std::vector<std::string> items;
  for (const auto& [item, value] : statement.facts) items.push_back(item);
  for (const char* wanted :
       {"Hardware", "Sensors and provenance", "Energy", "Duration", "Location", "Grid intensity",
        "PUE", "Carbon, total", "Carbon, embodied", "Command", "joule"}) {
    EXPECT_NE(std::find(items.begin(), items.end(), wanted), items.end()) << wanted;
  }
  const std::string markdown = render_statement(statement, StatementFormat::markdown);
  EXPECT_NE(markdown.find("| Grid intensity | " + intensity_text(*run.carbon) + " |"),
            std::string::npos);
  EXPECT_NE(markdown.find("Henderson et al. (2020)"), std::string::npos);

  const std::string latex = render_statement(statement, StatementFormat::latex);
  expect_compilable_latex(latex);
  EXPECT_NE(latex.find("\\begin{tabular}"), std::string::npos);
  EXPECT_NE(latex.find("\\texttt{python train\\_\\%d.py"), std::string::npos) << latex;
  // One column separator per row: an unescaped & in a value would add one.
  const std::regex row(R"(\n([^\n]*) \\\\\n)");
  for (auto it = std::sregex_iterator(latex.begin(), latex.end(), row);
       it != std::sregex_iterator(); ++it) {
    const std::string line = (*it)[1];
    const auto raw = std::regex_replace(line, std::regex(R"(\\&)"), "");
    EXPECT_EQ(std::count(raw.begin(), raw.end(), '&'), 1) << line;
  }
}

TEST(Statement, ParsesOnlyItsTwoFormats) {
  EXPECT_EQ(parse_statement_format("latex"), StatementFormat::latex);
  EXPECT_EQ(parse_statement_format("markdown"), StatementFormat::markdown);
  EXPECT_FALSE(parse_statement_format("html"));
}

}  // namespace
}  // namespace joule::report

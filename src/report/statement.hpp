#pragma once
// The statement for papers: a short paragraph and a table of what
// reproducibility checklists ask for (Henderson et al. 2020, "Towards the
// systematic reporting of the energy and carbon footprints of machine
// learning"; Lacoste et al. 2019, "Quantifying the carbon emissions of
// machine learning"): hardware, sensors and provenance, energy, duration,
// location and grid intensity with their sources, PUE, carbon with its
// range, embodied emissions, the command and joule's version. Markdown to
// paste into a README, LaTeX that compiles as a fragment of a paper.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "record/run_record.hpp"

namespace joule::report {

enum class StatementFormat { markdown, latex };
// "markdown" or "latex"; nullopt otherwise.
std::optional<StatementFormat> parse_statement_format(std::string_view text);

struct Statement {
  std::string title;                                       // the table's caption
  std::string paragraph;                                   // plain text, no markup
  std::vector<std::pair<std::string, std::string>> facts;  // item, value (plain text)
  std::string citation;                                    // how to cite the figures
};

Statement run_statement(const record::RunRecord& run);

// The checklist rows every statement shares about where the energy was
// drawn: location (and how it was decided), grid intensity, PUE and T&D
// losses, each with its source.
std::vector<std::pair<std::string, std::string>> carbon_setting_facts(
    const record::CarbonRecord& carbon);
// "1.23 g [1.00 g – 1.50 g]": central, then low – high.
std::string carbon_range_text(const carbon::Estimate& range);

std::string render_statement(const Statement& statement, StatementFormat format);

// Text for LaTeX's text mode: the ten specials escaped, and the non-ASCII
// characters joule prints (± – × µ ≥ · …) as commands pdflatex knows without
// extra packages.
std::string latex_escape(std::string_view text);

}  // namespace joule::report

#include "report/statement.hpp"

#include <fmt/format.h>

#include <array>

#include "joule/version.h"
#include "report/format.hpp"
#include "report/summary.hpp"

namespace joule::report {
namespace {

using record::RunRecord;

std::string sensors_text(const RunRecord& run) {
  std::string out;
  for (const auto& domain : run.domains) {
    if (!domain.in_total) continue;
    out += fmt::format("{}{} ({}, {}, {})", out.empty() ? "" : "; ", domain.id,
                       to_string(domain.provenance), domain.source,
                       format_relative(domain.relative_uncertainty));
  }
  return out.empty() ? "none recorded" : out;
}

std::string energy_text(const RunRecord& run) {
  const auto& t = run.totals;
  std::string text = fmt::format(
      "{} attributed ({}, {}); {} for the whole machine", Joules{t.attributed_energy_j},
      to_string(t.provenance), format_relative(t.relative_uncertainty), Joules{t.machine_energy_j});
  if (run.idle) text += fmt::format(", of which idle {}", Joules{t.idle_energy_j});
  return text;
}

std::string paragraph_of(const RunRecord& run) {
  const auto& t = run.totals;
  std::string text = fmt::format(
      "We measured the energy of `{}` with joule {} (run {}, started {}). On {}, the command ran "
      "for {} and was attributed {} of energy ({}, {}; {} for the whole machine){}.",
      command_text(run), run.joule_version.empty() ? JOULE_VERSION_STRING : run.joule_version,
      run.id, run.started_at, host_text(run.host), Seconds{run.duration_s},
      Joules{t.attributed_energy_j}, to_string(t.provenance),
      format_relative(t.relative_uncertainty), Joules{t.machine_energy_j},
      run.attribution.method.empty() ? "" : ", attributed by " + run.attribution.method);
  if (run.carbon) {
    const auto& c = *run.carbon;
    text += fmt::format(
        " At {} ({}), with a grid intensity of {} and a PUE of {:.2f} ({}), this is {} CO2e, of "
        "which {} embodied.",
        c.location.empty() ? "an unknown location" : c.location, c.location_method,
        intensity_text(c), c.pue, c.pue_source, carbon_range_text(c.total_co2e_g),
        carbon_range_text(c.embodied_co2e_g));
  } else {
    text += " No carbon figure is given: the location and grid intensity were not known.";
  }
  return text;
}

// Markdown cells: a '|' would end the cell.
std::string markdown_cell(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string render_markdown(const Statement& s) {
  std::string out = s.paragraph + "\n\n| " + s.title + " | |\n|---|---|\n";
  for (const auto& [item, value] : s.facts) {
    out += fmt::format("| {} | {} |\n", markdown_cell(item), markdown_cell(value));
  }
  return out + "\n" + s.citation + "\n";
}

// `code` spans of the paragraph become \texttt, the rest is escaped text.
std::string latex_paragraph(const std::string& text) {
  std::string out;
  bool code = false;
  std::size_t start = 0;
  for (std::size_t tick = text.find('`'); tick != std::string::npos; tick = text.find('`', start)) {
    const std::string part = latex_escape(text.substr(start, tick - start));
    out += code ? "\\texttt{" + part + "}" : part;
    code = !code;
    start = tick + 1;
  }
  const std::string rest = latex_escape(text.substr(start));
  return out + (code ? "\\texttt{" + rest + "}" : rest);
}

std::string render_latex(const Statement& s) {
  std::string out = "% joule statement: paste into the body of a LaTeX document.\n";
  out += latex_paragraph(s.paragraph) + "\n\n";
  out += "\\begin{table}[ht]\n\\centering\n\\small\n";
  out += "\\begin{tabular}{@{}p{0.27\\linewidth}p{0.68\\linewidth}@{}}\n\\hline\n";
  for (const auto& [item, value] : s.facts) {
    out += fmt::format("{} & {} \\\\\n", latex_escape(item), latex_escape(value));
  }
  out += "\\hline\n\\end{tabular}\n";
  out += fmt::format("\\caption{{{}}}\n\\end{{table}}\n\n", latex_escape(s.title));
  return out + latex_escape(s.citation) + "\n";
}

}  // namespace

std::string carbon_range_text(const carbon::Estimate& range) {
  return fmt::format("{} [{} – {}]", GramsCO2e{range.central}, GramsCO2e{range.low},
                     GramsCO2e{range.high});
}

std::optional<StatementFormat> parse_statement_format(std::string_view text) {
  if (text == "markdown") return StatementFormat::markdown;
  if (text == "latex") return StatementFormat::latex;
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> carbon_setting_facts(
    const record::CarbonRecord& c) {
  return {
      {"Location",
       fmt::format("{} ({})", c.location.empty() ? "unknown" : c.location, c.location_method)},
      {"Grid intensity", intensity_text(c)},
      {"PUE", fmt::format("{:.2f} ({})", c.pue, c.pue_source)},
      {"T&D losses", fmt::format("{} ({})", format_percent(c.td_loss_fraction), c.td_loss_source)}};
}

Statement run_statement(const RunRecord& run) {
  Statement s;
  s.title = fmt::format("Energy and carbon of run {} (joule)", run.id);
  s.paragraph = paragraph_of(run);
  s.facts = {{"Hardware", host_text(run.host).empty() ? "not recorded" : host_text(run.host)},
             {"Sensors and provenance", sensors_text(run)},
             {"Energy", energy_text(run)},
             {"Duration", fmt::format("{}", Seconds{run.duration_s})}};
  if (run.carbon) {
    for (auto& fact : carbon_setting_facts(*run.carbon)) s.facts.push_back(std::move(fact));
    s.facts.emplace_back("Carbon, operational", carbon_range_text(run.carbon->operational_co2e_g));
    s.facts.emplace_back("Carbon, embodied", carbon_range_text(run.carbon->embodied_co2e_g));
    s.facts.emplace_back("Carbon, total", carbon_range_text(run.carbon->total_co2e_g));
  } else {
    s.facts.emplace_back("Carbon", "not computed (no location or grid intensity known)");
  }
  s.facts.emplace_back("Command", command_text(run));
  s.facts.emplace_back(
      "joule", fmt::format("{} (record schema {}.{}), run {}",
                           run.joule_version.empty() ? JOULE_VERSION_STRING : run.joule_version,
                           run.schema.major, run.schema.minor, run.id));
  s.citation = fmt::format(
      "Figures from joule {}, run {}; ranges are central [low – high]. Reported following "
      "Henderson et al. (2020) and Lacoste et al. (2019).",
      JOULE_VERSION_STRING, run.id);
  return s;
}

std::string render_statement(const Statement& statement, StatementFormat format) {
  return format == StatementFormat::latex ? render_latex(statement) : render_markdown(statement);
}

std::string latex_escape(std::string_view text) {
  // Multi-byte characters first: each is matched as a whole UTF-8 sequence.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> unicode = {{
      {"±", "\\ensuremath{\\pm}"},
      {"–", "--"},
      {"—", "---"},
      {"×", "\\ensuremath{\\times}"},
      {"µ", "\\ensuremath{\\mu}"},
      {"≥", "\\ensuremath{\\geq}"},
      {"≤", "\\ensuremath{\\leq}"},
      {"·", "\\ensuremath{\\cdot}"},
      {"…", "\\ldots{}"},
  }};
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    bool matched = false;
    for (const auto& [from, to] : unicode) {
      if (text.substr(i, from.size()) == from) {
        out += to;
        i += from.size();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    const char c = text[i++];
    switch (c) {
      case '\\':
        out += "\\textbackslash{}";
        break;
      case '&':
      case '%':
      case '$':
      case '#':
      case '_':
      case '{':
      case '}':
        out += '\\';
        out += c;
        break;
      case '~':
        out += "\\textasciitilde{}";
        break;
      case '^':
        out += "\\textasciicircum{}";
        break;
      case '`':
        out += "\\textasciigrave{}";
        break;
      case '<':
        out += "\\textless{}";
        break;
      case '>':
        out += "\\textgreater{}";
        break;
      case '|':
        out += "\\textbar{}";
        break;
      case '-':
        // "--" would print as a dash: keep command-line options as typed.
        out += i < text.size() && text[i] == '-' ? "-{}" : "-";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace joule::report

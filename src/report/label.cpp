#include "report/label.hpp"

#include <fmt/format.h>

#include <cmath>

#include "joule/format.hpp"
#include "refdata/csv.hpp"
#include "report/format.hpp"
#include "report/html.hpp"

namespace joule::report {
namespace {

constexpr std::string_view kScaleTable = "label_scales.csv";
constexpr double kInferencesPerLabelUnit = 1e6;  // the label speaks of a million inferences
constexpr double kLabelUnitPerFigure = kInferencesPerLabelUnit / 1000;  // figures are per 1,000

// The EU label's colours, A (dark green) to G (red).
constexpr std::array<const char*, 7> kClassColours = {"#00a651", "#50b848", "#bed630", "#fff200",
                                                      "#fdb913", "#f37021", "#ed1c24"};

LabelPurpose parse_purpose(const refdata::ReferenceTable& table, std::size_t row) {
  const std::string_view text = table.text(row, "purpose");
  if (text == "inference") return LabelPurpose::inference;
  if (text == "training") return LabelPurpose::training;
  throw refdata::DataError(table.origin(), table.line_of(row), table.column_of(row, "purpose"),
                           fmt::format("purpose '{}' is not inference or training", text));
}

double required(const refdata::ReferenceTable& table, std::size_t row, std::string_view column) {
  const auto value = table.number(row, column);
  if (!value || !(*value > 0)) {
    throw refdata::DataError(table.origin(), table.line_of(row), table.column_of(row, column),
                             fmt::format("{} must be a positive number", column));
  }
  return *value;
}

LabelScale scale_of_row(const refdata::ReferenceTable& table, std::size_t row) {
  LabelScale scale;
  scale.id = std::string(table.text(row, "scale_id"));
  scale.task = std::string(table.text(row, "task"));
  scale.purpose = parse_purpose(table, row);
  scale.device_class = std::string(table.text(row, "device_class"));
  scale.tier = required(table, row, "tier");
  scale.reference = std::string(table.text(row, "reference"));
  const double a_max = required(table, row, "a_max_j");
  const double step = required(table, row, "step");
  for (std::size_t k = 0; k < scale.upper_bounds.size(); ++k) {
    scale.upper_bounds[k] = Joules{a_max * std::pow(step, static_cast<double>(k))};
  }
  return scale;
}

std::string text_at(double x, double y, const std::string& text, const std::string& attributes) {
  return fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" {}>{}</text>\n", x, y, attributes,
                     html::escape(text));
}

// The seven bars, widening from A to G, each with its letter and range, and
// the black arrow at the label's class.
std::string class_bars(const EnergyLabel& label, double top) {
  std::string out;
  constexpr double bar_height = 26;
  constexpr double gap = 4;
  for (int k = 0; k < 7; ++k) {
    const double y = top + k * (bar_height + gap);
    const double width = 120 + 22.0 * k;
    const char letter = static_cast<char>('A' + k);
    out += fmt::format(
        "<path d=\"M20 {0:.1f} h{1:.1f} l12 {2:.1f} l-12 {2:.1f} h-{1:.1f} z\" fill=\"{3}\"/>\n", y,
        width, bar_height / 2, kClassColours[static_cast<std::size_t>(k)]);
    out += text_at(28, y + 19, std::string(1, letter),
                   "font-size=\"18\" font-weight=\"bold\" fill=\"white\" stroke=\"#333\" "
                   "stroke-width=\"0.6\"");
    const std::string range =
        k == 0   ? fmt::format("≤ {}", label.scale.upper_bounds[0])
        : k == 6 ? fmt::format("> {}", label.scale.upper_bounds[5])
                 : fmt::format("≤ {}", label.scale.upper_bounds[static_cast<std::size_t>(k)]);
    out += text_at(50, y + 18, range, "font-size=\"11\" fill=\"#111\"");
    if (letter == label.energy_class) {
      out += fmt::format(
          "<path d=\"M340 {0:.1f} h-62 l-16 {1:.1f} l16 {1:.1f} h62 z\" fill=\"#111\"/>\n", y - 2,
          bar_height / 2 + 2);
      out += text_at(306, y + 21, std::string(1, letter),
                     "font-size=\"24\" font-weight=\"bold\" fill=\"white\" text-anchor=\"middle\"");
    }
  }
  return out;
}

// Text broken at spaces into lines of at most `width` characters (a longer
// word stays whole on its own line).
std::vector<std::string> wrap(const std::string& text, std::size_t width) {
  std::vector<std::string> lines;
  std::string line;
  for (std::size_t start = 0; start <= text.size();) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!line.empty() && line.size() + word.size() + 1 > width) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    start = end + 1;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

// One <text> per line, 12 px apart, the first at `y`.
std::string wrapped(double x, double y, const std::string& text, std::size_t width,
                    const std::string& attributes) {
  std::string out;
  for (const std::string& line : wrap(text, width)) {
    out += text_at(x, y, line, attributes);
    y += 12;
  }
  return out;
}

// In grams whatever the size, as the label's energy is in kWh whatever the size.
std::string carbon_line(const EnergyLabel& label, double energy_j) {
  if (!label.intensity_g_per_kwh) return "carbon: no grid intensity stated";
  const GramsCO2e carbon{Joules{energy_j}.kilowatt_hours() * *label.intensity_g_per_kwh};
  return fmt::format("{:g}CO2e at {:.0f} gCO2e/kWh", carbon, *label.intensity_g_per_kwh);
}

std::string main_figure_value(const EnergyLabel& label) {
  return label.scale.purpose == LabelPurpose::inference
             ? fmt::format("{:kWh}", Joules{label.energy.joules * kLabelUnitPerFigure})
             : fmt::format("{:kWh}", label.energy);
}

const char* main_figure_unit(const EnergyLabel& label) {
  return label.scale.purpose == LabelPurpose::inference ? "per million inferences"
                                                        : "to reach the tier";
}

// The rated figure large and what it counts small, on one line, so that a
// figure with a power of ten still fits the label's width.
std::string main_figure(const EnergyLabel& label, double x, double y) {
  return fmt::format(
      "<text x=\"{:.1f}\" y=\"{:.1f}\"><tspan font-size=\"20\" font-weight=\"bold\">{}</tspan>"
      "<tspan font-size=\"12\"> {}</tspan></text>\n",
      x, y, html::escape(main_figure_value(label)), main_figure_unit(label));
}

}  // namespace

std::string to_string(LabelPurpose purpose) {
  return purpose == LabelPurpose::inference ? "inference" : "training";
}

std::vector<LabelScale> label_scales() {
  const auto& table = refdata::ReferenceTable::embedded(kScaleTable);
  std::vector<LabelScale> scales;
  for (std::size_t row = 0; row < table.size(); ++row) scales.push_back(scale_of_row(table, row));
  return scales;
}

std::optional<LabelScale> find_label_scale(const std::string& task, LabelPurpose purpose,
                                           const std::string& device_class, double tier) {
  for (LabelScale& scale : label_scales()) {
    if (scale.task == task && scale.purpose == purpose && scale.device_class == device_class &&
        std::fabs(scale.tier - tier) <= 1e-9 * std::max(1.0, std::fabs(tier))) {
      return std::move(scale);
    }
  }
  return std::nullopt;
}

std::vector<double> label_scale_tiers(const std::string& task, LabelPurpose purpose,
                                      const std::string& device_class) {
  std::vector<double> tiers;
  for (const LabelScale& scale : label_scales()) {
    if (scale.task == task && scale.purpose == purpose && scale.device_class == device_class) {
      tiers.push_back(scale.tier);
    }
  }
  return tiers;
}

std::optional<char> energy_class(const LabelScale& scale, Joules energy) {
  if (!std::isfinite(energy.joules) || energy.joules < 0) return std::nullopt;
  for (std::size_t k = 0; k < scale.upper_bounds.size(); ++k) {
    if (energy <= scale.upper_bounds[k]) return static_cast<char>('A' + k);
  }
  return 'G';
}

std::string label_energy_text(const EnergyLabel& label) {
  return fmt::format("{} {}", main_figure_value(label), main_figure_unit(label));
}

std::string label_svg(const EnergyLabel& label) {
  constexpr double width = 360;
  constexpr double height = 580;
  const bool inference = label.scale.purpose == LabelPurpose::inference;
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"label\" width=\"{0:.0f}\" "
      "height=\"{1:.0f}\" viewBox=\"0 0 {0:.0f} {1:.0f}\" font-family=\"sans-serif\" "
      "role=\"img\" aria-label=\"Energy label of {2}: class {3}\">\n"
      "<rect x=\"1\" y=\"1\" width=\"{4:.0f}\" height=\"{5:.0f}\" rx=\"8\" fill=\"white\" "
      "stroke=\"#111\" stroke-width=\"2\"/>\n",
      width, height, html::escape(label.model), label.energy_class, width - 2, height - 2);
  out += fmt::format(
      "<rect x=\"1\" y=\"1\" width=\"{:.0f}\" height=\"44\" rx=\"8\" fill=\"#0b4ea2\"/>\n",
      width - 2);
  out += text_at(16, 30, fmt::format("ENERGY · {}", inference ? "inference" : "training"),
                 "font-size=\"18\" font-weight=\"bold\" fill=\"white\"");
  out += text_at(width - 14, 30, "joule", "font-size=\"14\" fill=\"white\" text-anchor=\"end\"");
  out += text_at(16, 70, label.model, "font-size=\"20\" font-weight=\"bold\"");
  out += text_at(16, 90, fmt::format("{} · {}", label.task, label.tier), "font-size=\"12\"");
  out += text_at(16, 106, fmt::format("device class {} · {}", label.device_class, label.device),
                 "font-size=\"11\" fill=\"#333\"");
  out +=
      text_at(width - 14, 117,
              inference ? "class bounds per 1,000 inferences" : "class bounds: energy to the tier",
              "font-size=\"9\" fill=\"#333\" text-anchor=\"end\"");
  out += class_bars(label, 120);
  double y = 352;
  out += main_figure(label, 16, y);
  y += 18;
  out += text_at(16, y,
                 fmt::format("{}{}{}", label.energy, inference ? " per 1,000 inferences" : "",
                             label.energy_note.empty() ? "" : " · " + label.energy_note),
                 "font-size=\"11\"");
  y += 18;
  const double carbon_energy_j =
      inference ? label.energy.joules * kLabelUnitPerFigure : label.energy.joules;
  out += text_at(16, y,
                 carbon_line(label, carbon_energy_j) +
                     (inference ? " per million inferences" : " per training"),
                 "font-size=\"11\"");
  y += 28;
  const char* provenance_colour = label.modelled ? "#9a5b00" : "#1e6b52";
  out += fmt::format(
      "<rect x=\"14\" y=\"{:.0f}\" width=\"{:.0f}\" height=\"26\" rx=\"4\" fill=\"{}\"{}/>\n",
      y - 18, width - 28, label.modelled ? "#fdebc8" : "#e3f2ec",
      label.modelled ? " stroke=\"#9a5b00\" stroke-dasharray=\"4 3\"" : "");
  out +=
      text_at(22, y,
              fmt::format("{} {}", label.modelled ? "MODELLED, not measured" : "MEASURED",
                          format_relative(label.relative_uncertainty)),
              fmt::format("font-size=\"13\" font-weight=\"bold\" fill=\"{}\"", provenance_colour));
  y += 26;
  out += wrapped(16, y, label.energy_source, 68, "font-size=\"9\" fill=\"#333\"");
  y += 12.0 * static_cast<double>(wrap(label.energy_source, 68).size()) + 2;
  out += text_at(
      16, y, fmt::format("scale {} (fixed, 2 classes per decade; docs/labels.md)", label.scale.id),
      "font-size=\"9\" fill=\"#333\"");
  y += 18;
  out += text_at(16, y, "reproduce:", "font-size=\"9\" fill=\"#333\"");
  out += wrapped(16, y + 12, label.command, 62, "font-size=\"9\" font-family=\"monospace\"");
  return out + "</svg>\n";
}

}  // namespace joule::report

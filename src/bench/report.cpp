#include "bench/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "report/format.hpp"

namespace joule::bench {
namespace {

using Rows = std::vector<std::vector<std::string>>;

bool finite(double x) {
  return std::isfinite(x);
}

// --- numbers for people -------------------------------------------------------

// Three significant digits, as joule's other reports print them.
std::string three_digits(double x) {
  const double magnitude = std::fabs(x);
  const int decimals = magnitude >= 100 || x == 0 ? 0 : magnitude >= 10 ? 1 : 2;
  return fmt::format("{:.{}f}", x, decimals);
}

struct Unit {
  double from;  // the smallest magnitude printed in this unit
  double size;  // in the base unit
  const char* name;
};

// The last unit whose range starts at or below `magnitude` (the first when
// the magnitude is smaller than all).
Unit unit_for(double magnitude, const std::vector<Unit>& units) {
  Unit chosen = units.front();
  for (const Unit& unit : units) {
    if (magnitude >= unit.from) chosen = unit;
  }
  return chosen;
}

const std::vector<Unit> joule_units = {
    {0, 1e-3, "mJ"}, {1, 1, "J"}, {1e3, 1e3, "kJ"}, {1e6, 1e6, "MJ"}, {1e9, 1e9, "GJ"}};
const std::vector<Unit> millisecond_units = {{0, 1e-3, "µs"}, {1, 1, "ms"}, {1e3, 1e3, "s"}};
// Minutes from 100 s and hours from 100 min keep three digits readable.
const std::vector<Unit> second_units = {{0, 1, "s"}, {100, 60, "min"}, {6000, 3600, "h"}};
const std::vector<Unit> count_units = {
    {0, 1, ""}, {1e3, 1e3, " k"}, {1e6, 1e6, " M"}, {1e9, 1e9, " G"}};

// "12.3 kJ [11.9–12.8]": the median with its unit and, from two values on,
// the bootstrap interval in the same unit so that it reads at a glance.
std::string with_interval(const Interval& interval, const std::vector<Unit>& units) {
  if (interval.n == 0 || !finite(interval.median)) return "n/a";
  const Unit unit = unit_for(std::fabs(interval.median), units);
  std::string text = fmt::format("{} {}", three_digits(interval.median / unit.size), unit.name);
  if (interval.n > 1 && (interval.low != interval.median || interval.high != interval.median)) {
    text += fmt::format(" [{}–{}]", three_digits(interval.low / unit.size),
                        three_digits(interval.high / unit.size));
  }
  return text;
}

std::string with_interval(const std::optional<Interval>& interval, const std::vector<Unit>& units) {
  return interval ? with_interval(*interval, units) : "n/a";
}

std::string format_quality(double quality) {
  if (!finite(quality)) return "n/a";
  return std::fabs(quality) < 10 ? fmt::format("{:.3f}", quality) : fmt::format("{:.4g}", quality);
}

std::string quality_with_interval(const Interval& interval) {
  if (interval.n == 0 || !finite(interval.median)) return "n/a";
  std::string text = format_quality(interval.median);
  if (interval.n > 1 && (interval.low != interval.median || interval.high != interval.median)) {
    text += fmt::format(" [{}–{}]", format_quality(interval.low), format_quality(interval.high));
  }
  return text;
}

std::string format_amount(double count, const char* suffix) {
  if (!finite(count) || count <= 0) return "n/a";
  const Unit unit = unit_for(count, count_units);
  std::string digits =
      unit.size == 1 ? fmt::format("{:.0f}", count) : three_digits(count / unit.size);
  return fmt::format("{}{}{}", digits, unit.name, suffix);
}

std::string format_tier(double tier) {
  return fmt::format("{:g}", tier);
}

std::string tier_list(const std::vector<double>& tiers) {
  std::string text;
  for (double tier : tiers) text += (text.empty() ? "" : ", ") + format_tier(tier);
  return text.empty() ? "none" : text;
}

std::string direction_words(Direction direction) {
  return direction == Direction::higher_is_better ? "higher is better" : "lower is better";
}

std::string or_unknown(const std::string& text) {
  return text.empty() ? "unknown" : text;
}

// --- the table shared by the terminal and Markdown ----------------------------

bool on_front(const TaskSummary& summary, std::size_t index) {
  return std::find(summary.pareto.begin(), summary.pareto.end(), index) != summary.pareto.end();
}

// The large batch every model ran at, or 0 when they differ (each cell then
// names its own batch).
int common_large_batch(const TaskSummary& summary) {
  int common = -1;
  for (const ModelSummary& model : summary.models) {
    if (model.large_batch == 0) continue;
    if (common == -1) common = model.large_batch;
    if (common != model.large_batch) return 0;
  }
  return common == -1 ? 0 : common;
}

std::string tier_cell(const TierSummary& tier, std::size_t seeds) {
  // Never a worse number for a seed that did not get there: say so instead.
  if (tier.seeds_reached == 0 || !tier.joules) return "not reached";
  std::string text = with_interval(*tier.joules, joule_units);
  if (tier.seeds_reached < seeds) text += fmt::format(" ({}/{} seeds)", tier.seeds_reached, seeds);
  return text;
}

std::string seeds_cell(const ModelSummary& model) {
  if (model.figures_disturbed) return fmt::format("{} !", model.seeds);
  if (model.disturbed_runs > 0)
    return fmt::format("{} (+{} left out !)", model.seeds, model.disturbed_runs);
  return fmt::format("{}", model.seeds);
}

Rows table_rows(const TaskSummary& summary) {
  const int large = common_large_batch(summary);
  std::vector<std::string> header = {"#",          "model",        summary.task.metric,
                                     "params",     "FLOPs/sample", "train energy",
                                     "train time", "idle share",   "above idle"};
  for (double tier : summary.task.tiers) header.push_back("energy to " + format_tier(tier));
  header.push_back("J/1000 batch 1");
  header.push_back(large > 0 ? fmt::format("J/1000 batch {}", large) : "J/1000 large batch");
  header.push_back("latency batch 1");
  header.push_back("seeds");

  Rows rows = {header};
  for (std::size_t i = 0; i < summary.models.size(); ++i) {
    const ModelSummary& model = summary.models[i];
    std::vector<std::string> row = {
        fmt::format("{}", i + 1), model.model + (on_front(summary, i) ? " *" : ""),
        quality_with_interval(model.quality), format_amount(model.parameters, ""),
        format_amount(model.flops_per_sample, ""),
        with_interval(model.training_joules, joule_units),
        with_interval(model.training_seconds, second_units),
        finite(model.idle_share) ? report::format_percent(model.idle_share) : "n/a",
        // What the training cost beyond keeping the machine on.
        finite(model.idle_share) && finite(model.training_joules.median)
            ? report::format_joules(model.training_joules.median * (1 - model.idle_share))
            : "n/a"};
    for (const TierSummary& tier : model.tiers) row.push_back(tier_cell(tier, model.seeds));
    row.push_back(with_interval(model.inference_batch1_j_per_1000, joule_units));
    std::string batch_cell = with_interval(model.inference_batch_j_per_1000, joule_units);
    if (large == 0 && model.large_batch > 0)
      batch_cell += fmt::format(" (batch {})", model.large_batch);
    row.push_back(batch_cell);
    row.push_back(with_interval(model.latency_batch1_ms, millisecond_units));
    row.push_back(seeds_cell(model));
    rows.push_back(row);
  }
  return rows;
}

std::vector<bool> table_alignment(const Rows& rows) {
  std::vector<bool> right(rows.front().size(), true);
  right[1] = false;  // model names read from the left
  return right;
}

std::vector<std::string> disturbed_notes(const TaskSummary& summary) {
  std::vector<std::string> notes;
  for (const ModelSummary& model : summary.models) {
    if (model.figures_disturbed) {
      notes.push_back(fmt::format(
          "{}: every run was disturbed by other processes using the CPU; its figures are shown "
          "but are not clean measurements",
          model.model));
    } else if (model.disturbed_runs > 0) {
      notes.push_back(fmt::format(
          "{}: {} run(s) disturbed by other processes using the CPU, left out of the figures",
          model.model, model.disturbed_runs));
    }
  }
  return notes;
}

std::string energy_line(const Provenance& provenance) {
  const std::string uncertainty =
      provenance.relative_uncertainty > 0
          ? ", " + report::format_relative(provenance.relative_uncertainty)
          : std::string();
  if (provenance.modelled) {
    return fmt::format(
        "ENERGY IS MODELLED, NOT MEASURED: only the estimator is available on this machine, so "
        "every joule below is a model of CPU time ({}{}).",
        or_unknown(provenance.energy_source), uncertainty);
  }
  return fmt::format("Energy measured: {}{}.", or_unknown(provenance.energy_source), uncertainty);
}

std::string runtime_line(const Provenance& provenance) {
  return fmt::format("BLAS: {} · threads: {} · LibTorch {} · {} · {} mode · {}",
                     or_unknown(provenance.blas),
                     provenance.threads > 0 ? fmt::format("{}", provenance.threads) : "unknown",
                     or_unknown(provenance.torch_version), or_unknown(provenance.host),
                     or_unknown(provenance.mode), or_unknown(provenance.date_utc));
}

std::string tiers_line(const TaskInfo& task) {
  std::string line = fmt::format("Tiers ({}): {}", task.metric, tier_list(task.tiers));
  if (!task.tier_note.empty()) line += " — " + task.tier_note;
  return line;
}

// --- Markdown -------------------------------------------------------------------

// Model names and notes are text, not markup: a '|' would split a table
// cell and '<' or '&' start HTML.
std::string markdown_text(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '|':
        escaped += "\\|";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '&':
        escaped += "&amp;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

std::string markdown_table(const Rows& rows, const std::vector<bool>& right) {
  std::string out;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    out += "|";
    for (const std::string& cell : rows[r]) out += " " + markdown_text(cell) + " |";
    out += "\n";
    if (r == 0) {
      out += "|";
      for (std::size_t c = 0; c < rows[r].size(); ++c)
        out += c < right.size() && right[c] ? "---:|" : "---|";
      out += "\n";
    }
  }
  return out;
}

std::string tier_detail(const TierSummary& tier, std::size_t seeds) {
  if (tier.seeds_reached == 0 || !tier.joules) return "not reached";
  std::string text = fmt::format("{} · {}", with_interval(*tier.joules, joule_units),
                                 with_interval(tier.seconds, second_units));
  if (tier.epochs && finite(tier.epochs->median)) {
    const double epochs = tier.epochs->median;
    // Two significant digits below ten ("1.3"), whole epochs above ("12").
    const std::string digits =
        epochs >= 10 ? fmt::format("{:.0f}", epochs) : fmt::format("{:.2g}", epochs);
    text += fmt::format(" · {} epoch{}", digits, epochs == 1 ? "" : "s");
  }
  if (tier.seeds_reached < seeds) text += fmt::format(" ({}/{} seeds)", tier.seeds_reached, seeds);
  return text;
}

std::string markdown_tiers(const TaskSummary& summary) {
  if (summary.task.tiers.empty()) return "";
  Rows rows = {{"model"}};
  for (double tier : summary.task.tiers) rows[0].push_back(format_tier(tier));
  for (const ModelSummary& model : summary.models) {
    std::vector<std::string> row = {model.model};
    for (const TierSummary& tier : model.tiers) row.push_back(tier_detail(tier, model.seeds));
    rows.push_back(row);
  }
  std::vector<bool> right(rows[0].size(), true);
  right[0] = false;
  return "### Energy, time and epochs to each tier\n\n" + markdown_table(rows, right) + "\n";
}

std::string markdown_front(const TaskSummary& summary) {
  std::string out = fmt::format("### Pareto front: {} against training energy\n\n",
                                markdown_text(summary.task.metric));
  if (summary.pareto.empty()) return out + "No model has both a quality and an energy.\n\n";
  int position = 1;
  for (std::size_t index : summary.pareto) {
    const ModelSummary& model = summary.models[index];
    out += fmt::format("{}. **{}**: {} {}, {}\n", position++, markdown_text(model.model),
                       format_quality(model.quality.median), markdown_text(summary.task.metric),
                       report::format_joules(model.training_joules.median));
  }
  return out + "\n";
}

std::string ratio_cell(double ratio) {
  return finite(ratio) ? report::format_ratio(ratio) : std::string("n/a");
}

std::string markdown_variants(const TaskSummary& summary) {
  std::string out = "### Hidden costs: inference variants as a ratio against their baseline\n\n";
  Rows rows = {{"model", "variant", "baseline", "batch", "energy", "latency", "seeds", "note"}};
  for (const ModelSummary& model : summary.models) {
    for (const ModelSummary::VariantRatio& variant : model.variants) {
      if (!variant.supported) {
        rows.push_back({model.model, variant.variant, variant.baseline,
                        fmt::format("{}", variant.batch), "not supported", "", "0", variant.note});
        continue;
      }
      const std::string baseline =
          variant.baseline_batch > 0
              ? fmt::format("{} at batch {}", variant.baseline, variant.baseline_batch)
              : variant.baseline;
      rows.push_back({model.model, variant.variant, baseline, fmt::format("{}", variant.batch),
                      ratio_cell(variant.energy_ratio), ratio_cell(variant.latency_ratio),
                      fmt::format("{}", variant.n), variant.note});
    }
  }
  if (rows.size() == 1) return out + "No hidden-cost variants were measured.\n\n";
  out += "Below ×1.00 the variant is cheaper (energy per 1,000 samples) or faster (latency).\n\n";
  return out + markdown_table(rows, {false, false, false, true, true, true, true, false}) + "\n";
}

std::string svg_link(const std::string& svg_name, const std::string& task) {
  std::string name = svg_name;
  const std::string placeholder = "{task}";
  for (std::size_t at = name.find(placeholder); at != std::string::npos;
       at = name.find(placeholder, at + task.size())) {
    name.replace(at, placeholder.size(), task);
  }
  return name;
}

std::string markdown_task(const TaskSummary& summary, const std::string& svg_name) {
  const TaskInfo& task = summary.task;
  std::string out = fmt::format("## {}\n\n", markdown_text(task.name));
  out +=
      fmt::format("Quality: {} on the held-out test data ({}). {}.\n\n", markdown_text(task.metric),
                  direction_words(task.direction), markdown_text(tiers_line(task)));
  out += fmt::format("**{}**\n\n", markdown_text(summary.sentence));
  const Rows rows = table_rows(summary);
  out += markdown_table(rows, table_alignment(rows));
  out +=
      "\nMedian over seeds with a bootstrap 95% interval in brackets. Ranked on total training "
      "energy (idle share included). * on the Pareto front. Energy to a tier counts only the "
      "seeds that reached it.\n\n";
  const std::vector<std::string> notes = disturbed_notes(summary);
  for (const std::string& note : notes) out += "- ! " + markdown_text(note) + "\n";
  if (!notes.empty()) out += "\n";
  out += markdown_tiers(summary);
  out += markdown_front(summary);
  out += markdown_variants(summary);
  if (!svg_name.empty()) {
    out += fmt::format("![Pareto front of {}]({})\n\n", task.name, svg_link(svg_name, task.name));
  }
  return out;
}

// --- SVG --------------------------------------------------------------------------

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

constexpr double svg_width = 720;
constexpr double svg_height = 440;
constexpr double plot_left = 80;
constexpr double plot_right = 680;
constexpr double plot_top = 60;
constexpr double plot_bottom = 370;

struct Axis {
  double low = 0;  // in axis units: log10(J) for x, quality for y
  double high = 1;
};

// Log10 range of the energies, padded, and at least 0.6 decades wide so that
// one model or equal energies still get an axis with ticks.
Axis energy_axis(const std::vector<double>& joules) {
  const auto [min_it, max_it] = std::minmax_element(joules.begin(), joules.end());
  Axis axis{std::log10(*min_it), std::log10(*max_it)};
  const double pad = 0.08 * (axis.high - axis.low);
  axis.low -= pad;
  axis.high += pad;
  if (axis.high - axis.low < 0.6) {
    const double middle = (axis.low + axis.high) / 2;
    axis.low = middle - 0.3;
    axis.high = middle + 0.3;
  }
  return axis;
}

Axis quality_axis(const std::vector<double>& qualities) {
  const auto [min_it, max_it] = std::minmax_element(qualities.begin(), qualities.end());
  Axis axis{*min_it, *max_it};
  if (axis.high - axis.low <= 0) {
    const double half = std::max(0.05 * std::fabs(axis.low), 0.01);
    axis.low -= half;
    axis.high += half;
  } else {
    const double pad = 0.08 * (axis.high - axis.low);
    axis.low -= pad;
    axis.high += pad;
  }
  return axis;
}

// Decades, or 1-2-5 steps when the range holds fewer than two decades.
std::vector<double> energy_ticks(const Axis& axis) {
  std::vector<double> ticks;
  for (double k = std::ceil(axis.low); k <= axis.high; ++k) ticks.push_back(std::pow(10, k));
  if (ticks.size() >= 2) return ticks;
  ticks.clear();
  for (double k = std::floor(axis.low); k <= std::ceil(axis.high); ++k) {
    for (double m : {1.0, 2.0, 5.0}) {
      const double tick = m * std::pow(10, k);
      if (std::log10(tick) >= axis.low && std::log10(tick) <= axis.high) ticks.push_back(tick);
    }
  }
  return ticks;
}

// About five ticks at a 1-2-5 step.
double quality_step(const Axis& axis) {
  const double rough = (axis.high - axis.low) / 5;
  const double decade = std::pow(10, std::floor(std::log10(rough)));
  for (double m : {1.0, 2.0, 5.0}) {
    if (m * decade >= rough) return m * decade;
  }
  return 10 * decade;
}

class Plot {
 public:
  Plot(Axis x, Axis y, Direction direction) : x_(x), y_(y), direction_(direction) {}
  double x(double joules) const {
    return plot_left +
           (std::log10(joules) - x_.low) / (x_.high - x_.low) * (plot_right - plot_left);
  }
  double y(double quality) const {
    double share = (quality - y_.low) / (y_.high - y_.low);
    // Better is always up: lower-is-better metrics are drawn inverted.
    if (direction_ == Direction::lower_is_better) share = 1 - share;
    return plot_bottom - share * (plot_bottom - plot_top);
  }

 private:
  Axis x_;
  Axis y_;
  Direction direction_;
};

std::string svg_text(double x, double y, const std::string& text, const std::string& attributes) {
  return fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" {}>{}</text>\n", x, y, attributes,
                     xml_escape(text));
}

std::string svg_line(double x1, double y1, double x2, double y2, const std::string& style) {
  return fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" {}/>\n", x1, y1,
                     x2, y2, style);
}

std::string svg_axes(const Plot& plot, const Axis& x_axis, const Axis& y_axis,
                     const TaskInfo& task) {
  std::string out;
  out += svg_line(plot_left, plot_bottom, plot_right, plot_bottom, "stroke=\"#333\"");
  out += svg_line(plot_left, plot_top, plot_left, plot_bottom, "stroke=\"#333\"");
  for (double tick : energy_ticks(x_axis)) {
    const double x = plot.x(tick);
    out += svg_line(x, plot_bottom, x, plot_bottom + 5, "stroke=\"#333\"");
    out += svg_line(x, plot_top, x, plot_bottom, "stroke=\"#eee\"");
    out += svg_text(x, plot_bottom + 20, report::format_joules(tick), "text-anchor=\"middle\"");
  }
  const double step = quality_step(y_axis);
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  // Ticks as integer multiples of the step, so that no rounding accumulates.
  const auto first = static_cast<long long>(std::ceil(y_axis.low / step - 1e-9));
  const auto last = static_cast<long long>(std::floor(y_axis.high / step + 1e-9));
  for (long long k = first; k <= last; ++k) {
    const double tick = static_cast<double>(k) * step;
    const double y = plot.y(tick);
    out += svg_line(plot_left - 5, y, plot_left, y, "stroke=\"#333\"");
    out += svg_line(plot_left, y, plot_right, y, "stroke=\"#eee\"");
    out += svg_text(plot_left - 8, y + 4, fmt::format("{:.{}f}", tick, decimals),
                    "text-anchor=\"end\"");
  }
  out += svg_text((plot_left + plot_right) / 2, plot_bottom + 45, "training energy (J, log scale)",
                  "text-anchor=\"middle\"");
  const std::string y_label =
      task.direction == Direction::higher_is_better
          ? task.metric + " (higher is better)"
          : task.metric + " (lower is better; axis inverted so better is up)";
  out += svg_text(20, (plot_top + plot_bottom) / 2, y_label,
                  fmt::format("text-anchor=\"middle\" transform=\"rotate(-90 20 {:.1f})\"",
                              (plot_top + plot_bottom) / 2));
  return out;
}

bool plottable(const ModelSummary& model) {
  return finite(model.quality.median) && finite(model.training_joules.median) &&
         model.training_joules.median > 0;
}

// Bootstrap intervals as thin bars, when there is more than one seed.
std::string svg_error_bars(const Plot& plot, const ModelSummary& model) {
  std::string out;
  const double x = plot.x(model.training_joules.median);
  const double y = plot.y(model.quality.median);
  const Interval& j = model.training_joules;
  if (j.n > 1 && j.low > 0 && finite(j.high) && j.high > j.low) {
    out += svg_line(plot.x(j.low), y, plot.x(j.high), y, "stroke=\"#999\"");
  }
  const Interval& q = model.quality;
  if (q.n > 1 && finite(q.low) && finite(q.high) && q.high > q.low) {
    out += svg_line(x, plot.y(q.low), x, plot.y(q.high), "stroke=\"#999\"");
  }
  return out;
}

}  // namespace

std::string terminal_table(const TaskSummary& summary, const Provenance& provenance) {
  const TaskInfo& task = summary.task;
  std::string out = fmt::format("joule bench · {} · {} ({})\n", task.name, task.metric,
                                direction_words(task.direction));
  out += energy_line(provenance) + "\n";
  out += runtime_line(provenance) + "\n";
  out += tiers_line(task) + "\n\n";
  if (summary.models.empty()) return out + "  no results\n\n" + summary.sentence + "\n";
  const Rows rows = table_rows(summary);
  out += report::render_table(rows, table_alignment(rows));
  out +=
      "\n  Median over seeds, bootstrap 95% interval in brackets; ranked on total training "
      "energy (idle share included); * on the Pareto front.\n";
  for (const std::string& note : disturbed_notes(summary)) out += "  ! " + note + "\n";
  return out + "\n" + summary.sentence + "\n";
}

std::string markdown_report(const std::vector<TaskSummary>& summaries, const Provenance& provenance,
                            const std::string& svg_name) {
  std::string out = "# joule bench\n\n";
  if (provenance.modelled) out += "> **" + markdown_text(energy_line(provenance)) + "**\n\n";
  out += fmt::format("- Energy: {} ({})\n", provenance.modelled ? "modelled" : "measured",
                     markdown_text(or_unknown(provenance.energy_source)));
  if (provenance.relative_uncertainty > 0) {
    out += fmt::format("- Uncertainty of energy: {}\n",
                       report::format_relative(provenance.relative_uncertainty));
  }
  out += fmt::format("- Host: {}\n", markdown_text(or_unknown(provenance.host)));
  out += fmt::format("- BLAS: {}, threads: {}\n", markdown_text(or_unknown(provenance.blas)),
                     provenance.threads > 0 ? fmt::format("{}", provenance.threads) : "unknown");
  out += fmt::format("- LibTorch: {}\n", markdown_text(or_unknown(provenance.torch_version)));
  out += fmt::format("- Mode: {}, date: {}\n\n", markdown_text(or_unknown(provenance.mode)),
                     markdown_text(or_unknown(provenance.date_utc)));
  for (const TaskSummary& summary : summaries) out += markdown_task(summary, svg_name);
  return out;
}

std::string pareto_svg(const TaskSummary& summary) {
  const TaskInfo& task = summary.task;
  std::vector<double> joules;
  std::vector<double> qualities;
  std::vector<std::string> left_out;
  for (const ModelSummary& model : summary.models) {
    if (plottable(model)) {
      joules.push_back(model.training_joules.median);
      qualities.push_back(model.quality.median);
    } else {
      left_out.push_back(model.model);
    }
  }
  std::string out = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" "
      "viewBox=\"0 0 {0:.0f} {1:.0f}\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      svg_width, svg_height);
  out += svg_text(svg_width / 2, 26,
                  fmt::format("{}: {} against training energy", task.name, task.metric),
                  "text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\"");
  out += svg_text(svg_width / 2, 44,
                  "filled: on the Pareto front (joined) · hollow: dominated · bars: 95% interval",
                  "text-anchor=\"middle\" fill=\"#555\"");
  if (joules.empty()) {
    out += svg_text(svg_width / 2, svg_height / 2, "no model has both a quality and an energy",
                    "text-anchor=\"middle\"");
  } else {
    const Axis x_axis = energy_axis(joules);
    const Axis y_axis = quality_axis(qualities);
    const Plot plot(x_axis, y_axis, task.direction);
    out += svg_axes(plot, x_axis, y_axis, task);
    std::string front_points;
    for (std::size_t index : summary.pareto) {
      const ModelSummary& model = summary.models[index];
      if (!plottable(model)) continue;
      front_points +=
          fmt::format("{}{:.1f},{:.1f}", front_points.empty() ? "" : " ",
                      plot.x(model.training_joules.median), plot.y(model.quality.median));
    }
    if (!front_points.empty()) {
      out += fmt::format(
          "<polyline points=\"{}\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"1.5\"/>\n",
          front_points);
    }
    for (std::size_t i = 0; i < summary.models.size(); ++i) {
      const ModelSummary& model = summary.models[i];
      if (!plottable(model)) continue;
      const double x = plot.x(model.training_joules.median);
      const double y = plot.y(model.quality.median);
      out += svg_error_bars(plot, model);
      out += on_front(summary, i)
                 ? fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"#c0392b\"/>\n",
                               x, y)
                 : fmt::format(
                       "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"white\" "
                       "stroke=\"#555\" stroke-width=\"1.5\"/>\n",
                       x, y);
      // Labels near the right edge go to the left of their point.
      const bool near_right = x > plot_right - 0.25 * (plot_right - plot_left);
      out += svg_text(near_right ? x - 8 : x + 8, y - 8, model.model,
                      near_right ? "text-anchor=\"end\"" : "text-anchor=\"start\"");
    }
  }
  if (!left_out.empty()) {
    std::string names;
    for (const std::string& name : left_out) names += (names.empty() ? "" : ", ") + name;
    out += svg_text(plot_left, svg_height - 8, "not plotted (no quality or no energy): " + names,
                    "fill=\"#555\"");
  }
  return out + "</svg>\n";
}

// --- JSON -----------------------------------------------------------------------------

namespace {

// NaN and infinities are not JSON numbers: written as null.
nlohmann::json number(double x) {
  return finite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
}

nlohmann::json cost_json(const Cost& cost) {
  return {{"joules", number(cost.joules)},
          {"seconds", number(cost.seconds)},
          {"relative_uncertainty", number(cost.relative_uncertainty)},
          {"idle_joules", number(cost.idle_joules)},
          {"self_cpu_seconds", number(cost.self_cpu_seconds)},
          {"other_cpu_seconds", number(cost.other_cpu_seconds)}};
}

nlohmann::json interval_json(const Interval& interval) {
  return {{"median", number(interval.median)},
          {"low", number(interval.low)},
          {"high", number(interval.high)},
          {"n", interval.n}};
}

nlohmann::json interval_json(const std::optional<Interval>& interval) {
  return interval ? interval_json(*interval) : nlohmann::json(nullptr);
}

std::string direction_name(Direction direction) {
  return direction == Direction::higher_is_better ? "higher_is_better" : "lower_is_better";
}

nlohmann::json task_json(const TaskInfo& task) {
  nlohmann::json tiers = nlohmann::json::array();
  for (double tier : task.tiers) tiers.push_back(number(tier));
  return {{"name", task.name},
          {"metric", task.metric},
          {"direction", direction_name(task.direction)},
          {"tiers", tiers},
          {"tier_note", task.tier_note}};
}

nlohmann::json tier_json(const TierSummary& tier) {
  return {{"tier", number(tier.tier)},
          {"seeds_reached", tier.seeds_reached},
          {"joules", interval_json(tier.joules)},
          {"seconds", interval_json(tier.seconds)},
          {"epochs", interval_json(tier.epochs)}};
}

nlohmann::json variant_json(const ModelSummary::VariantRatio& variant) {
  return {{"variant", variant.variant},
          {"baseline", variant.baseline},
          {"baseline_batch", variant.baseline_batch},
          {"batch", variant.batch},
          {"supported", variant.supported},
          {"note", variant.note},
          {"energy_ratio", number(variant.energy_ratio)},
          {"latency_ratio", number(variant.latency_ratio)},
          {"n", variant.n}};
}

nlohmann::json model_json(const ModelSummary& model, std::size_t rank, bool pareto) {
  nlohmann::json tiers = nlohmann::json::array();
  for (const TierSummary& tier : model.tiers) tiers.push_back(tier_json(tier));
  nlohmann::json variants = nlohmann::json::array();
  for (const auto& variant : model.variants) variants.push_back(variant_json(variant));
  return {{"rank", rank},
          {"model", model.model},
          {"seeds", model.seeds},
          {"parameters", number(model.parameters)},
          {"flops_per_sample", number(model.flops_per_sample)},
          {"quality", interval_json(model.quality)},
          {"training_joules", interval_json(model.training_joules)},
          {"training_seconds", interval_json(model.training_seconds)},
          {"idle_share", number(model.idle_share)},
          {"tiers", tiers},
          {"inference_batch1_j_per_1000", interval_json(model.inference_batch1_j_per_1000)},
          {"inference_batch_j_per_1000", interval_json(model.inference_batch_j_per_1000)},
          {"large_batch", model.large_batch},
          {"latency_batch1_ms", interval_json(model.latency_batch1_ms)},
          {"variants", variants},
          {"disturbed_runs", model.disturbed_runs},
          {"figures_disturbed", model.figures_disturbed},
          {"pareto", pareto}};
}

nlohmann::json inference_json(const InferenceResult& result) {
  return {{"variant", result.variant},
          {"baseline", result.baseline},
          {"batch", result.batch},
          {"threads", result.threads},
          {"supported", result.supported},
          {"note", result.note},
          {"samples", number(result.samples)},
          {"j_per_1000", number(result.joules_per_1000)},
          {"latency_ms", number(result.latency_ms)},
          {"quality", number(result.quality)},
          {"cost", cost_json(result.cost)}};
}

}  // namespace

nlohmann::json to_json(const RunResult& run) {
  nlohmann::json curve = nlohmann::json::array();
  for (const CurvePoint& point : run.curve) {
    curve.push_back({{"epochs", number(point.epochs)},
                     {"seconds", number(point.seconds)},
                     {"joules", number(point.joules)},
                     {"quality", number(point.quality)}});
  }
  nlohmann::json inference = nlohmann::json::array();
  for (const InferenceResult& result : run.inference) inference.push_back(inference_json(result));
  return {{"task", run.task},
          {"model", run.model},
          {"seed", run.seed},
          {"parameters", number(run.parameters)},
          {"flops_per_sample", number(run.flops_per_sample)},
          {"final_quality", number(run.final_quality)},
          {"training", cost_json(run.training)},
          {"curve", curve},
          {"inference", inference},
          {"disturbed", run.disturbed},
          {"warnings", run.warnings}};
}

nlohmann::json to_json(const TaskSummary& summary) {
  nlohmann::json models = nlohmann::json::array();
  for (std::size_t i = 0; i < summary.models.size(); ++i) {
    models.push_back(model_json(summary.models[i], i + 1, on_front(summary, i)));
  }
  nlohmann::json front = nlohmann::json::array();
  for (std::size_t index : summary.pareto) front.push_back(summary.models[index].model);
  return {{"task", task_json(summary.task)},
          {"models", models},
          {"pareto", summary.pareto},
          {"pareto_models", front},
          {"sentence", summary.sentence}};
}

nlohmann::json to_json(const Provenance& provenance) {
  return {{"energy_source", provenance.energy_source},
          {"modelled", provenance.modelled},
          {"relative_uncertainty", number(provenance.relative_uncertainty)},
          {"host", provenance.host},
          {"blas", provenance.blas},
          {"threads", provenance.threads},
          {"torch_version", provenance.torch_version},
          {"mode", provenance.mode},
          {"date_utc", provenance.date_utc}};
}

}  // namespace joule::bench

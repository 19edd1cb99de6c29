// The Pareto chart: median quality against median training energy, one
// SVG per task, with the seeds' intervals as error bars.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "bench/report.hpp"
#include "joule/format.hpp"
#include "report/chart.hpp"
#include "report/format.hpp"
#include "report/html.hpp"

namespace joule::bench {
namespace {

bool finite(double x) {
  return std::isfinite(x);
}

constexpr double kSvgWidth = 720;
constexpr double kSvgHeight = 440;
constexpr double kPlotLeft = 80;
constexpr double kPlotRight = 680;
constexpr double kPlotTop = 80;
constexpr double kPlotBottom = 370;

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
    return kPlotLeft +
           (std::log10(joules) - x_.low) / (x_.high - x_.low) * (kPlotRight - kPlotLeft);
  }
  double y(double quality) const {
    double share = (quality - y_.low) / (y_.high - y_.low);
    // Better is always up: lower-is-better metrics are drawn inverted.
    if (direction_ == Direction::lower_is_better) share = 1 - share;
    return kPlotBottom - share * (kPlotBottom - kPlotTop);
  }

 private:
  Axis x_;
  Axis y_;
  Direction direction_;
};

std::string svg_text(double x, double y, const std::string& text, const std::string& attributes) {
  return fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" {}>{}</text>\n", x, y, attributes,
                     report::html::escape(text));
}

std::string svg_line(double x1, double y1, double x2, double y2, const std::string& style) {
  return fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" {}/>\n", x1, y1,
                     x2, y2, style);
}

std::string svg_axes(const Plot& plot, const Axis& x_axis, const Axis& y_axis, const TaskInfo& task,
                     bool modelled) {
  std::string out;
  out += svg_line(kPlotLeft, kPlotBottom, kPlotRight, kPlotBottom, "stroke=\"#333\"");
  out += svg_line(kPlotLeft, kPlotTop, kPlotLeft, kPlotBottom, "stroke=\"#333\"");
  for (double tick : energy_ticks(x_axis)) {
    const double x = plot.x(tick);
    out += svg_line(x, kPlotBottom, x, kPlotBottom + 5, "stroke=\"#333\"");
    out += svg_line(x, kPlotTop, x, kPlotBottom, "stroke=\"#eee\"");
    out += svg_text(x, kPlotBottom + 20, fmt::format("{}", Joules{tick}), "text-anchor=\"middle\"");
  }
  const double step = quality_step(y_axis);
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  // Ticks as integer multiples of the step, so that no rounding accumulates.
  const auto first = static_cast<long long>(std::ceil(y_axis.low / step - 1e-9));
  const auto last = static_cast<long long>(std::floor(y_axis.high / step + 1e-9));
  for (long long k = first; k <= last; ++k) {
    const double tick = static_cast<double>(k) * step;
    const double y = plot.y(tick);
    out += svg_line(kPlotLeft - 5, y, kPlotLeft, y, "stroke=\"#333\"");
    out += svg_line(kPlotLeft, y, kPlotRight, y, "stroke=\"#eee\"");
    out += svg_text(kPlotLeft - 8, y + 4, fmt::format("{:.{}f}", tick, decimals),
                    "text-anchor=\"end\"");
  }
  out += svg_text((kPlotLeft + kPlotRight) / 2, kPlotBottom + 45,
                  modelled ? "training energy (J, log scale), MODELLED from CPU time, not measured"
                           : "training energy (J, log scale), measured",
                  modelled ? "text-anchor=\"middle\" fill=\"#9a5b00\" font-weight=\"bold\""
                           : "text-anchor=\"middle\"");
  const std::string y_label =
      task.direction == Direction::higher_is_better
          ? task.metric + " (higher is better)"
          : task.metric + " (lower is better; axis inverted so better is up)";
  out += svg_text(20, (kPlotTop + kPlotBottom) / 2, y_label,
                  fmt::format("text-anchor=\"middle\" transform=\"rotate(-90 20 {:.1f})\"",
                              (kPlotTop + kPlotBottom) / 2));
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

// The markers, then each model's name where it overlaps no other name and
// no marker (report::chart::place_labels), with a leader line when the name
// had to move away from its point.
std::string svg_points(const Plot& plot, const TaskSummary& summary) {
  std::vector<report::chart::Point> points;
  std::vector<std::string> names;
  std::vector<std::size_t> indices;
  std::string out;
  for (std::size_t i = 0; i < summary.models.size(); ++i) {
    const ModelSummary& model = summary.models[i];
    if (!plottable(model)) continue;
    const double x = plot.x(model.training_joules.median);
    const double y = plot.y(model.quality.median);
    out += svg_error_bars(plot, model);
    out +=
        summary.on_pareto_front(i)
            ? fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"#c0392b\"/>\n", x, y)
            : fmt::format(
                  "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"white\" "
                  "stroke=\"#555\" stroke-width=\"1.5\"/>\n",
                  x, y);
    points.push_back({x, y});
    names.push_back(model.model);
    indices.push_back(i);
  }
  const report::chart::Box area{kPlotLeft + 2, kPlotTop, kSvgWidth - 4, kPlotBottom - 2};
  const auto placed = report::chart::place_labels(points, names, 12, 5, area);
  for (std::size_t k = 0; k < placed.size(); ++k) {
    if (placed[k].leader) {
      const double label_y = placed[k].box.top + (placed[k].box.bottom - placed[k].box.top) / 2;
      out += svg_line(points[k].x, points[k].y,
                      placed[k].anchor_end ? placed[k].box.right : placed[k].box.left, label_y,
                      "stroke=\"#999\"");
    }
    out += svg_text(placed[k].x, placed[k].y, names[k],
                    placed[k].anchor_end ? "text-anchor=\"end\"" : "text-anchor=\"start\"");
  }
  return out;
}

}  // namespace

std::string pareto_svg(const TaskSummary& summary, const MeasurementSetup& provenance) {
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
      kSvgWidth, kSvgHeight);
  out += svg_text(kSvgWidth / 2, 26,
                  fmt::format("{}: {} against training energy", task.name, task.metric),
                  "text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\"");
  out += svg_text(kSvgWidth / 2, 44,
                  "filled: on the Pareto front (joined) · hollow: dominated · bars: 95% interval",
                  "text-anchor=\"middle\" fill=\"#555\"");
  if (provenance.modelled) {
    out += svg_text(kSvgWidth / 2, 63,
                    "ENERGY MODELLED, NOT MEASURED: a model of CPU time" +
                        (provenance.relative_uncertainty > 0
                             ? " (" + report::format_relative(provenance.relative_uncertainty) + ")"
                             : std::string()),
                    "text-anchor=\"middle\" fill=\"#9a5b00\" font-weight=\"bold\"");
  }
  if (joules.empty()) {
    out += svg_text(kSvgWidth / 2, kSvgHeight / 2, "no model has both a quality and an energy",
                    "text-anchor=\"middle\"");
  } else {
    const Axis x_axis = energy_axis(joules);
    const Axis y_axis = quality_axis(qualities);
    const Plot plot(x_axis, y_axis, task.direction);
    out += svg_axes(plot, x_axis, y_axis, task, provenance.modelled);
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
    out += svg_points(plot, summary);
  }
  if (!left_out.empty()) {
    std::string names;
    for (const std::string& name : left_out) names += (names.empty() ? "" : ", ") + name;
    out += svg_text(kPlotLeft, kSvgHeight - 8, "not plotted (no quality or no energy): " + names,
                    "fill=\"#555\"");
  }
  return out + "</svg>\n";
}

}  // namespace joule::bench

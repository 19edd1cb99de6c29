#pragma once
// Inline SVG charts for the HTML reports: a line chart (the power timeline,
// with phases shaded and named), horizontal bars (machine, attributed and
// idle energy; operational and embodied carbon), and the placement of point
// labels so that they never overlap (the bench's Pareto chart uses it too).
// Tick labels go through joule/format.hpp, as every other figure does.
#include <string>
#include <vector>

namespace joule::report::chart {

// --- labels that do not overlap -------------------------------------------------

struct Box {
  double left = 0;
  double top = 0;
  double right = 0;
  double bottom = 0;
  bool overlaps(const Box& other) const;
};

// Where one label was put: its text anchor point, alignment, and, when it had
// to move away from its point, a leader line from the point to the label.
struct PlacedLabel {
  double x = 0;
  double y = 0;  // baseline
  bool anchor_end = false;
  bool leader = false;
  Box box;
};

// Width of `text` at `font_px` in a sans-serif face, generously estimated
// (0.62 em per character) so that estimated boxes are never narrower than
// the real ones.
double text_width(const std::string& text, double font_px);

// Places a label beside each point (x, y) inside `area`, trying eight spots
// around the point and then further away (with a leader line), so that no
// label overlaps another label or any point's marker (radius
// `marker_radius`). Points keep their order; labels[i] belongs to points[i].
struct Point {
  double x = 0;
  double y = 0;
};
std::vector<PlacedLabel> place_labels(const std::vector<Point>& points,
                                      const std::vector<std::string>& labels, double font_px,
                                      double marker_radius, const Box& area);

// --- the charts -----------------------------------------------------------------

struct Series {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
};

struct Band {  // a shaded stretch of the x axis, named at its top
  double from = 0;
  double to = 0;
  std::string name;
};

enum class Quantity { seconds, watts, joules, grams, days };

struct LineChart {
  std::string title;
  Quantity x = Quantity::seconds;
  Quantity y = Quantity::watts;
  std::string x_label;
  std::string y_label;
  std::vector<Series> series;
  std::vector<Band> bands;
  bool modelled = false;  // dashed lines and "modelled" written in the chart
};
std::string line_chart(const LineChart& chart);

struct Bar {
  std::string name;
  double value = 0;  // in the chart's quantity
  std::string text;  // the figure printed at the bar's end, formatted by the caller
  bool modelled = false;
};

struct BarChart {
  std::string title;
  std::vector<Bar> bars;
  std::string note;  // under the bars
};
std::string bar_chart(const BarChart& chart);

// Vertical bars made of coloured segments (one colour per segment name, in
// the legend), each with a whisker over its total's low-high range and its
// total written above it: the budget's life cycle per year.
struct Stack {
  std::string name;            // under the bar: "year 1"
  std::vector<double> values;  // one per segment, in the chart's quantity
  double low = 0;              // the total's range
  double high = 0;
  std::string text;  // above the bar, formatted by the caller
};

struct StackedBarChart {
  std::string title;
  Quantity quantity = Quantity::grams;
  std::string y_label;
  std::vector<std::string> segments;
  std::vector<Stack> stacks;
  std::string note;       // under the legend
  bool modelled = false;  // hatched edges and "modelled" written in the chart
};
std::string stacked_bar_chart(const StackedBarChart& chart);

// A label formatted as joule prints that quantity ("1.20 kW", "5 min 03 s",
// "day 90").
std::string quantity_text(Quantity quantity, double value);

}  // namespace joule::report::chart

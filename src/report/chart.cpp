#include "report/chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "joule/format.hpp"
#include "report/html.hpp"

namespace joule::report::chart {
namespace {

constexpr double kWidth = 720;
constexpr double kHeight = 318;
constexpr double kLeft = 70;
constexpr double kRight = 700;
constexpr double kTop = 58;
constexpr double kBottom = 250;
constexpr double kFontPx = 12;

// Colour-blind-safe (Okabe and Ito), in a fixed order per series.
constexpr std::array<const char*, 7> kPalette = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                 "#E69F00", "#56B4E9", "#000000"};

struct Range {
  double low = 0;
  double high = 1;
};

// A 1-2-5 step giving about `count` ticks over the range.
double nice_step(double span, int count) {
  if (span <= 0) return 1;
  const double rough = span / count;
  const double decade = std::pow(10, std::floor(std::log10(rough)));
  for (double m : {1.0, 2.0, 5.0}) {
    if (m * decade >= rough) return m * decade;
  }
  return 10 * decade;
}

std::string svg_open(double width, double height, const std::string& title) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" "
      "viewBox=\"0 0 {0:.0f} {1:.0f}\" font-family=\"sans-serif\" font-size=\"{2:.0f}\" "
      "role=\"img\" aria-label=\"{3}\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{4:.0f}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" "
      "font-weight=\"bold\">{3}</text>\n",
      width, height, kFontPx, html::escape(title), width / 2);
}

std::string text_at(double x, double y, const std::string& text, const std::string& attributes) {
  return fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" {}>{}</text>\n", x, y, attributes,
                     html::escape(text));
}

std::string modelled_mark(double x, double y) {
  return text_at(x, y, "MODELLED, NOT MEASURED",
                 "text-anchor=\"end\" fill=\"#9a5b00\" font-weight=\"bold\"");
}

Range data_range(const std::vector<Series>& series, bool along_x) {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  for (const Series& s : series) {
    for (double v : along_x ? s.x : s.y) {
      if (!std::isfinite(v)) continue;
      low = std::min(low, v);
      high = std::max(high, v);
    }
  }
  if (!std::isfinite(low)) return {0, 1};
  if (high <= low) high = low + 1;
  return {low, high};
}

class Frame {
 public:
  Frame(Range x, Range y) : x_(x), y_(y) {}
  double x(double v) const { return kLeft + (v - x_.low) / (x_.high - x_.low) * (kRight - kLeft); }
  double y(double v) const {
    return kBottom - (v - y_.low) / (y_.high - y_.low) * (kBottom - kTop);
  }

 private:
  Range x_;
  Range y_;
};

std::string axes(const Frame& frame, const LineChart& chart, Range x, Range y) {
  std::string out = fmt::format(
      "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#333\"/>\n"
      "<line x1=\"{0}\" y1=\"{3}\" x2=\"{0}\" y2=\"{1}\" stroke=\"#333\"/>\n",
      kLeft, kBottom, kRight, kTop);
  const double x_step = nice_step(x.high - x.low, 6);
  for (double t = std::ceil(x.low / x_step) * x_step; t <= x.high + 1e-9 * x_step; t += x_step) {
    out +=
        fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#333\"/>\n",
                    frame.x(t), kBottom, kBottom + 4);
    out += text_at(frame.x(t), kBottom + 17, quantity_text(chart.x, t), "text-anchor=\"middle\"");
  }
  const double y_step = nice_step(y.high - y.low, 5);
  for (double v = std::ceil(y.low / y_step) * y_step; v <= y.high + 1e-9 * y_step; v += y_step) {
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#e5e5e5\"/>\n", kLeft,
        frame.y(v), kRight);
    out += text_at(kLeft - 6, frame.y(v) + 4, quantity_text(chart.y, v), "text-anchor=\"end\"");
  }
  out += text_at((kLeft + kRight) / 2, kBottom + 34, chart.x_label, "text-anchor=\"middle\"");
  out += text_at(14, (kTop + kBottom) / 2, chart.y_label,
                 fmt::format("text-anchor=\"middle\" transform=\"rotate(-90 14 {:.1f})\"",
                             (kTop + kBottom) / 2));
  return out;
}

std::string bands(const Frame& frame, const std::vector<Band>& bands) {
  std::string out;
  for (std::size_t i = 0; i < bands.size(); ++i) {
    const double left = frame.x(bands[i].from);
    const double right = std::max(frame.x(bands[i].to), left + 1);
    out += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\" "
        "fill-opacity=\"0.35\"/>\n",
        left, kTop, right - left, kBottom - kTop, i % 2 == 0 ? "#dfe7ec" : "#ece4d6");
    // Names alternate between two rows so that neighbours do not collide.
    out += text_at((left + right) / 2, kTop - 4 - 12.0 * static_cast<double>(i % 2), bands[i].name,
                   "text-anchor=\"middle\" fill=\"#444\" font-size=\"11\"");
  }
  return out;
}

std::string legend(const std::vector<Series>& series, bool modelled) {
  std::string out;
  double x = kLeft;
  for (std::size_t i = 0; i < series.size(); ++i) {
    const char* colour = kPalette[i % kPalette.size()];
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{2:.1f}\" y2=\"{1}\" stroke=\"{3}\" "
        "stroke-width=\"2.5\"{4}/>\n",
        x, kHeight - 12, x + 18, colour, modelled ? " stroke-dasharray=\"5 3\"" : "");
    out += text_at(x + 22, kHeight - 8, series[i].name, "");
    x += 34 + text_width(series[i].name, kFontPx);
  }
  return out;
}

}  // namespace

bool Box::overlaps(const Box& o) const {
  return left < o.right && o.left < right && top < o.bottom && o.top < bottom;
}

double text_width(const std::string& text, double font_px) {
  std::size_t characters = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++characters;  // UTF-8: count lead bytes only
  }
  return 0.62 * font_px * static_cast<double>(characters);
}

std::vector<PlacedLabel> place_labels(const std::vector<Point>& points,
                                      const std::vector<std::string>& labels, double font_px,
                                      double marker_radius, const Box& area) {
  std::vector<Box> taken;
  taken.reserve(2 * points.size());
  for (const Point& p : points) {
    taken.push_back(
        {p.x - marker_radius, p.y - marker_radius, p.x + marker_radius, p.y + marker_radius});
  }
  const double gap = marker_radius + 3;
  const double height = font_px;
  std::vector<PlacedLabel> placed;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    const double width = text_width(labels[i], font_px);
    PlacedLabel best{p.x + gap, p.y - gap, false, false, {}};
    bool found = false;
    // Beside the point first; then ever further above and below it.
    for (int ring = 0; ring < 12 && !found; ++ring) {
      const double lift = ring * (height + 2);
      const std::array<std::pair<double, double>, 8> offsets = {{{gap, -gap - lift},
                                                                 {gap, gap + height + lift},
                                                                 {-gap, -gap - lift},
                                                                 {-gap, gap + height + lift},
                                                                 {gap, height / 2 - 1 - lift},
                                                                 {-gap, height / 2 - 1 - lift},
                                                                 {gap, height / 2 - 1 + lift},
                                                                 {-gap, height / 2 - 1 + lift}}};
      for (const auto& [dx, dy] : offsets) {
        const bool end = dx < 0;
        const double x = p.x + dx;
        const double baseline = p.y + dy;
        const Box box{end ? x - width : x, baseline - height, end ? x : x + width, baseline + 3};
        if (box.left < area.left || box.right > area.right || box.top < area.top ||
            box.bottom > area.bottom) {
          continue;
        }
        if (std::any_of(taken.begin(), taken.end(), [&](const Box& b) { return b.overlaps(box); }))
          continue;
        best = {x, baseline, end, ring > 0, box};
        found = true;
        break;
      }
    }
    taken.push_back(best.box);
    placed.push_back(best);
  }
  return placed;
}

std::string quantity_text(Quantity quantity, double value) {
  switch (quantity) {
    case Quantity::seconds:
      return fmt::format("{}", Seconds{value});
    case Quantity::watts:
      return fmt::format("{}", Watts{value});
    case Quantity::joules:
      return fmt::format("{}", Joules{value});
    case Quantity::grams:
      return fmt::format("{}", GramsCO2e{value});
    case Quantity::days:
      return fmt::format("day {:g}", value);
  }
  return "";
}

std::string line_chart(const LineChart& chart) {
  std::string out = svg_open(kWidth, kHeight, chart.title);
  if (chart.series.empty()) {
    out += text_at(kWidth / 2, kHeight / 2, "no data", "text-anchor=\"middle\"");
    return out + "</svg>\n";
  }
  Range x = data_range(chart.series, true);
  for (const Band& band : chart.bands) {
    x.low = std::min(x.low, band.from);
    x.high = std::max(x.high, band.to);
  }
  Range y = data_range(chart.series, false);
  y.low = std::min(0.0, y.low);  // power is read against zero
  y.high += 0.05 * (y.high - y.low);
  const Frame frame(x, y);
  out += bands(frame, chart.bands);
  out += axes(frame, chart, x, y);
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    const Series& s = chart.series[i];
    std::string points;
    for (std::size_t k = 0; k < s.x.size() && k < s.y.size(); ++k) {
      if (!std::isfinite(s.x[k]) || !std::isfinite(s.y[k])) continue;
      points += fmt::format("{}{:.1f},{:.1f}", points.empty() ? "" : " ", frame.x(s.x[k]),
                            frame.y(s.y[k]));
    }
    out += fmt::format(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}/>\n", points,
        kPalette[i % kPalette.size()], chart.modelled ? " stroke-dasharray=\"5 3\"" : "");
  }
  out += legend(chart.series, chart.modelled);
  // In the title row, where no line or band name can run under it.
  if (chart.modelled) out += modelled_mark(kRight, 22);
  return out + "</svg>\n";
}

std::string bar_chart(const BarChart& chart) {
  constexpr double row = 26;
  constexpr double name_width = 150;
  const double height = 40 + row * static_cast<double>(chart.bars.size()) + 24;
  std::string out = svg_open(kWidth, height, chart.title);
  out +=
      "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
      "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fdebc8\"/>"
      "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#9a5b00\" stroke-width=\"2\"/>"
      "</pattern></defs>\n";
  double largest = 0;
  double value_width = 0;  // the widest figure printed after its bar
  for (const Bar& bar : chart.bars) {
    largest = std::max(largest, std::fabs(bar.value));
    value_width = std::max(value_width, text_width(bar.text, kFontPx));
  }
  const double span = std::max(kWidth - 30 - name_width - value_width, 0.25 * kWidth);
  bool any_modelled = false;
  for (std::size_t i = 0; i < chart.bars.size(); ++i) {
    const Bar& bar = chart.bars[i];
    const double y = 40 + row * static_cast<double>(i);
    const double length = largest > 0 ? std::fabs(bar.value) / largest * span : 0;
    out += text_at(name_width, y + 15, bar.name, "text-anchor=\"end\"");
    out += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"18\" fill=\"{}\" "
        "stroke=\"{}\"/>\n",
        name_width + 8, y + 2, std::max(length, 1.0),
        bar.modelled ? "url(#hatch)" : kPalette[i % kPalette.size()],
        bar.modelled ? "#9a5b00" : "none");
    out += text_at(name_width + 14 + length, y + 15, bar.text, "");
    any_modelled = any_modelled || bar.modelled;
  }
  std::string note = chart.note;
  if (any_modelled)
    note += std::string(note.empty() ? "" : " ") + "Hatched: modelled, not measured.";
  if (!note.empty()) out += text_at(10, height - 8, note, "fill=\"#555\"");
  return out + "</svg>\n";
}

namespace {

std::string stacked_legend(const std::vector<std::string>& segments, double y) {
  std::string out;
  double x = kLeft;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"12\" height=\"12\" fill=\"{}\"/>\n",
                       x, y - 10, kPalette[i % kPalette.size()]);
    out += text_at(x + 16, y, segments[i], "");
    x += 30 + text_width(segments[i], kFontPx);
  }
  return out;
}

std::string value_axis(const StackedBarChart& chart, const Frame& frame, Range y) {
  std::string out =
      fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#333\"/>\n", kLeft,
                  kBottom, kRight);
  const double step = nice_step(y.high - y.low, 5);
  for (double v = 0; v <= y.high + 1e-9 * step; v += step) {
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#e5e5e5\"/>\n", kLeft,
        frame.y(v), kRight);
    out +=
        text_at(kLeft - 6, frame.y(v) + 4, quantity_text(chart.quantity, v), "text-anchor=\"end\"");
  }
  out += text_at(14, (kTop + kBottom) / 2, chart.y_label,
                 fmt::format("text-anchor=\"middle\" transform=\"rotate(-90 14 {:.1f})\"",
                             (kTop + kBottom) / 2));
  return out;
}

}  // namespace

std::string stacked_bar_chart(const StackedBarChart& chart) {
  std::string out = svg_open(kWidth, kHeight, chart.title);
  if (chart.stacks.empty()) {
    out += text_at(kWidth / 2, kHeight / 2, "no data", "text-anchor=\"middle\"");
    return out + "</svg>\n";
  }
  double top = 0;
  for (const Stack& s : chart.stacks) {
    double total = 0;
    for (double v : s.values) total += std::max(v, 0.0);
    top = std::max({top, total, s.high});
  }
  // Room above the tallest whisker for its total's text.
  const Range y{0, top > 0 ? top * 1.12 : 1};
  const Frame frame({0, 1}, y);
  out += value_axis(chart, frame, y);
  const double slot = (kRight - kLeft) / static_cast<double>(chart.stacks.size());
  const double width = std::min(slot * 0.6, 90.0);
  for (std::size_t k = 0; k < chart.stacks.size(); ++k) {
    const Stack& s = chart.stacks[k];
    const double centre = kLeft + slot * (static_cast<double>(k) + 0.5);
    double base = 0;
    for (std::size_t i = 0; i < s.values.size(); ++i) {
      const double v = std::max(s.values[i], 0.0);
      if (v <= 0) continue;
      out += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"{}>"
          "<title>{}</title></rect>\n",
          centre - width / 2, frame.y(base + v), width, frame.y(base) - frame.y(base + v),
          kPalette[i % kPalette.size()],
          chart.modelled ? " stroke=\"#9a5b00\" stroke-dasharray=\"4 2\"" : "",
          html::escape(i < chart.segments.size() ? chart.segments[i] : ""));
      base += v;
    }
    // The whisker: the total's low-high range.
    out += fmt::format(
        "<path d=\"M{0:.1f} {1:.1f}H{2:.1f}M{3:.1f} {1:.1f}V{4:.1f}M{0:.1f} {4:.1f}H{2:.1f}\" "
        "stroke=\"#222\" stroke-width=\"1.5\" fill=\"none\"/>\n",
        centre - 8, frame.y(s.high), centre + 8, centre, frame.y(s.low));
    out += text_at(centre, frame.y(std::max(s.high, base)) - 6, s.text,
                   "text-anchor=\"middle\" font-weight=\"bold\"");
    out += text_at(centre, kBottom + 17, s.name, "text-anchor=\"middle\"");
  }
  out += stacked_legend(chart.segments, kHeight - 30);
  std::string note = chart.note;
  if (chart.modelled) note += std::string(note.empty() ? "" : " ") + "Modelled, not measured.";
  if (!note.empty()) out += text_at(kLeft, kHeight - 8, note, "fill=\"#555\"");
  if (chart.modelled) out += modelled_mark(kRight, 22);
  return out + "</svg>\n";
}

}  // namespace joule::report::chart

#pragma once
// Metric families and the two text formats Prometheus scrapes: the classic
// text format (version 0.0.4) and OpenMetrics 1.0, chosen by the scraper's
// Accept header. Names follow Prometheus's conventions: base units in the name
// (`_joules`, `_watts`, `_seconds`), and counters end in `_total`.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace joule::serve {

enum class MetricType { counter, gauge };

enum class ExpositionFormat { prometheus_text, openmetrics };

struct Label {
  std::string name;
  std::string value;
};

struct Sample {
  std::vector<Label> labels;
  double value = 0;
};

struct MetricFamily {
  // Without the `_total` a counter's samples carry: "joule_energy_joules".
  std::string name;
  MetricType type = MetricType::gauge;
  std::string help;
  // The base unit the name ends in ("joules", "watts"), for OpenMetrics'
  // UNIT line; empty for dimensionless metrics.
  std::string unit;
  std::vector<Sample> samples;

  MetricFamily& add(std::vector<Label> labels, double value) {
    samples.push_back({std::move(labels), value});
    return *this;
  }
};

// OpenMetrics when the Accept header asks for application/openmetrics-text
// (with a non-zero q), else the classic text format.
ExpositionFormat negotiate(std::string_view accept_header);
std::string_view content_type(ExpositionFormat format);

// The exposition of `families`, in order; families without samples are left out.
std::string render(const std::vector<MetricFamily>& families, ExpositionFormat format);

// A label value with backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view value);

}  // namespace joule::serve

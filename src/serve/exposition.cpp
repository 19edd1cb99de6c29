#include "serve/exposition.hpp"

#include <cmath>

#include <fmt/format.h>

#include "support/strings.hpp"

namespace joule::serve {
namespace {

// HELP text escapes backslash and newline only.
std::string escape_help(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void append_value(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    fmt::format_to(std::back_inserter(out), "{}", value);
  }
}

void append_sample(std::string& out, std::string_view name, const Sample& sample) {
  out += name;
  if (!sample.labels.empty()) {
    out += '{';
    for (std::size_t i = 0; i < sample.labels.size(); ++i) {
      if (i > 0) out += ',';
      out += sample.labels[i].name;
      out += "=\"";
      out += escape_label_value(sample.labels[i].value);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  append_value(out, sample.value);
  out += '\n';
}

}  // namespace

ExpositionFormat negotiate(std::string_view accept) {
  for (std::string_view range : support::split_list(accept)) {
    range = support::trim(range);
    if (!range.starts_with("application/openmetrics-text")) continue;
    // "q=0" means "not this one".
    const auto q = range.find("q=");
    if (q != std::string_view::npos) {
      std::string_view weight = support::trim(range.substr(q + 2));
      if (weight.starts_with("0") && weight.find_first_not_of("0.") == std::string_view::npos) {
        continue;
      }
    }
    return ExpositionFormat::openmetrics;
  }
  return ExpositionFormat::prometheus_text;
}

std::string_view content_type(ExpositionFormat format) {
  return format == ExpositionFormat::openmetrics
             ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
             : "text/plain; version=0.0.4; charset=utf-8";
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string render(const std::vector<MetricFamily>& families, ExpositionFormat format) {
  const bool om = format == ExpositionFormat::openmetrics;
  std::string out;
  out.reserve(4096);
  for (const auto& family : families) {
    if (family.samples.empty()) continue;
    const bool counter = family.type == MetricType::counter;
    const std::string sample_name = counter ? family.name + "_total" : family.name;
    // The classic format names a counter's family with its _total; OpenMetrics without.
    const std::string& family_name = counter && !om ? sample_name : family.name;
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n", family_name,
                   escape_help(family.help));
    fmt::format_to(std::back_inserter(out), "# TYPE {} {}\n", family_name,
                   counter ? "counter" : "gauge");
    if (om && !family.unit.empty()) {
      fmt::format_to(std::back_inserter(out), "# UNIT {} {}\n", family_name, family.unit);
    }
    for (const auto& sample : family.samples) append_sample(out, sample_name, sample);
  }
  if (om) out += "# EOF\n";
  return out;
}

}  // namespace joule::serve

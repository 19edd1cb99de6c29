// The two text formats Prometheus scrapes, and the choice between them.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "serve/exposition.hpp"

namespace joule::serve {
namespace {

std::vector<MetricFamily> sample_families() {
  MetricFamily energy{"joule_energy_joules", MetricType::counter, "Energy.", "joules", {}};
  energy.add({{"domain", "cpu:package-0"}, {"provenance", "measured"}}, 12.5);
  MetricFamily up{"joule_sensor_up", MetricType::gauge, "Up.", "", {}};
  up.add({{"domain", "gpu:0"}}, 1);
  MetricFamily empty{"joule_nothing", MetricType::gauge, "Left out.", "", {}};
  return {energy, up, empty};
}

TEST(Exposition, ClassicTextNamesCountersWithTotal) {
  const std::string text = render(sample_families(), ExpositionFormat::prometheus_text);
  EXPECT_EQ(text,
            "# HELP joule_energy_joules_total Energy.\n"
            "# TYPE joule_energy_joules_total counter\n"
            "joule_energy_joules_total{domain=\"cpu:package-0\",provenance=\"measured\"} 12.5\n"
            "# HELP joule_sensor_up Up.\n"
            "# TYPE joule_sensor_up gauge\n"
            "joule_sensor_up{domain=\"gpu:0\"} 1\n");
}

TEST(Exposition, OpenMetricsHasUnitsAndEndsWithEof) {
  const std::string text = render(sample_families(), ExpositionFormat::openmetrics);
  EXPECT_EQ(text,
            "# HELP joule_energy_joules Energy.\n"
            "# TYPE joule_energy_joules counter\n"
            "# UNIT joule_energy_joules joules\n"
            "joule_energy_joules_total{domain=\"cpu:package-0\",provenance=\"measured\"} 12.5\n"
            "# HELP joule_sensor_up Up.\n"
            "# TYPE joule_sensor_up gauge\n"
            "joule_sensor_up{domain=\"gpu:0\"} 1\n"
            "# EOF\n");
}

TEST(Exposition, EscapesLabelValuesAndSpellsSpecialValues) {
  MetricFamily f{"x", MetricType::gauge, "Back\\slash\nnewline.", "", {}};
  f.add({{"l", "a\"b\\c\nd"}}, std::numeric_limits<double>::infinity());
  f.add({{"l", "n"}}, std::nan(""));
  const std::string text = render({f}, ExpositionFormat::prometheus_text);
  EXPECT_NE(text.find("# HELP x Back\\\\slash\\nnewline.\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x{l=\"a\\\"b\\\\c\\nd\"} +Inf\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x{l=\"n\"} NaN\n"), std::string::npos) << text;
}

TEST(Exposition, NegotiatesOpenMetricsOnlyWhenAskedFor) {
  EXPECT_EQ(negotiate(""), ExpositionFormat::prometheus_text);
  EXPECT_EQ(negotiate("text/plain"), ExpositionFormat::prometheus_text);
  // What Prometheus 2.x sends.
  EXPECT_EQ(negotiate("application/openmetrics-text;version=1.0.0,application/"
                      "openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/"
                      "*;q=0.1"),
            ExpositionFormat::openmetrics);
  EXPECT_EQ(negotiate("application/openmetrics-text;q=0, text/plain"),
            ExpositionFormat::prometheus_text);
  EXPECT_NE(content_type(ExpositionFormat::openmetrics).find("application/openmetrics-text"),
            std::string_view::npos);
  EXPECT_NE(content_type(ExpositionFormat::prometheus_text).find("version=0.0.4"),
            std::string_view::npos);
}

}  // namespace
}  // namespace joule::serve

// Parsing "joule trace v1": declarations, rows, and errors that name the file,
// line and column and say what was expected.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "refdata/csv.hpp"
#include "sensors/trace_replay.hpp"

namespace joule::sensors::trace {
namespace {

using ::testing::HasSubstr;

const std::string kFixtures = JOULE_FIXTURES_DIR "/traces/";

TEST(TraceParse, ReadsDeclarationsModeAndRows) {
  const auto t = load_trace(kFixtures + "wrapping_counters.csv");
  EXPECT_EQ(t.mode, PlaybackMode::stepped);
  ASSERT_EQ(t.domains.size(), 3u);
  const auto& pkg = t.domains[0];
  EXPECT_EQ(pkg.id, "cpu:package-0");
  EXPECT_EQ(pkg.label, "package-0 (replayed)");
  EXPECT_EQ(pkg.component, Component::cpu_package);
  EXPECT_EQ(pkg.kind, ReadingKind::energy_counter);
  EXPECT_EQ(pkg.provenance, Provenance::measured);
  ASSERT_TRUE(pkg.wrap_range.has_value());
  EXPECT_DOUBLE_EQ(pkg.wrap_range->joules, 1000);
  EXPECT_DOUBLE_EQ(pkg.relative_uncertainty, 0.05);
  EXPECT_EQ(pkg.contains, (std::vector<std::string>{"cpu:core-0"}));
  EXPECT_THAT(pkg.source, HasSubstr("wrapping_counters.csv line 7"));
  EXPECT_EQ(t.domains[1].component, Component::cpu_core);
  EXPECT_EQ(t.domains[1].label, "cpu:core-0");  // no label given: the id
  EXPECT_FALSE(t.domains[1].wrap_range.has_value());
  EXPECT_EQ(t.domains[2].component, Component::dram);
  ASSERT_EQ(t.rows.size(), 6u);
  EXPECT_EQ(t.times_s, (std::vector<double>{0, 0.5, 1.0, 1.5, 2.0, 2.5}));
  EXPECT_EQ(t.lines.front(), 11u);
  EXPECT_DOUBLE_EQ(t.rows[3][0].counter.joules, 20);
  EXPECT_DOUBLE_EQ(t.rows[5][2].counter.joules, 12.5);
}

TEST(TraceParse, PowerColumnsEmptyCellsAndGone) {
  const auto t = load_trace(kFixtures + "power_and_gaps.csv");
  EXPECT_FALSE(t.mode.has_value());
  EXPECT_EQ(t.domains[0].kind, ReadingKind::power);
  EXPECT_EQ(t.domains[0].label, "NVIDIA A100-SXM4-40GB");
  EXPECT_DOUBLE_EQ(t.rows[1][0].power.watts, 200);
  EXPECT_EQ(t.rows[1][1].status, ReadStatus::unavailable);
  EXPECT_THAT(t.rows[1][1].error, HasSubstr("power_and_gaps.csv line 9"));
  EXPECT_EQ(t.rows[3][1].status, ReadStatus::gone);
  EXPECT_EQ(t.rows[3][0].status, ReadStatus::unavailable);
}

TEST(TraceParse, TheCommittedExampleParses) {
  const auto t = load_trace(JOULE_FIXTURES_DIR "/../../examples/traces/training_step.csv");
  EXPECT_EQ(t.mode, PlaybackMode::realtime);
  EXPECT_EQ(t.domains.size(), 3u);
  EXPECT_EQ(t.rows.size(), 21u);
}

// Parses `body` after the magic line and returns the DataError.
refdata::DataError parse_error(const std::string& body) {
  try {
    parse_trace("# joule trace v1\n" + body, "bug.csv");
  } catch (const refdata::DataError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a DataError for:\n" << body;
  return refdata::DataError("none", 0, 0, "none");
}

constexpr const char* kDecl =
    "# domain: cpu:package-0,cpu-package,counter,measured,1000,0.05\n"
    "# domain: gpu:0,gpu,power,measured,,0.05\n";

TEST(TraceParseErrors, BadNumberNamesLineAndColumn) {
  auto e = parse_error(std::string(kDecl) + "time_s,cpu:package-0,gpu:0\n0,1,2\n1,1.5e,3\n");
  EXPECT_EQ(e.line(), 6u);
  EXPECT_EQ(e.column(), 3u);
  EXPECT_THAT(e.what(), HasSubstr("bug.csv:6:3: expected counter joules (a number >= 0), empty "
                                  "or 'gone' in column 'cpu:package-0', found '1.5e'"));
  e = parse_error(std::string(kDecl) + "time_s,cpu:package-0,gpu:0\nzero,1,2\n");
  EXPECT_THAT(e.what(), HasSubstr("bug.csv:5:1: expected a time in seconds"));
  e = parse_error(std::string(kDecl) + "time_s,cpu:package-0,gpu:0\n0,1,-2\n");
  EXPECT_THAT(e.what(), HasSubstr("bug.csv:5:5: expected watts (a number >= 0)"));
}

TEST(TraceParseErrors, WrongFieldCount) {
  auto e = parse_error(std::string(kDecl) + "time_s,cpu:package-0,gpu:0\n0,1,2\n1,2\n");
  EXPECT_THAT(e.what(),
              HasSubstr("bug.csv:6:4: expected 3 fields (time_s,cpu:package-0,gpu:0), found 2"));
  e = parse_error(std::string(kDecl) + "time_s,cpu:package-0,gpu:0\n0,1,2,3\n");
  EXPECT_THAT(e.what(), HasSubstr("bug.csv:5:7: expected 3 fields"));
  e = parse_error("# domain: cpu:package-0,cpu-package,counter\n");
  EXPECT_THAT(e.what(), HasSubstr("bug.csv:2:"));
  EXPECT_THAT(e.what(), HasSubstr("expected a domain declaration 'id,component,kind,"));
}

TEST(TraceParseErrors, UnknownDomainKindComponentAndProvenance) {
  auto e = parse_error("# domain: cpu:package-0,cpu-package,joules,measured,,0.05\n");
  EXPECT_EQ(e.line(), 2u);
  EXPECT_EQ(e.column(), 37u);
  EXPECT_THAT(e.what(),
              HasSubstr("bug.csv:2:37: unknown domain kind 'joules': expected counter or power"));
  e = parse_error("# domain: x,fpga,power,measured,,0.05\n");
  EXPECT_THAT(e.what(), HasSubstr("bug.csv:2:13: unknown component 'fpga'"));
  e = parse_error("# domain: x,gpu,power,guessed,,0.05\n");
  EXPECT_THAT(e.what(), HasSubstr("bug.csv:2:23: unknown provenance 'guessed'"));
  e = parse_error("# domain: x,gpu,power,measured,100,0.05\n");
  EXPECT_THAT(e.what(), HasSubstr("bug.csv:2:32: a power domain has no wrap range"));
}

TEST(TraceParseErrors, StructureMistakes) {
  try {
    parse_trace("time_s,a\n0,1\n", "nomagic.csv");
    FAIL();
  } catch (const refdata::DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("nomagic.csv:1:1: expected '# joule trace v1'"));
  }
  auto e = parse_error(std::string(kDecl) + "time_s,cpu:package-0,gpu:1\n");
  EXPECT_THAT(e.what(), HasSubstr("bug.csv:4:22: column 'gpu:1' has no '# domain: gpu:1,...'"));
  e = parse_error(std::string(kDecl) + "time_s,cpu:package-0\n0,1\n");
  EXPECT_THAT(e.what(), HasSubstr("declared domain 'gpu:0' has no column"));
  e = parse_error(std::string(kDecl) + "time,cpu:package-0,gpu:0\n");
  EXPECT_THAT(e.what(), HasSubstr("bug.csv:4:1: expected the header 'time_s,"));
  e = parse_error(std::string(kDecl) + "time_s,cpu:package-0,gpu:0\n1,1,2\n1,2,2\n");
  EXPECT_THAT(e.what(), HasSubstr("bug.csv:6:1: expected time_s to increase"));
  e = parse_error(std::string(kDecl) + "time_s,cpu:package-0,gpu:0\n0,1000,2\n");
  EXPECT_THAT(e.what(), HasSubstr("bug.csv:5:3: expected a raw counter below the wrap range"));
  e = parse_error(std::string(kDecl) + "time_s,cpu:package-0,gpu:0\n0,1,2\n# mode: stepped\n");
  EXPECT_THAT(e.what(), HasSubstr("bug.csv:6:1: expected data rows"));
  e = parse_error(std::string(kDecl) + "time_s,cpu:package-0,gpu:0\n");
  EXPECT_THAT(e.what(), HasSubstr("expected at least one data row"));
  e = parse_error("# mode: fast\n");
  EXPECT_THAT(e.what(), HasSubstr("bug.csv:2:9: expected mode 'realtime' or 'stepped'"));
  e = parse_error("# domain: a,gpu,counter,measured,,0,b\n");
  EXPECT_THAT(e.what(), HasSubstr("bug.csv:2:37: 'a' contains 'b', which is not another"));
  e = parse_error(std::string(kDecl) + "# domain: gpu:0,gpu,power,measured,,0.05\n");
  EXPECT_THAT(e.what(), HasSubstr("bug.csv:4:11: domain 'gpu:0' is declared twice"));
}

TEST(TraceParseErrors, MissingFileIsNamed) {
  EXPECT_THAT([] { load_trace("/nonexistent/joule.csv"); },
              ::testing::ThrowsMessage<refdata::DataError>(HasSubstr("/nonexistent/joule.csv")));
}

}  // namespace
}  // namespace joule::sensors::trace

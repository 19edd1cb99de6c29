// An invalid option value is refused with a message a person can act on,
// never silently replaced by a default or a guess.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "support/subprocess.hpp"

using joule::testing::run_joule;

namespace {

const std::map<std::string, std::string> kIsolated = {
    {"JOULE_SENSORS", "estimator"}, {"JOULE_COUNTRY", ""}, {"JOULE_CONTROL", ""}};

struct Case {
  std::vector<std::string> args;
  std::string expected;
};

void expect_refused(const std::vector<Case>& cases,
                    const std::map<std::string, std::string>& env = kIsolated) {
  for (const auto& c : cases) {
    const auto r = run_joule(c.args, env);
    EXPECT_NE(r.exit_code, 0) << c.expected;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << "expected '" << c.expected << "' in:\n"
                                                         << r.err;
    // CLI11's own ranges print the limits of a double, 300 digits long.
    EXPECT_LT(r.err.size(), 400u) << r.err;
  }
}

TEST(OptionErrors, CarbonAsksForWhatIsMissingOrEmpty) {
  expect_refused({
      {{"carbon", "--no-config", "--energy", "10"}, "'10' has no unit: give one, e.g. 10kWh"},
      {{"carbon", "--no-config", "--energy", "10kWh", "--country", ""},
       "--country: an empty value is not allowed"},
      {{"carbon", "--no-config", "--energy", "10kWh", "--region", ""},
       "--region: an empty value is not allowed"},
      {{"carbon", "--no-config", "--energy", "1kWh", "--embodied", "1312", "--hours", "1"},
       "'1312' has no unit"},
      {{"carbon", "--no-config", "--energy", "1kWh", "--embodied", "server", "--hours", "1",
        "--lifetime", "-3"},
       "--lifetime: must be more than 0"},
      {{"carbon", "--no-config", "--hours", "1", "--watts", "-5"}, "--watts: must be more than 0"},
  });
}

TEST(OptionErrors, NumbersSayTheirRangeInWords) {
  expect_refused({
      {{"units", "-3"}, "must be 0 or more, got '-3'"},
      {{"units", "nan"}, "must be 0 or more, got 'nan'"},
      {{"run", "--no-ledger", "--predict", "-3", "--", "true"}, "--predict: must be 0 or more"},
      {{"run", "--no-ledger", "--predict-after", "0", "--", "true"},
       "--predict-after: must be 1 or more"},
      {{"sensors", "--sample", "99"}, "--sample: must be between 0 and 60, got '99'"},
  });
}

// Values that parsed, and then did harm in silence: a checkpoint every
// instant is a busy loop, 1e300 days overflowed the clock, and fleet took
// "nan" as a time.
TEST(OptionErrors, DurationsAndTimesThatCannotBeMeantAreRefused) {
  expect_refused({
      {{"run", "--no-ledger", "--checkpoint", "0", "--", "true"},
       "--checkpoint: must be more than 0"},
      {{"run", "--no-ledger", "--interval", "1e300d", "--", "true"}, "expected a duration"},
      {{"fleet", "--prometheus", "http://127.0.0.1:9", "--at", "nan"},
       "expected Unix seconds or ISO 8601"},
      {{"fleet", "--prometheus", "http://127.0.0.1:9", "--at", "inf"},
       "expected Unix seconds or ISO 8601"},
  });
}

TEST(OptionErrors, EnvironmentSettingsAreCheckedToo) {
  auto env = kIsolated;
  env["JOULE_SENSORS"] = "rapl";
  expect_refused({{{"sensors"}, "JOULE_SENSORS: 'rapl' is not a sensor backend"}}, env);
  env["JOULE_SENSORS"] = "estimator";
  env["JOULE_ESTIMATOR"] = "bogus";
  expect_refused({{{"sensors"}, "JOULE_ESTIMATOR='bogus' is not one of auto, on or off"}}, env);
  env["JOULE_ESTIMATOR"] = "";
  env["JOULE_CGROUP"] = "0";
  expect_refused({{{"run", "--no-ledger", "--", "true"}, "JOULE_CGROUP='0': the only value"}}, env);
}

}  // namespace

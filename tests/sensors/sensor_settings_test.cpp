// Settings that choose the sensors: a wrong one is refused with the values
// it may take, and the settings never make one domain counted twice.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "joule/discovery.hpp"
#include "sensors/sysfs_fixture.hpp"

namespace joule {
namespace {

using sysfs_testing::FakeTree;
using sysfs_testing::find_report;
using ::testing::AllOf;
using ::testing::HasSubstr;

// Sets an environment variable for one test and restores it after.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const char* value) : name_(name) {
    if (const char* before = std::getenv(name)) saved_ = before;
    ::setenv(name, value, 1);
  }
  ~ScopedEnvironment() {
    if (saved_) {
      ::setenv(name_, saved_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  const char* name_;
  std::optional<std::string> saved_;
};

TEST(SensorSettings, AnUnknownBackendInJouleSensorsIsAnErrorListingTheBackends) {
  const ScopedEnvironment sensors("JOULE_SENSORS", "rapl-powercap,rapl");
  EXPECT_THAT([] { (void)SensorConfig::from_environment(); },
              ::testing::ThrowsMessage<std::invalid_argument>(
                  AllOf(HasSubstr("'rapl' is not a sensor backend"), HasSubstr("rapl-powercap"),
                        HasSubstr("rapl-perf"), HasSubstr("nvml"), HasSubstr("estimator"))));
}

TEST(SensorSettings, KnownBackendsInJouleSensorsAreKept) {
  const ScopedEnvironment sensors("JOULE_SENSORS", "rapl-perf, nvml");
  const SensorConfig config = SensorConfig::from_environment();
  EXPECT_EQ(config.only_backends, (std::vector<std::string>{"rapl-perf", "nvml"}));
}

// Both RAPL paths read the same MSRs. Forced together, rapl-powercap wins
// (docs/sensors.md, "rapl-perf") and no domain id appears twice.
TEST(SensorSettings, BothRaplBackendsForcedGiveEachDomainOnce) {
  FakeTree tree;
  for (int package = 0; package < 2; ++package) {
    const std::string zone = "class/powercap/intel-rapl:" + std::to_string(package) + "/";
    tree.write(zone + "name", "package-" + std::to_string(package));
    tree.write(zone + "energy_uj", "1000");
    tree.write(zone + "max_energy_range_uj", "262143328850");
  }
  const std::string pmu = "bus/event_source/devices/power/";
  tree.write(pmu + "type", "23");
  tree.write(pmu + "events/energy-pkg", "event=0x02");
  tree.write(pmu + "events/energy-pkg.scale", "2.3283064365386962890625e-10");
  tree.write(pmu + "events/energy-pkg.unit", "Joules");
  SensorConfig config = tree.config();
  config.only_backends = {"rapl-perf", "rapl-powercap"};
  config.estimator = EstimatorMode::off;

  const ProbeResult result = discover_sensors(config);
  std::multiset<std::string> ids;
  for (const auto& sensor : result.sensors) {
    for (const auto& domain : sensor->domains()) ids.insert(domain.id);
  }
  EXPECT_EQ(ids, (std::multiset<std::string>{"cpu:package-0", "cpu:package-1"}));
  const BackendReport* perf = find_report(result, "rapl-perf");
  ASSERT_NE(perf, nullptr);
  EXPECT_EQ(perf->state, BackendState::absent);
  EXPECT_THAT(perf->reason, HasSubstr("rapl-powercap already reads these domains"));
}

}  // namespace
}  // namespace joule

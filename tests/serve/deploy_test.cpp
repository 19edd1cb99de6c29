// The deploy files are tested, not just shipped: the recording rules with
// promtool (syntax, and unit tests with input series and expected output),
// the systemd unit with systemd-analyze where it exists. The dashboard's
// expressions run against a real Prometheus in prometheus_test.cpp.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "serve/serve_support.hpp"

namespace joule::testing {
namespace {

std::filesystem::path deploy(const std::string& relative) {
  return std::filesystem::path(JOULE_DEPLOY_DIR) / relative;
}

TEST(DeployFiles, PromtoolChecksTheRules) {
  if (!std::filesystem::exists("/usr/bin/promtool")) GTEST_SKIP() << "promtool is not installed";
  auto r = run_command(
      {"/usr/bin/promtool", "check", "rules", deploy("prometheus/joule.rules.yml").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("SUCCESS"), std::string::npos) << r.out;
}

TEST(DeployFiles, PromtoolUnitTestsOfTheRulesPass) {
  if (!std::filesystem::exists("/usr/bin/promtool")) GTEST_SKIP() << "promtool is not installed";
  auto r = run_command(
      {"/usr/bin/promtool", "test", "rules", deploy("prometheus/joule.rules.test.yml").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(DeployFiles, EveryRuleIsUnitTested) {
  std::ifstream rules_file(deploy("prometheus/joule.rules.yml"));
  std::ifstream tests_file(deploy("prometheus/joule.rules.test.yml"));
  const std::string rules(std::istreambuf_iterator<char>(rules_file), {});
  const std::string tests(std::istreambuf_iterator<char>(tests_file), {});
  int count = 0;
  for (auto at = rules.find("- record: "); at != std::string::npos;
       at = rules.find("- record: ", at + 1)) {
    const auto end = rules.find('\n', at);
    const std::string name = rules.substr(at + 10, end - at - 10);
    EXPECT_NE(tests.find("expr: " + name), std::string::npos) << name << " has no promtool test";
    ++count;
  }
  EXPECT_GE(count, 5);
}

TEST(DeployFiles, TheSystemdUnitIsHardenedAndVerifies) {
  const auto unit = deploy("systemd/joule-serve.service");
  std::ifstream in(unit);
  const std::string text(std::istreambuf_iterator<char>(in), {});
  for (const char* setting : {"ProtectSystem=strict", "NoNewPrivileges=yes",
                              "CapabilityBoundingSet=", "ExecStart=/usr/bin/joule serve"}) {
    EXPECT_NE(text.find(setting), std::string::npos) << setting;
  }
  if (!std::filesystem::exists("/usr/bin/systemd-analyze")) {
    GTEST_SKIP() << "systemd-analyze is not installed";
  }
  // verify wants the ExecStart binary to exist: the one just built.
  const auto dir = make_temp_dir("systemd");
  std::string copy = text;
  copy.replace(copy.find("/usr/bin/joule"), 14, joule_binary());
  std::ofstream(dir / "joule-serve.service") << copy;
  auto r =
      run_command({"/usr/bin/systemd-analyze", "verify", (dir / "joule-serve.service").string()});
  std::filesystem::remove_all(dir);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err, "") << r.err;
}

TEST(DeployFiles, TheDashboardIsGrafanaJsonWithAPrometheusTargetPerPanel) {
  std::ifstream in(deploy("grafana/joule-dashboard.json"));
  auto dashboard = nlohmann::json::parse(in);
  ASSERT_TRUE(dashboard["panels"].is_array());
  EXPECT_GE(dashboard["panels"].size(), 10u);
  for (const auto& panel : dashboard["panels"]) {
    ASSERT_FALSE(panel["targets"].empty()) << panel["title"];
    for (const auto& target : panel["targets"]) {
      EXPECT_FALSE(target["expr"].get<std::string>().empty()) << panel["title"];
    }
  }
}

}  // namespace
}  // namespace joule::testing

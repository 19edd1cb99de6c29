// A fleet of two `joule serve` hosts scraped by a real Prometheus every
// second: each host is a fixture sysfs tree driven at a known power, and what
// Prometheus computes from the exporters must match that truth. The suite
// starts everything once (about 20 seconds) and every check reads it.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <memory>
#include <thread>

#include "run/control_channel.hpp"
#include "serve/prometheus_support.hpp"

namespace joule::testing {
namespace {

constexpr double kPowerA = 42.0;  // watts
constexpr double kPowerB = 17.5;
constexpr double kShareA = 0.5;  // app.service's share of host a's busy CPU time
constexpr double kShareB = 0.25;
constexpr double kRequestsPerSecondA = 20.0;
constexpr int kWindowSeconds = 10;

std::filesystem::path deploy(const std::string& relative) {
  return std::filesystem::path(JOULE_DEPLOY_DIR) / relative;
}

// The shipped rules with their one-minute windows cut to five seconds, so
// that seconds of data give rates over a full window; promtool tests the
// rules as shipped (deploy_test.cpp).
std::filesystem::path short_window_rules(const std::filesystem::path& dir) {
  std::ifstream in(deploy("prometheus/joule.rules.yml"));
  std::string text(std::istreambuf_iterator<char>(in), {});
  for (auto at = text.find("[1m]"); at != std::string::npos; at = text.find("[1m]")) {
    text.replace(at, 4, "[5s]");
  }
  const auto path = dir / "joule.rules.yml";
  std::ofstream(path) << text;
  return path;
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Fleet {
  FakeHost a{"a", kPowerA, kShareA};
  FakeHost b{"b", kPowerB, kShareB};
  HostDriver driver{{&a, &b}};
  ServeProcess serve_a{a, {"--cgroup-depth", "2"}};
  ServeProcess serve_b{b, {"--cgroup-depth", "2"}};
  std::unique_ptr<PrometheusServer> prometheus;
  std::atomic<bool> stop_requests{false};
  std::thread requests;
  double query_time = 0;  // the instant every test queries at

  ~Fleet() {
    stop_requests = true;
    if (requests.joinable()) requests.join();
  }
};

Fleet* fleet_ = nullptr;  // the fleet the checks below read

// Starts the fleet's Prometheus and waits for a window of kWindowSeconds of
// samples from both hosts.
void start_fleet() {
  ASSERT_TRUE(fleet_->serve_a.ready()) << fleet_->serve_a.log();
  ASSERT_TRUE(fleet_->serve_b.ready()) << fleet_->serve_b.log();
  // Host a serves "chat" requests at a known rate, as an application would
  // through joule::Session's serve mode (20 a second, in datagrams of 2).
  const auto socket = fleet_->a.dir() / "serve.sock";
  fleet_->requests = std::thread([socket, fleet = fleet_] {
    while (!fleet->stop_requests) {
      try {
        run::send_control(socket, "app chat\nunits 2 request\n");
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  fleet_->prometheus = std::make_unique<PrometheusServer>(
      std::vector<std::pair<std::string, std::string>>{
          {fmt::format("127.0.0.1:{}", fleet_->serve_a.port()), "a"},
          {fmt::format("127.0.0.1:{}", fleet_->serve_b.port()), "b"}},
      std::vector<std::filesystem::path>{short_window_rules(fleet_->a.dir())});
  ASSERT_TRUE(fleet_->prometheus->ready()) << fleet_->prometheus->log();
  // Prometheus scrapes a new target after a delay of its own choosing: wait
  // for both hosts' first samples, then for a window of kWindowSeconds
  // wholly inside the scraped span.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (
      fleet_->prometheus->values_by("count by (host) (joule_machine_energy_joules_total)", "host")
          .size() < 2) {
    ASSERT_LT(std::chrono::steady_clock::now(), until) << fleet_->prometheus->log();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::this_thread::sleep_for(std::chrono::seconds(kWindowSeconds + 2));
  fleet_->query_time = unix_now() - 0.5;
}

std::map<std::string, double> by_host(const std::string& promql) {
  return fleet_->prometheus->values_by(promql, "host", fleet_->query_time);
}

void EachHostsEnergyMatchesTheDrivenTruthWithinTwoPercent() {
  auto increase = by_host(fmt::format(
      "sum by (host) (increase(joule_machine_energy_joules_total{{provenance=\"measured\"}}[{}s]))",
      kWindowSeconds));
  ASSERT_EQ(increase.size(), 2u) << fleet_->prometheus->log();
  EXPECT_NEAR(increase["a"], kPowerA * kWindowSeconds, 0.02 * kPowerA * kWindowSeconds);
  EXPECT_NEAR(increase["b"], kPowerB * kWindowSeconds, 0.02 * kPowerB * kWindowSeconds);
  // The domain counter says the same as the machine total (one domain).
  auto domain = by_host(fmt::format(
      "increase(joule_energy_joules_total{{domain=\"cpu:package-0\"}}[{}s])", kWindowSeconds));
  EXPECT_NEAR(domain["a"], increase["a"], 1e-6 * increase["a"]);
}

void TheFleetSumIsTheSumOfTheHosts() {
  const std::string window = fmt::format("[{}s]", kWindowSeconds);
  auto hosts = by_host("sum by (host) (increase(joule_machine_energy_joules_total" + window + "))");
  auto fleet = fleet_->prometheus->values_by(
      "sum(increase(joule_machine_energy_joules_total" + window + "))", "", fleet_->query_time);
  ASSERT_EQ(fleet.size(), 1u);
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_NEAR(fleet[""], hosts["a"] + hosts["b"], 1e-9 * fleet[""]);
  EXPECT_NEAR(fleet[""], (kPowerA + kPowerB) * kWindowSeconds,
              0.02 * (kPowerA + kPowerB) * kWindowSeconds);
}

void CgroupsGetTheirCpuTimeShare() {
  auto app = by_host(fmt::format(
      "increase(joule_cgroup_energy_joules_total{{cgroup=\"system.slice/app.service\"}}[{}s])",
      kWindowSeconds));
  auto idle = by_host(fmt::format(
      "increase(joule_cgroup_energy_joules_total{{cgroup=\"system.slice/other.service\"}}[{}s])",
      kWindowSeconds));
  ASSERT_EQ(app.size(), 2u);
  EXPECT_NEAR(app["a"], kShareA * kPowerA * kWindowSeconds,
              0.03 * kShareA * kPowerA * kWindowSeconds);
  EXPECT_NEAR(app["b"], kShareB * kPowerB * kWindowSeconds,
              0.03 * kShareB * kPowerB * kWindowSeconds);
  EXPECT_EQ(idle["a"], 0.0);
}

void RecordingRulesGiveJoulesPerRequest() {
  auto power = by_host("instance:joule_machine_power_watts:rate1m");
  EXPECT_NEAR(power["a"], kPowerA, 0.03 * kPowerA);
  EXPECT_NEAR(power["b"], kPowerB, 0.03 * kPowerB);
  auto per_request = fleet_->prometheus->values_by(
      "application:joule_energy_per_unit_joules:rate1m{application=\"chat\"}", "unit",
      fleet_->query_time);
  ASSERT_EQ(per_request.count("request"), 1u);
  // 42 W over 20 requests a second; the sender's pace wanders a little.
  EXPECT_NEAR(per_request["request"], kPowerA / kRequestsPerSecondA,
              0.1 * kPowerA / kRequestsPerSecondA);
  auto grams = by_host("instance_application:joule_co2e_per_unit_grams:rate1m");
  ASSERT_EQ(grams.count("a"), 1u);
  EXPECT_GT(grams["a"], 0.0);
}

void EveryDashboardPanelQueryRunsWithoutError() {
  std::ifstream in(deploy("grafana/joule-dashboard.json"));
  auto dashboard = nlohmann::json::parse(in);
  int queries = 0;
  for (const auto& panel : dashboard["panels"]) {
    for (const auto& target : panel["targets"]) {
      std::string expr = target["expr"];
      // Grafana's variables, as Grafana would expand them.
      for (auto [variable, value] : {std::pair{"$__rate_interval", "4s"}, {"$instance", ".*"}}) {
        for (auto at = expr.find(variable); at != std::string::npos; at = expr.find(variable)) {
          expr.replace(at, std::string(variable).size(), value);
        }
      }
      auto answer = fleet_->prometheus->query(expr, fleet_->query_time);
      EXPECT_EQ(answer.value("status", ""), "success")
          << panel["title"] << ": " << expr << ": " << answer.dump();
      EXPECT_FALSE(answer["data"]["result"].empty()) << panel["title"] << ": " << expr;
      ++queries;
    }
  }
  EXPECT_GE(queries, 10);
}

void JouleFleetReportsTheFleetFromPrometheus() {
  auto r = run_joule({"fleet", "--prometheus", fleet_->prometheus->url(), "--since",
                      fmt::format("{}s", kWindowSeconds), "--at",
                      fmt::format("{:.3f}", fleet_->query_time), "--by", "host", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto json = nlohmann::json::parse(r.out);
  const double truth = (kPowerA + kPowerB) * kWindowSeconds;
  EXPECT_NEAR(json["energy_j"].get<double>(), truth, 0.02 * truth) << json.dump(2);
  EXPECT_EQ(json["modelled_share"].get<double>(), 0.0);
  ASSERT_EQ(json["groups"].size(), 2u);
  const auto& co2e = json["operational_co2e_g"];
  EXPECT_LE(co2e["low"].get<double>(), co2e["central"].get<double>());
  EXPECT_LE(co2e["central"].get<double>(), co2e["high"].get<double>());
  EXPECT_GT(co2e["central"].get<double>(), 0.0);
  bool chat = false;
  for (const auto& app : json["applications"]) {
    if (app["application"] == "chat") {
      chat = true;
      EXPECT_NEAR(app["energy_per_unit_j"].get<double>(), kPowerA / kRequestsPerSecondA,
                  0.1 * kPowerA / kRequestsPerSecondA);
    }
  }
  EXPECT_TRUE(chat) << json.dump(2);
}

// One test, so that ctest (which runs each test in its own process) starts
// Prometheus once; each check says which it is when it fails.
TEST(PrometheusFleet, TwoHostsScrapedEverySecondAgreeWithTheDrivenTruth) {
  if (!prometheus_installed()) {
    GTEST_SKIP() << "prometheus is not installed (scripts/install-deps.sh)";
  }
  Fleet fleet;  // its destructor stops Prometheus and both exporters by pid
  fleet_ = &fleet;
  start_fleet();
  if (!HasFatalFailure()) {
    {
      SCOPED_TRACE("EachHostsEnergyMatchesTheDrivenTruthWithinTwoPercent");
      EachHostsEnergyMatchesTheDrivenTruthWithinTwoPercent();
    }
    {
      SCOPED_TRACE("TheFleetSumIsTheSumOfTheHosts");
      TheFleetSumIsTheSumOfTheHosts();
    }
    {
      SCOPED_TRACE("CgroupsGetTheirCpuTimeShare");
      CgroupsGetTheirCpuTimeShare();
    }
    {
      SCOPED_TRACE("RecordingRulesGiveJoulesPerRequest");
      RecordingRulesGiveJoulesPerRequest();
    }
    {
      SCOPED_TRACE("EveryDashboardPanelQueryRunsWithoutError");
      EveryDashboardPanelQueryRunsWithoutError();
    }
    {
      SCOPED_TRACE("JouleFleetReportsTheFleetFromPrometheus");
      JouleFleetReportsTheFleetFromPrometheus();
    }
  }
  fleet_ = nullptr;
}

}  // namespace
}  // namespace joule::testing

#pragma once
// `joule fleet`: what a fleet of `joule serve` exporters measured, read back
// from Prometheus's HTTP API (instant queries of increase() over a window):
// the fleet's energy and carbon with their ranges, per host, cgroup or
// application, and the joules and grams per unit each application reported,
// each with the share of its energy that is modelled rather than measured.
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "joule/carbon.hpp"
#include "joule/units.hpp"

namespace joule::serve {

// Prometheus could not be reached or refused a query; what() says which.
class FleetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One series of an instant vector: its labels and value.
struct VectorSample {
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Answers an instant query at a Unix time. The real one is PrometheusApi;
// tests give canned answers.
using QueryFunction =
    std::function<std::vector<VectorSample>(const std::string& promql, double at_unix_s)>;

// Instant queries against Prometheus's /api/v1/query, over HTTP or HTTPS,
// with basic auth when `user` is set. Throws FleetError.
class PrometheusApi {
 public:
  PrometheusApi(std::string url, std::string user = {}, std::string password = {});
  std::vector<VectorSample> query(const std::string& promql, double at_unix_s) const;

 private:
  std::string url_;
  std::string user_;
  std::string password_;
};

// Parses the API's JSON answer to an instant query; throws FleetError when
// it is an error or not a vector.
std::vector<VectorSample> parse_query_answer(const std::string& body, const std::string& promql);

enum class FleetGrouping { host, cgroup, application };
// "host", "cgroup", "app"; throws FleetError otherwise.
FleetGrouping parse_grouping(const std::string& text);

struct FleetRequest {
  Seconds since{86400};
  double at_unix_s = 0;  // the window's end
  FleetGrouping by = FleetGrouping::host;
};

struct FleetGroup {
  std::string name;
  Joules energy;
  std::optional<double> modelled_share;  // nullopt for cgroups (not split by provenance)
};

struct FleetApplication {
  std::string application;
  std::string unit;
  double units = 0;
  Joules energy;  // of the hosts that served it
  double modelled_share = 0;
  Joules energy_per_unit;
  carbon::Estimate co2e_per_unit_g;
};

struct FleetReport {
  FleetRequest request;
  Joules energy;
  double modelled_share = 0;
  carbon::Estimate operational_g;
  std::optional<carbon::Estimate> embodied_g;
  std::vector<FleetGroup> groups;
  std::vector<FleetApplication> applications;
  std::vector<std::string> notes;  // what a reader must know
};

FleetReport read_fleet(const QueryFunction& query, const FleetRequest& request);

nlohmann::json to_json(const FleetReport& report);
// The window's end, ISO 8601 UTC; "host", "cgroup" or "application".
std::string end_time(const FleetRequest& request);
const char* grouping_name(FleetGrouping by);
// The inference part of a `joule budget` scenario (TOML), from what the fleet
// measured: requests per day and energy per request, with their source.
std::string budget_section(const FleetReport& report, const std::string& source);

}  // namespace joule::serve

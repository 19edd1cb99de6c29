#include "serve/fleet.hpp"

#include <httplib.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "carbon/quantity.hpp"
#include "joule/format.hpp"

namespace joule::serve {
namespace {

std::string window(const FleetRequest& r) {
  return fmt::format("[{}s]", std::llround(r.since.seconds));
}

double sum_of(const std::vector<VectorSample>& samples) {
  double total = 0;
  for (const auto& s : samples) total += s.value;
  return total;
}

std::string label(const VectorSample& s, const std::string& name) {
  auto it = s.labels.find(name);
  return it == s.labels.end() ? std::string() : it->second;
}

carbon::Estimate estimates(const std::vector<VectorSample>& samples) {
  carbon::Estimate e;
  for (const auto& s : samples) {
    const std::string which = label(s, "estimate");
    if (which == "low") e.low = s.value;
    if (which == "central") e.central = s.value;
    if (which == "high") e.high = s.value;
  }
  return e;
}

// `inner` summed per host, spread over the (host, application, unit) series
// that reported units there: the energy of the hosts serving each application.
std::string per_application(const std::string& inner, const std::string& w) {
  return fmt::format(
      "sum by (application, unit) (sum by (instance, job) ({}) * on (instance, job) group_right () "
      "(sum by (instance, job, application, unit) (increase(joule_application_units_total{})) "
      "> bool -1))",
      inner, w);
}

void read_groups(const QueryFunction& query, const FleetRequest& r, FleetReport& out) {
  const std::string w = window(r);
  if (r.by == FleetGrouping::cgroup) {
    for (const auto& s :
         query(fmt::format(
                   "sum by (instance, cgroup) (increase(joule_cgroup_energy_joules_total{}))", w),
               r.at_unix_s)) {
      out.groups.push_back({fmt::format("{} {}", label(s, "instance"), label(s, "cgroup")),
                            Joules{s.value}, std::nullopt});
    }
    out.notes.push_back(
        "cgroups: CPU-time share of CPU-side domains and the driver's share of GPUs, as joule run "
        "attributes; the rest of a host's energy is its idle and system load");
    return;
  }
  if (r.by == FleetGrouping::application) {
    for (const auto& a : out.applications) {
      out.groups.push_back({a.application + " (" + a.unit + ")", a.energy, a.modelled_share});
    }
    return;
  }
  std::map<std::string, double> modelled;
  for (const auto& s :
       query(fmt::format("sum by (instance) (increase(joule_machine_energy_joules_total"
                         "{{provenance=\"modelled\"}}{}))",
                         w),
             r.at_unix_s)) {
    modelled[label(s, "instance")] = s.value;
  }
  for (const auto& s :
       query(fmt::format("sum by (instance) (increase(joule_machine_energy_joules_total{}))", w),
             r.at_unix_s)) {
    const std::string host = label(s, "instance");
    out.groups.push_back({host, Joules{s.value}, s.value > 0 ? modelled[host] / s.value : 0.0});
  }
}

void read_applications(const QueryFunction& query, const FleetRequest& r, FleetReport& out) {
  const std::string w = window(r);
  using Key = std::pair<std::string, std::string>;
  std::map<Key, FleetApplication> apps;
  auto key = [](const VectorSample& s) { return Key{label(s, "application"), label(s, "unit")}; };
  for (const auto& s : query(fmt::format("sum by (application, unit) "
                                         "(increase(joule_application_units_total{}))",
                                         w),
                             r.at_unix_s)) {
    apps[key(s)] = {label(s, "application"), label(s, "unit"), s.value, {}, 0, {}, {}};
  }
  const std::string energy = "increase(joule_machine_energy_joules_total" + w + ")";
  for (const auto& s : query(per_application(energy, w), r.at_unix_s)) {
    if (apps.count(key(s))) apps[key(s)].energy = Joules{s.value};
  }
  const std::string modelled =
      "increase(joule_machine_energy_joules_total{provenance=\"modelled\"}" + w + ")";
  for (const auto& s : query(per_application(modelled, w), r.at_unix_s)) {
    auto it = apps.find(key(s));
    if (it != apps.end() && it->second.energy.joules > 0) {
      it->second.modelled_share = s.value / it->second.energy.joules;
    }
  }
  for (auto [name, field] : {std::pair{"low", &carbon::Estimate::low},
                             {"central", &carbon::Estimate::central},
                             {"high", &carbon::Estimate::high}}) {
    const std::string grams =
        fmt::format("increase(joule_operational_co2e_grams_total{{estimate=\"{}\"}}{})", name, w);
    for (const auto& s : query(per_application(grams, w), r.at_unix_s)) {
      auto it = apps.find(key(s));
      if (it != apps.end() && it->second.units > 0)
        it->second.co2e_per_unit_g.*field = s.value / it->second.units;
    }
  }
  for (auto& [k, a] : apps) {
    if (a.units > 0) a.energy_per_unit = Joules{a.energy.joules / a.units};
    out.applications.push_back(a);
  }
  if (!out.applications.empty()) {
    out.notes.push_back(
        "per unit: the energy of the hosts that served an application over the units it "
        "reported; an upper bound where hosts also serve other work");
  }
}

}  // namespace

PrometheusApi::PrometheusApi(std::string url, std::string user, std::string password)
    : url_(std::move(url)), user_(std::move(user)), password_(std::move(password)) {
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
  if (!url_.starts_with("http://") && !url_.starts_with("https://")) {
    throw FleetError(
        fmt::format("--prometheus {}: expected a URL such as http://localhost:9090", url_));
  }
}

std::vector<VectorSample> PrometheusApi::query(const std::string& promql, double at) const {
  httplib::Client client(url_);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(60, 0);
  if (!user_.empty()) client.set_basic_auth(user_, password_);
  httplib::Params params{{"query", promql}, {"time", fmt::format("{:.3f}", at)}};
  auto res = client.Post("/api/v1/query", params);
  if (!res) {
    throw FleetError(
        fmt::format("cannot reach Prometheus at {}: {}", url_, httplib::to_string(res.error())));
  }
  if (res->status == 401)
    throw FleetError(fmt::format("{}: 401 Unauthorized (check the user and password)", url_));
  return parse_query_answer(res->body, promql);
}

namespace {

// A malformed answer names the query and what was missing, never a
// nlohmann::json exception from deep inside the reader.
[[noreturn]] void malformed(const std::string& promql, std::string_view what) {
  throw FleetError(
      fmt::format("Prometheus's answer to '{}' is not an instant vector as its HTTP API documents "
                  "one: {}",
                  promql, what));
}

std::string string_field(const nlohmann::json& object, const char* key, std::string fallback) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

// {"metric": {...labels}, "value": [unix_time, "value"]}; nullopt for the
// values Prometheus writes as NaN or +-Inf, which sum to nothing.
std::optional<VectorSample> read_series(const nlohmann::json& series, const std::string& promql) {
  if (!series.is_object()) malformed(promql, "a result that is not an object");
  VectorSample s;
  auto metric = series.find("metric");
  if (metric == series.end() || !metric->is_object()) malformed(promql, "a result without labels");
  for (const auto& [k, v] : metric->items()) {
    if (!v.is_string()) malformed(promql, fmt::format("label '{}' is not a string", k));
    s.labels[k] = v.get<std::string>();
  }
  auto value = series.find("value");
  if (value == series.end() || !value->is_array() || value->size() != 2 ||
      !(*value)[1].is_string()) {
    malformed(promql, "a result without a [time, \"value\"] pair");
  }
  const std::string text = (*value)[1].get<std::string>();
  if (text == "NaN" || text == "+Inf" || text == "-Inf") return std::nullopt;
  auto number = carbon::parse_number(text);
  if (!number) malformed(promql, fmt::format("value '{}' is not a number", text));
  s.value = *number;
  return s;
}

}  // namespace

std::vector<VectorSample> parse_query_answer(const std::string& body, const std::string& promql) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    throw FleetError(
        fmt::format("Prometheus answered '{}' with something that is not JSON", promql));
  }
  if (string_field(json, "status", "") != "success") {
    throw FleetError(fmt::format("Prometheus refused '{}': {}", promql,
                                 string_field(json, "error", "no reason given")));
  }
  auto data = json.find("data");
  if (data == json.end() || !data->is_object()) malformed(promql, "no \"data\" object");
  const std::string type = string_field(*data, "resultType", "?");
  if (type != "vector") {
    throw FleetError(fmt::format("'{}' gave a {}, not an instant vector", promql, type));
  }
  auto result = data->find("result");
  if (result == data->end() || !result->is_array()) malformed(promql, "no \"result\" list");
  std::vector<VectorSample> out;
  for (const auto& series : *result) {
    if (auto s = read_series(series, promql)) out.push_back(std::move(*s));
  }
  return out;
}

FleetGrouping parse_grouping(const std::string& text) {
  if (text == "host") return FleetGrouping::host;
  if (text == "cgroup") return FleetGrouping::cgroup;
  if (text == "app" || text == "application") return FleetGrouping::application;
  throw FleetError(fmt::format("--by {}: expected app, host or cgroup", text));
}

FleetReport read_fleet(const QueryFunction& query, const FleetRequest& r) {
  FleetReport out;
  out.request = r;
  const std::string w = window(r);
  const auto total =
      query("sum(increase(joule_machine_energy_joules_total" + w + "))", r.at_unix_s);
  if (total.empty()) {
    throw FleetError(fmt::format(
        "Prometheus holds no joule_machine_energy_joules_total over the last {}: is it scraping "
        "`joule serve`?",
        r.since));
  }
  out.energy = Joules{sum_of(total)};
  const double modelled = sum_of(
      query("sum(increase(joule_machine_energy_joules_total{provenance=\"modelled\"}" + w + "))",
            r.at_unix_s));
  out.modelled_share = out.energy.joules > 0 ? modelled / out.energy.joules : 0;
  out.operational_g = estimates(query(
      "sum by (estimate) (increase(joule_operational_co2e_grams_total" + w + "))", r.at_unix_s));
  const auto embodied =
      query("sum by (estimate) (increase(joule_embodied_co2e_grams_total" + w + "))", r.at_unix_s);
  if (!embodied.empty()) out.embodied_g = estimates(embodied);
  read_applications(query, r, out);
  read_groups(query, r, out);
  return out;
}

}  // namespace joule::serve

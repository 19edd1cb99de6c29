// The scenario file, read with toml++ (header-only, as src/carbon/config_file.cpp
// reads joule.toml) and checked key by key.
#include "budget/scenario.hpp"

#include <fmt/format.h>

// toml++ 3.3 asserts where it should report a parse error (config_file.cpp).
#define TOML_ASSERT(expr) static_assert(true)
#include <toml++/toml.h>

#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "carbon/quantity.hpp"
#include "carbon/suggest.hpp"
#include "carbon/toml_text.hpp"
#include "joule/carbon.hpp"
#include "joule/data_error.hpp"
#include "support/files.hpp"

namespace joule::budget {

namespace {

Where where_of(const toml::node& node) {
  return {node.source().begin.line, node.source().begin.column};
}

// One table of the file, read key by key with its path ("inference",
// "deployment[2]") in every message.
class TableReader {
 public:
  TableReader(const std::filesystem::path& path, const toml::table& table, std::string name)
      : path_(path), table_(table), name_(std::move(name)) {}

  [[noreturn]] void fail(const toml::node& node, const std::string& key,
                         const std::string& what) const {
    const Where w = where_of(node);
    throw DataError(path_.string(), w.line, w.column, fmt::format("{}: {}", qualified(key), what));
  }

  void only_keys(const std::vector<std::string>& known) const {
    for (const auto& [key, node] : table_) {
      const std::string k(key.str());
      if (std::find(known.begin(), known.end(), k) != known.end()) continue;
      const std::string hint = carbon::did_you_mean(k, known);
      fail(node, k,
           fmt::format("unknown key{}",
                       hint.empty() ? fmt::format("; expected one of {}", fmt::join(known, ", "))
                                    : ";" + hint));
    }
  }

  const toml::node* node(std::string_view key) const { return table_.get(key); }

  std::optional<double> number(std::string_view key, double min, double max,
                               const std::string& example) const {
    const toml::node* n = table_.get(key);
    if (!n) return std::nullopt;
    const std::string k(key);
    auto v = n->value<double>();
    if (!v || !(n->is_floating_point() || n->is_integer())) {
      fail(*n, k, fmt::format("expected a number such as {}", example));
    }
    if (!std::isfinite(*v) || *v < min || *v > max) {
      const std::string range = std::isinf(max) ? fmt::format("at least {}", min)
                                                : fmt::format("between {} and {}", min, max);
      fail(*n, k, fmt::format("expected a finite number {}, found {}", range, *v));
    }
    return v;
  }

  double positive(std::string_view key, double fallback, const std::string& example) const {
    auto v = number(key, 0, INFINITY, example);
    if (v && *v == 0) fail(*table_.get(key), std::string(key), "expected more than zero, found 0");
    return v.value_or(fallback);
  }

  // true or false; "yes" or 1 would otherwise read as false in silence.
  bool flag(std::string_view key) const {
    const toml::node* n = table_.get(key);
    if (!n) return false;
    if (!n->is_boolean()) fail(*n, std::string(key), "expected true or false");
    return *n->value<bool>();
  }

  std::optional<std::string> string(std::string_view key) const {
    const toml::node* n = table_.get(key);
    if (!n) return std::nullopt;
    if (!n->is_string()) fail(*n, std::string(key), "expected a string in quotes");
    return *n->value<std::string>();
  }

  std::optional<Located<std::string>> located_string(std::string_view key) const {
    auto s = string(key);
    if (!s) return std::nullopt;
    return Located<std::string>{*s, where_of(*table_.get(key))};
  }

  // "120kWh", "0.4 J": carbon's energy parser, its message at this key.
  std::optional<Joules> energy(std::string_view key) const {
    auto s = string(key);
    if (!s) return std::nullopt;
    try {
      return carbon::parse_energy(*s);
    } catch (const carbon::CarbonError& e) {
      fail(*table_.get(key), std::string(key), e.what());
    }
  }

  // "10%" or 0.1: a relative uncertainty, zero or more.
  double uncertainty(std::string_view key) const {
    const toml::node* n = table_.get(key);
    if (!n) return 0;
    if (n->is_string()) {
      std::string text = *n->value<std::string>();
      const bool percent = text.ends_with('%');
      auto v = carbon::parse_number(percent ? text.substr(0, text.size() - 1) : text);
      if (v && *v >= 0) return percent ? *v / 100 : *v;
      fail(*n, std::string(key), "expected a relative uncertainty such as \"10%\" or 0.1");
    }
    return *number(key, 0, 10, "0.1");
  }

  std::vector<Located<std::string>> strings(std::string_view key) const {
    std::vector<Located<std::string>> out;
    const toml::node* n = table_.get(key);
    if (!n) return out;
    const toml::array* list = n->as_array();
    if (!list) fail(*n, std::string(key), "expected a list of strings such as [\"a\", \"b\"]");
    for (const auto& item : *list) {
      if (!item.is_string()) fail(item, std::string(key), "expected a list of strings in quotes");
      out.push_back({*item.value<std::string>(), where_of(item)});
    }
    return out;
  }

  std::string qualified(const std::string& key) const {
    return name_.empty() ? key : name_ + "." + key;
  }
  const toml::table& table() const { return table_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  const std::filesystem::path& path_;
  const toml::table& table_;
  std::string name_;
};

const std::vector<std::string> kPlaceKeys = {"country", "region", "cloud", "pue", "context"};

std::vector<std::string> with_place_keys(std::vector<std::string> keys) {
  keys.insert(keys.end(), kPlaceKeys.begin(), kPlaceKeys.end());
  return keys;
}

PlaceSpec read_place(const TableReader& r) {
  PlaceSpec p;
  p.country = r.string("country");
  p.region = r.string("region");
  p.cloud = r.string("cloud");
  p.context = r.string("context");
  p.pue = r.number("pue", 1, 5, "1.2");
  p.where = where_of(r.table());
  p.key = r.qualified("place");
  for (const char* key : {"cloud", "region", "country"}) {
    if (const toml::node* n = r.node(key)) {
      p.where = where_of(*n);
      p.key = r.qualified(key);
    }
  }
  return p;
}

const toml::table& sub_table(const TableReader& parent, std::string_view key) {
  const toml::node* n = parent.node(key);
  if (!n->is_table()) parent.fail(*n, std::string(key), fmt::format("expected a table [{}]", key));
  return *n->as_table();
}

std::filesystem::path relative_to(const std::filesystem::path& scenario, const std::string& file) {
  std::filesystem::path p(file);
  return p.is_absolute() ? p : scenario.parent_path() / p;
}

TrainingSpec read_training(const TableReader& r) {
  r.only_keys(with_place_keys({"energy", "energy_uncertainty", "runs", "from_bench", "trials",
                               "failed_fraction", "retrain_every_days"}));
  TrainingSpec t;
  const bool from_bench = r.flag("from_bench");
  const int sources = (r.node("energy") ? 1 : 0) + (r.node("runs") ? 1 : 0) + (from_bench ? 1 : 0);
  if (sources != 1) {
    r.fail(r.table(), "energy",
           "give exactly one of energy = \"120kWh\" (given), runs = [\"RUN-ID\", ...] (the "
           "ledger) or from_bench = true (the bench model's energy to the tier)");
  }
  if (auto e = r.energy("energy")) {
    t.origin = EnergyOrigin::given;
    t.energy = *e;
    t.energy_where = where_of(*r.node("energy"));
  } else if (r.node("runs")) {
    t.origin = EnergyOrigin::ledger;
    t.runs = r.strings("runs");
    if (t.runs.empty()) r.fail(*r.node("runs"), "runs", "expected at least one run id");
  } else {
    t.origin = EnergyOrigin::bench;
  }
  t.relative_uncertainty = r.uncertainty("energy_uncertainty");
  t.trials = r.positive("trials", 1, "20");
  t.failed_fraction = r.number("failed_fraction", 0, 100, "0.1").value_or(0);
  if (r.node("retrain_every_days")) {
    // At least a day: the schedule is walked retraining by retraining.
    t.retrain_every_days = r.number("retrain_every_days", 1, INFINITY, "30");
  }
  t.place = read_place(r);
  return t;
}

InferenceSpec read_inference(const TableReader& r) {
  r.only_keys({"energy_per_request", "energy_uncertainty", "run", "unit", "from_bench", "batch",
               "flops_per_request", "requests_per_day", "growth_per_year"});
  InferenceSpec in;
  const bool from_bench = r.flag("from_bench");
  const int sources =
      (r.node("energy_per_request") ? 1 : 0) + (r.node("run") ? 1 : 0) + (from_bench ? 1 : 0);
  if (sources != 1) {
    r.fail(r.table(), "energy_per_request",
           "give exactly one of energy_per_request = \"0.5J\" (given), run = \"RUN-ID\" (a "
           "ledger run with units) or from_bench = true (the bench model's J/1000)");
  }
  if (auto e = r.energy("energy_per_request")) {
    in.origin = EnergyOrigin::given;
    in.energy_per_request = *e;
    in.energy_where = where_of(*r.node("energy_per_request"));
  } else if (auto run = r.located_string("run")) {
    in.origin = EnergyOrigin::ledger;
    in.run = *run;
  } else {
    in.origin = EnergyOrigin::bench;
  }
  in.unit = r.string("unit").value_or("");
  in.relative_uncertainty = r.uncertainty("energy_uncertainty");
  in.flops_per_request = r.number("flops_per_request", 0, INFINITY, "2.2e6");
  if (!r.node("requests_per_day")) {
    r.fail(r.table(), "requests_per_day", "missing: how many requests a day, such as 5e6");
  }
  in.requests_per_day = *r.number("requests_per_day", 0, INFINITY, "5e6");
  in.growth_per_year = r.number("growth_per_year", -1, 100, "0.1").value_or(0);
  if (auto b = r.number("batch", 1, 1e6, "256")) {
    in.batch = {static_cast<int>(*b), where_of(*r.node("batch"))};
    if (std::floor(*b) != *b) r.fail(*r.node("batch"), "batch", "expected a whole number");
  }
  return in;
}

DeploymentSpec read_deployment(const TableReader& r, std::size_t index) {
  r.only_keys(with_place_keys({"name", "share", "device", "replicas", "utilisation",
                               "reserved_share", "lifetime_years", "idle_power", "embodied"}));
  DeploymentSpec d;
  d.where = where_of(r.table());
  d.name = r.string("name").value_or(fmt::format("deployment {}", index + 1));
  d.share = r.number("share", 0, 1, "0.5").value_or(1);
  auto device = r.located_string("device");
  if (!device) r.fail(r.table(), "device", "missing: a devices.csv class such as \"server-cpu\"");
  d.device = *device;
  d.replicas = r.positive("replicas", 1, "4");
  if (auto u = r.number("utilisation", 0, 1, "0.3")) {
    if (*u == 0) r.fail(*r.node("utilisation"), "utilisation", "expected more than zero");
    d.utilisation = *u;
  }
  if (auto s = r.number("reserved_share", 0, 1, "0.5")) {
    if (*s == 0) r.fail(*r.node("reserved_share"), "reserved_share", "expected more than zero");
    d.reserved_share = *s;
  }
  if (r.node("lifetime_years")) d.lifetime_years = r.positive("lifetime_years", 4, "4");
  if (auto p = r.string("idle_power")) {
    auto w = carbon::parse_number(p->ends_with('W') ? p->substr(0, p->size() - 1) : *p);
    if (!w || *w < 0)
      r.fail(*r.node("idle_power"), "idle_power", "expected a power such as \"20W\"");
    d.idle_power = Watts{*w};
  }
  if (auto m = r.string("embodied")) {
    try {
      d.embodied_kg = carbon::parse_mass_kg(*m);
    } catch (const carbon::CarbonError& e) {
      r.fail(*r.node("embodied"), "embodied", e.what());
    }
  }
  d.place = read_place(r);
  return d;
}

OtherSpec read_other(const TableReader& r, std::size_t index) {
  r.only_keys(with_place_keys({"name", "energy_per_year", "co2e_per_year"}));
  OtherSpec o;
  o.where = where_of(r.table());
  o.name = r.string("name").value_or(fmt::format("other {}", index + 1));
  o.energy_per_year = r.energy("energy_per_year");
  if (auto m = r.string("co2e_per_year")) {
    try {
      o.co2e_kg_per_year = carbon::parse_mass_kg(*m);
    } catch (const carbon::CarbonError& e) {
      r.fail(*r.node("co2e_per_year"), "co2e_per_year", e.what());
    }
  }
  if (o.energy_per_year.has_value() == o.co2e_kg_per_year.has_value()) {
    r.fail(r.table(), "energy_per_year",
           "give exactly one of energy_per_year = \"500kWh\" or co2e_per_year = \"20kg\"");
  }
  o.place = read_place(r);
  return o;
}

BenchSpec read_bench(const TableReader& r) {
  r.only_keys({"file", "task", "model", "tier"});
  BenchSpec b;
  auto file = r.located_string("file");
  if (!file) r.fail(r.table(), "file", "missing: the results.json of joule bench");
  b.file = {relative_to(r.path(), file->value), file->where};
  b.task = r.located_string("task").value_or(Located<std::string>{});
  auto model = r.located_string("model");
  if (!model) r.fail(r.table(), "model", "missing: the bench model served, such as \"cnn\"");
  b.model = *model;
  if (auto tier = r.number("tier", -std::numeric_limits<double>::infinity(),
                           std::numeric_limits<double>::infinity(), "0.88")) {
    b.tier = Located<double>{*tier, where_of(*r.node("tier"))};
  }
  return b;
}

template <typename Read>
auto read_array_of_tables(const TableReader& root, std::string_view key, Read read) {
  std::vector<decltype(read(root, 0))> out;
  const toml::node* n = root.node(key);
  if (!n) return out;
  const toml::array* list = n->as_array();
  if (!list || !list->is_array_of_tables()) {
    root.fail(*n, std::string(key), fmt::format("expected tables [[{}]]", key));
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    TableReader r(root.path(), *list->get(i)->as_table(), fmt::format("{}[{}]", key, i + 1));
    out.push_back(read(r, i));
  }
  return out;
}

void check_shares(const Scenario& s, const toml::table& root) {
  double total = 0;
  for (const auto& d : s.deployments) total += d.share;
  if (std::fabs(total - 1) > 1e-9) {
    std::string shares;
    for (const auto& d : s.deployments) shares += fmt::format(" {}={}", d.name, d.share);
    const Where w = where_of(*root.get("deployment"));
    throw DataError(s.path.string(), w.line, w.column,
                    fmt::format("deployment.share: the shares must sum to 1, they sum to {} "
                                "({} )",
                                total, shares));
  }
}

void read_top_level(const TableReader& r, Scenario& s) {
  r.only_keys({"name", "horizon_years", "decarbonisation_per_year", "decarbonisation_source",
               "useful_fraction", "ledger", "bench", "training", "inference", "deployment", "other",
               "what_if"});
  s.name = r.string("name").value_or(s.path.stem().string());
  if (!r.node("horizon_years")) r.fail(r.table(), "horizon_years", "missing: years, such as 3");
  s.horizon_years = r.positive("horizon_years", 1, "3");
  if (s.horizon_years > 100)
    r.fail(*r.node("horizon_years"), "horizon_years", "expected at most 100");
  s.decarbonisation_per_year = r.number("decarbonisation_per_year", 0, 0.99, "0.03");
  s.decarbonisation_source = r.string("decarbonisation_source").value_or("");
  if (auto u = r.number("useful_fraction", 0, 1, "0.002")) {
    if (*u == 0) r.fail(*r.node("useful_fraction"), "useful_fraction", "expected more than zero");
    s.useful_fraction = *u;
  }
  if (auto l = r.string("ledger")) s.ledger = relative_to(s.path, *l);
}

WhatIfSpec read_what_if(const TableReader& r) {
  r.only_keys({"regions", "utilisations"});
  WhatIfSpec w;
  for (const auto& region : r.strings("regions")) w.regions.push_back(region.value);
  if (const toml::node* n = r.node("utilisations")) {
    const toml::array* list = n->as_array();
    if (!list) r.fail(*n, "utilisations", "expected a list of numbers such as [0.5, 0.8]");
    for (const auto& item : *list) {
      auto v = item.value<double>();
      if (!v || !(*v > 0 && *v <= 1)) r.fail(item, "utilisations", "expected numbers in (0, 1]");
      w.utilisations.push_back(*v);
    }
  }
  return w;
}

}  // namespace

[[noreturn]] void fail_at(const Scenario& scenario, Where where, const std::string& message) {
  throw DataError(scenario.path.string(), where.line, where.column, message);
}

Scenario load_scenario(const std::filesystem::path& path) {
  const std::optional<std::string> text = support::read_file(path);
  if (!text) throw DataError(path.string(), 0, 0, "cannot open the scenario file for reading");
  return parse_scenario_text(*text, path);
}

Scenario parse_scenario_text(std::string_view text, const std::filesystem::path& path) {
  // Debian's toml++ meets undefined behaviour on some non-ASCII text outside
  // strings: the shared check refuses it first (carbon/toml_text.hpp).
  carbon::check_toml_before_parse(text, path.string());
  toml::table root;
  try {
    root = toml::parse(text, path.string());
  } catch (const toml::parse_error& e) {
    throw DataError(path.string(), e.source().begin.line, e.source().begin.column,
                    fmt::format("malformed TOML: {}", e.description()));
  }
  Scenario s;
  s.path = path;
  const TableReader top(s.path, root, "");
  read_top_level(top, s);
  if (top.node("bench"))
    s.bench = read_bench(TableReader(s.path, sub_table(top, "bench"), "bench"));
  if (top.node("training")) {
    s.training = read_training(TableReader(s.path, sub_table(top, "training"), "training"));
  }
  if (!top.node("inference")) top.fail(root, "inference", "missing: an [inference] table");
  s.inference = read_inference(TableReader(s.path, sub_table(top, "inference"), "inference"));
  s.deployments = read_array_of_tables(top, "deployment", read_deployment);
  if (s.deployments.empty()) {
    top.fail(root, "deployment",
             "missing: at least one [[deployment]] (where the model is served)");
  }
  check_shares(s, root);
  s.others = read_array_of_tables(top, "other", read_other);
  if (top.node("what_if")) {
    s.what_if = read_what_if(TableReader(s.path, sub_table(top, "what_if"), "what_if"));
  }
  return s;
}

}  // namespace joule::budget

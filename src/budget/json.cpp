// The result as JSON: field names carry their unit (`_j`, `_g`, `_w`), every
// range is {low, central, high}; docs/budget.md lists the fields.
#include <nlohmann/json.hpp>

#include "joule/budget.hpp"

namespace joule::budget {

namespace {

using nlohmann::json;

json range(const Estimate& e) {
  return {{"low", e.low}, {"central", e.central}, {"high", e.high}};
}

json ranges(const std::vector<Estimate>& list) {
  json out = json::array();
  for (const auto& e : list) out.push_back(range(e));
  return out;
}

json optional_day(const std::optional<double>& day) {
  return day ? json(*day) : json(nullptr);
}

json parts_json(const BudgetResult& r) {
  json out = json::array();
  for (const auto& p : r.parts) {
    out.push_back({{"name", p.name},
                   {"energy_j", range(p.energy_j)},
                   {"co2e_g", range(p.co2e_g)},
                   {"energy_j_per_year", ranges(p.energy_j_per_year)},
                   {"co2e_g_per_year", ranges(p.co2e_g_per_year)}});
  }
  return out;
}

json per_request_json(const PerRequest& p) {
  return {{"requests", p.requests},
          {"useful_fraction", p.useful_fraction},
          {"energy_j_per_request", range(p.energy_j_per_request)},
          {"co2e_g_per_request", range(p.co2e_g_per_request)},
          {"energy_j_per_useful", range(p.energy_j_per_useful)},
          {"co2e_g_per_useful", range(p.co2e_g_per_useful)}};
}

json what_ifs_json(const BudgetResult& r) {
  json out = json::array();
  for (const auto& w : r.what_ifs) {
    out.push_back({{"key", w.key},
                   {"value", w.value},
                   {"description", w.description},
                   {"co2e_g", range(w.co2e_g)},
                   {"saving_fraction", w.saving_fraction},
                   {"note", w.note}});
  }
  return out;
}

json deployments_json(const BudgetResult& r) {
  json out = json::array();
  for (const auto& d : r.deployments) {
    out.push_back({{"name", d.name},
                   {"share", d.share},
                   {"location", d.location},
                   {"how_decided", d.how_decided},
                   {"intensity_g_per_kwh", range(d.intensity_g_per_kwh)},
                   {"intensity_source", d.intensity_source},
                   {"pue", range(d.pue)},
                   {"pue_source", d.pue_source},
                   {"device", d.device},
                   {"replicas", d.replicas},
                   {"utilisation", d.utilisation}});
  }
  return out;
}

json inputs_json(const BudgetResult& r) {
  json out = json::array();
  for (const auto& i : r.inputs) {
    out.push_back({{"name", i.name},
                   {"value", range(i.value)},
                   {"unit", i.unit},
                   {"provenance", i.provenance},
                   {"source", i.source}});
  }
  return out;
}

json equivalents_json(const BudgetResult& r) {
  json out = json::array();
  for (const auto& e : r.equivalents) {
    out.push_back({{"unit", e.unit}, {"amount", range(e.amount)}, {"source", e.source}});
  }
  return out;
}

}  // namespace

std::string to_json_text(const BudgetResult& r) {
  json out = {{"name", r.name},
              {"scenario_file", r.scenario_file},
              {"applied_what_ifs", r.applied_what_ifs},
              {"horizon_years", r.horizon_years},
              {"years", r.years},
              {"parts", parts_json(r)},
              {"energy_j", range(r.energy_j)},
              {"co2e_g", range(r.co2e_g)},
              {"energy_j_per_year", ranges(r.energy_j_per_year)},
              {"co2e_g_per_year", ranges(r.co2e_g_per_year)},
              {"per_request", per_request_json(r.per_request)},
              {"breakeven",
               {{"day", optional_day(r.breakeven.day_central)},
                {"day_low", optional_day(r.breakeven.day_low)},
                {"day_high", optional_day(r.breakeven.day_high)},
                {"note", r.breakeven.note}}},
              {"dominant", r.dominant},
              {"equivalents", equivalents_json(r)},
              {"what_ifs", what_ifs_json(r)},
              {"what_if_sentence", r.what_if_sentence},
              {"deployments", deployments_json(r)},
              {"inputs", inputs_json(r)},
              {"warnings", r.warnings}};
  return out.dump(2);
}

}  // namespace joule::budget

// Read-only views of what a scope measured.
#include <pybind11/stl.h>

#include <fmt/format.h>

#include "bindings.hpp"
#include "joule/format.hpp"
#include "joule/scope.hpp"

namespace py = pybind11;

namespace joule::python {

namespace {
std::string provenance_of(const ScopeResult& r) {
  return r.reported_to_run ? "reported to joule run" : std::string(to_string(r.provenance()));
}

py::dict estimate_dict(const carbon::Estimate& e) {
  py::dict d;
  d["low"] = e.low;
  d["central"] = e.central;
  d["high"] = e.high;
  return d;
}

// Everything the attributes say, as plain Python values (json.dumps-able).
// "carbon" is None, with "carbon_note" saying why, when footprint() would
// raise (under joule run, carbon disabled, a unit with no count).
py::dict result_dict(const ScopeResult& r) {
  py::dict d;
  d["name"] = r.name;
  d["unit"] = r.unit;
  d["units"] = r.units;
  d["unit_count"] = r.unit_count();
  d["duration_s"] = r.duration.seconds;
  d["reported_to_run"] = r.reported_to_run;
  d["provenance"] = provenance_of(r);
  d["energy_j"] = r.energy().joules;
  d["mean_power_w"] = r.measurement.mean_power.watts;
  d["relative_uncertainty"] = r.measurement.total_relative_uncertainty;
  py::list domains;
  for (const auto& e : r.measurement.domains) {
    py::dict item;
    item["id"] = e.id;
    item["energy_j"] = e.energy.joules;
    item["mean_power_w"] = e.mean_power.watts;
    item["provenance"] = std::string(to_string(e.provenance));
    item["relative_uncertainty"] = e.relative_uncertainty;
    item["in_total"] = e.in_total;
    domains.append(std::move(item));
  }
  d["domains"] = std::move(domains);
  d["warnings"] = r.measurement.warnings;
  d["carbon"] = py::none();
  d["carbon_note"] = py::none();
  try {
    const auto fp = r.footprint();
    py::dict c;
    c["operational_g"] = estimate_dict(fp.operational.grams);
    c["total_g"] = estimate_dict(fp.total_g);
    c["sci_g_per_unit"] = estimate_dict(fp.sci_g_per_unit);
    c["unit"] = fp.unit.name;
    c["unit_count"] = fp.unit.count;
    c["warnings"] = fp.warnings;
    d["carbon"] = std::move(c);
  } catch (const std::exception& e) {  // UsageError, carbon::CarbonError
    d["carbon_note"] = std::string(e.what());
  }
  return d;
}
}  // namespace

void bind_results(py::module_& m) {
  py::class_<DomainEnergy>(m, "DomainEnergy")
      .def_readonly("id", &DomainEnergy::id)
      .def_property_readonly("energy_j", [](const DomainEnergy& d) { return d.energy.joules; })
      .def_property_readonly("mean_power_w",
                             [](const DomainEnergy& d) { return d.mean_power.watts; })
      .def_property_readonly("provenance",
                             [](const DomainEnergy& d) { return to_string(d.provenance); })
      .def_readonly("relative_uncertainty", &DomainEnergy::relative_uncertainty)
      .def_readonly("in_total", &DomainEnergy::in_total)
      .def("__repr__", [](const DomainEnergy& d) {
        return fmt::format("<joule.DomainEnergy {} {:.6g} J ({})>", d.id, d.energy.joules,
                           to_string(d.provenance));
      });

  py::class_<carbon::Estimate>(m, "Estimate")
      .def_readonly("low", &carbon::Estimate::low)
      .def_readonly("central", &carbon::Estimate::central)
      .def_readonly("high", &carbon::Estimate::high)
      .def("__repr__", [](const carbon::Estimate& e) {
        return fmt::format("<joule.Estimate {:.6g} [{:.6g} .. {:.6g}]>", e.central, e.low, e.high);
      });

  py::class_<carbon::Footprint>(m, "Footprint")
      .def_property_readonly("operational_g",
                             [](const carbon::Footprint& f) { return f.operational.grams; })
      .def_property_readonly("embodied_g",
                             [](const carbon::Footprint& f) {
                               return f.embodied ? f.embodied->grams : carbon::Estimate{};
                             })
      .def_property_readonly("embodied",
                             [](const carbon::Footprint& f) {
                               py::list devices;
                               for (const auto& p : f.embodied_parts) {
                                 py::dict d;
                                 d["device"] = p.device.name;
                                 d["provenance"] = p.device.provenance;
                                 d["how_decided"] = p.how_decided;
                                 d["count"] = p.count;
                                 d["rows"] = p.device.rows;
                                 d["share"] = p.share;
                                 d["share_source"] = p.share_source;
                                 d["co2e_g"] = p.grams;
                                 devices.append(d);
                               }
                               return devices;
                             })
      .def_readonly("total_g", &carbon::Footprint::total_g)
      .def_readonly("sci_g_per_unit", &carbon::Footprint::sci_g_per_unit)
      .def_property_readonly("unit", [](const carbon::Footprint& f) { return f.unit.name; })
      .def_property_readonly("unit_count", [](const carbon::Footprint& f) { return f.unit.count; })
      .def_readonly("warnings", &carbon::Footprint::warnings)
      .def("__repr__", [](const carbon::Footprint& f) {
        return fmt::format("<joule.Footprint {} CO2e, {} per {}>", GramsCO2e{f.total_g.central},
                           GramsCO2e{f.sci_g_per_unit.central}, f.unit.name);
      });

  py::class_<ScopeResult>(m, "Result")
      .def_readonly("name", &ScopeResult::name)
      .def_readonly("unit", &ScopeResult::unit)
      .def_readonly("units", &ScopeResult::units)
      .def_property_readonly("unit_count", &ScopeResult::unit_count)
      .def_property_readonly("duration_s", [](const ScopeResult& r) { return r.duration.seconds; })
      .def_readonly("reported_to_run", &ScopeResult::reported_to_run)
      .def_property_readonly("energy_j", [](const ScopeResult& r) { return r.energy().joules; })
      .def_property_readonly("mean_power_w",
                             [](const ScopeResult& r) { return r.measurement.mean_power.watts; })
      .def_property_readonly(
          "relative_uncertainty",
          [](const ScopeResult& r) { return r.measurement.total_relative_uncertainty; })
      .def_property_readonly("provenance", &provenance_of)
      .def_property_readonly("domains", [](const ScopeResult& r) { return r.measurement.domains; })
      .def_property_readonly("warnings",
                             [](const ScopeResult& r) { return r.measurement.warnings; })
      .def("footprint", &ScopeResult::footprint)
      .def("to_dict", &result_dict)
      .def("__repr__", [](const ScopeResult& r) {
        if (r.reported_to_run) {
          return fmt::format("<joule.Result '{}' {:.3f} s, reported to joule run>", r.name,
                             r.duration.seconds);
        }
        return fmt::format("<joule.Result '{}' {:.6g} J in {:.3f} s ({})>", r.name,
                           r.energy().joules, r.duration.seconds, provenance_of(r));
      });
}

}  // namespace joule::python

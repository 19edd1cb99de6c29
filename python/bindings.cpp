// _joule: the C++ Session and Scope for Python. Python-side conveniences
// (joule.scope, joule.track, the default session) live in joule/__init__.py.
#include <pybind11/functional.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <fmt/format.h>

#include "bindings.hpp"
#include "joule/scope.hpp"
#include "joule/version.h"

namespace py = pybind11;
using joule::Scope;
using joule::ScopeResult;
using joule::Session;
using joule::SessionMode;
using joule::SessionOptions;

namespace {

SessionMode parse_mode(const std::string& text) {
  if (text == "auto" || text == "automatic") return SessionMode::automatic;
  if (text == "local") return SessionMode::local;
  if (text == "control") return SessionMode::control;
  if (text == "serve") return SessionMode::serve;
  throw py::value_error(
      fmt::format("mode must be 'auto', 'local', 'control' or 'serve', got '{}'", text));
}

std::unique_ptr<Session> make_session(const std::string& mode, double interval_s,
                                      std::optional<std::string> trace,
                                      std::optional<std::vector<std::string>> sensors, bool carbon,
                                      std::optional<std::string> country,
                                      std::optional<std::string> region,
                                      std::optional<std::string> cloud, std::optional<double> pue,
                                      std::optional<std::string> control_socket,
                                      std::optional<std::string> application,
                                      joule::carbon::HardwareOptions hardware) {
  SessionOptions options;
  hardware.given_by = "joule.Session";
  options.hardware = std::move(hardware);
  options.mode = parse_mode(mode);
  if (!(interval_s > 0)) throw py::value_error("interval_s must be more than 0");
  options.meter.interval = std::chrono::nanoseconds(static_cast<std::int64_t>(interval_s * 1e9));
  if (trace) options.sensors.trace_file = *trace;
  if (sensors) options.sensors.only_backends = *sensors;
  if (carbon) {
    options.carbon->country = std::move(country);
    options.carbon->region = std::move(region);
    options.carbon->cloud = std::move(cloud);
    options.carbon->pue = pue;
  } else {
    options.carbon.reset();
  }
  if (control_socket) options.control_socket = *control_socket;
  if (application) options.application = *application;
  py::gil_scoped_release release;  // discovery reads sysfs; others may run
  return std::make_unique<Session>(std::move(options));
}

void scope_exit(Scope& scope, const py::object& type, const py::object&, const py::object&) {
  if (!scope.open()) {
    // Ended inside the block; an exception already on its way wins.
    if (!type.is_none()) return;
    throw joule::UsageError(
        fmt::format("joule: scope '{}' was already ended inside its with-block", scope.name()));
  }
  py::gil_scoped_release release;
  scope.end();
}

}  // namespace

PYBIND11_MODULE(_joule, m) {
  m.doc() = "joule: energy and carbon of a piece of a program (C++ core)";
  m.attr("__version__") = JOULE_VERSION_STRING;
  auto& usage_error =
      py::register_exception<joule::UsageError>(m, "UsageError", PyExc_RuntimeError);
  py::register_exception<joule::SessionShutDown>(m, "SessionShutDown", usage_error.ptr());
  py::register_exception<joule::carbon::CarbonError>(m, "CarbonError", PyExc_ValueError);

  joule::python::bind_results(m);
  joule::python::bind_budget(m);

  py::class_<Scope>(m, "Scope")
      .def_property_readonly("name", &Scope::name)
      .def_property_readonly("open", &Scope::open)
      .def(
          "add_units",
          [](Scope& s, double count, std::optional<std::string> unit) {
            py::gil_scoped_release release;  // may send to joule run
            if (unit) {
              s.add_units(count, *unit);
            } else {
              s.add_units(count);
            }
          },
          py::arg("count"), py::arg("unit") = py::none())
      .def("end", &Scope::end, py::return_value_policy::copy,
           py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("result", &Scope::result, py::return_value_policy::copy)
      .def(
          "__enter__", [](Scope& s) -> Scope& { return s; }, py::return_value_policy::reference)
      .def("__exit__", &scope_exit)
      .def("__repr__", [](const Scope& s) {
        return fmt::format("<joule.Scope '{}' {}>", s.name(), s.open() ? "open" : "ended");
      });

  py::class_<Session>(m, "Session")
      .def(py::init([](const std::string& mode, double interval_s, std::optional<std::string> trace,
                       std::optional<std::vector<std::string>> sensors, bool carbon,
                       std::optional<std::string> country, std::optional<std::string> region,
                       std::optional<std::string> cloud, std::optional<double> pue,
                       std::optional<std::string> control_socket,
                       std::optional<std::string> application, std::optional<std::string> embodied,
                       std::optional<std::string> gpu, std::optional<double> gpus,
                       std::optional<double> lifetime_years, std::optional<std::string> share) {
             joule::carbon::HardwareOptions hardware;
             hardware.embodied = std::move(embodied);
             hardware.gpu = std::move(gpu);
             hardware.gpus = gpus;
             hardware.lifetime_years = lifetime_years;
             hardware.share = std::move(share);
             return make_session(mode, interval_s, std::move(trace), std::move(sensors), carbon,
                                 std::move(country), std::move(region), std::move(cloud), pue,
                                 std::move(control_socket), std::move(application),
                                 std::move(hardware));
           }),
           py::kw_only(), py::arg("mode") = "auto", py::arg("interval_s") = 0.1,
           py::arg("trace") = py::none(), py::arg("sensors") = py::none(), py::arg("carbon") = true,
           py::arg("country") = py::none(), py::arg("region") = py::none(),
           py::arg("cloud") = py::none(), py::arg("pue") = py::none(),
           py::arg("control_socket") = py::none(), py::arg("application") = py::none(),
           py::arg("embodied") = py::none(), py::arg("gpu") = py::none(),
           py::arg("gpus") = py::none(), py::arg("lifetime_years") = py::none(),
           py::arg("share") = py::none())
      // A scope keeps its session alive, as Python users expect: the session
      // (and its meter) goes only when nothing refers to it.
      .def("scope", &Session::scope, py::arg("name"), py::arg("unit") = "", py::keep_alive<0, 1>(),
           py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("mode", [](const Session& s) { return joule::to_string(s.mode()); })
      .def_property_readonly("reports_to_run", &Session::reports_to_run)
      .def_property_readonly("undelivered_reports", &Session::undelivered_reports)
      .def_property_readonly("domains",
                             [](const Session& s) {
                               std::vector<std::string> ids;
                               for (const auto& d : s.domains()) ids.push_back(d.id);
                               return ids;
                             })
      .def_property_readonly("location",
                             [](const Session& s) -> std::optional<std::string> {
                               auto ctx = s.carbon_context();
                               if (!ctx) return std::nullopt;
                               return ctx->location_code;
                             })
      .def("shutdown", &Session::shutdown, py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("is_shut_down", &Session::is_shut_down)
      .def(
          "__enter__", [](Session& s) -> Session& { return s; }, py::return_value_policy::reference)
      .def("__exit__", [](Session& s, const py::object&, const py::object&, const py::object&) {
        py::gil_scoped_release release;
        s.shutdown();
      });
}

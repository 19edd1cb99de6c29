// joule.budget(...): the life-cycle budget of a scenario file, returned to
// Python as the same JSON document `joule budget --json` writes (decoded by
// joule/__init__.py into dicts and lists).
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "joule/budget.hpp"

namespace py = pybind11;

namespace joule::python {

void bind_budget(py::module_& m) {
  py::register_exception<budget::BudgetError>(m, "BudgetError", PyExc_ValueError);
  py::register_exception<DataError>(m, "DataError", PyExc_ValueError);
  m.def(
      "_budget_json",
      [](const std::string& scenario, const std::vector<std::string>& what_if,
         const std::optional<std::string>& ledger, bool rank_what_ifs, bool read_config_files,
         bool guess_from_time_zone) {
        budget::BudgetOptions options;
        options.what_ifs = what_if;
        if (ledger) options.ledger = *ledger;
        options.rank_what_ifs = rank_what_ifs;
        options.read_config_files = read_config_files;
        options.guess_from_time_zone = guess_from_time_zone;
        budget::BudgetResult result;
        {
          py::gil_scoped_release release;  // reads files and the ledger
          result = budget::compute_budget(scenario, options);
        }
        return budget::to_json_text(result);
      },
      py::arg("scenario"), py::arg("what_if"), py::arg("ledger"), py::arg("rank_what_ifs"),
      py::arg("read_config_files"), py::arg("guess_from_time_zone"));
}

}  // namespace joule::python

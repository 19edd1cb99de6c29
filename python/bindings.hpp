#pragma once
// Shared between the binding files of the _joule extension.
#include <pybind11/pybind11.h>

namespace joule::python {
// Result, DomainEnergy, Estimate, Footprint (bindings_results.cpp).
void bind_results(pybind11::module_& m);
// _budget_json, BudgetError, DataError (bindings_budget.cpp).
void bind_budget(pybind11::module_& m);
}  // namespace joule::python

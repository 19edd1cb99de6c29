#pragma once
// Checks on numeric options whose refusals read as a person would say them
// ("must be 0 or more"), where CLI11's own ranges print the limits of a
// double to 300 digits. Infinity and nan are refused too.
#include <CLI/CLI.hpp>

#include <string>

namespace joule::cli {

// minimum <= value.
CLI::Validator at_least(double minimum);
// minimum < value.
CLI::Validator more_than(double minimum);
// low <= value <= high.
CLI::Validator between(double low, double high);
// An explicitly empty value (--country '') is a mistake, not a request for
// the default: without this check it would fall through to a guess.
CLI::Validator non_empty();

}  // namespace joule::cli

#include "cli/validators.hpp"

#include <fmt/format.h>

#include <cmath>
#include <optional>

namespace joule::cli {

namespace {

std::optional<double> finite_number(const std::string& text) {
  double value = 0;
  if (!CLI::detail::lexical_cast(text, value) || !std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace

CLI::Validator at_least(double minimum) {
  return {[minimum](const std::string& text) -> std::string {
            const auto value = finite_number(text);
            if (value && *value >= minimum) return {};
            return fmt::format("must be {} or more, got '{}'", minimum, text);
          },
          fmt::format("NUMBER >= {}", minimum), "at least"};
}

CLI::Validator more_than(double minimum) {
  return {[minimum](const std::string& text) -> std::string {
            const auto value = finite_number(text);
            if (value && *value > minimum) return {};
            return fmt::format("must be more than {}, got '{}'", minimum, text);
          },
          fmt::format("NUMBER > {}", minimum), "more than"};
}

CLI::Validator between(double low, double high) {
  return {[low, high](const std::string& text) -> std::string {
            const auto value = finite_number(text);
            if (value && *value >= low && *value <= high) return {};
            return fmt::format("must be between {} and {}, got '{}'", low, high, text);
          },
          fmt::format("NUMBER in [{}, {}]", low, high), "between"};
}

CLI::Validator non_empty() {
  return {[](const std::string& value) -> std::string {
            if (!value.empty()) return {};
            return "an empty value is not allowed: give a value, or leave the option out";
          },
          "", "non-empty"};
}

}  // namespace joule::cli

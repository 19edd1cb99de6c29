#pragma once
// Small ASCII string helpers shared by every parser in joule.
#include <string>
#include <string_view>
#include <vector>

namespace joule::support {

// `text` without leading and trailing ASCII whitespace (" \t\n\v\f\r").
std::string_view trim(std::string_view text);

// ASCII case mapping; bytes outside A-Z/a-z are kept as they are.
std::string to_lower(std::string_view text);
std::string to_upper(std::string_view text);
bool iequals(std::string_view a, std::string_view b);

// The trimmed, non-empty pieces of `text` between `separator`s:
// "a, b,,c" -> {"a", "b", "c"}. Views into `text`.
std::vector<std::string_view> split_list(std::string_view text, char separator = ',');

}  // namespace joule::support

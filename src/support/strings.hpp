#pragma once
// Small ASCII string helpers shared by every parser in joule.
#include <cstddef>
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

// Calls fn(line, line_number) for each '\n'-separated line of `text`, numbered
// from 1, without its '\n'. A final newline starts no further line.
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  std::size_t line_number = 1;
  while (!text.empty()) {
    const auto end = text.find('\n');
    fn(text.substr(0, end), line_number++);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

}  // namespace joule::support

#pragma once
// A check on TOML text before toml++ (3.3, Debian's) parses it. Its
// is_non_ascii_horizontal_whitespace() reaches __builtin_unreachable() for
// most code points from U+00A1 to U+0499 and from U+2D8E to U+3187 (Greek,
// Cyrillic, kana...), which it is asked about wherever whitespace may stand:
// undefined behaviour on a file holding a stray 'λ' (found by
// tests/fuzz/config_toml). TOML allows non-ASCII text only in quoted strings
// and comments, so anything else is refused here with its line and column.
#include <string>
#include <string_view>

namespace joule::carbon {

// Throws refdata::DataError "origin:line:column: ..." on a non-ASCII byte
// outside strings and comments, or where a multi-line string's line-ending
// backslash would trim whitespace up to it.
void check_toml_text(std::string_view text, const std::string& origin);

// The text with each non-ASCII character replaced by '~', which TOML allows
// only where non-ASCII is allowed too (strings, comments). Parse this copy
// first: toml++ meets no code point that reaches its unreachable branch, and
// where it would go astray on the real text (a malformed line it scans
// ahead of), the copy is malformed at the same line and column. Only a copy
// that parses should the real text follow.
std::string ascii_shadow(std::string_view text);

// Both steps before a toml++ parse of `text`: check_toml_text, then a parse of
// the ASCII copy. Throws refdata::DataError "origin:line:column: malformed
// TOML: ..." naming a non-ASCII character as such. Every TOML reader of
// joule's (joule.toml, budget scenarios) calls this first.
void check_toml_before_parse(std::string_view text, const std::string& origin);

}  // namespace joule::carbon

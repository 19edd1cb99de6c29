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

}  // namespace joule::carbon

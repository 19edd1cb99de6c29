#include "carbon/toml_text.hpp"

#include <fmt/format.h>

// toml++ 3.3 asserts where it should report a parse error; its own error is
// what is wanted (see config_file.cpp).
#define TOML_ASSERT(expr) static_assert(true)
#include <toml++/toml.h>

#include "refdata/csv.hpp"

namespace joule::carbon {

namespace {

bool is_ascii(char c) {
  return static_cast<unsigned char>(c) < 0x80;
}

// Walks the text once, knowing only where strings and comments begin and end.
class TomlScanner {
 public:
  TomlScanner(std::string_view text, const std::string& origin) : text_(text), origin_(origin) {}

  void scan() {
    if (starts_with("\xEF\xBB\xBF")) at_ = 3;  // a UTF-8 byte order mark, which toml++ skips
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (c == '#') {
        skip_to_line_end();
      } else if (opens_multi_line_string() && (starts_with("\"\"\"") || starts_with("'''"))) {
        skip_multi_line_string(text_.substr(at_, 3));
        previous_ = '"';
      } else if (opens_string() && (c == '"' || c == '\'')) {
        skip_string(c);
        previous_ = '"';
      } else if (!is_ascii(c)) {
        fail(
            "expected ASCII outside quoted strings and comments (TOML keys and values are "
            "ASCII unless quoted)");
      } else {
        if (c == '\n') {
          previous_ = '\n';
        } else if (c != ' ' && c != '\t' && c != '\r') {
          previous_ = c;
        }
        advance();
      }
    }
  }

 private:
  // A quote opens a string only where toml++ expects a key or a value: at
  // the start of a line, or after '=', '[', '{', ',' or a dotted key's '.'.
  // Elsewhere ("2\"...") it scans ahead as a bare value, asking of each
  // character whether it is whitespace.
  bool opens_string() const {
    return previous_ == '\n' || previous_ == '=' || previous_ == '[' || previous_ == '{' ||
           previous_ == ',' || previous_ == '.';
  }

  // A multi-line string is only ever a value: after '=', or ',' in an array.
  // At the start of a line toml++ reads '""' as an empty quoted key and scans
  // on from the third quote.
  bool opens_multi_line_string() const { return previous_ == '=' || previous_ == ','; }

  bool starts_with(std::string_view prefix) const { return text_.substr(at_).starts_with(prefix); }

  void advance() {
    if (text_[at_] == '\n') {
      ++line_;
      line_start_ = at_ + 1;
    }
    ++at_;
  }

  void skip_to_line_end() {
    while (at_ < text_.size() && text_[at_] != '\n') advance();
  }

  // A one-line string: to its closing quote or the end of the line.
  void skip_string(char quote) {
    advance();
    while (at_ < text_.size() && text_[at_] != quote && text_[at_] != '\n') {
      if (quote == '"' && text_[at_] == '\\' && at_ + 1 < text_.size()) advance();
      advance();
    }
    if (at_ < text_.size() && text_[at_] == quote) advance();
  }

  void skip_multi_line_string(std::string_view delimiter) {
    for (int i = 0; i < 3; ++i) advance();
    while (at_ < text_.size() && !starts_with(delimiter)) {
      if (delimiter[0] == '"' && text_[at_] == '\\') {
        advance();
        if (at_ < text_.size() &&
            (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\r' || text_[at_] == '\n')) {
          skip_trimmed_whitespace();
        } else if (at_ < text_.size()) {
          advance();
        }
        continue;
      }
      advance();
    }
    for (int i = 0; i < 3 && at_ < text_.size(); ++i) advance();
  }

  // After a line-ending backslash toml++ asks of each character whether it is
  // whitespace, up to the first that is not.
  void skip_trimmed_whitespace() {
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (!is_ascii(c)) fail("expected ASCII where a line-ending backslash trims whitespace");
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return;
      advance();
    }
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw refdata::DataError(origin_, line_, at_ - line_start_ + 1,
                             fmt::format("malformed TOML: {}", what));
  }

  std::string_view text_;
  const std::string& origin_;
  std::size_t at_ = 0;
  std::size_t line_ = 1;
  std::size_t line_start_ = 0;
  char previous_ = '\n';  // the last character outside strings that is not a blank
};

}  // namespace

std::string ascii_shadow(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // the BOM toml++ skips
  std::string shadow;
  shadow.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      shadow.push_back(c);
    } else if (byte >= 0xC0 || shadow.empty() || shadow.back() != '~') {
      shadow.push_back('~');  // a lead byte, or a stray continuation byte
    }
  }
  return shadow;
}

void check_toml_text(std::string_view text, const std::string& origin) {
  TomlScanner(text, origin).scan();
}

void check_toml_before_parse(std::string_view text, const std::string& origin) {
  check_toml_text(text, origin);
  try {
    (void)toml::parse(ascii_shadow(text), origin);
  } catch (const toml::parse_error& e) {
    std::string description(e.description());
    for (auto at = description.find("'~'"); at != std::string::npos;
         at = description.find("'~'", at)) {
      description.replace(at, 3, "a non-ASCII character");
    }
    throw refdata::DataError(origin, e.source().begin.line, e.source().begin.column,
                             fmt::format("malformed TOML: {}", description));
  }
}

}  // namespace joule::carbon

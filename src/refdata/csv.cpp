#include "refdata/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>

#include "refdata/embedded.hpp"
#include "support/files.hpp"
#include "support/strings.hpp"

namespace joule::refdata {

using support::trim;

namespace {

// Walks the text record by record; a quoted field may span lines. Fields are
// handed out as views into the text; only a quoted field with "" escapes is
// copied (into `unescaped`), since its text differs from the source.
class Tokenizer {
 public:
  Tokenizer(std::string_view text, const std::string& origin, std::deque<std::string>& unescaped)
      : text_(text), origin_(origin), unescaped_(unescaped) {}

  bool at_end() const { return pos_ >= text_.size(); }
  std::size_t line() const { return line_; }

  // Lines left from here: an upper bound on the rows still to come.
  std::size_t lines_left() const {
    return static_cast<std::size_t>(std::count(text_.begin() + pos_, text_.end(), '\n')) + 1;
  }
  bool at_comment() const { return pos_ < text_.size() && text_[pos_] == '#'; }
  // True for a line holding only spaces, tabs or '\r'; stops at the first
  // other character, so a data row costs one comparison.
  bool at_blank_line() const {
    for (std::size_t p = pos_; p < text_.size(); ++p) {
      const char c = text_[p];
      if (c == '\n') return true;
      if (c != ' ' && c != '\t' && c != '\r') return false;
    }
    return true;
  }
  // The current line without consuming it.
  std::string_view peek_line() const {
    auto end = text_.find('\n', pos_);
    return text_.substr(pos_, end == std::string_view::npos ? std::string_view::npos : end - pos_);
  }
  // Where the record starting here ends (its '\n', or the end of the text): a
  // newline inside quotes does not end it. Quotes are only counted, so a
  // malformed record is delimited here and reported by read_record.
  std::size_t record_end() const {
    const char* const begin = text_.data();
    const char* const end = begin + text_.size();
    const char* p = begin + pos_;
    bool quoted = false;
    while (p < end) {
      const auto* newline = static_cast<const char*>(std::memchr(p, '\n', end - p));
      const char* stop = newline ? newline : end;
      for (const char* q = p; (q = static_cast<const char*>(std::memchr(q, '"', stop - q))); ++q) {
        quoted = !quoted;
      }
      if (!quoted || !newline) return static_cast<std::size_t>(stop - begin);
      p = stop + 1;
    }
    return text_.size();
  }
  // Field `index` of the record starting here, without moving; empty when the
  // record has fewer fields (read_record reports that).
  std::string_view peek_field(std::size_t index) const {
    Tokenizer probe = *this;
    for (std::size_t i = 0;; ++i) {
      std::string_view field = probe.read_field();
      if (i == index) return field;
      if (probe.pos_ >= text_.size() || text_[probe.pos_] != ',') return {};
      ++probe.pos_;
    }
  }
  void skip_record(std::size_t end) {
    // memchr rather than std::count: almost every record is one line.
    const char* const stop = text_.data() + end;
    for (const char* p = text_.data() + pos_;
         (p = static_cast<const char*>(std::memchr(p, '\n', stop - p))); ++p) {
      ++line_;
    }
    pos_ = std::min(end + 1, text_.size());
    new_line();
  }
  void skip_line() {
    auto end = text_.find('\n', pos_);
    pos_ = end == std::string_view::npos ? text_.size() : end + 1;
    new_line();
  }

  // Appends one record's fields and their 1-based start columns.
  void read_record(std::vector<std::string_view>& fields, std::vector<std::uint32_t>& columns) {
    while (true) {
      columns.push_back(static_cast<std::uint32_t>(column()));
      fields.push_back(read_field());
      if (pos_ >= text_.size()) return;
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      ++pos_;  // the '\n' ending the record
      new_line();
      return;
    }
  }

 private:
  std::size_t column() const { return pos_ - line_start_ + 1; }
  void new_line() {
    ++line_;
    line_start_ = pos_;
  }

  // Reads one field, leaving pos_ on the ',' or '\n' after it (or at the end).
  std::string_view read_field() {
    const std::size_t start = pos_;
    const std::size_t size = text_.size();
    std::size_t p = pos_;
    while (p < size && (text_[p] == ' ' || text_[p] == '\t')) ++p;
    if (p < size && text_[p] == '"') {
      pos_ = p;
      return read_quoted();
    }
    while (p < size) {
      const char c = text_[p];
      if (c == ',' || c == '\n') break;
      if (c == '"') {
        pos_ = p;
        throw DataError(origin_, line_, column(),
                        "a quote inside an unquoted field (RFC 4180 needs the whole field quoted)");
      }
      ++p;
    }
    pos_ = p;
    return trim(text_.substr(start, p - start));
  }

  std::string_view read_quoted() {
    const std::size_t open_line = line_;
    const std::size_t open_column = column();
    ++pos_;  // the opening quote
    const std::size_t start = pos_;
    std::string* copy = nullptr;  // only once an escaped quote is seen
    while (true) {
      if (pos_ >= text_.size()) {
        throw DataError(origin_, open_line, open_column, "a quoted field is never closed");
      }
      const char c = text_[pos_];
      if (c == '"') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
          if (!copy) copy = &unescaped_.emplace_back(text_.substr(start, pos_ - start));
          copy->push_back('"');
          pos_ += 2;
          continue;
        }
        std::string_view value = copy ? std::string_view(*copy) : text_.substr(start, pos_ - start);
        ++pos_;  // the closing quote
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\r')) ++pos_;
        if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n') {
          throw DataError(origin_, line_, column(),
                          "expected ',' or end of line after a closing quote");
        }
        return value;
      }
      if (copy) copy->push_back(c);
      ++pos_;
      if (c == '\n') new_line();
    }
  }

  std::string_view text_;
  const std::string& origin_;
  std::deque<std::string>& unescaped_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t line_start_ = 0;  // offset of the current line's first character
};

bool blank(std::string_view line) {
  return trim(line).empty();
}

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool contains_ignoring_case(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > haystack.size()) return false;
  // The first character is tested in both cases before anything else: this
  // runs on every row a filtered parse skips.
  const char first_lower = ascii_lower(needle[0]);
  const char first_upper = first_lower >= 'a' && first_lower <= 'z'
                               ? static_cast<char>(first_lower - 'a' + 'A')
                               : first_lower;
  for (std::size_t at = 0; at + needle.size() <= haystack.size(); ++at) {
    if (haystack[at] != first_lower && haystack[at] != first_upper) continue;
    std::size_t i = 1;
    while (i < needle.size() && ascii_lower(haystack[at + i]) == ascii_lower(needle[i])) ++i;
    if (i == needle.size()) return true;
  }
  return false;
}

}  // namespace

struct ReferenceTable::Storage {
  std::string owned_text;  // empty when the text is static (embedded)
  std::deque<std::string> unescaped;
};

ReferenceTable ReferenceTable::parse(std::string_view text, std::string origin,
                                     std::optional<RowFilter> filter) {
  auto storage = std::make_shared<Storage>();
  storage->owned_text = std::string(text);
  std::string_view stable = storage->owned_text;
  return parse_stable(stable, std::move(origin), std::move(storage), filter);
}

ReferenceTable ReferenceTable::parse_stable(std::string_view text, std::string origin,
                                            std::shared_ptr<Storage> storage,
                                            std::optional<RowFilter> filter) {
  ReferenceTable table;
  table.origin_ = std::move(origin);
  auto& unescaped = storage->unescaped;
  table.storage_ = std::move(storage);
  Tokenizer tokens(text, table.origin_, unescaped);

  // Comment block and header. Comment lines may also appear between rows.
  std::vector<std::string> declared_columns;  // from "# columns:" entries
  std::optional<std::size_t> declared_rows;
  bool in_columns_block = false;
  std::size_t header_line = 0;
  std::vector<std::string_view> header_fields;
  std::vector<std::uint32_t> field_columns;
  while (!tokens.at_end()) {
    auto line = tokens.peek_line();
    if (!line.empty() && line.front() == '#') {
      std::string comment(trim(line.substr(1)));
      if (comment.rfind("columns:", 0) == 0) {
        in_columns_block = true;
        auto inline_list = trim(std::string_view(comment).substr(8));
        if (!inline_list.empty()) {
          const auto names = support::split_list(inline_list);
          declared_columns.assign(names.begin(), names.end());
        }
      } else if (comment.rfind("rows:", 0) == 0) {
        in_columns_block = false;
        auto count_text = trim(std::string_view(comment).substr(5));
        std::size_t count = 0;
        auto [ptr, ec] =
            std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
        if (ec != std::errc() || ptr != count_text.data() + count_text.size()) {
          throw DataError(
              table.origin_, tokens.line(), 1,
              fmt::format("expected '# rows: N' with a whole number, got '# {}'", comment));
        }
        declared_rows = count;
      } else if (in_columns_block) {
        // "#   name: description" lines list the columns in order.
        auto colon = comment.find(':');
        auto raw = std::string_view(line.substr(1));
        bool indented = raw.size() > 1 && raw[0] == ' ' && raw[1] == ' ';
        if (colon != std::string::npos && indented) {
          declared_columns.emplace_back(trim(std::string_view(comment).substr(0, colon)));
        } else if (!indented) {
          in_columns_block = false;
        }
      }
      table.comments_.push_back(std::move(comment));
      tokens.skip_line();
      continue;
    }
    if (blank(line)) {
      tokens.skip_line();
      continue;
    }
    header_line = tokens.line();
    tokens.read_record(header_fields, field_columns);
    table.columns_.assign(header_fields.begin(), header_fields.end());
    break;
  }
  if (table.columns_.empty()) {
    throw DataError(table.origin_, tokens.line(), 1,
                    "expected a header row naming the columns, found none");
  }
  for (std::size_t i = 0; i < table.columns_.size(); ++i) {
    if (table.columns_[i].empty()) {
      throw DataError(table.origin_, header_line, field_columns[i],
                      "expected a column name, found an empty header field");
    }
  }
  if (!declared_columns.empty() && declared_columns != table.columns_) {
    throw DataError(table.origin_, header_line, 1,
                    fmt::format("header '{}' does not match the '# columns:' list '{}'",
                                fmt::join(table.columns_, ","), fmt::join(declared_columns, ",")));
  }

  // Sized once: growing these vectors row by row copied and faulted in
  // several times the memory a 5,000-row table needs.
  const std::size_t filter_column = filter ? table.column(filter->column) : 0;
  if (!filter) {
    const std::size_t row_bound = tokens.lines_left();
    table.rows_.reserve(row_bound);
    table.fields_.reserve(row_bound * table.columns_.size());
    table.field_columns_.reserve(row_bound * table.columns_.size());
  }
  std::size_t rows_left_out = 0;
  while (!tokens.at_end()) {
    if (tokens.at_comment() || tokens.at_blank_line()) {
      tokens.skip_line();
      continue;
    }
    if (filter && !contains_ignoring_case(tokens.peek_field(filter_column), filter->contains)) {
      tokens.skip_record(tokens.record_end());
      ++rows_left_out;
      continue;
    }
    Row row{tokens.line(), table.fields_.size()};
    tokens.read_record(table.fields_, table.field_columns_);
    const std::size_t found = table.fields_.size() - row.first_field;
    if (found != table.columns_.size()) {
      throw DataError(table.origin_, row.line, table.field_columns_.back(),
                      fmt::format("expected {} fields ({}), found {}", table.columns_.size(),
                                  fmt::join(table.columns_, ","), found));
    }
    table.rows_.push_back(row);
  }
  const std::size_t rows_found = table.rows_.size() + rows_left_out;
  if (declared_rows && *declared_rows != rows_found) {
    throw DataError(table.origin_, tokens.line(), 1,
                    fmt::format("'# rows: {}' declared but {} data rows found (truncated file?)",
                                *declared_rows, rows_found));
  }
  return table;
}

ReferenceTable ReferenceTable::load_file(const std::filesystem::path& path) {
  auto text = support::read_file(path);
  if (!text) throw DataError(path.string(), 0, 0, "cannot open the file for reading");
  return parse(*text, path.string());
}

const ReferenceTable& ReferenceTable::embedded(std::string_view name) {
  static std::mutex mutex;
  static std::map<std::string, ReferenceTable, std::less<>> cache;
  std::lock_guard lock(mutex);
  auto found = cache.find(name);
  if (found != cache.end()) return found->second;
  // The embedded text is static: the table can point into it without a copy.
  auto table = parse_stable(embedded_text(name), fmt::format("data/{} (built in)", name),
                            std::make_shared<Storage>());
  return cache.emplace(std::string(name), std::move(table)).first->second;
}

ReferenceTable ReferenceTable::embedded_rows_where(std::string_view name, RowFilter filter) {
  return parse_stable(embedded_text(name), fmt::format("data/{} (built in)", name),
                      std::make_shared<Storage>(), filter);
}

bool ReferenceTable::has_column(std::string_view name) const {
  for (const auto& c : columns_) {
    if (c == name) return true;
  }
  return false;
}

std::size_t ReferenceTable::column(std::string_view name) const {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == name) return i;
  }
  throw DataError(origin_, 0, 0,
                  fmt::format("expected a column named '{}'; the columns are {}", name,
                              fmt::join(columns_, ",")));
}

std::string_view ReferenceTable::text(std::size_t row, std::string_view column_name) const {
  return field(row, column(column_name));
}

std::optional<double> ReferenceTable::number(std::size_t row, std::string_view column_name) const {
  const auto& r = rows_.at(row);
  auto index = column(column_name);
  const std::string_view field = this->field(row, index);
  if (field.empty()) return std::nullopt;
  double parsed = 0;
  auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), parsed);
  if (ec != std::errc() || ptr != field.data() + field.size()) {
    throw DataError(
        origin_, r.line, field_columns_[r.first_field + index],
        fmt::format("expected a number in column '{}', found '{}'", column_name, field));
  }
  return parsed;
}

std::size_t ReferenceTable::column_of(std::size_t row, std::string_view column_name) const {
  return field_columns_[rows_.at(row).first_field + column(column_name)];
}

std::optional<std::string> ReferenceTable::comment_value(std::string_view key) const {
  for (const auto& comment : comments_) {
    if (comment.size() > key.size() && comment.compare(0, key.size(), key) == 0 &&
        comment[key.size()] == ':') {
      return std::string(trim(std::string_view(comment).substr(key.size() + 1)));
    }
  }
  return std::nullopt;
}

std::string_view embedded_text(std::string_view name) {
  for (const auto& file : embedded_files()) {
    if (file.name == name) return file.text;
  }
  throw std::out_of_range(fmt::format("no reference table named '{}' is built in", name));
}

}  // namespace joule::refdata

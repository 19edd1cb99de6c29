#include "refdata/csv.hpp"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "refdata/embedded.hpp"

namespace joule::refdata {

DataError::DataError(std::string origin, std::size_t line, std::size_t column,
                     const std::string& message)
    : std::runtime_error(fmt::format("{}:{}:{}: {}", origin, line, column, message)),
      origin_(std::move(origin)),
      line_(line),
      column_(column) {}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Walks the text record by record; a quoted field may span lines.
class Tokenizer {
 public:
  Tokenizer(std::string_view text, const std::string& origin) : text_(text), origin_(origin) {}

  bool at_end() const { return pos_ >= text_.size(); }
  std::size_t line() const { return line_; }

  // The current line without consuming it (for comment detection).
  std::string_view peek_line() const {
    auto end = text_.find('\n', pos_);
    return text_.substr(pos_, end == std::string_view::npos ? std::string_view::npos : end - pos_);
  }
  void skip_line() {
    auto end = text_.find('\n', pos_);
    pos_ = end == std::string_view::npos ? text_.size() : end + 1;
    ++line_;
    column_ = 1;
  }

  void read_record(std::vector<std::string>& fields, std::vector<std::size_t>& columns) {
    fields.clear();
    columns.clear();
    std::string field;
    bool quoted = false;
    bool was_quoted = false;
    std::size_t field_column = column_;
    std::size_t open_line = line_;
    std::size_t open_column = column_;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (quoted) {
        if (c == '"') {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
            field.push_back('"');
            advance(2);
            continue;
          }
          quoted = false;
          advance(1);
          continue;
        }
        if (c == '\n') {
          field.push_back(c);
          ++pos_;
          ++line_;
          column_ = 1;
          continue;
        }
        field.push_back(c);
        advance(1);
        continue;
      }
      if (c == '"') {
        if (!trim(field).empty()) {
          throw DataError(
              origin_, line_, column_,
              "a quote inside an unquoted field (RFC 4180 needs the whole field quoted)");
        }
        field.clear();
        quoted = was_quoted = true;
        open_line = line_;
        open_column = column_;
        advance(1);
        continue;
      }
      if (c == ',') {
        fields.push_back(was_quoted ? field : std::string(trim(field)));
        columns.push_back(field_column);
        field.clear();
        was_quoted = false;
        advance(1);
        field_column = column_;
        continue;
      }
      if (c == '\n') {
        ++pos_;
        ++line_;
        column_ = 1;
        break;
      }
      if (was_quoted && c != '\r' && c != ' ') {
        throw DataError(origin_, line_, column_,
                        "expected ',' or end of line after a closing quote");
      }
      field.push_back(c);
      advance(1);
    }
    if (quoted) {
      throw DataError(origin_, open_line, open_column, "a quoted field is never closed");
    }
    fields.push_back(was_quoted ? field : std::string(trim(field)));
    columns.push_back(field_column);
  }

 private:
  void advance(std::size_t n) {
    pos_ += n;
    column_ += n;
  }
  std::string_view text_;
  const std::string& origin_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t column_ = 1;
};

std::vector<std::string> split_names(std::string_view list) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start <= list.size()) {
    auto end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    auto name = trim(list.substr(start, end - start));
    if (!name.empty()) names.emplace_back(name);
    start = end + 1;
  }
  return names;
}

bool blank(std::string_view line) {
  return trim(line).empty();
}

}  // namespace

ReferenceTable ReferenceTable::parse(std::string_view text, std::string origin) {
  ReferenceTable table;
  table.origin_ = std::move(origin);
  Tokenizer tokens(text, table.origin_);

  // Comment block and header. Comment lines may also appear between rows.
  std::vector<std::string> declared_columns;  // from "# columns:" entries
  std::optional<std::size_t> declared_rows;
  bool in_columns_block = false;
  std::size_t header_line = 0;
  std::vector<std::size_t> field_columns;
  while (!tokens.at_end()) {
    auto line = tokens.peek_line();
    if (!line.empty() && line.front() == '#') {
      std::string comment(trim(line.substr(1)));
      if (comment.rfind("columns:", 0) == 0) {
        in_columns_block = true;
        auto inline_list = trim(std::string_view(comment).substr(8));
        if (!inline_list.empty()) declared_columns = split_names(inline_list);
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
    tokens.read_record(table.columns_, field_columns);
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

  while (!tokens.at_end()) {
    auto line = tokens.peek_line();
    if ((!line.empty() && line.front() == '#') || blank(line)) {
      tokens.skip_line();
      continue;
    }
    Row row;
    row.line = tokens.line();
    tokens.read_record(row.fields, row.field_columns);
    if (row.fields.size() != table.columns_.size()) {
      throw DataError(table.origin_, row.line, row.field_columns.back(),
                      fmt::format("expected {} fields ({}), found {}", table.columns_.size(),
                                  fmt::join(table.columns_, ","), row.fields.size()));
    }
    table.rows_.push_back(std::move(row));
  }
  if (declared_rows && *declared_rows != table.rows_.size()) {
    throw DataError(table.origin_, tokens.line(), 1,
                    fmt::format("'# rows: {}' declared but {} data rows found (truncated file?)",
                                *declared_rows, table.rows_.size()));
  }
  return table;
}

ReferenceTable ReferenceTable::load_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw DataError(path.string(), 0, 0, "cannot open the file for reading");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path.string());
}

const ReferenceTable& ReferenceTable::embedded(std::string_view name) {
  static std::mutex mutex;
  static std::map<std::string, ReferenceTable, std::less<>> cache;
  std::lock_guard lock(mutex);
  auto found = cache.find(name);
  if (found != cache.end()) return found->second;
  auto table = parse(embedded_text(name), fmt::format("data/{} (built in)", name));
  return cache.emplace(std::string(name), std::move(table)).first->second;
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
  return rows_.at(row).fields[column(column_name)];
}

std::optional<double> ReferenceTable::number(std::size_t row, std::string_view column_name) const {
  const auto& r = rows_.at(row);
  auto index = column(column_name);
  const std::string& field = r.fields[index];
  if (field.empty()) return std::nullopt;
  double parsed = 0;
  auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), parsed);
  if (ec != std::errc() || ptr != field.data() + field.size()) {
    throw DataError(
        origin_, r.line, r.field_columns[index],
        fmt::format("expected a number in column '{}', found '{}'", column_name, field));
  }
  return parsed;
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

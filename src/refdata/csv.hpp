#pragma once
// Reader for the "joule reference CSV v1" format (see data/README.md): '#'
// comment lines, a header row, RFC 4180 quoting, '.' decimals, empty field =
// no data. The same reader serves the embedded tables and users' override
// files, so both get the same precise errors (file, line, column).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "joule/data_error.hpp"

namespace joule::refdata {

// A malformed data file: what() reads "FILE:LINE:COLUMN: what was expected".
// The public type, so that programs using the library can catch it.
using joule::DataError;

// Keeps only the rows whose field in `column` contains `contains` (ASCII
// letters compared without case).
struct RowFilter {
  std::string_view column;
  std::string_view contains;
};

class ReferenceTable {
 public:
  // origin names the file in error messages. Checks, when the comment block
  // declares them, that the header equals "# columns:" and that the row count
  // equals "# rows:".
  // With a filter, keeps only the rows it selects, as embedded_rows_where()
  // does.
  static ReferenceTable parse(std::string_view text, std::string origin,
                              std::optional<RowFilter> filter = std::nullopt);
  static ReferenceTable load_file(const std::filesystem::path& path);
  // A table compiled into the binary, parsed once and cached.
  static const ReferenceTable& embedded(std::string_view name);
  // Only the rows of a built-in table that the filter selects, with their
  // line numbers in the file: one lookup in a large table without parsing all
  // of it. The header and the declared row count are checked as in a full
  // parse; the rows left out are only delimited, not checked (the tests parse
  // every built-in table whole). Not cached.
  static ReferenceTable embedded_rows_where(std::string_view name, RowFilter filter);

  const std::string& origin() const { return origin_; }
  const std::vector<std::string>& columns() const { return columns_; }
  const std::vector<std::string>& comments() const { return comments_; }
  std::size_t size() const { return rows_.size(); }
  bool has_column(std::string_view name) const;
  // Index of a column; throws DataError if the file has no such column.
  std::size_t column(std::string_view name) const;

  std::string_view text(std::size_t row, std::string_view column) const;
  // A numeric field; nullopt when empty; DataError naming line and column
  // when it is not a number.
  std::optional<double> number(std::size_t row, std::string_view column) const;
  std::size_t line_of(std::size_t row) const { return rows_.at(row).line; }
  // 1-based character column where a field starts, for error messages.
  std::size_t column_of(std::size_t row, std::string_view column) const;
  // The value of a "# key: value" comment line, if any (e.g. "licence").
  std::optional<std::string> comment_value(std::string_view key) const;

 private:
  // Fields are views into the text (kept alive by `text_`), so parsing a
  // 5,000-row table allocates almost nothing: only fields with "" escapes get
  // storage of their own, in `unescaped_`.
  struct Row {
    std::size_t line;
    std::size_t first_field;  // index into fields_ / field_columns_
  };
  struct Storage;
  // Parses text that outlives the table (static, or owned by `storage`).
  static ReferenceTable parse_stable(std::string_view text, std::string origin,
                                     std::shared_ptr<Storage> storage,
                                     std::optional<RowFilter> filter = std::nullopt);
  std::string_view field(std::size_t row, std::size_t index) const {
    return fields_[rows_.at(row).first_field + index];
  }

  std::string origin_;
  std::shared_ptr<const Storage> storage_;
  std::vector<std::string> comments_;
  std::vector<std::string> columns_;
  std::vector<Row> rows_;
  std::vector<std::string_view> fields_;
  std::vector<std::uint32_t> field_columns_;
};

}  // namespace joule::refdata

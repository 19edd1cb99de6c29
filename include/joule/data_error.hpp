#pragma once
// The error for a malformed data file: a reference table, a user's override
// CSV, an intensity series, joule.toml or a sensor trace.
#include <cstddef>
#include <stdexcept>
#include <string>

#include "joule/export.h"

namespace joule {

// what() reads "FILE:LINE:COLUMN: what was expected"; line and column are 0
// when the whole file is at fault (it cannot be opened, it is empty).
class JOULE_API DataError : public std::runtime_error {
 public:
  DataError(std::string origin, std::size_t line, std::size_t column, const std::string& message);
  const std::string& origin() const { return origin_; }
  std::size_t line() const { return line_; }
  std::size_t column() const { return column_; }

 private:
  std::string origin_;
  std::size_t line_;
  std::size_t column_;
};

}  // namespace joule

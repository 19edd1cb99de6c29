// joule::DataError (include/joule/data_error.hpp): defined in the layer that
// throws it first, the one every data reader builds on.
#include "joule/data_error.hpp"

#include <fmt/format.h>

#include <utility>

namespace joule {

DataError::DataError(std::string origin, std::size_t line, std::size_t column,
                     const std::string& message)
    : std::runtime_error(fmt::format("{}:{}:{}: {}", origin, line, column, message)),
      origin_(std::move(origin)),
      line_(line),
      column_(column) {}

}  // namespace joule

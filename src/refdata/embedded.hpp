#pragma once
// The data/*.csv files, compiled into the binary by cmake/EmbedData.cmake.
#include <span>
#include <string_view>

namespace joule::refdata {

struct EmbeddedFile {
  std::string_view name;  // file name, e.g. "grid_intensity_country.csv"
  std::string_view text;  // whole file contents
};

std::span<const EmbeddedFile> embedded_files();

// The text of one embedded file; throws std::out_of_range naming the file.
std::string_view embedded_text(std::string_view name);

}  // namespace joule::refdata

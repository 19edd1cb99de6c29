#include "cli/run_outputs.hpp"

#include <fmt/format.h>

#include "record/csv_io.hpp"
#include "record/json_io.hpp"

namespace joule::cli {

std::vector<std::string> write_outputs(record::RunRecord& record, const std::string& json_path,
                                       const std::string& csv_path) {
  std::vector<std::string> problems;
  if (!csv_path.empty()) {
    try {
      auto appended = record::append_csv(csv_path, record);
      if (!appended.warning.empty()) problems.push_back(appended.warning);
    } catch (const std::exception& e) {
      problems.push_back(fmt::format("--csv not written: {}", e.what()));
    }
  }
  for (const auto& p : problems) record.warnings.push_back(p);
  // JSON last, so it carries the CSV's warnings too.
  if (!json_path.empty()) {
    try {
      record::write_json_file(json_path, record);
    } catch (const std::exception& e) {
      problems.push_back(fmt::format("--json not written: {}", e.what()));
    }
  }
  return problems;
}

}  // namespace joule::cli

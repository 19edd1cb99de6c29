#pragma once
// The run record as one CSV row. The first columns are CodeCarbon's
// emissions.csv columns, same names, order and units, so dashboards built for
// CodeCarbon read joule's file; joule's own columns follow, prefixed `joule_`.
// Cells joule cannot fill honestly (python_version, longitude, ...) are empty.
#include <filesystem>
#include <string>
#include <vector>

#include "record/run_record.hpp"

namespace joule::record {

const std::vector<std::string>& csv_columns();
// The header line, newline-terminated.
std::string csv_header();
// One data line, newline-terminated, RFC 4180 quoting.
std::string csv_row(const RunRecord& record);

// Which csv_row() made a line: the ledger stores each finished run's line
// with this id, and `joule export --csv` prints a stored line only when its
// id is this build's (ledger.hpp, for_each_csv_line). It hashes the header
// and the record's major schema, so adding, removing or renaming a column
// retires every stored line by itself. A change to how a cell is written
// that keeps the header (a number's format, a new warning text) must raise
// kCsvRowRevision in csv_io.cpp, or exports would mix old and new lines.
const std::string& csv_layout_id();

struct CsvAppendResult {
  bool wrote_header = false;
  // Set when the existing file's header differs from ours (an older joule or
  // CodeCarbon's own file): the row is still appended, but a reader matching
  // by position would misread it.
  std::string warning;
};

// Appends one row, writing the header first when the file is new or empty.
// The file is locked (flock) for the append, so concurrent runs writing to the
// same CSV interleave whole rows and exactly one writes the header. Throws
// std::runtime_error naming the path when it cannot write.
CsvAppendResult append_csv(const std::filesystem::path& path, const RunRecord& record);

}  // namespace joule::record

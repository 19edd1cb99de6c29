#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "refdata/csv.hpp"
#include "refdata/embedded.hpp"

using joule::refdata::DataError;
using joule::refdata::ReferenceTable;

TEST(ReferenceCsv, ParsesCommentsHeaderQuotingAndNumbers) {
  auto table = ReferenceTable::parse(
      "# file: t.csv\n# licence: CC BY 4.0\n# columns:\n#   code: a code\n#   g: grams\n"
      "#   note: free text\n# rows: 2\ncode,g,note\nFR,56.0,\"nuclear, mostly\"\nXX,,\"say "
      "\"\"hi\"\"\"\n",
      "t.csv");
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table.text(0, "note"), "nuclear, mostly");
  EXPECT_EQ(table.text(1, "note"), "say \"hi\"");
  EXPECT_DOUBLE_EQ(*table.number(0, "g"), 56.0);
  EXPECT_FALSE(table.number(1, "g").has_value());
  EXPECT_EQ(table.comment_value("licence"), "CC BY 4.0");
  EXPECT_EQ(table.line_of(1), 10u);
}

TEST(ReferenceCsv, RejectsANonNumberWithFileLineAndColumn) {
  auto table = ReferenceTable::parse("code,g\nFR,5x6\n", "bad.csv");
  try {
    (void)table.number(0, "g");
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_EQ(e.line(), 2u);
    EXPECT_EQ(e.column(), 4u);
    EXPECT_NE(std::string(e.what()).find("bad.csv:2:4: expected a number in column 'g'"),
              std::string::npos)
        << e.what();
  }
}

TEST(ReferenceCsv, RejectsWrongFieldCountUnclosedQuoteAndTruncation) {
  EXPECT_THROW(ReferenceTable::parse("a,b\n1,2,3\n", "x.csv"), DataError);
  EXPECT_THROW(ReferenceTable::parse("a,b\n1,\"2\n", "x.csv"), DataError);
  EXPECT_THROW(ReferenceTable::parse("# rows: 3\na,b\n1,2\n", "x.csv"), DataError);
  EXPECT_THROW(ReferenceTable::parse("# columns:\n#   a: one\n#   c: two\na,b\n1,2\n", "x.csv"),
               DataError);
  EXPECT_THROW(ReferenceTable::parse("# only comments\n", "x.csv"), DataError);
  EXPECT_THROW(ReferenceTable::parse("a,b\n1,x\"y\"\n", "x.csv"), DataError);
}

TEST(ReferenceCsv, UnknownColumnIsAnErrorNamingTheColumns) {
  auto table = ReferenceTable::parse("a,b\n1,2\n", "x.csv");
  EXPECT_THROW((void)table.column("c"), DataError);
  EXPECT_TRUE(table.has_column("b"));
}

TEST(ReferenceCsv, EveryEmbeddedTableParsesAndMatchesItsDeclaredShape) {
  ASSERT_GE(joule::refdata::embedded_files().size(), 10u);
  for (const auto& file : joule::refdata::embedded_files()) {
    SCOPED_TRACE(std::string(file.name));
    const auto& table = ReferenceTable::embedded(file.name);
    EXPECT_GT(table.size(), 0u);
    EXPECT_FALSE(table.comments().empty()) << "sources must be kept in the header";
  }
  EXPECT_EQ(ReferenceTable::embedded("cpu_power.csv").size(), 5050u);
}

TEST(ReferenceCsv, RowFilterKeepsMatchingRowsWithTheirLineNumbers) {
  // A record spanning two lines inside quotes is skipped whole, a quoted
  // field with a comma is matched whole, and line numbers stay the file's.
  auto table = ReferenceTable::parse(
      "# rows: 5\nmodel,tdp_w,note\nXeon E5-2670,115,\nEPYC 7R13,225,\"a note\nthat mentions "
      "E5-2670\"\n# a comment between rows\nEPYC 7763,280,\n\"xeon e5-2670, v2\",115,\n"
      "Xeon E5-2670 v3,,\n",
      "cpus.csv", joule::refdata::RowFilter{"model", "E5-2670"});
  ASSERT_EQ(table.size(), 3u);
  EXPECT_EQ(table.text(0, "model"), "Xeon E5-2670");
  EXPECT_EQ(table.line_of(0), 3u);
  EXPECT_EQ(table.text(1, "model"), "xeon e5-2670, v2");
  EXPECT_EQ(table.line_of(1), 8u);
  EXPECT_EQ(table.text(2, "model"), "Xeon E5-2670 v3");
  EXPECT_EQ(table.line_of(2), 9u);
}

TEST(ReferenceCsv, RowFilterStillChecksHeaderColumnAndDeclaredRowCount) {
  using joule::refdata::RowFilter;
  // Rows left out still count towards '# rows:', so a truncated file fails.
  EXPECT_THROW(ReferenceTable::parse("# rows: 3\na,b\nx,1\ny,2\n", "x.csv", RowFilter{"a", "x"}),
               DataError);
  EXPECT_EQ(
      ReferenceTable::parse("# rows: 2\na,b\nx,1\ny,2\n", "x.csv", RowFilter{"a", "x"}).size(), 1u);
  EXPECT_THROW(ReferenceTable::parse("# only comments\n", "x.csv", RowFilter{"a", "x"}), DataError);
  EXPECT_THROW(ReferenceTable::parse("a,b\nx,1\n", "x.csv", RowFilter{"c", "x"}), DataError);
  // A kept row is parsed as strictly as in a full parse.
  EXPECT_THROW(ReferenceTable::parse("a,b\nx,1,2\n", "x.csv", RowFilter{"a", "x"}), DataError);
  EXPECT_EQ(ReferenceTable::parse("a,b\nx,1\n", "x.csv", RowFilter{"a", "zzz"}).size(), 0u);
}

TEST(ReferenceCsv, RowFilterHandlesALastRecordWithoutANewline) {
  using joule::refdata::RowFilter;
  // Kept, then skipped, as the file's last record.
  auto kept = ReferenceTable::parse("a,b\nx,1\ny,2", "x.csv", RowFilter{"a", "y"});
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept.text(0, "b"), "2");
  EXPECT_EQ(kept.line_of(0), 3u);
  auto skipped = ReferenceTable::parse("# rows: 2\na,b\nx,1\ny,2", "x.csv", RowFilter{"a", "x"});
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped.text(0, "b"), "1");
  // A quote left open in a skipped last record does not run past the text.
  auto open_quote =
      ReferenceTable::parse("a,b\nx,1\ny,\"never closed", "x.csv", RowFilter{"a", "x"});
  EXPECT_EQ(open_quote.size(), 1u);
}

TEST(ReferenceCsv, EmbeddedRowsWhereAgreesWithTheFullTable) {
  const auto& full = ReferenceTable::embedded("cpu_power.csv");
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  };
  for (std::string_view needle : {"8375C", "epyc", "Core i7-1185G7", "a"}) {
    SCOPED_TRACE(std::string(needle));
    auto subset = ReferenceTable::embedded_rows_where("cpu_power.csv", {"model", needle});
    std::vector<std::size_t> expected_rows;
    for (std::size_t row = 0; row < full.size(); ++row) {
      if (lower(std::string(full.text(row, "model"))).find(lower(std::string(needle))) !=
          std::string::npos) {
        expected_rows.push_back(row);
      }
    }
    ASSERT_FALSE(expected_rows.empty());
    ASSERT_EQ(subset.size(), expected_rows.size());
    for (std::size_t row = 0; row < subset.size(); ++row) {
      EXPECT_EQ(subset.line_of(row), full.line_of(expected_rows[row]));
      for (const auto& column : full.columns()) {
        EXPECT_EQ(subset.text(row, column), full.text(expected_rows[row], column));
      }
    }
  }
}

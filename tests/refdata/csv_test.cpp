#include <gtest/gtest.h>

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
  EXPECT_EQ(ReferenceTable::embedded("cpu_power.csv").size(), 5053u);
}

// The string helpers every parser shares.
#include "support/strings.hpp"

#include <gtest/gtest.h>

namespace joule::support {
namespace {

TEST(Trim, RemovesAsciiWhitespaceAtBothEnds) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim("\v\fx\f\v"), "x");
  EXPECT_EQ(trim("inner  space"), "inner  space");
}

TEST(Trim, EmptyAndWhitespaceOnlyGiveEmpty) {
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \t\r\n "), "");
}

TEST(Trim, KeepsNonAsciiBytes) {
  // UTF-8 "µJ" and a non-breaking space's bytes are not ASCII whitespace.
  EXPECT_EQ(trim(" \xc2\xb5J "), "\xc2\xb5J");
  EXPECT_EQ(trim("\xc2\xa0"), "\xc2\xa0");
}

TEST(CaseMapping, ChangesOnlyAsciiLetters) {
  EXPECT_EQ(to_lower("Europe/PARIS-1 \xc3\x89"), "europe/paris-1 \xc3\x89");
  EXPECT_EQ(to_upper("fr-idf_2"), "FR-IDF_2");
  EXPECT_EQ(to_lower(""), "");
}

TEST(CaseMapping, IequalsComparesWithoutCase) {
  EXPECT_TRUE(iequals("AWS", "aws"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("aws", "aws "));
  EXPECT_FALSE(iequals("a", "b"));
}

TEST(SplitList, TrimsAndDropsEmptyItems) {
  EXPECT_EQ(split_list("a, b,,c ,"), (std::vector<std::string_view>{"a", "b", "c"}));
  EXPECT_EQ(split_list("x;y", ';'), (std::vector<std::string_view>{"x", "y"}));
  EXPECT_EQ(split_list("rapl"), (std::vector<std::string_view>{"rapl"}));
}

TEST(SplitList, EmptyAndBlankGiveNothing) {
  EXPECT_TRUE(split_list("").empty());
  EXPECT_TRUE(split_list(" , ,").empty());
}

TEST(ForEachLine, NumbersLinesWithoutTheirNewline) {
  std::vector<std::pair<std::string_view, std::size_t>> lines;
  for_each_line("a\n\nc d\n",
                [&](std::string_view line, std::size_t n) { lines.emplace_back(line, n); });
  const std::vector<std::pair<std::string_view, std::size_t>> expected{
      {"a", 1}, {"", 2}, {"c d", 3}};
  EXPECT_EQ(lines, expected);
}

TEST(ForEachLine, LastLineNeedsNoNewlineAndEmptyTextHasNone) {
  std::vector<std::string_view> lines;
  for_each_line("x\ny", [&](std::string_view line, std::size_t) { lines.push_back(line); });
  EXPECT_EQ(lines, (std::vector<std::string_view>{"x", "y"}));
  std::size_t calls = 0;
  for_each_line("", [&](std::string_view, std::size_t) { ++calls; });
  EXPECT_EQ(calls, 0u);
}

}  // namespace
}  // namespace joule::support

// joule.toml read from text: what the fuzzer found in the TOML reader is
// refused with a line and column instead of aborting or reaching undefined
// behaviour inside toml++.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "carbon/config_file.hpp"
#include "refdata/csv.hpp"

using joule::carbon::parse_config_text;
using joule::refdata::DataError;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

TEST(ConfigText, ReadsKeysAtTheTopOrInACarbonTable) {
  const auto top = parse_config_text("country = \"DE\"\npue = 1.2\n", "/p/joule.toml");
  EXPECT_EQ(top.country, "DE");
  EXPECT_EQ(top.pue, 1.2);
  const auto nested =
      parse_config_text("[carbon]\nregion = \"US-CA\"\ndata = \"f.csv\"\n", "/p/joule.toml");
  EXPECT_EQ(nested.region, "US-CA");
  ASSERT_EQ(nested.data_files.size(), 1u);
  EXPECT_EQ(nested.data_files[0], "/p/f.csv");
}

TEST(ConfigText, NonAsciiTextInStringsAndCommentsIsFine) {
  const auto config = parse_config_text(
      "# Zürich, Ελλάδα, カナ\ncountry = \"Ελλάδα\"\ndata = '''données\nλ.csv'''\n",
      "/p/joule.toml");
  EXPECT_EQ(config.country, "Ελλάδα");
  EXPECT_EQ(parse_config_text("\xEF\xBB\xBF"
                              "country = \"FR\"\n",
                              "/p/joule.toml")
                .country,
            "FR");
}

TEST(ConfigText, NonAsciiOutsideStringsIsAnErrorWithItsPlace) {
  // toml++ 3.3 reaches __builtin_unreachable() asking whether 'λ' is whitespace.
  EXPECT_THAT([] { (void)parse_config_text("country = \"FR\"\n  λ\n", "/p/joule.toml"); },
              ThrowsMessage<DataError>(
                  AllOf(HasSubstr("/p/joule.toml:2:3"), HasSubstr("expected ASCII outside"))));
  EXPECT_THAT([] { (void)parse_config_text("data = \"\"\"a \\\n   λ\"\"\"\n", "/p/joule.toml"); },
              ThrowsMessage<DataError>(HasSubstr("line-ending backslash")));
  // A quote after a bare value opens no string: toml++ scans on through 'î'.
  EXPECT_THAT([] { (void)parse_config_text("country = 2\"cî\"\n", "/p/joule.toml"); },
              ThrowsMessage<DataError>(HasSubstr("/p/joule.toml:1:14")));
  // Three quotes opening a line are an empty quoted key and a stray quote.
  EXPECT_THAT([] { (void)parse_config_text("\"\"\" n=Ѽ\"\"\"\n", "/p/joule.toml"); },
              ThrowsMessage<DataError>(HasSubstr("/p/joule.toml:1:7")));
}

// Where a malformed line leaves toml++ scanning ahead, it is refused on a
// copy of the text whose non-ASCII characters are '~', before toml++ reads
// the real text.
TEST(ConfigText, AMalformedValueBeforeNonAsciiIsRefusedWithoutReachingIt) {
  EXPECT_THAT(
      [] { (void)parse_config_text("c = 0 350=[\"Vy\uFE7Fm\"]\n", "/p/joule.toml"); },
      ThrowsMessage<DataError>(AllOf(HasSubstr("/p/joule.toml:1:"), HasSubstr("malformed TOML"))));
}

TEST(ConfigText, ABackslashAfterABracketIsAParseErrorNotAnAbort) {
  EXPECT_THAT(
      [] { (void)parse_config_text("[\\country]\n", "/p/joule.toml"); },
      ThrowsMessage<DataError>(AllOf(HasSubstr("/p/joule.toml:1:2"), HasSubstr("malformed TOML"))));
}

TEST(ConfigText, CloudBasisIsGridOrProviderAndATypoNamesItsLineAndTheChoices) {
  EXPECT_EQ(
      parse_config_text("[carbon]\ncloud_basis = \"provider\"\n", "/p/joule.toml").cloud_basis,
      joule::carbon::CloudBasis::provider);
  EXPECT_EQ(parse_config_text("cloud_basis = \"grid\"\n", "/p/joule.toml").cloud_basis,
            joule::carbon::CloudBasis::grid);
  EXPECT_FALSE(parse_config_text("country = \"FR\"\n", "/p/joule.toml").cloud_basis);
  EXPECT_THAT([] { (void)parse_config_text("\ncloud_basis = \"operational\"\n", "/p/joule.toml"); },
              ThrowsMessage<DataError>(AllOf(
                  HasSubstr("/p/joule.toml:2:"), HasSubstr("unknown cloud basis 'operational'"),
                  HasSubstr("expected grid"), HasSubstr("or provider"))));
  EXPECT_THAT([] { (void)parse_config_text("cloud_basis = 1\n", "/p/joule.toml"); },
              ThrowsMessage<DataError>(HasSubstr("'cloud_basis': expected a string")));
}

TEST(ConfigText, NanIsNotAPue) {
  EXPECT_THAT([] { (void)parse_config_text("pue = nan\n", "/p/joule.toml"); },
              ThrowsMessage<DataError>(HasSubstr("'pue': expected a ratio between 1 and 5")));
}

}  // namespace

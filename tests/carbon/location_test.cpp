// Where the energy is used: precedence, joule.toml, time-zone guess, PUE,
// loss, suggestions for unknown codes.
#include <gtest/gtest.h>

#include "carbon/tables.hpp"
#include "joule/data_error.hpp"
#include "test_support.hpp"

using namespace joule::carbon;
using joule::DataError;
using joule::carbon::testing::isolated;
using joule::carbon::testing::no_environment;
using joule::carbon::testing::resolve_isolated;
using joule::carbon::testing::TempDir;

namespace {
std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Location, CountryByAlpha2Alpha3OrName) {
  for (std::string code : {"FR", "fra", "France"}) {
    auto o = isolated();
    o.country = code;
    auto ctx = resolve_isolated(o);
    EXPECT_EQ(ctx.location_code, "FR");
    EXPECT_EQ(ctx.country_iso2, "FR");
    EXPECT_FALSE(ctx.is_guess);
    EXPECT_EQ(ctx.how_decided, "--country " + code);
  }
}

TEST(Location, OptionsBeatEnvironmentWhichBeatsConfig) {
  TempDir dir;
  dir.write("joule.toml", "country = \"DE\"\n");
  auto o = isolated();
  o.read_config_files = true;
  o.working_dir = dir.path();
  auto hooks = no_environment();
  hooks.environment = std::map<std::string, std::string>{{"JOULE_CLOUD", "aws:eu-west-3"}};
  o.country = "PL";
  EXPECT_EQ(resolve_isolated(o, hooks).location_code, "PL");
  o.country.reset();
  auto env_ctx = resolve_isolated(o, hooks);
  EXPECT_EQ(env_ctx.location_code, "aws:eu-west-3");
  EXPECT_EQ(env_ctx.how_decided, "JOULE_CLOUD=aws:eu-west-3");
  auto file_ctx = resolve_isolated(o);
  EXPECT_EQ(file_ctx.location_code, "DE");
  EXPECT_NE(file_ctx.how_decided.find("joule.toml"), std::string::npos);
}

TEST(Location, ConfigInTheUserConfigDirectoryWithPueContextAndData) {
  TempDir dir;
  dir.write("cfg/joule/joule.toml",
            "[carbon]\nregion = \"US-CA\"\npue = 1.3\ncontext = \"datacenter\"\n");
  auto o = isolated();
  o.read_config_files = true;
  o.working_dir = dir.path() / "nowhere";
  o.config_dir = dir.path() / "cfg";
  auto ctx = resolve_isolated(o);
  EXPECT_EQ(ctx.location_code, "US-CA");
  EXPECT_EQ(ctx.pue.central, 1.3);
  EXPECT_EQ(ctx.context, ContextKind::datacenter);
  EXPECT_NE(ctx.pue_source.find("joule.toml"), std::string::npos);
}

TEST(Location, MalformedOrMistypedConfigNamesLineAndColumn) {
  TempDir dir;
  auto bad = dir.write("bad.toml", "country = \"FR\"\npue = \n");
  auto o = isolated();
  o.config_file = bad;
  try {
    (void)resolve_isolated(o);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(std::string(e.what()).find("bad.toml:2:"), std::string::npos) << e.what();
  }
  auto typo = dir.write("typo.toml", "country = \"FR\"\ncuntry = \"DE\"\n");
  o.config_file = typo;
  auto msg = message_of([&] { (void)resolve_isolated(o); });
  EXPECT_NE(msg.find("typo.toml:2:1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown key 'cuntry'"), std::string::npos) << msg;
  auto wrong_type = dir.write("type.toml", "pue = \"high\"\n");
  o.config_file = wrong_type;
  EXPECT_NE(message_of([&] { (void)resolve_isolated(o); }).find("type.toml:1:"), std::string::npos);
  o.config_file = dir.path() / "missing.toml";
  EXPECT_THROW(resolve_isolated(o), CarbonError);
}

TEST(Location, GuessFromTheTimeZoneIsMarkedAsAGuess) {
  TempDir dir;
  dir.write("zoneinfo/zone.tab",
            "# comment\nFR\t+4852+00220\tEurope/Paris\nDE\t+5230+01322\tEurope/Berlin\tmost\n");
  dir.write("zoneinfo/zone1970.tab", "DE,DK,NO,SE,SJ\t+5230+01322\tEurope/Berlin\tmost\n");
  dir.write("zoneinfo/tzdata.zi", "L Europe/Paris Europe/Monaco2\n");
  dir.write("etc/timezone", "Europe/Berlin\n");
  auto o = isolated();
  o.guess_from_time_zone = true;
  auto hooks = no_environment();
  hooks.zoneinfo_root = dir.path() / "zoneinfo";
  hooks.etc_root = dir.path() / "etc";

  hooks.environment = std::map<std::string, std::string>{{"TZ", ":Europe/Paris"}};
  auto ctx = resolve_isolated(o, hooks);
  EXPECT_EQ(ctx.location_code, "FR");
  EXPECT_TRUE(ctx.is_guess);
  EXPECT_NE(ctx.how_decided.find("Europe/Paris"), std::string::npos);

  hooks.environment = std::map<std::string, std::string>{};  // falls to <etc>/timezone
  EXPECT_EQ(resolve_isolated(o, hooks).location_code, "DE");

  o.time_zone = "Europe/Monaco2";  // a link in tzdata.zi
  EXPECT_EQ(resolve_isolated(o, hooks).location_code, "FR");

  o.time_zone = "Etc/UTC";  // no country: world average, still a guess
  auto world = resolve_isolated(o, hooks);
  EXPECT_EQ(world.location_code, "WORLD");
  EXPECT_TRUE(world.is_guess);
  EXPECT_NEAR(world.intensity_g_per_kwh.central, 472.9, 1e-9);
  EXPECT_NE(world.how_decided.find("world average"), std::string::npos);
}

// The tzdata files are searched, not parsed: a zone that is the start or the
// end of another's name, or that appears in a comment, must not match.
TEST(Location, TimeZoneSearchMatchesWholeNamesOnly) {
  TempDir dir;
  dir.write("zoneinfo/zone.tab",
            "# US\t+394606-0860929\tAmerica/Indiana\tin a comment\n"
            "US\t+394606-0860929\tAmerica/Indiana/Indianapolis\tmost of Indiana\n"
            "CA\t+4339-07923\tAmerica/Toronto\n");
  dir.write("zoneinfo/zone1970.tab", "");
  dir.write("zoneinfo/tzdata.zi", "L America/Toronto America/Indiana2\n");
  auto o = isolated();
  o.guess_from_time_zone = true;
  auto hooks = no_environment();
  hooks.zoneinfo_root = dir.path() / "zoneinfo";
  hooks.etc_root = dir.path() / "etc";
  o.time_zone = "America/Indiana";  // only a prefix of a listed zone, and a comment
  EXPECT_EQ(resolve_isolated(o, hooks).location_code, "WORLD");
  o.time_zone = "Indiana/Indianapolis";  // only the end of a listed zone
  EXPECT_EQ(resolve_isolated(o, hooks).location_code, "WORLD");
  o.time_zone = "America/Indiana/Indianapolis";
  EXPECT_EQ(resolve_isolated(o, hooks).location_code, "US");
  o.time_zone = "America/Indiana2";  // a link
  EXPECT_EQ(resolve_isolated(o, hooks).location_code, "CA");
}

TEST(Location, LocaltimeSymlinkIsRead) {
  TempDir dir;
  dir.write("zoneinfo/zone.tab", "JP\t+353916+1394441\tAsia/Tokyo\n");
  std::filesystem::create_directories(dir.path() / "etc");
  std::filesystem::create_symlink("/usr/share/zoneinfo/Asia/Tokyo",
                                  dir.path() / "etc" / "localtime");
  auto o = isolated();
  o.guess_from_time_zone = true;
  auto hooks = no_environment();
  hooks.zoneinfo_root = dir.path() / "zoneinfo";
  hooks.etc_root = dir.path() / "etc";
  EXPECT_EQ(resolve_isolated(o, hooks).location_code, "JP");
}

TEST(Location, UnknownCodesSuggestTheClosest) {
  auto o = isolated();
  o.country = "FX";
  auto msg = message_of([&] { (void)resolve_isolated(o); });
  EXPECT_NE(msg.find("unknown country 'FX'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean"), std::string::npos) << msg;
  EXPECT_NE(msg.find("FR"), std::string::npos) << msg;
  o.country = "Frnace";
  EXPECT_NE(message_of([&] { (void)resolve_isolated(o); }).find("France"), std::string::npos);
  o.country.reset();
  o.region = "US-CAL-CISX";
  EXPECT_NE(message_of([&] { (void)resolve_isolated(o); }).find("US-CAL-CISO"), std::string::npos);
  o.region.reset();
  o.cloud = "aws:eu-west-9";
  EXPECT_NE(message_of([&] { (void)resolve_isolated(o); }).find("aws:eu-west-3"),
            std::string::npos);
  o.cloud = "oracle:x";
  EXPECT_NE(message_of([&] { (void)resolve_isolated(o); }).find("unknown cloud provider"),
            std::string::npos);
}

TEST(Location, CloudRegionsGiveLocationIntensityAndPue) {
  auto o = isolated();
  // One basis for every provider: the region's Electricity Maps zone (BE,
  // 2024); campus PUE 1.09.
  o.cloud = "gcp:europe-west1";
  auto gcp = resolve_isolated(o);
  EXPECT_NE(gcp.intensity_source.find("zone BE"), std::string::npos) << gcp.intensity_source;
  EXPECT_NEAR(gcp.intensity_g_per_kwh.central,
              *gcp.data->zone("BE")->g_per_kwh[2024 - ZoneRow::kFirstYear], 1e-9);
  EXPECT_NEAR(gcp.pue.central, 1.09, 1e-12);
  EXPECT_NE(gcp.data_vintage.find("cloud_regions.csv: Google region data 2025"), std::string::npos)
      << gcp.data_vintage;
  // Google's own figure on request, labelled with its basis; the range takes
  // in the previous year's figure.
  o.cloud_basis = CloudBasis::provider;
  auto google = resolve_isolated(o);
  EXPECT_NEAR(google.intensity_g_per_kwh.central, 126.43, 1e-9);  // 2025
  EXPECT_NEAR(google.intensity_g_per_kwh.low, 103.37, 1e-9);      // 2024
  EXPECT_NE(google.intensity_source.find("operational gross"), std::string::npos);
  o.cloud_basis = CloudBasis::grid;
  EXPECT_EQ(gcp.context, ContextKind::cloud);
  EXPECT_EQ(gcp.country_iso2, "BE");
  o.cloud = "aws:us-east-1";  // no AWS figure: Electricity Maps zone US-MIDA-PJM
  auto aws = resolve_isolated(o);
  EXPECT_NE(aws.intensity_source.find("US-MIDA-PJM"), std::string::npos);
  EXPECT_NEAR(aws.pue.central, 1.14, 1e-12);  // AWS 2025
  EXPECT_EQ(aws.loss_fraction.central, 0);
  o.cloud = "azure westeurope";
  EXPECT_EQ(resolve_isolated(o).country_iso2, "NL");
}

// The basis, like the place: the option, then JOULE_CLOUD_BASIS, then
// joule.toml, else grid.
TEST(Location, CloudBasisFromOptionEnvironmentOrConfig) {
  TempDir dir;
  dir.write("joule.toml", "[carbon]\ncloud = \"gcp:europe-west1\"\ncloud_basis = \"provider\"\n");
  auto o = isolated();
  o.read_config_files = true;
  o.working_dir = dir.path();
  const auto from_file = resolve_isolated(o);
  EXPECT_NEAR(from_file.intensity_g_per_kwh.central, 126.43, 1e-9);  // Google's own, 2025
  EXPECT_NE(from_file.intensity_source.find("operational gross"), std::string::npos);
  auto hooks = no_environment();
  hooks.environment = std::map<std::string, std::string>{{"JOULE_CLOUD_BASIS", "grid"}};
  const auto from_env = resolve_isolated(o, hooks);
  EXPECT_NE(from_env.intensity_source.find("zone BE"), std::string::npos)
      << from_env.intensity_source;
  o.cloud_basis = CloudBasis::provider;  // the option beats the environment
  EXPECT_NEAR(resolve_isolated(o, hooks).intensity_g_per_kwh.central, 126.43, 1e-9);
  o.cloud_basis.reset();
  hooks.environment = std::map<std::string, std::string>{{"JOULE_CLOUD_BASIS", "google-ops"}};
  try {
    (void)resolve_isolated(o, hooks);
    ADD_FAILURE() << "an unknown JOULE_CLOUD_BASIS was accepted";
  } catch (const CarbonError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("JOULE_CLOUD_BASIS=google-ops"), std::string::npos) << what;
    EXPECT_NE(what.find("expected grid"), std::string::npos) << what;
  }
}

TEST(Location, PueFromOptionContextOrDefault) {
  auto o = isolated();
  o.country = "FR";
  auto unspecified = resolve_isolated(o);
  EXPECT_EQ(unspecified.pue.central, 1.0);
  EXPECT_NEAR(unspecified.pue.high, 1.56, 1e-12);  // could be a data centre
  o.context = ContextKind::own_machine;
  auto own = resolve_isolated(o);
  EXPECT_EQ(own.pue.low, 1.0);
  EXPECT_EQ(own.pue.high, 1.0);
  o.context = ContextKind::datacenter;
  auto dc = resolve_isolated(o);
  EXPECT_NEAR(dc.pue.central, 1.56, 1e-12);  // Uptime 2024
  EXPECT_NEAR(dc.pue.low, 1.1, 1e-12);
  EXPECT_NEAR(dc.pue.high, 1.8, 1e-12);
  o.pue = 1.25;
  auto stated = resolve_isolated(o);
  EXPECT_EQ(stated.pue.central, 1.25);
  EXPECT_EQ(stated.pue.high, 1.25);
  EXPECT_NE(stated.pue_source.find("--pue"), std::string::npos);
  o.pue = 0.9;
  EXPECT_THROW(resolve_isolated(o), CarbonError);
  EXPECT_THROW(parse_context_kind("garage"), CarbonError);
  EXPECT_EQ(parse_context_kind("datacentre"), ContextKind::datacenter);
}

TEST(Location, LossAppliesOnlyToGenerationBasedIntensities) {
  auto o = isolated();
  o.region = "US-EGRID-CAMX";  // eGRID: generation, US loss 5.9 %
  auto egrid = resolve_isolated(o);
  EXPECT_NEAR(egrid.loss_fraction.central, 0.059, 1e-12);
  EXPECT_NEAR(egrid.intensity_g_per_kwh.high, egrid.intensity_g_per_kwh.central * 1.2, 1e-9);
  o.region = "AU-NSW";  // NGA scope 2+3 includes T&D
  EXPECT_EQ(resolve_isolated(o).loss_fraction.central, 0);
}

TEST(Location, CloudAndCountryDisagreeingIsReported) {
  auto o = isolated();
  o.cloud = "aws:eu-west-3";
  o.country = "DE";
  auto ctx = resolve_isolated(o);
  EXPECT_EQ(ctx.location_code, "aws:eu-west-3");
  ASSERT_FALSE(ctx.warnings.empty());
  EXPECT_NE(ctx.warnings.front().find("not DE"), std::string::npos) << ctx.warnings.front();
}

TEST(Location, TerritoryWithoutAverageFallsBackAndSaysSo) {
  auto o = isolated();
  o.country = "AI";  // Anguilla: IFI marginal factors only
  auto ctx = resolve_isolated(o);
  EXPECT_FALSE(ctx.warnings.empty());
  EXPECT_GT(ctx.intensity_g_per_kwh.central, 0);
}

// `joule carbon` end to end: the calculator, its JSON, the listings and the
// errors people will hit.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "support/subprocess.hpp"

using joule::testing::run_joule;

namespace {
// No joule.toml, no time-zone guess, no JOULE_* from the developer's shell.
const std::map<std::string, std::string> kCleanEnv = {
    {"JOULE_COUNTRY", "\x01unset"}, {"JOULE_REGION", "\x01unset"},  {"JOULE_CLOUD", "\x01unset"},
    {"JOULE_PUE", "\x01unset"},     {"JOULE_CONTEXT", "\x01unset"}, {"TZ", "Etc/UTC"}};

nlohmann::json run_json(std::vector<std::string> args,
                        std::map<std::string, std::string> env = kCleanEnv) {
  args.insert(args.begin(), "carbon");
  args.push_back("--json");
  args.push_back("--no-config");
  auto r = run_joule(args, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}
}  // namespace

TEST(CarbonCli, EnergyInFranceIsHandComputable) {
  auto j = run_json({"--energy", "12.4kWh", "--country", "FR", "--context", "own"});
  // Ember 2024 FR 44.2 g/kWh, PUE 1 (own machine), world T&D loss 8 %.
  EXPECT_NEAR(j["operational"]["g"]["central"].get<double>(), 12.4 * 44.2 / 0.92, 1e-6);
  EXPECT_EQ(j["location"]["code"], "FR");
  EXPECT_EQ(j["location"]["how_decided"], "--country FR");
  EXPECT_FALSE(j["location"]["is_guess"].get<bool>());
  EXPECT_NEAR(j["pue"]["value"]["central"].get<double>(), 1.0, 1e-12);
  EXPECT_TRUE(j["embodied"].is_null());
  double low = j["total_g"]["low"], central = j["total_g"]["central"], high = j["total_g"]["high"];
  EXPECT_LE(low, central);
  EXPECT_LT(central, high);
}

TEST(CarbonCli, TextOutputPrintsEachTermWithItsSource) {
  auto r =
      run_joule({"carbon", "--energy", "12.4kWh", "--country", "FR", "--no-config"}, kCleanEnv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (std::string s : {"O = E x PUE x I / (1 - loss)", "12.4 kWh", "44.2 gCO2e/kWh", "Ember 2024",
                        "PUE", "loss", "source:", "decided by: --country FR", "SCI"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  }
}

TEST(CarbonCli, GpuHoursInTheMannerOfMlCo2Impact) {
  auto j = run_json({"--hours", "10", "--gpu", "A100 PCIe 40GB", "--gpus", "8", "--country", "FR",
                     "--units", "1e6", "--unit", "inference"});
  // A100 PCIe 40GB: 250 W; 8 GPUs x 10 h = 20 kWh.
  EXPECT_NEAR(j["energy_kwh"]["central"].get<double>(), 8 * 250 * 10 / 1000.0, 1e-9);
  ASSERT_FALSE(j["embodied"].is_null());  // the GPUs' embodied share comes with them
  // ... from the same variant: the PCIe card's row, not the SXM4 LCA.
  const std::string te_source = j["embodied"]["terms"][0]["source"];
  EXPECT_NE(te_source.find("A100 PCIe 40GB"), std::string::npos) << te_source;
  EXPECT_EQ(te_source.find("SXM4"), std::string::npos) << te_source;
  const std::string vintage = j["data_vintage"];
  EXPECT_NE(vintage.find("gpu_power.csv"), std::string::npos) << vintage;
  EXPECT_NE(vintage.find("embodied.csv"), std::string::npos) << vintage;
  double total = j["total_g"]["central"];
  EXPECT_NEAR(j["sci"]["g_per_unit"]["central"].get<double>(), total / 1e6, 1e-12);
  EXPECT_EQ(j["sci"]["unit"], "inference");
}

TEST(CarbonCli, PueAndEmbodiedOptions) {
  auto j = run_json({"--energy", "1kWh", "--region", "AU-NSW", "--pue", "1.5", "--embodied",
                     "1000kg", "--lifetime", "4", "--hours", "1", "--share", "1/4"});
  // AU-NSW includes T&D (no loss): O = 1 x 1.5 x I; M = 1e6 g x 1/(4 x 8760) x 0.25 (a
  // stated lifetime in years).
  double i = j["intensity"]["g_per_kwh"]["central"];
  EXPECT_NEAR(j["operational"]["g"]["central"].get<double>(), 1.5 * i, 1e-9);
  EXPECT_NEAR(j["embodied"]["g"]["central"].get<double>(), 1e6 / 35040 * 0.25, 1e-9);
}

TEST(CarbonCli, EnvironmentIsUsedAndReported) {
  auto env = kCleanEnv;
  env["JOULE_CLOUD"] = "aws:eu-west-3";
  auto j = run_json({"--energy", "1kWh"}, env);
  EXPECT_EQ(j["location"]["how_decided"], "JOULE_CLOUD=aws:eu-west-3");
  EXPECT_NEAR(j["pue"]["value"]["central"].get<double>(), 1.14, 1e-12);  // AWS 2025
}

TEST(CarbonCli, NoLocationFallsBackToTheWorldAverageMarkedAsAGuess) {
  auto j = run_json({"--energy", "1kWh", "--no-tz-guess"});
  EXPECT_EQ(j["location"]["code"], "WORLD");
  EXPECT_TRUE(j["location"]["is_guess"].get<bool>());
}

TEST(CarbonCli, Listings) {
  auto countries = run_joule({"carbon", "--list-countries"}, kCleanEnv);
  ASSERT_EQ(countries.exit_code, 0) << countries.err;
  EXPECT_NE(countries.out.find("France"), std::string::npos);
  EXPECT_NE(countries.out.find("DEU"), std::string::npos);
  auto clouds = run_joule({"carbon", "--list-clouds"}, kCleanEnv);
  ASSERT_EQ(clouds.exit_code, 0) << clouds.err;
  for (std::string id : {"aws:eu-west-3", "gcp:europe-west1", "azure:westeurope"}) {
    EXPECT_NE(clouds.out.find(id), std::string::npos) << id;
  }
  EXPECT_NE(clouds.out.find("Electricity Maps"), std::string::npos);  // ODbL attribution
  // The listings give the data date of what they list.
  EXPECT_NE(countries.out.find("Data: grid_intensity_country.csv: Ember yearly data to 2024"),
            std::string::npos)
      << countries.out;
  EXPECT_NE(clouds.out.find("cloud_regions.csv: Google region data 2025"), std::string::npos);
  auto gpus = run_joule({"carbon", "--list-gpus"}, kCleanEnv);
  ASSERT_EQ(gpus.exit_code, 0) << gpus.err;
  EXPECT_NE(gpus.out.find("NVIDIA A100 PCIe 80GB"), std::string::npos);
  EXPECT_NE(gpus.out.find("Data: gpu_power.csv:"), std::string::npos) << gpus.out;
}

TEST(CarbonCli, CloudBasisIsOneForEveryProviderWithGooglesFigureAsAnOption) {
  auto grid = run_json({"--energy", "1kWh", "--cloud", "gcp:europe-west9"});
  EXPECT_NE(grid["intensity"]["source"].get<std::string>().find("zone FR"), std::string::npos);
  auto google =
      run_json({"--energy", "1kWh", "--cloud", "gcp:europe-west9", "--cloud-basis", "provider"});
  EXPECT_NEAR(google["intensity"]["g_per_kwh"]["central"].get<double>(), 15.83, 1e-9);
  EXPECT_NE(google["intensity"]["source"].get<std::string>().find("not life-cycle"),
            std::string::npos);
}

TEST(CarbonCli, BadInputGivesAClearMessageNotACrash) {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"--energy", "1kWh", "--country", "FRR"}, "did you mean FR"},
      {{"--energy", "1kWh", "--cloud", "aws:eu-west-33"}, "aws:eu-west-3"},
      {{"--energy", "twelve", "--country", "FR"}, "is not an energy"},
      {{"--energy", "1kWh", "--country", "FR", "--pue", "0.5"}, "PUE must be"},
      {{"--energy", "1kWh", "--country", "FR", "--pue", "abc"}, "expected a number"},
      {{"--energy", "1kWh", "--country", "FR", "--unit", "widget"}, "unknown functional unit"},
      {{"--country", "FR"}, "no energy"},
      {{"--hours", "1", "--gpu", "Z9000", "--country", "FR"}, "unknown GPU"},
      {{"--hours", "1", "--gpu", "V100", "--country", "FR"}, "NVIDIA Tesla V100 SXM2 (300 W)"},
      {{"--energy", "1kWh", "--cloud", "gcp:europe-west9", "--cloud-basis", "x"},
       "unknown cloud basis"},
      {{"--energy", "1kWh", "--country", "FR", "--context", "garage"}, "unknown context"},
      {{"--energy", "1kWh", "--country", "FR", "--intensity-file", "/nonexistent.csv"},
       "cannot open"},
  };
  for (const auto& c : cases) {
    auto args = c.args;
    args.insert(args.begin(), "carbon");
    args.push_back("--no-config");
    auto r = run_joule(args, kCleanEnv);
    EXPECT_EQ(r.exit_code, 1) << c.expected << "\n" << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
  }
}

TEST(CarbonCli, MalformedDataFileNamesFileLineAndColumn) {
  auto path = std::filesystem::temp_directory_path() /
              ("joule-cli-bad-" + std::to_string(::getpid()) + ".csv");
  std::ofstream(path)
      << "# file: grid_intensity_country.csv\ncode,iso2,name,central_g_per_kwh\nFRA,FR,France,5x\n";
  auto r = run_joule(
      {"carbon", "--energy", "1kWh", "--country", "FR", "--no-config", "--data", path.string()},
      kCleanEnv);
  std::filesystem::remove(path);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(path.string() + ":3:15"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("expected a number"), std::string::npos) << r.err;
}

TEST(CarbonCli, IntensitySeriesWithStartPlacesTheRunAndReportsGaps) {
  auto path = std::filesystem::temp_directory_path() /
              ("joule-cli-series-" + std::to_string(::getpid()) + ".csv");
  std::ofstream(path) << "timestamp,g_co2e_per_kwh\n2024-05-01T00:00Z,100\n2024-05-01T01:00Z,300\n";
  auto env = kCleanEnv;
  auto r = run_joule(
      {"carbon", "--energy", "3kWh", "--country", "FR", "--pue", "1", "--no-config", "--json",
       "--intensity-file", path.string(), "--start", "2024-05-01T00:00Z", "--hours", "3"},
      env);
  std::filesystem::remove(path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["operational"]["g"]["central"].get<double>(), 100 + 300 + 300, 1e-9);
  bool gap_said = false;
  for (const auto& w : j["warnings"])
    gap_said = gap_said || w.get<std::string>().find("filled") != std::string::npos;
  EXPECT_TRUE(gap_said) << r.out;
}

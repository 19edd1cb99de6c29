// `joule budget` end to end: the terminal page, --json and --markdown files,
// --what-if, and the error a bad scenario gives.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/subprocess.hpp"

using joule::testing::run_joule;

namespace {

const std::map<std::string, std::string> kCleanEnv = {
    {"JOULE_COUNTRY", "\x01unset"}, {"JOULE_REGION", "\x01unset"},  {"JOULE_CLOUD", "\x01unset"},
    {"JOULE_PUE", "\x01unset"},     {"JOULE_CONTEXT", "\x01unset"}, {"TZ", "Etc/UTC"}};

std::string example(const std::string& name) {
  return (std::filesystem::path(JOULE_FIXTURES_DIR) / ".." / ".." / "examples" / "budget" / name)
      .string();
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct OutDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("joule-budget-cli-" + std::to_string(::getpid()));
  OutDir() { std::filesystem::create_directories(path); }
  ~OutDir() { std::filesystem::remove_all(path); }
};

TEST(BudgetCli, TerminalPageHasEverySection) {
  auto r = run_joule({"budget", example("cctv.toml"), "--no-config"}, kCleanEnv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"Life-cycle totals", "training", "inference active", "inference idle",
                        "embodied", "CO2e by year", "SCI per request", "SCI per useful insight",
                        "Breakeven:", "What dominates:", "km driven by an average new car",
                        "European Environment Agency", "What-ifs", "instead of PL",
                        "Inputs and their sources", "(given)", "(table)"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  }
}

TEST(BudgetCli, JsonAndMarkdownFilesWithWhatIfs) {
  OutDir out;
  const auto json_path = out.path / "budget.json";
  const auto md_path = out.path / "budget.md";
  auto r = run_joule(
      {"budget", example("assistant.toml"), "--no-config", "--what-if", "region=SE", "--what-if",
       "utilisation=0.8", "--json", json_path.string(), "--markdown", md_path.string()},
      kCleanEnv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp(json_path));
  EXPECT_EQ(j["applied_what_ifs"], nlohmann::json({"region=SE", "utilisation=0.8"}));
  for (const auto& d : j["deployments"]) {
    EXPECT_NE(d["location"].get<std::string>().find("(SE)"), std::string::npos);
    EXPECT_DOUBLE_EQ(d["utilisation"].get<double>(), 0.8);
  }
  // 16 and 12 replicas at 40 % become 8 and 6 at 80 %.
  EXPECT_DOUBLE_EQ(j["deployments"][0]["replicas"].get<double>(), 8);
  EXPECT_DOUBLE_EQ(j["deployments"][1]["replicas"].get<double>(), 6);
  EXPECT_GT(j["co2e_g"]["central"].get<double>(), 0);
  const std::string md = slurp(md_path);
  for (const char* s : {"# Budget: Transformer assistant", "## What-ifs", "| part |",
                        "`region=SE`, `utilisation=0.8`", "## Inputs and their sources"}) {
    EXPECT_NE(md.find(s), std::string::npos) << s << "\n" << md;
  }
}

TEST(BudgetCli, JsonToStandardOutputAlone) {
  auto r = run_joule({"budget", example("from-bench.toml"), "--no-config", "--json", "-",
                      "--what-if", "model=mlp"},
                     kCleanEnv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);  // nothing but the JSON
  EXPECT_EQ(j["name"], "Clothing classifier from joule bench");
}

TEST(BudgetCli, BadInputFailsWithFileLineAndKey) {
  OutDir out;
  const auto path = out.path / "bad.toml";
  std::ofstream(path) << "horizon_years = 1\n[inference]\nenergy_per_request = \"1J\"\n"
                         "requests_per_day = 10\n[[deployment]]\ncountry = \"FR\"\n"
                         "device = \"phone\"\n";
  auto r = run_joule({"budget", path.string(), "--no-config"}, kCleanEnv);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(path.string() + ":7:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unknown device class 'phone'"), std::string::npos) << r.err;
  r = run_joule({"budget", example("cctv.toml"), "--what-if", "regoin=FR"}, kCleanEnv);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("did you mean region?"), std::string::npos) << r.err;
}

}  // namespace

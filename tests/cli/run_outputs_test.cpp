// The files `joule run` writes: the JSON record and the CodeCarbon-style CSV.
#include "run_support.hpp"

using namespace joule::testing;
using RunOutputs = RunFixture;

TEST_F(RunOutputs, JsonHoldsTheRecord) {
  auto r = joule({"run", "--no-ledger", "--tag", "model=resnet", "--json",
                  path("run.json").string(), "--", "sh", "-c", "exit 3"});
  ASSERT_EQ(r.exit_code, 3) << r.err;
  auto json = read_json("run.json");
  EXPECT_EQ(json["status"], "finished");
  EXPECT_EQ(json["exit"]["exit_code"], 3);
  EXPECT_EQ(json["command"], (std::vector<std::string>{"sh", "-c", "exit 3"}));
  EXPECT_EQ(json["tags"]["model"], "resnet");
  EXPECT_TRUE(json["carbon"].is_object());
  EXPECT_EQ(json["carbon"]["location"], "FR");
}

TEST_F(RunOutputs, CsvStartsWithCodeCarbonsHeaderAndAppends) {
  for (int i = 0; i < 2; ++i) {
    auto r =
        joule({"run", "--no-ledger", "-q", "--csv", path("emissions.csv").string(), "--", "true"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::ifstream in(path("emissions.csv"));
  std::string header, line;
  std::getline(in, header);
  EXPECT_TRUE(header.starts_with("timestamp,project_name,run_id,")) << header;
  int rows = 0;
  while (std::getline(in, line)) rows += line.empty() ? 0 : 1;
  EXPECT_EQ(rows, 2);
}

TEST_F(RunOutputs, SummaryGoesToStderrAndQuietSilencesIt) {
  auto loud = joule({"run", "--no-ledger", "--", "true"});
  EXPECT_NE(loud.err.find("joule run"), std::string::npos) << loud.err;
  EXPECT_EQ(loud.out, "");
  auto quiet = joule({"run", "--no-ledger", "-q", "--", "true"});
  EXPECT_EQ(quiet.err, "");
}

TEST_F(RunOutputs, BadOptionsFailBeforeTheCommandRuns) {
  auto r = joule({"run", "--no-ledger", "--interval", "fast", "--", "sh", "-c",
                  "touch " + path("ran").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(path("ran")));
}

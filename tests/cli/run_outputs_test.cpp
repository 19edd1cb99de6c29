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
  // Every record says which edition of the reference data its figures use.
  const std::string vintage = json["carbon"]["data_vintage"];
  EXPECT_NE(vintage.find("grid_intensity_country.csv: Ember yearly data to 2024"),
            std::string::npos)
      << vintage;
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

// Energy counters alone are read once a second, by joule's own tick: no
// sampler thread then. A shorter --interval brings the thread back. The
// command counts joule's threads (its parent's /proc/PID/task).
TEST_F(RunOutputs, SamplesCountersOnItsTickAndStartsASamplerOnlyWhenAsked) {
  const std::string count_threads = "ls /proc/$PPID/task | wc -l > " + path("threads").string();
  auto threads = [&] {
    std::ifstream in(path("threads"));
    int n = 0;
    in >> n;
    return n;
  };
  auto r =
      joule({"run", "-q", "--json", path("auto.json").string(), "--", "sh", "-c", count_threads});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(threads(), 1);
  EXPECT_DOUBLE_EQ(read_json("auto.json")["sample_interval_s"].get<double>(), 1.0);
  r = joule({"run", "-q", "--interval", "50ms", "--json", path("fast.json").string(), "--", "sh",
             "-c", count_threads});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(threads(), 2);
  EXPECT_DOUBLE_EQ(read_json("fast.json")["sample_interval_s"].get<double>(), 0.05);
}

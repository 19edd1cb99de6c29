// A distributed job's records (one per node) summed once, saying what is
// missing; and the job fields surviving the JSON record.
#include "record/job.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "record/json_io.hpp"

using namespace joule::record;

namespace {

RunRecord node(std::string id, std::string host, std::string job, const std::vector<int>& ranks,
               double machine_j, int world) {
  RunRecord r;
  r.id = std::move(id);
  r.host.hostname = std::move(host);
  r.job_id = std::move(job);
  r.status = RunStatus::finished;
  r.world_size = world;
  r.totals.machine_energy_j = machine_j;
  r.totals.attributed_energy_j = machine_j / 2;
  for (int rank : ranks) r.ranks.push_back({rank, 100 + rank, r.job_id, true});
  return r;
}

bool has(const std::vector<std::string>& lines, std::string_view text) {
  for (const auto& line : lines) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST(Job, SumsTheJobsNodesOnly) {
  const std::vector<RunRecord> records = {node("a", "n1", "J", {0, 1}, 100, 4),
                                          node("b", "n2", "other", {0}, 1000, 1),
                                          node("c", "n2", "J", {2, 3}, 50, 4)};
  const JobSummary job = sum_job(records, "J");
  ASSERT_EQ(job.records.size(), 2u);
  EXPECT_DOUBLE_EQ(job.machine_energy_j, 150);
  EXPECT_DOUBLE_EQ(job.attributed_energy_j, 75);
  EXPECT_EQ(job.ranks, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_TRUE(job.warnings.empty()) << job.warnings.front();
}

TEST(Job, SaysWhenANodesRecordIsMissingOrARankDied) {
  std::vector<RunRecord> records = {node("a", "n1", "J", {0, 1}, 100, 4)};
  records[0].ranks[1].said_goodbye = false;
  const JobSummary job = sum_job(records, "J");
  EXPECT_TRUE(has(job.warnings, "2 of the job's 4 ranks have no record (ranks 2, 3)"));
  EXPECT_TRUE(has(job.warnings, "rank 1 (run a on n1) died"));
}

TEST(Job, ARankInTwoRecordsIsFlagged) {
  const std::vector<RunRecord> records = {node("a", "n1", "J", {0}, 1, 1),
                                          node("b", "n1", "J", {0}, 1, 1)};
  EXPECT_TRUE(has(sum_job(records, "J").warnings, "rank 0 appears in more than one record"));
}

TEST(Job, IdComesFromTorchrunElseSlurm) {
  ::unsetenv("TORCHELASTIC_RUN_ID");
  ::setenv("SLURM_JOB_ID", "991", 1);
  EXPECT_EQ(job_id_from_environment(), "991");
  ::setenv("TORCHELASTIC_RUN_ID", "te-1", 1);
  EXPECT_EQ(job_id_from_environment(), "te-1");
  ::unsetenv("TORCHELASTIC_RUN_ID");
  ::unsetenv("SLURM_JOB_ID");
  EXPECT_EQ(job_id_from_environment(), "");
}

TEST(Job, JobFieldsRoundTripThroughJson) {
  RunRecord r = node("a", "n1", "J", {0, 1}, 100, 4);
  r.ranks[1].said_goodbye = false;
  Phase phase;
  phase.name = "train";
  phase.rank = 1;
  r.phases.push_back(phase);
  Phase setup;
  setup.name = "setup";
  r.phases.push_back(setup);
  const RunRecord back = from_json(to_json(r), "test");
  EXPECT_EQ(back.job_id, "J");
  EXPECT_EQ(back.world_size, 4);
  ASSERT_EQ(back.ranks.size(), 2u);
  EXPECT_EQ(back.ranks[1].pid, 101);
  EXPECT_FALSE(back.ranks[1].said_goodbye);
  ASSERT_EQ(back.phases.size(), 2u);
  EXPECT_EQ(back.phases[0].rank, 1);
  EXPECT_FALSE(back.phases[1].rank.has_value());
}

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "record/json_io.hpp"
#include "record/sample_record.hpp"

namespace joule::record {
namespace {

std::filesystem::path temp_dir() {
  auto dir = std::filesystem::temp_directory_path() /
             ("joule-json-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(RecordJson, RoundTripKeepsEveryField) {
  auto original = joule::testing::sample_record();
  auto text = to_json_text(original);
  auto back = parse_json_text(text, "test");
  // Writing what was read gives the same bytes: nothing lost, nothing reordered.
  EXPECT_EQ(to_json_text(back), text);
  EXPECT_EQ(back.id, original.id);
  EXPECT_EQ(back.status, RunStatus::finished);
  ASSERT_EQ(back.domains.size(), 4u);
  EXPECT_EQ(back.domains[1].component, Component::cpu_core);
  EXPECT_FALSE(back.domains[1].in_total);
  EXPECT_DOUBLE_EQ(back.totals.attributed_energy_j, 35200);
  ASSERT_TRUE(back.carbon);
  EXPECT_DOUBLE_EQ(back.carbon->total_co2e_g.high, 1.34);
  EXPECT_EQ(back.carbon->data_vintage, "grid_intensity_country.csv: Ember yearly data to 2024");
  ASSERT_EQ(back.carbon->embodied.size(), 1u);
  EXPECT_EQ(back.carbon->embodied[0].rows.size(), 2u);
  EXPECT_EQ(back.carbon->embodied[0].share, 0.0625);
  EXPECT_EQ(back.carbon->embodied[0].provenance, "modelled");
  EXPECT_DOUBLE_EQ(back.carbon->embodied[0].device_co2e_kg.high, 3660);
  ASSERT_TRUE(back.git);
  EXPECT_TRUE(back.git->dirty);
  EXPECT_EQ(back.tags.at("model"), "resnet50");
  ASSERT_EQ(back.timeline.points.size(), 3u);
  EXPECT_DOUBLE_EQ(back.timeline.points[2].energy_j[2], 30000);
  EXPECT_EQ(back.exit.exit_code, 0);
  EXPECT_FALSE(back.exit.signal);
}

TEST(RecordJson, CanonicalFieldNames) {
  auto j = to_json(joule::testing::sample_record());
  EXPECT_EQ(j["schema_version"], "1.2");
  EXPECT_EQ(j["status"], "finished");
  EXPECT_EQ(j["domains"][0]["component"], "cpu-package");
  EXPECT_EQ(j["domains"][0]["provenance"], "measured");
  EXPECT_TRUE(j["carbon"]["intensity_g_per_kwh"].contains("central"));
  EXPECT_TRUE(j["sci"].contains("co2e_g_per_unit"));
  EXPECT_TRUE(j["exit"]["signal"].is_null());
}

TEST(RecordJson, OptionalPartsAbsentReadBackAbsent) {
  RunRecord minimal;
  minimal.id = "20240501-120000-00000001";
  auto back = parse_json_text(to_json_text(minimal), "test");
  EXPECT_FALSE(back.carbon);
  EXPECT_FALSE(back.sci);
  EXPECT_FALSE(back.idle);
  EXPECT_FALSE(back.git);
  EXPECT_EQ(back.status, RunStatus::running);
}

TEST(RecordJson, UnknownMajorVersionRejectedNamingFileAndVersions) {
  auto dir = temp_dir();
  auto j = to_json(joule::testing::sample_record());
  j["schema_version"] = "2.0";
  auto path = dir / "future.json";
  std::ofstream(path) << j.dump();
  try {
    read_json_file(path);
    FAIL() << "a record of major version 2 was accepted";
  } catch (const RecordError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find("2.0"), std::string::npos) << message;
    EXPECT_NE(message.find("major version 1"), std::string::npos) << message;
    EXPECT_NE(message.find("upgrade joule"), std::string::npos) << message;
  }
  std::filesystem::remove_all(dir);
}

TEST(RecordJson, NewerMinorWithUnknownFieldsIsRead) {
  auto j = to_json(joule::testing::sample_record());
  j["schema_version"] = "1.7";
  j["a_field_from_the_future"] = {{"x", 1}};
  j["host"]["npu_count"] = 2;
  auto back = from_json(j, "test");
  EXPECT_EQ(back.schema.minor, 7);
  EXPECT_EQ(back.host.hostname, "node7");
}

TEST(RecordJson, OlderMinorWithMissingFieldsGetsDefaults) {
  nlohmann::json j = {{"schema_version", "1.0"}, {"id", "x"}, {"status", "finished"}};
  auto back = from_json(j, "test");
  EXPECT_EQ(back.id, "x");
  EXPECT_TRUE(back.domains.empty());
  EXPECT_DOUBLE_EQ(back.totals.machine_energy_j, 0);
}

TEST(RecordJson, WrongTypeNamesTheField) {
  auto j = to_json(joule::testing::sample_record());
  j["domains"][2]["machine_energy_j"] = "lots";
  try {
    from_json(j, "run.json");
    FAIL();
  } catch (const RecordError& e) {
    EXPECT_NE(std::string(e.what()).find("domains[2].machine_energy_j"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("run.json"), std::string::npos) << e.what();
  }
}

TEST(RecordJson, NotJsonOrNotARecord) {
  EXPECT_THROW(parse_json_text("{nope", "x.json"), RecordError);
  // nlohmann reports a number too large for a double as out_of_range, not
  // as a parse error (found by tests/fuzz/run_record_json).
  EXPECT_THROW(parse_json_text("{\"duration_s\": 2.4e43448}", "x.json"), RecordError);
  EXPECT_THROW(parse_json_text("{\"id\": 1}", "x.json"), RecordError);
  EXPECT_THROW(parse_json_text("{\"schema_version\": \"one\"}", "x.json"), RecordError);
}

TEST(RecordJson, FileWriteAndRead) {
  auto dir = temp_dir();
  auto record = joule::testing::sample_record();
  write_json_file(dir / "run.json", record);
  EXPECT_EQ(read_json_file(dir / "run.json").id, record.id);
  EXPECT_THROW(read_json_file(dir / "missing.json"), RecordError);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace joule::record

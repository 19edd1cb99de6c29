#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "record/csv_io.hpp"
#include "record/sample_record.hpp"

namespace joule::record {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Splits one RFC 4180 line (no embedded newlines in these tests).
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

struct TempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("joule-csv-" + std::to_string(::getpid()) + "-" +
                                ::testing::UnitTest::GetInstance()->current_test_info()->name());
  TempDir() {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// CodeCarbon's emissions.csv columns, in its order; joule's follow.
const char* const kExpectedPrefix =
    "timestamp,project_name,run_id,experiment_id,duration,emissions,emissions_rate,"
    "cpu_utilization_percent,ram_utilization_percent,ram_used_gb,cpu_power,gpu_power,ram_power,"
    "cpu_energy,gpu_energy,ram_energy,energy_consumed,water_consumed,country_name,"
    "country_iso_code,region,cloud_provider,cloud_region,os,python_version,codecarbon_version,"
    "cpu_count,cpu_model,gpu_count,gpu_model,longitude,latitude,ram_total_size,tracking_mode,"
    "on_cloud,pue,wue,joule_";

TEST(RecordCsv, HeaderExactOnNewFile) {
  TempDir dir;
  auto path = dir.path / "emissions.csv";
  auto result = append_csv(path, joule::testing::sample_record());
  EXPECT_TRUE(result.wrote_header);
  EXPECT_TRUE(result.warning.empty());
  auto text = lines(slurp(path));
  ASSERT_EQ(text.size(), 2u);
  EXPECT_EQ(text[0].rfind(kExpectedPrefix, 0), 0u) << text[0];
  EXPECT_EQ(text[0] + "\n", csv_header());
  EXPECT_EQ(cells(text[1]).size(), csv_columns().size());
}

TEST(RecordCsv, EmptyExistingFileGetsHeader) {
  TempDir dir;
  auto path = dir.path / "emissions.csv";
  std::ofstream(path).close();
  EXPECT_TRUE(append_csv(path, joule::testing::sample_record()).wrote_header);
  EXPECT_EQ(lines(slurp(path)).size(), 2u);
}

TEST(RecordCsv, AppendsRowsWithoutRepeatingHeader) {
  TempDir dir;
  auto path = dir.path / "emissions.csv";
  append_csv(path, joule::testing::sample_record("20240501-120000-00000001"));
  auto second = append_csv(path, joule::testing::sample_record("20240501-120000-00000002"));
  EXPECT_FALSE(second.wrote_header);
  auto text = lines(slurp(path));
  ASSERT_EQ(text.size(), 3u);
  EXPECT_EQ(cells(text[1])[2], "20240501-120000-00000001");
  EXPECT_EQ(cells(text[2])[2], "20240501-120000-00000002");
}

TEST(RecordCsv, ForeignHeaderWarnsButAppends) {
  TempDir dir;
  auto path = dir.path / "emissions.csv";
  std::ofstream(path) << "timestamp,project_name,run_id\n";
  auto result = append_csv(path, joule::testing::sample_record());
  EXPECT_FALSE(result.wrote_header);
  EXPECT_NE(result.warning.find("header differs"), std::string::npos);
  EXPECT_EQ(lines(slurp(path)).size(), 2u);
}

TEST(RecordCsv, ValuesInCodeCarbonUnits) {
  auto record = joule::testing::sample_record();
  auto header = cells(lines(csv_header())[0]);
  auto row = cells(lines(csv_row(record))[0]);
  auto at = [&](const std::string& name) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return row.at(i);
    }
    ADD_FAILURE() << "no column " << name;
    return std::string();
  };
  EXPECT_EQ(at("timestamp"), "2024-05-01T12:01:40");
  EXPECT_EQ(at("project_name"), "vision");
  EXPECT_EQ(at("duration"), "100");
  EXPECT_DOUBLE_EQ(std::stod(at("emissions")), 0.93e-3);              // kg
  EXPECT_DOUBLE_EQ(std::stod(at("energy_consumed")), 35200 / 3.6e6);  // kWh, attributed
  EXPECT_DOUBLE_EQ(std::stod(at("gpu_power")), 300);                  // W
  EXPECT_DOUBLE_EQ(std::stod(at("cpu_energy")), 4500 / 3.6e6);        // core-0 is nested: not added
  EXPECT_EQ(at("tracking_mode"), "process");
  EXPECT_EQ(at("country_iso_code"), "FR");
  EXPECT_EQ(at("gpu_model"), "1 x NVIDIA A100-SXM4-80GB");
  EXPECT_EQ(at("python_version"), "");
  EXPECT_EQ(at("joule_energy_provenance"), "measured");
  EXPECT_EQ(at("joule_command"), "python train.py --epochs 3");
  EXPECT_EQ(at("joule_tags"), "model=resnet50;project=vision");
}

TEST(RecordCsv, QuotesCellsWithCommasAndQuotes) {
  auto record = joule::testing::sample_record();
  record.command = {"echo", "a,b", "say \"hi\""};
  auto row = cells(lines(csv_row(record))[0]);
  EXPECT_EQ(row.size(), csv_columns().size());
  bool found = false;
  for (const auto& cell : row) found = found || cell == "echo a,b say \"hi\"";
  EXPECT_TRUE(found);
}

TEST(RecordCsv, UnwritablePathThrowsNamingIt) {
  try {
    append_csv("/nonexistent-dir/emissions.csv", joule::testing::sample_record());
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/emissions.csv"), std::string::npos);
  }
}

}  // namespace
}  // namespace joule::record

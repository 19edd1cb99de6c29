// The shared sysfs reading helpers: parsing, natural order, and errors that
// name the path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "sensors/sysfs.hpp"
#include "sensors/sysfs_fixture.hpp"

namespace joule::sensors::sysfs {
namespace {

using sysfs_testing::FakeTree;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Sysfs, ParsesIntegersAndRejectsTrailingJunk) {
  std::uint64_t u = 0;
  EXPECT_TRUE(parse_u64(" 262143328850\n", u));
  EXPECT_EQ(u, 262143328850u);
  EXPECT_TRUE(parse_u64("0x1f", u));
  EXPECT_EQ(u, 31u);
  EXPECT_FALSE(parse_u64("12abc", u));
  EXPECT_FALSE(parse_u64("", u));
  EXPECT_FALSE(parse_u64("-5", u));
  std::int64_t i = 0;
  EXPECT_TRUE(parse_i64("-1500000", i));
  EXPECT_EQ(i, -1500000);
  double d = 0;
  EXPECT_TRUE(parse_double("2.3283064365386962890625e-10", d));
  EXPECT_DOUBLE_EQ(d, 2.3283064365386962890625e-10);
}

TEST(Sysfs, ListsInNaturalOrder) {
  FakeTree tree;
  for (const char* n : {"hwmon10", "hwmon2", "hwmon0", "other"}) {
    tree.write(std::string("class/hwmon/") + n + "/name", "x");
  }
  EXPECT_THAT(list_dir(tree.sys() / "class/hwmon", "hwmon"),
              ElementsAre("hwmon0", "hwmon2", "hwmon10"));
  EXPECT_TRUE(list_dir(tree.sys() / "missing").empty());
}

TEST(Sysfs, ErrorsNameThePathAndKeepErrno) {
  FakeTree tree;
  const auto missing = tree.sys() / "nope";
  auto r = read_u64(missing);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.errno_value, ENOENT);
  EXPECT_THAT(r.error, HasSubstr(missing.string()));

  const auto bad = tree.write("bad", "twelve");
  auto b = read_u64(bad);
  EXPECT_FALSE(b.ok());
  EXPECT_EQ(b.errno_value, 0);
  EXPECT_THAT(b.error, HasSubstr(bad.string()));
  EXPECT_THAT(b.error, HasSubstr("'twelve'"));
}

TEST(Sysfs, AttributeFileRereadsFromTheStart) {
  FakeTree tree;
  const auto path = tree.write("energy_uj", "100");
  auto file = AttributeFile::open(path);
  ASSERT_TRUE(file.ok()) << file.error;
  std::uint64_t v = 0;
  std::string error;
  ASSERT_TRUE(file.value.read_u64(v, error));
  EXPECT_EQ(v, 100u);
  tree.write("energy_uj", "123456789");
  ASSERT_TRUE(file.value.read_u64(v, error));
  EXPECT_EQ(v, 123456789u);
  EXPECT_TRUE(error.empty());
}

TEST(Sysfs, CpuInfoGivesVendorAndModel) {
  FakeTree tree;
  tree.write_proc("cpuinfo",
                  "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7763 "
                  "64-Core Processor\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\n");
  const CpuInfo info = read_cpu_info(tree.proc());
  EXPECT_EQ(info.vendor, "AuthenticAMD");
  EXPECT_EQ(info.model, "AMD EPYC 7763 64-Core Processor");
  EXPECT_TRUE(read_cpu_info(tree.root() / "missing").vendor.empty());
}

}  // namespace
}  // namespace joule::sensors::sysfs

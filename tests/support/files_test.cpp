// Whole-file and bounded reads.
#include "support/files.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>

namespace joule::support {
namespace {

namespace fs = std::filesystem;

class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("joule-support-files-{}", ::getpid());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return dir_ / name;
  }

  fs::path dir_;
};

TEST_F(FilesTest, ReadsTheWholeFileByteForByte) {
  const std::string text = std::string("line 1\r\n\0binary\n", 16) + std::string(20000, 'x');
  EXPECT_EQ(read_file(write("big", text)), text);
}

TEST_F(FilesTest, EmptyFileIsEmptyTextNotAFailure) {
  EXPECT_EQ(read_file(write("empty", "")), "");
  EXPECT_EQ(read_small_file(dir_ / "empty", 64), "");
}

TEST_F(FilesTest, MissingFileFailsWithEnoent) {
  errno = 0;
  EXPECT_FALSE(read_file(dir_ / "missing"));
  EXPECT_EQ(errno, ENOENT);
  errno = 0;
  EXPECT_FALSE(read_small_file(dir_ / "missing", 64));
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(FilesTest, DirectoryFailsWithEisdir) {
  errno = 0;
  EXPECT_FALSE(read_file(dir_));
  EXPECT_EQ(errno, EISDIR);
  EXPECT_FALSE(read_small_file(dir_, 64));
}

TEST_F(FilesTest, BoundedReadGivesAtMostTheBound) {
  const auto path = write("long", "0123456789");
  EXPECT_EQ(read_small_file(path, 4), "0123");
  EXPECT_EQ(read_small_file(path, 10), "0123456789");
  EXPECT_EQ(read_small_file(path, 100), "0123456789");
}

TEST(ProcFiles, ReadsProcToItsEnd) {
  // /proc files report size 0; the whole text still arrives.
  auto text = read_file("/proc/self/status");
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("Name:"), std::string::npos);
  EXPECT_NE(text->find("VmRSS:"), std::string::npos);
}

}  // namespace
}  // namespace joule::support

namespace joule::support {
namespace {

TEST(WriteFileAtomically, ReplacesTheFileWhole) {
  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("joule-support-atomic-{}", ::getpid());
  std::filesystem::create_directories(dir);
  write_file_atomically(dir / "page.html", "old");
  write_file_atomically(dir / "page.html", "new text");
  EXPECT_EQ(read_file(dir / "page.html"), "new text");
  // A target that is a directory: the rename fails, the temporary goes.
  std::filesystem::create_directories(dir / "taken");
  EXPECT_THROW(write_file_atomically(dir / "taken", "x"), std::runtime_error);
  // A parent that does not exist: the message names the path and the reason.
  try {
    write_file_atomically(dir / "missing" / "x.html", "x");
    ADD_FAILURE() << "wrote under a missing directory";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("missing/x.html: No such file or directory"),
              std::string::npos)
        << error.what();
  }
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"page.html", "taken"}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace joule::support

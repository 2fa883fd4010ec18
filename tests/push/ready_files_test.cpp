// Settling, driven by an explicit clock: each scan says what time it is.
#include "gateway/push/ready_files.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/test_pki.hpp"

namespace opcat::push {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class ReadyFilesTest : public ::testing::Test {
 protected:
  void write(const std::string& name, const std::string& text,
             std::ios::openmode mode = std::ios::binary) {
    std::ofstream(dir_.path() / name, mode) << text;
  }
  std::vector<std::string> ready_at(std::chrono::milliseconds elapsed) {
    std::vector<std::string> names;
    for (const auto& file : files_.scan(dir_.path(), start_ + elapsed)) {
      names.push_back(file.path.filename().string());
    }
    return names;
  }
  // Makes the modification time differ from any earlier one, whatever the clock's granularity.
  void touch(const std::string& name, fs::file_time_type when) {
    fs::last_write_time(dir_.path() / name, when);
  }

  testing::TempDir dir_;
  ReadyFiles files_{5s};
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  using Names = std::vector<std::string>;
};

TEST_F(ReadyFilesTest, OnlyExportNamesAreCandidates) {
  EXPECT_TRUE(is_export_name("visits.csv"));
  EXPECT_TRUE(is_export_name("export"));
  EXPECT_TRUE(is_export_name("visits.partial.csv"));
  for (const char* name : {".hidden.csv", ".visits.csv.Ab12Cd", "visits.csv.tmp", "visits.csv.part",
                           "visits.csv.PART", "visits.partial", "visits.csv.crdownload", ""}) {
    EXPECT_FALSE(is_export_name(name)) << name;
  }
}

TEST_F(ReadyFilesTest, AFileIsReadyOnceUnchangedForTheSettleTime) {
  write("visits.csv", "a,b\n");
  EXPECT_EQ(ready_at(0s), Names{});
  EXPECT_EQ(ready_at(4999ms), Names{});
  EXPECT_EQ(ready_at(5s), Names{"visits.csv"});
}

TEST_F(ReadyFilesTest, AGrowingFileIsNotReadyUntilItStopsGrowing) {
  write("visits.csv", "a,b\n");
  EXPECT_EQ(ready_at(0s), Names{});
  // Every look sees it bigger: the settle time starts again each time.
  for (int second = 4; second <= 40; second += 4) {
    write("visits.csv", "1,2\n", std::ios::binary | std::ios::app);
    EXPECT_EQ(ready_at(std::chrono::seconds(second)), Names{}) << second;
  }
  EXPECT_EQ(ready_at(44s), Names{});
  EXPECT_EQ(ready_at(45s), Names{"visits.csv"});
}

TEST_F(ReadyFilesTest, ARewriteOfTheSameSizeRestartsTheSettleTimeToo) {
  write("visits.csv", "a,b\n");
  const auto first = fs::last_write_time(dir_.path() / "visits.csv");
  EXPECT_EQ(ready_at(0s), Names{});
  write("visits.csv", "c,d\n");
  touch("visits.csv", first + 1s);
  EXPECT_EQ(ready_at(5s), Names{});
  EXPECT_EQ(ready_at(10s), Names{"visits.csv"});
}

TEST_F(ReadyFilesTest, APartFileIsNotPickedBeforeItsRename) {
  write("visits.csv.part", "a,b\n");
  EXPECT_EQ(ready_at(0s), Names{});
  EXPECT_EQ(ready_at(60s), Names{});
  fs::rename(dir_.path() / "visits.csv.part", dir_.path() / "visits.csv");
  // The renamed file is new to the watcher: it settles from when it was first seen.
  EXPECT_EQ(ready_at(61s), Names{});
  EXPECT_EQ(ready_at(66s), Names{"visits.csv"});
}

TEST_F(ReadyFilesTest, FoldersLinksAndHiddenFilesAreNeverReady) {
  fs::create_directory(dir_.path() / "sent");
  write(".visits.csv", "x");
  write("target.csv", "x");
  fs::create_symlink(dir_.path() / "target.csv", dir_.path() / "link.csv");
  EXPECT_EQ(ready_at(0s), Names{});
  EXPECT_EQ(ready_at(10s), Names{"target.csv"});
}

TEST_F(ReadyFilesTest, ReadyFilesComeOldestFirst) {
  write("b.csv", "b");
  write("a.csv", "a");
  write("c.csv", "c");
  const auto now = fs::file_time_type::clock::now();
  touch("b.csv", now - 3h);
  touch("c.csv", now - 2h);
  touch("a.csv", now - 1h);
  EXPECT_EQ(ready_at(0s), Names{});
  EXPECT_EQ(ready_at(5s), (Names{"b.csv", "c.csv", "a.csv"}));
}

TEST_F(ReadyFilesTest, AFileThatGoesAndComesBackSettlesAgain) {
  write("visits.csv", "a");
  EXPECT_EQ(ready_at(0s), Names{});
  fs::remove(dir_.path() / "visits.csv");
  EXPECT_EQ(ready_at(3s), Names{});
  write("visits.csv", "a");
  EXPECT_EQ(ready_at(6s), Names{});
  EXPECT_EQ(ready_at(11s), Names{"visits.csv"});
}

}  // namespace
}  // namespace opcat::push

// The raw-body archive: streamed in, content-addressed, written crash-safely.
#include "gateway/store/body_archive.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "tests/store/store_fixture.hpp"

namespace opcat::store::testing {
namespace {

std::size_t temp_files(const BodyArchive& archive) {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(archive.root())) {
    if (entry.path().filename().string().starts_with(".tmp-")) ++count;
  }
  return count;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

BodyDigest archive_body(const BodyArchive& archive, const std::string& body, std::size_t chunk) {
  BodyWriter writer = archive.begin();
  for (std::size_t at = 0; at < body.size(); at += chunk) {
    writer.write(std::string_view(body).substr(at, chunk));
  }
  return writer.finish();
}

class BodyArchiveTest : public ::testing::Test {
 protected:
  opcat::testing::TempDir dir_{"opcat-bodies"};
  BodyArchive archive_{dir_.path()};
};

TEST_F(BodyArchiveTest, RoundTripsAStreamedBody) {
  std::string body;
  for (int i = 0; i < 200'000; ++i) body += "row " + std::to_string(i) + ",HMP Example\n";
  const BodyDigest digest = archive_body(archive_, body, 65'536);
  EXPECT_EQ(digest.sha256, sha256_hex(body));
  EXPECT_EQ(digest.size, body.size());
  const auto path = archive_.path_of(digest.sha256);
  EXPECT_EQ(path, dir_.path() / "bodies" / digest.sha256.substr(0, 2) / digest.sha256.substr(2));
  EXPECT_TRUE(archive_.contains(digest.sha256));
  EXPECT_EQ(read_file(path), body);
  EXPECT_EQ(temp_files(archive_), 0u);
}

TEST_F(BodyArchiveTest, AnEmptyBodyHasTheEmptyDigest) {
  const BodyDigest digest = archive_body(archive_, "", 1);
  EXPECT_EQ(digest.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(digest.size, 0u);
  EXPECT_TRUE(archive_.contains(digest.sha256));
}

TEST_F(BodyArchiveTest, AnIdenticalBodyIsNotRewritten) {
  const BodyDigest first = archive_body(archive_, "same export", 4);
  struct stat before{};
  ASSERT_EQ(::stat(archive_.path_of(first.sha256).c_str(), &before), 0);
  const BodyDigest second = archive_body(archive_, "same export", 3);
  struct stat after{};
  ASSERT_EQ(::stat(archive_.path_of(second.sha256).c_str(), &after), 0);
  EXPECT_EQ(first.sha256, second.sha256);
  EXPECT_EQ(before.st_ino, after.st_ino);  // the same file, not a replacement
  EXPECT_EQ(after.st_nlink, 1u);
  EXPECT_EQ(temp_files(archive_), 0u);
}

TEST_F(BodyArchiveTest, AnAbandonedBodyLeavesNoTempFile) {
  {
    BodyWriter writer = archive_.begin();
    writer.write("half an export");
    EXPECT_EQ(temp_files(archive_), 1u);
  }
  EXPECT_EQ(temp_files(archive_), 0u);
  EXPECT_FALSE(archive_.contains(sha256_hex("half an export")));
}

TEST_F(BodyArchiveTest, RemovesTempFilesACrashLeftBehind) {
  std::ofstream(archive_.root() / ".tmp-crashed") << "partial";
  const BodyDigest kept = archive_body(archive_, "kept", 2);
  EXPECT_EQ(archive_.remove_temp_files(), 1u);
  EXPECT_EQ(temp_files(archive_), 0u);
  EXPECT_TRUE(archive_.contains(kept.sha256));
}

TEST_F(BodyArchiveTest, RetentionRemovesOnlyBodiesOlderThanTheCutoff) {
  using namespace std::chrono_literals;
  const auto now = std::filesystem::file_time_type::clock::now();
  const BodyDigest old_body = archive_body(archive_, "last year's export", 5);
  const BodyDigest new_body = archive_body(archive_, "today's export", 5);
  std::filesystem::last_write_time(archive_.path_of(old_body.sha256), now - 48h);
  // A body still being received, begun long ago (a slow client): not retention's to remove.
  BodyWriter receiving = archive_.begin();
  receiving.write("still arriving");
  for (const auto& entry : std::filesystem::directory_iterator(archive_.root())) {
    if (entry.is_regular_file()) std::filesystem::last_write_time(entry.path(), now - 48h);
  }

  EXPECT_EQ(archive_.remove_older_than(now - 24h), 1u);
  EXPECT_FALSE(archive_.contains(old_body.sha256));
  EXPECT_TRUE(archive_.contains(new_body.sha256));
  EXPECT_EQ(temp_files(archive_), 1u);
  EXPECT_EQ(archive_.remove_older_than(now - 24h), 0u);
  EXPECT_EQ(read_file(archive_.path_of(receiving.finish().sha256)), "still arriving");
}

TEST_F(BodyArchiveTest, ABodyReceivedAgainIsKeptAsNew) {
  using namespace std::chrono_literals;
  const auto now = std::filesystem::file_time_type::clock::now();
  const BodyDigest first = archive_body(archive_, "sent twice", 4);
  std::filesystem::last_write_time(archive_.path_of(first.sha256), now - 48h);
  archive_body(archive_, "sent twice", 4);
  EXPECT_EQ(archive_.remove_older_than(now - 24h), 0u);
  EXPECT_TRUE(archive_.contains(first.sha256));
}

TEST_F(BodyArchiveTest, OverItsSizeCapTheOldestBodiesGoButNeverARecentOne) {
  using namespace std::chrono_literals;
  const auto now = std::filesystem::file_time_type::clock::now();
  const BodyDigest oldest = archive_body(archive_, std::string(1000, 'a'), 100);
  const BodyDigest older = archive_body(archive_, std::string(1000, 'b'), 100);
  const BodyDigest old = archive_body(archive_, std::string(1000, 'c'), 100);
  const BodyDigest recent = archive_body(archive_, std::string(1000, 'd'), 100);
  std::filesystem::last_write_time(archive_.path_of(oldest.sha256), now - 72h);
  std::filesystem::last_write_time(archive_.path_of(older.sha256), now - 48h);
  std::filesystem::last_write_time(archive_.path_of(old.sha256), now - 24h);

  const auto pruned = archive_.remove_oldest_beyond(2000, now - 1h);
  EXPECT_EQ(pruned.bodies, 2u);
  EXPECT_EQ(pruned.bytes, 2000u);
  EXPECT_FALSE(archive_.contains(oldest.sha256));
  EXPECT_FALSE(archive_.contains(older.sha256));
  EXPECT_TRUE(archive_.contains(old.sha256));
  EXPECT_TRUE(archive_.contains(recent.sha256));

  // Under a cap no old body can meet, the recent one stays all the same.
  EXPECT_EQ(archive_.remove_oldest_beyond(0, now - 1h).bodies, 1u);
  EXPECT_TRUE(archive_.contains(recent.sha256));
  EXPECT_EQ(archive_.remove_oldest_beyond(0, now - 1h).bodies, 0u);
}

TEST_F(BodyArchiveTest, RefusesAPathThatIsNotADigest) {
  EXPECT_THROW(archive_.path_of("../../etc/passwd"), std::invalid_argument);
  EXPECT_FALSE(archive_.contains("../../etc/passwd"));
}

}  // namespace
}  // namespace opcat::store::testing

// `opcat-gateway push` as a member runs it: the real binary as a child process against the fake
// gateway. Exit codes, stdout (one receipt per line), stderr, signals.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/child_process.hpp"
#include "tests/push/fake_gateway.hpp"
#include "tests/support/gateway_log.hpp"
#include "tests/support/test_pki.hpp"

#ifndef OPCAT_GATEWAY_BINARY
#error "OPCAT_GATEWAY_BINARY must name the opcat-gateway executable (tests/push/CMakeLists.txt)"
#endif

namespace opcat::push {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::ChildProcess;
using testing::ScriptedReply;
using namespace std::chrono_literals;

constexpr auto kCap = 30s;  // turns a hang into a failure; never what a test measures

class PushCliTest : public ::testing::Test {
 protected:
  PushCliTest()
      : pki_(dir_.path() / "pki"),
        member_(pki_.issue_client("hmip")),
        gateway_(pki_.issue_server(), pki_.ca_certificate()) {}

  std::vector<std::string> tls_options() const {
    return {"--url", gateway_.url(), "--cert", member_.certificate.string(),
            "--key", member_.private_key.string(), "--cacert", pki_.ca_certificate().string()};
  }

  fs::path write_file(const fs::path& path, const std::string& bytes) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  // Runs `push` with `args` to the end: its exit code (-1 if it did not exit by itself).
  int run(std::vector<std::string> args) {
    args.insert(args.begin(), "push");
    child_ = std::make_unique<ChildProcess>(OPCAT_GATEWAY_BINARY, args);
    const auto status = child_->wait_exit(kCap);
    if (!status || !WIFEXITED(*status)) return -1;
    return WEXITSTATUS(*status);
  }

  std::vector<std::string> stdout_lines() const {
    std::vector<std::string> lines;
    std::istringstream in(child_->stdout_text());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  std::vector<std::string> with_files(std::vector<std::string> args,
                                      const std::vector<fs::path>& files) const {
    for (const auto& file : files) args.push_back(file.string());
    return args;
  }

  testing::TempDir dir_;
  testing::TestPki pki_;
  testing::IssuedCertificate member_;
  testing::FakeGateway gateway_;
  std::unique_ptr<ChildProcess> child_;
};

TEST_F(PushCliTest, AllAcceptedExitsZeroWithOneReceiptPerLine) {
  const std::string pretty = "{\n  \"submission_id\": \"s-1\",\n  \"status\": \"complete\"\n}";
  gateway_.script(ScriptedReply::receipt(202, pretty, "sig"));
  const auto a = write_file(dir_.path() / "a.csv", "a");
  const auto b = write_file(dir_.path() / "b.xml", "<b/>");
  EXPECT_EQ(run(with_files(tls_options(), {a, b})), 0) << child_->stderr_text();
  const auto lines = stdout_lines();
  ASSERT_EQ(lines.size(), 2u) << child_->stdout_text();
  EXPECT_EQ(lines[0], R"({"submission_id":"s-1","status":"complete"})");
  EXPECT_THAT(lines[1], StartsWith(R"({"submission_id":"sub-2",)"));
  EXPECT_THAT(child_->stderr_text(), HasSubstr(R"("event":"push_accepted")"));
  EXPECT_EQ(gateway_.requests().at(1).header("content-type"), "application/xml");
}

TEST_F(PushCliTest, ARejectedExportExitsThreeAndStillPrintsItsReceipt) {
  const std::string receipt = R"({"submission_id":"s-2","status":"rejected","errors":{"total":1}})";
  gateway_.script(ScriptedReply::receipt(422, receipt, "sig"));
  const auto good = write_file(dir_.path() / "good.csv", "g");
  const auto bad = write_file(dir_.path() / "bad.csv", "b");
  EXPECT_EQ(run(with_files(tls_options(), {bad, good})), 3);
  ASSERT_EQ(stdout_lines().size(), 2u);
  EXPECT_EQ(stdout_lines()[0], receipt);
  EXPECT_THAT(child_->stderr_text(), HasSubstr("bad.csv: rejected: 422 rejected as a whole"));
  EXPECT_THAT(child_->stderr_text(), HasSubstr(R"("event":"push_rejected")"));
}

TEST_F(PushCliTest, UndeliveredAfterTheRetriesExitsOne) {
  for (int i = 0; i < 3; ++i) gateway_.script(ScriptedReply::error(503, "draining", "later"));
  auto args = tls_options();
  args.insert(args.end(), {"--retries", "2", "--backoff-base", "10ms", "--backoff-cap", "20ms"});
  EXPECT_EQ(run(with_files(args, {write_file(dir_.path() / "a.csv", "a")})), 1);
  EXPECT_TRUE(stdout_lines().empty());
  EXPECT_EQ(gateway_.request_count(), 3u);
  EXPECT_THAT(child_->stderr_text(), HasSubstr("a.csv: not delivered after 3 attempt(s): 503"));
  EXPECT_THAT(child_->stderr_text(), HasSubstr(R"("event":"push_retry")"));
  EXPECT_THAT(child_->stderr_text(), HasSubstr(R"("attempt":2,"delay_ms":)"));
}

TEST_F(PushCliTest, UndeliveredWinsOverRejected) {
  gateway_.script(ScriptedReply::error(409, "idempotency_conflict", "key reused"));
  gateway_.script(ScriptedReply::error(503, "draining", "later"));
  auto args = tls_options();
  args.insert(args.end(), {"--retries", "0"});
  EXPECT_EQ(run(with_files(args, {write_file(dir_.path() / "a.csv", "a"),
                                  write_file(dir_.path() / "b.csv", "b")})),
            1);
}

TEST_F(PushCliTest, UsageErrorsExitTwo) {
  const auto file = write_file(dir_.path() / "a.csv", "a");
  EXPECT_EQ(run({file.string()}), 2);
  EXPECT_THAT(child_->stderr_text(), HasSubstr("missing --url (or url in the agent config)"));

  EXPECT_EQ(run(tls_options()), 2);
  EXPECT_THAT(child_->stderr_text(), HasSubstr("name the files to push"));

  auto both = with_files(tls_options(), {file});
  both.insert(both.end(), {"--watch", dir_.path().string()});
  EXPECT_EQ(run(both), 2);

  auto http = with_files(tls_options(), {file});
  http[1] = "http://127.0.0.1:1";
  EXPECT_EQ(run(http), 2);
  EXPECT_THAT(child_->stderr_text(), HasSubstr("--url: "));
  EXPECT_EQ(gateway_.request_count(), 0u);
}

TEST_F(PushCliTest, TheAgentConfigSuppliesWhatTheCommandLineLeavesOut) {
  const fs::path config = write_file(
      dir_.path() / "agent.toml",
      "url = \"" + gateway_.url() + "\"\ncertificate = \"" + member_.certificate.string() +
          "\"\nprivate_key = \"" + member_.private_key.string() + "\"\nca = \"" +
          pki_.ca_certificate().string() + "\"\nadapter = \"from-config\"\n");
  const auto file = write_file(dir_.path() / "a.csv", "a");
  EXPECT_EQ(run({"--config", config.string(), "--adapter", "from-cli", file.string()}), 0)
      << child_->stderr_text();
  EXPECT_EQ(gateway_.requests().at(0).header("x-adapter"), "from-cli");

  write_file(config, "settle_seconds = \"soon\"\n");
  EXPECT_EQ(run({"--config", config.string(), file.string()}), 2);
  EXPECT_THAT(child_->stderr_text(), HasSubstr("settle_seconds: expected a number, got a string"));
}

TEST_F(PushCliTest, WatchModeDeliversAndStopsOnSigtermWithExitZero) {
  const fs::path outbox = dir_.path() / "outbox";
  write_file(outbox / "visits.csv", "a,b\n");
  auto args = tls_options();
  args.insert(args.end(), {"--watch", outbox.string(), "--settle", "0", "--interval", "20ms"});
  args.insert(args.begin(), "push");
  ChildProcess agent(OPCAT_GATEWAY_BINARY, args);
  ASSERT_TRUE(agent.wait_for_stderr_line(testing::event_is("push_accepted"), kCap))
      << agent.stderr_text();
  EXPECT_TRUE(fs::exists(outbox / "sent" / "visits.csv"));
  EXPECT_TRUE(fs::exists(outbox / "sent" / "visits.csv.receipt.json"));
  EXPECT_TRUE(fs::exists(outbox / "sent" / "visits.csv.receipt.p7s"));

  agent.signal(SIGTERM);
  const auto status = agent.wait_exit(kCap);
  ASSERT_TRUE(status);
  ASSERT_TRUE(WIFEXITED(*status)) << agent.stderr_text();
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  EXPECT_THAT(agent.stderr_text(), HasSubstr(R"("event":"push_stopped")"));
}

TEST_F(PushCliTest, SigtermDuringARequestAbandonsItAndLeavesTheExport) {
  gateway_.script(ScriptedReply::hang());
  const fs::path outbox = dir_.path() / "outbox";
  write_file(outbox / "visits.csv", "a,b\n");
  auto args = tls_options();
  args.insert(args.end(), {"--watch", outbox.string(), "--settle", "0", "--interval", "20ms"});
  args.insert(args.begin(), "push");
  ChildProcess agent(OPCAT_GATEWAY_BINARY, args);
  ASSERT_TRUE(gateway_.wait_for_requests(1, kCap));
  agent.signal(SIGTERM);
  const auto status = agent.wait_exit(kCap);
  ASSERT_TRUE(status);
  ASSERT_TRUE(WIFEXITED(*status)) << agent.stderr_text();
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  EXPECT_TRUE(fs::exists(outbox / "visits.csv"));
  EXPECT_FALSE(fs::exists(outbox / "sent" / "visits.csv"));
}

}  // namespace
}  // namespace opcat::push

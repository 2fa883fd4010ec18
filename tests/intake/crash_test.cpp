// The real gateway, SIGKILLed at random moments while members push, then restarted: every
// acknowledged submission is there whole, and nothing unacknowledged is there in part.
//
// The kill moments are random (the seed is printed to repeat a run), but what is asserted holds
// for every moment: the test cannot pass or fail by timing luck.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <numeric>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "adapters/core/sha256.hpp"
#include "gateway/store/body_archive.hpp"
#include "gateway/store/sqlite/sqlite_store.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/tls_client.hpp"

#ifndef OPCAT_GATEWAY_BINARY
#error "OPCAT_GATEWAY_BINARY must name the opcat-gateway executable (tests/intake/CMakeLists.txt)"
#endif

namespace opcat::intake {
namespace {

using namespace std::chrono_literals;
using opcat::adapters::sha256_hex;
using opcat::testing::ChildProcess;
using opcat::testing::ClientOptions;
using opcat::testing::IssuedCertificate;
using opcat::testing::TempDir;
using opcat::testing::TestPki;
using opcat::testing::TlsClient;
using opcat::testing::toml_string;
namespace beast_http = boost::beast::http;

constexpr auto kCap = 30s;
constexpr int kRounds = 6;
constexpr int kPushers = 3;

// Distinct exports of icva's: the fixture's header and its first n rows, for many n. Their
// sizes (a few hundred bytes to the whole fixture) spread the kills over every phase: receiving,
// normalising, committing, answering.
std::vector<std::string> exports() {
  std::ifstream in(std::filesystem::path(OPCAT_SOURCE_DIR) /
                   "tests/fixtures/members/icva/custody-visits-2024-25.csv");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line + "\n");
  std::vector<std::string> bodies;
  for (std::size_t rows = 1; rows < lines.size(); rows += 1 + rows / 6) {
    std::string body;
    for (std::size_t i = 0; i <= rows; ++i) body += lines[i];
    bodies.push_back(std::move(body));
  }
  bodies.push_back([&] {
    std::string all;
    for (const auto& line : lines) all += line;
    return all;
  }());
  return bodies;
}

struct Acknowledged {
  std::string submission_id;
  std::string receipt;  // the exact bytes the member was given
};

class CrashTest : public ::testing::Test {
 protected:
  CrashTest() : pki_(dir_.path() / "pki"), bodies_(exports()) {
    const auto server = pki_.issue_server();
    const auto signing = pki_.issue_signing();
    member_ = pki_.issue_client("icva");
    std::ofstream(dir_.path() / "gateway.toml")
        << "[server]\nlisten = \"127.0.0.1:0\"\nthreads = 2\ndata_dir = "
        << toml_string(data_dir()) << "\n[admin]\nlisten = \"127.0.0.1:0\"\n"
        << "[tls]\ncertificate = " << toml_string(server.certificate)
        << "\nprivate_key = " << toml_string(server.private_key)
        << "\nclient_ca = " << toml_string(pki_.ca_certificate())
        << "\ncrl = " << toml_string(pki_.crl()) << "\n[signing]\ncertificate = "
        << toml_string(signing.certificate) << "\nprivate_key = "
        << toml_string(signing.private_key) << "\n[intake]\nworkers = 2\n"
        << "[members.icva]\nname = \"Independent Custody Visiting (synthetic)\"\n";
  }

  std::filesystem::path data_dir() const { return dir_.path() / "data"; }

  std::unique_ptr<ChildProcess> start_gateway(unsigned short& port) {
    auto gateway = std::make_unique<ChildProcess>(
        OPCAT_GATEWAY_BINARY,
        std::vector<std::string>{"serve", "--config", (dir_.path() / "gateway.toml").string()},
        std::vector<std::string>{"OPCAT_GATEWAY_CONFIG"});
    const auto found = opcat::testing::member_port(*gateway, kCap);
    EXPECT_TRUE(found) << gateway->stderr_text();
    port = found.value_or(0);
    return gateway;
  }

  // Pushes body `index` once; records the receipt if the gateway acknowledged it.
  void push(unsigned short port, std::size_t index) {
    ClientOptions options;
    options.ca = pki_.ca_certificate();
    options.certificate = member_.certificate;
    options.private_key = member_.private_key;
    options.timeout = 20s;
    TlsClient client({boost::asio::ip::make_address("127.0.0.1"), port}, options);
    if (client.connect()) return;  // killed before or during the handshake
    opcat::testing::Request request{beast_http::verb::post, "/v1/submissions", 11};
    request.set(beast_http::field::content_type, "text/csv");
    request.set("Idempotency-Key", "sha256:" + sha256_hex(bodies_[index]));
    request.body() = bodies_[index];
    opcat::testing::Response response;
    if (client.exchange(std::move(request), response)) return;  // no answer: not acknowledged
    const int status = response.result_int();
    ASSERT_TRUE(status == 202 || status == 200 || status == 422)
        << status << " " << response.body();
    rapidjson::Document receipt;
    receipt.Parse(response.body().data(), response.body().size());
    ASSERT_FALSE(receipt.HasParseError()) << response.body();
    std::lock_guard lock(mutex_);
    const std::string id = receipt["submission_id"].GetString();
    if (auto earlier = acknowledged_.find(index); earlier != acknowledged_.end()) {
      // A retry must be answered with the very receipt given the first time.
      EXPECT_EQ(earlier->second.submission_id, id);
      EXPECT_EQ(earlier->second.receipt, response.body());
    }
    acknowledged_[index] = {id, response.body()};
  }

  // Pushers take every body in `order` (acknowledged ones too: those are retries, answered
  // from the store) until the list is done or `stop` is set.
  void push_all(unsigned short port, const std::vector<std::size_t>& order,
                const std::atomic<bool>& stop) {
    std::atomic<std::size_t> next{0};
    std::vector<std::jthread> pushers;
    for (int p = 0; p < kPushers; ++p) {
      pushers.emplace_back([&] {
        for (std::size_t i = next++; i < order.size() && !stop; i = next++) push(port, order[i]);
      });
    }
  }

  // The store as a restarted gateway finds it (the gateway itself is not running).
  void expect_consistent_store(const std::string& when) {
    SCOPED_TRACE(when);
    store::sqlite::SqliteStore store(data_dir());
    const store::BodyArchive archive(data_dir());
    const auto submissions = store.list_submissions("icva", {}, 100000);
    std::map<std::string, const store::SubmissionSummary*> by_id;
    std::set<std::string> bodies;
    for (const auto& submission : submissions) {
      by_id[submission.id] = &submission;
      EXPECT_TRUE(bodies.insert(submission.sha256).second) << "two copies of " << submission.sha256;
      // Whole or absent: a submission's records are all there (none for a rejected one).
      const auto records = store.list_records("icva", submission.id, 0, 1'000'000);
      ASSERT_TRUE(records);
      const std::uint64_t expected =
          submission.status == store::SubmissionStatus::rejected ? 0 : submission.accepted;
      EXPECT_EQ(records->size(), expected) << submission.id;
      const auto errors = store.list_errors("icva", submission.id, 0, 1'000'000);
      ASSERT_TRUE(errors);
      rapidjson::Document receipt;
      receipt.Parse(submission.receipt_json.data(), submission.receipt_json.size());
      ASSERT_FALSE(receipt.HasParseError());
      EXPECT_EQ(errors->size(), receipt["errors"]["total"].GetUint64()) << submission.id;
      // Its body is archived under its hash.
      EXPECT_TRUE(archive.contains(submission.sha256)) << submission.sha256;
    }
    std::lock_guard lock(mutex_);
    for (const auto& [index, ack] : acknowledged_) {
      const auto found = by_id.find(ack.submission_id);
      ASSERT_NE(found, by_id.end()) << "acknowledged " << ack.submission_id << " is lost";
      EXPECT_EQ(found->second->receipt_json, ack.receipt);
      EXPECT_EQ(found->second->sha256, sha256_hex(bodies_[index]));
    }
  }

  TempDir dir_{"opcat-crash"};
  TestPki pki_;
  IssuedCertificate member_;
  std::vector<std::string> bodies_;
  std::mutex mutex_;
  std::map<std::size_t, Acknowledged> acknowledged_;
};

TEST_F(CrashTest, AcknowledgedSubmissionsSurviveSigkillAndNothingIsHalfThere) {
  const unsigned seed = std::random_device{}();
  RecordProperty("seed", std::to_string(seed));
  std::cout << "crash test seed " << seed << '\n';
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> kill_after_ms(0, 800);
  std::vector<std::size_t> order(bodies_.size());
  std::iota(order.begin(), order.end(), 0);

  for (int round = 0; round < kRounds; ++round) {
    unsigned short port = 0;
    auto gateway = start_gateway(port);
    ASSERT_NE(port, 0);
    std::atomic<bool> stop{false};
    std::shuffle(order.begin(), order.end(), random);
    std::jthread pushing([&] { push_all(port, order, stop); });
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms(random)));
    ASSERT_TRUE(gateway->signal(SIGKILL));
    ASSERT_TRUE(gateway->wait_exit(kCap));
    stop = true;
    pushing.join();
    {
      std::lock_guard lock(mutex_);
      std::cout << "kill " << round + 1 << ": " << acknowledged_.size() << " of "
                << bodies_.size() << " exports acknowledged so far\n";
    }
    expect_consistent_store("after kill " + std::to_string(round + 1));
    if (HasFatalFailure()) return;
  }

  // Once more without a kill: every export is pushed again (a retry, or the first answer for one
  // never acknowledged); each ends up stored exactly once, retries get their original receipts.
  unsigned short port = 0;
  auto gateway = start_gateway(port);
  ASSERT_NE(port, 0);
  std::atomic<bool> never{false};
  push_all(port, order, never);
  ASSERT_TRUE(gateway->signal(SIGTERM));
  ASSERT_TRUE(gateway->wait_exit(kCap));
  EXPECT_EQ(acknowledged_.size(), bodies_.size());
  expect_consistent_store("after the last run");
  store::sqlite::SqliteStore store(data_dir());
  EXPECT_EQ(store.list_submissions("icva", {}, 100000).size(), bodies_.size());
  // No temp file of a body cut off by a kill survives a restart.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(data_dir() / "bodies")) {
    EXPECT_NE(entry.path().filename().string().rfind(".tmp-", 0), 0u) << entry.path();
  }
}

}  // namespace
}  // namespace opcat::intake

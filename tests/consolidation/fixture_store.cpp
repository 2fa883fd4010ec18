#include "tests/consolidation/fixture_store.hpp"

#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "adapters/core/byte_source.hpp"
#include "adapters/core/sha256.hpp"
#include "adapters/mapping/catalogue.hpp"
#include "adapters/mapping/normaliser.hpp"
#include "gateway/intake/store_sink.hpp"

namespace opcat::consolidation::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kMembers = kSource / "tests" / "fixtures" / "members";

bool is_export(const fs::path& file) {
  const std::string name = file.filename().string();
  return name != "README.md" && !name.ends_with(".expected.jsonl") && !name.ends_with(".errors.jsonl");
}

std::vector<fs::path> sorted_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<fs::path> member_dirs() {
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(kMembers)) {
    if (entry.is_directory()) dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Received one minute apart from 2025-04-02T00:00:00Z, in the order added: later files supersede.
store::Clock::time_point received(std::size_t index) {
  return store::Clock::time_point(std::chrono::seconds(1743552000 + 60 * static_cast<long long>(index)));
}

store::NewSubmission new_submission(const std::string& member, const fs::path& file,
                                    std::size_t index) {
  const std::string body = read(file);
  store::NewSubmission submission;
  submission.member = member;
  submission.sha256 = adapters::sha256_hex(body);
  submission.size = body.size();
  submission.received_at = received(index);
  submission.adapter = "fixture";
  submission.mapping_version = "1";
  return submission;
}

store::SubmissionCompletion completion(const adapters::Outcome& outcome) {
  return {outcome, "{}", "", 202};
}

}  // namespace

FixtureStore::FixtureStore(const schema::RecordSchema& schema, bool with_joint)
    : store_(std::make_unique<store::sqlite::SqliteStore>(dir_.path())) {
  for (const fs::path& dir : member_dirs()) {
    for (const fs::path& file : sorted_files(dir)) {
      if (is_export(file)) add_export(schema, dir.filename().string(), file);
    }
  }
  if (with_joint) {
    for (const fs::path& file : sorted_files(kFixtures / "joint")) add_records(file);
  }
}

void FixtureStore::add_export(const schema::RecordSchema& schema, const std::string& member,
                              const fs::path& file) {
  static const auto catalogue = adapters::MappingCatalogue::load(kSource / "adapters" / "members");
  const adapters::MemberMapping* mapping = catalogue.find(member);
  ASSERT_NE(mapping, nullptr) << member;
  auto writer = store_->begin_submission(new_submission(member, file, submissions_.size()));
  intake::StoreSink sink(*writer, 0);
  adapters::FileSource source(file.string());
  const adapters::Normaliser normaliser(*mapping, schema);
  const adapters::Outcome outcome = normaliser.run(source, sink, {.submission_id = writer->id()});
  writer->commit(completion(outcome));
  submissions_.push_back({"sub:" + member + "/" + file.filename().string(), member, writer->id(), file});
}

void FixtureStore::add_records(const fs::path& jsonl) {
  std::ifstream in(jsonl);
  std::string line;
  std::vector<rapidjson::Document> records;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    records.emplace_back().Parse(line.c_str());
    ASSERT_FALSE(records.back().HasParseError()) << jsonl;
  }
  ASSERT_FALSE(records.empty()) << jsonl;
  const std::string member = records.front()["member"].GetString();
  auto writer = store_->begin_submission(new_submission(member, jsonl, submissions_.size()));
  for (const auto& record : records) writer->add_record(record);
  adapters::Outcome outcome;
  outcome.accepted = records.size();
  writer->commit(completion(outcome));
  submissions_.push_back({"sub:joint/" + jsonl.filename().string(), member, writer->id(), jsonl});
}

std::string FixtureStore::with_stable_ids(std::string payload) const {
  for (const FixtureSubmission& submission : submissions_) {
    for (auto at = payload.find(submission.id); at != std::string::npos;
         at = payload.find(submission.id, at + submission.label.size())) {
      payload.replace(at, submission.id.size(), submission.label);
    }
  }
  return payload;
}

std::vector<std::string> fixture_record_lines(bool with_joint) {
  std::vector<std::string> lines;
  auto add = [&](const fs::path& file) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) lines.push_back(line);
    }
  };
  for (const fs::path& dir : member_dirs()) {
    for (const fs::path& file : sorted_files(dir)) {
      if (file.filename().string().ends_with(".expected.jsonl")) add(file);
    }
  }
  if (with_joint) {
    for (const fs::path& file : sorted_files(kFixtures / "joint")) add(file);
  }
  return lines;
}

}  // namespace opcat::consolidation::testing

#include "gateway/consolidation/consolidator.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "gateway/consolidation/aggregates.hpp"
#include "gateway/consolidation/digesting_stream.hpp"
#include "gateway/consolidation/joint_visits.hpp"
#include "gateway/consolidation/place_identity.hpp"
#include "gateway/store/timestamp.hpp"

namespace opcat::consolidation {
namespace {

using Allocator = rapidjson::Document::AllocatorType;

// The lists of dated records, in the order the store streams them (and the payload holds them).
enum class List { none, visits, recommendations, populations, indicators, done };
constexpr const char* kListNames[] = {"", "visits", "recommendations", "populations", "indicators"};

rapidjson::Value text(std::string_view value, Allocator& allocator) {
  return rapidjson::Value(value.data(), static_cast<rapidjson::SizeType>(value.size()), allocator);
}

std::string string_field(const rapidjson::Value& record, const char* field) {
  const auto it = record.FindMember(field);
  if (it == record.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

const rapidjson::Value& place_ref(const rapidjson::Value& record) {
  static const rapidjson::Value kNone;
  const auto it = record.FindMember("place");
  return it == record.MemberEnd() ? kNone : it->value;
}

std::string compact(const rapidjson::Value& value) {
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> json(text);
  value.Accept(json);
  return {text.GetString(), text.GetSize()};
}

// One run of consolidate(): the state the stream passes through.
class Consolidation {
 public:
  Consolidation(store::Store& store, const Period& period, const DataPolicy& policy,
                PayloadWriter& writer, ConsolidationSummary& summary)
      : store_(store), period_(period), policy_(policy), writer_(writer), summary_(summary) {}

  void run() {
    writer_.begin();
    write_header();
    store_.for_each_current_record({.dated_in = period_.range()},
                                   [this](const store::CurrentRecord& record) { take(record); });
    enter(List::done);
    write_places();
    write_joint_visits();
    writer_.field("aggregates", aggregates_.to_json());
    write_lineage();
    writer_.end();
  }

 private:
  void write_header() {
    rapidjson::Document period(rapidjson::kObjectType);
    period.AddMember("first", text(period_.first, period.GetAllocator()), period.GetAllocator());
    period.AddMember("last", text(period_.last, period.GetAllocator()), period.GetAllocator());
    writer_.field("period", period);

    rapidjson::Document policy(rapidjson::kObjectType);
    auto& allocator = policy.GetAllocator();
    policy.AddMember("profile", text(policy_.profile(), allocator), allocator);
    // null for the built-in keep-everything policy, which has no file and no key.
    rapidjson::Value sha256;
    if (!policy_.sha256().empty()) sha256 = text(policy_.sha256(), allocator);
    policy.AddMember("sha256", sha256, allocator);
    rapidjson::Value key_id;
    const std::string id = policy_.key_id();
    if (!id.empty()) key_id = text(id, allocator);
    policy.AddMember("pseudonym_key_id", key_id, allocator);
    writer_.field("policy", policy);
  }

  void take(const store::CurrentRecord& stored) {
    rapidjson::Document record;
    record.Parse(stored.body.data(), stored.body.size());
    if (record.HasParseError() || !record.IsObject()) {
      throw store::StoreError("stored record of " + stored.submission_id + " is not JSON");
    }
    const std::string& type = stored.record_type;
    if (type == "place") {
      places_.add(record, stored.body, stored.submission_id);
    } else if (type == "visit") {
      enter(List::visits);
      const std::string day = string_field(record, "start_date");
      if (day != day_) flush_day();
      day_ = day;
      auto place = places_.resolve(place_ref(record));
      day_visits_.push_back({std::move(record), stored.submission_id, std::move(place)});
    } else if (type == "recommendation") {
      enter(List::recommendations);
      if (!period_visit_ids_.contains(string_field(record, "visit_id"))) return;
      aggregates_.count_recommendation(record);
      ++summary_.recommendations;
      write(record, stored.submission_id, stored.member);
    } else if (type == "population") {
      enter(List::populations);
      aggregates_.count_population(refer_to_place(record), record);
      ++summary_.populations;
      write(record, stored.submission_id, stored.member);
    } else if (type == "indicator") {
      enter(List::indicators);
      refer_to_place(record);
      ++summary_.indicators;
      write(record, stored.submission_id, stored.member);
    }
  }

  // Opens the lists up to `list`, closing the one before: every list is present, empty or not,
  // and always in the same order.
  void enter(List list) {
    while (current_ < list) {
      if (current_ == List::visits) flush_day();
      if (current_ != List::none) writer_.end_list();
      current_ = static_cast<List>(static_cast<int>(current_) + 1);
      if (current_ != List::done) writer_.begin_list(kListNames[static_cast<int>(current_)]);
    }
  }

  // The record's place counts as a place of the period, and its place record is to be written.
  std::optional<PlaceIdentity> refer_to_place(const rapidjson::Value& record) {
    const rapidjson::Value& ref = place_ref(record);
    auto identity = places_.resolve(ref);
    places_.mark_referenced(ref);
    if (identity) aggregates_.count_place(*identity);
    return identity;
  }

  void write(rapidjson::Document& record, const std::string& submission_id,
             const std::string& member) {
    policy_.apply(record, record.GetAllocator());
    writer_.record(record);
    lineage_.try_emplace(submission_id, member);
  }

  void flush_day() {
    if (day_visits_.empty()) return;
    for (const auto& group : merge_joint_visits(day_visits_)) write_visit(group);
    day_visits_.clear();
  }

  void write_visit(const std::vector<std::size_t>& reports) {
    std::set<std::string> members;
    for (const std::size_t i : reports) {
      DayVisit& report = day_visits_[i];
      members.insert(string_field(report.record, "member"));
      period_visit_ids_.insert(string_field(report.record, "visit_id"));
      refer_to_place(report.record);
    }
    DayVisit& kept = day_visits_[reports.front()];
    const bool joint = reports.size() > 1;
    aggregates_.count_visit(kept.place, {members.begin(), members.end()}, joint);
    ++summary_.visits;
    if (joint) {
      ++summary_.joint_visits;
      for (const std::size_t i : reports) {
        policy_.apply(day_visits_[i].record, day_visits_[i].record.GetAllocator());
      }
      joint_visits_.push_back(joint_visit_entry(reports, members));
      writer_.record(kept.record);
      lineage_.try_emplace(kept.submission_id, string_field(kept.record, "member"));
      for (const std::size_t i : reports) {
        lineage_.try_emplace(day_visits_[i].submission_id,
                             string_field(day_visits_[i].record, "member"));
      }
    } else {
      write(kept.record, kept.submission_id, string_field(kept.record, "member"));
    }
  }

  // {visit_id, member, members, reported_as: [{member, visit_id, submission_id, source}]}, from
  // the reports as the policy left them.
  std::string joint_visit_entry(const std::vector<std::size_t>& reports,
                                const std::set<std::string>& members) {
    rapidjson::Document entry(rapidjson::kObjectType);
    auto& allocator = entry.GetAllocator();
    const rapidjson::Value& kept = day_visits_[reports.front()].record;
    entry.AddMember("visit_id", text(string_field(kept, "visit_id"), allocator), allocator);
    entry.AddMember("member", text(string_field(kept, "member"), allocator), allocator);
    rapidjson::Value codes(rapidjson::kArrayType);
    for (const std::string& code : members) codes.PushBack(text(code, allocator), allocator);
    entry.AddMember("members", codes, allocator);
    rapidjson::Value reported(rapidjson::kArrayType);
    for (const std::size_t i : reports) {
      const rapidjson::Value& visit = day_visits_[i].record;
      rapidjson::Value report(rapidjson::kObjectType);
      report.AddMember("member", text(string_field(visit, "member"), allocator), allocator);
      report.AddMember("visit_id", text(string_field(visit, "visit_id"), allocator), allocator);
      report.AddMember("submission_id", text(day_visits_[i].submission_id, allocator), allocator);
      if (const auto source = visit.FindMember("source"); source != visit.MemberEnd()) {
        report.AddMember("source", rapidjson::Value(source->value, allocator), allocator);
      }
      reported.PushBack(report, allocator);
    }
    entry.AddMember("reported_as", reported, allocator);
    return compact(entry);
  }

  void write_places() {
    writer_.begin_list("places");
    for (const auto& [id, place] : places_.entries()) {
      if (!place.referenced) continue;
      rapidjson::Document record;
      record.Parse(place.body.data(), place.body.size());
      ++summary_.places;
      write(record, place.submission_id, string_field(record, "member"));
    }
    writer_.end_list();
  }

  void write_joint_visits() {
    writer_.begin_list("joint_visits");
    for (const std::string& entry : joint_visits_) {
      rapidjson::Document json;
      json.Parse(entry.data(), entry.size());
      writer_.entry("joint_visit", json);
    }
    writer_.end_list();
  }

  // Every submission that gave a record to the payload, by member, then time received.
  void write_lineage() {
    std::vector<store::SubmissionSummary> submissions;
    for (const auto& [id, member] : lineage_) {
      if (auto submission = store_.get_submission(member, id)) {
        submissions.push_back(std::move(*submission));
      }
    }
    std::sort(submissions.begin(), submissions.end(), [](const auto& a, const auto& b) {
      return std::tie(a.member, a.received_at, a.id) < std::tie(b.member, b.received_at, b.id);
    });
    writer_.begin_list("lineage");
    for (const store::SubmissionSummary& s : submissions) {
      rapidjson::Document entry(rapidjson::kObjectType);
      auto& allocator = entry.GetAllocator();
      entry.AddMember("submission_id", text(s.id, allocator), allocator);
      entry.AddMember("member", text(s.member, allocator), allocator);
      entry.AddMember("sha256", text(s.sha256, allocator), allocator);
      entry.AddMember("received_at", text(store::format_utc(s.received_at), allocator), allocator);
      writer_.entry("submission", entry);
    }
    writer_.end_list();
    summary_.submissions = submissions.size();
  }

  store::Store& store_;
  const Period& period_;
  const DataPolicy& policy_;
  PayloadWriter& writer_;
  ConsolidationSummary& summary_;

  List current_ = List::none;
  PlaceDirectory places_;
  Aggregates aggregates_;
  std::string day_;
  std::vector<DayVisit> day_visits_;
  std::unordered_set<std::string> period_visit_ids_;
  std::vector<std::string> joint_visits_;
  std::map<std::string, std::string> lineage_;  // submission id -> member
};

}  // namespace

ConsolidationSummary consolidate(store::Store& store, const Period& period, const DataPolicy& policy,
                                 PayloadFormat format, std::ostream& out) {
  ConsolidationSummary summary;
  summary.period = period;
  summary.policy_profile = policy.profile();
  summary.format = format;
  DigestingStreambuf digesting(*out.rdbuf());
  std::ostream payload(&digesting);
  {
    const auto writer = make_payload_writer(format, payload);
    Consolidation(store, period, policy, *writer, summary).run();
  }
  payload.flush();
  if (!payload || !out) throw std::runtime_error("writing the consolidated submission failed");
  summary.bytes = digesting.bytes();
  summary.sha256 = digesting.finish_hex();
  return summary;
}

std::string to_json(const ConsolidationSummary& s) {
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> json(text);
  json.StartObject();
  json.Key("period");
  json.String(s.period.to_string().c_str());
  json.Key("policy");
  json.String(s.policy_profile.c_str());
  json.Key("format");
  json.String(to_string(s.format));
  for (const auto& [key, count] : {std::pair{"places", s.places},
                                   {"visits", s.visits},
                                   {"joint_visits", s.joint_visits},
                                   {"recommendations", s.recommendations},
                                   {"populations", s.populations},
                                   {"indicators", s.indicators},
                                   {"submissions", s.submissions},
                                   {"bytes", s.bytes}}) {
    json.Key(key);
    json.Uint64(count);
  }
  json.Key("sha256");
  json.String(s.sha256.c_str());
  json.EndObject();
  return {text.GetString(), text.GetSize()};
}

}  // namespace opcat::consolidation

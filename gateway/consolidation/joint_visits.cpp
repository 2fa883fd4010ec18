#include "gateway/consolidation/joint_visits.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <string_view>

namespace opcat::consolidation {
namespace {

std::string member_of(const rapidjson::Value& visit) {
  return visit["member"].GetString();
}

std::set<std::string> joint_with_of(const rapidjson::Value& visit) {
  std::set<std::string> members;
  const auto it = visit.FindMember("joint_with");
  if (it != visit.MemberEnd() && it->value.IsArray()) {
    for (const auto& code : it->value.GetArray()) {
      if (code.IsString()) members.insert(code.GetString());
    }
  }
  return members;
}

// One member names the other: the evidence that the two visits were made together.
bool reported_together(const rapidjson::Value& a, const rapidjson::Value& b) {
  const std::string member_a = member_of(a);
  const std::string member_b = member_of(b);
  return member_a != member_b &&
         (joint_with_of(a).contains(member_b) || joint_with_of(b).contains(member_a));
}

// The fields that follow joint_with in a visit (record.schema.json's order), so that a
// joint_with added to a visit that had none lands where the schema and record.xsd want it.
bool follows_joint_with(std::string_view field) {
  constexpr std::string_view kAfter[] = {"persons_detained", "persons_interviewed", "visited_by",
                                         "ratings",          "report_published",    "source"};
  return std::find(std::begin(kAfter), std::end(kAfter), field) != std::end(kAfter);
}

void set_joint_with(rapidjson::Document& visit, const std::set<std::string>& members) {
  auto& allocator = visit.GetAllocator();
  rapidjson::Value list(rapidjson::kArrayType);
  for (const std::string& code : members) {
    list.PushBack(rapidjson::Value(code.c_str(), allocator), allocator);
  }
  if (auto it = visit.FindMember("joint_with"); it != visit.MemberEnd()) {
    it->value = list;
    return;
  }
  rapidjson::Value rebuilt(rapidjson::kObjectType);
  bool placed = false;
  for (auto& field : visit.GetObject()) {
    if (!placed && follows_joint_with(field.name.GetString())) {
      rebuilt.AddMember("joint_with", list, allocator);
      placed = true;
    }
    rebuilt.AddMember(field.name, field.value, allocator);
  }
  if (!placed) rebuilt.AddMember("joint_with", list, allocator);
  rapidjson::Value& root = visit;  // Value::Swap: Document's own Swap wants a Document
  root.Swap(rebuilt);
}

// Union-find over the day's visits: small (a day's visits at one place), so kept simple.
std::size_t root(std::vector<std::size_t>& parent, std::size_t i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

}  // namespace

std::vector<std::vector<std::size_t>> merge_joint_visits(std::vector<DayVisit>& day) {
  std::vector<std::size_t> parent(day.size());
  std::iota(parent.begin(), parent.end(), 0);

  std::map<std::string, std::vector<std::size_t>> by_place;
  for (std::size_t i = 0; i < day.size(); ++i) {
    if (day[i].place) by_place[day[i].place->key()].push_back(i);
  }
  for (const auto& [place, visits] : by_place) {
    for (std::size_t a = 0; a < visits.size(); ++a) {
      for (std::size_t b = a + 1; b < visits.size(); ++b) {
        if (reported_together(day[visits[a]].record, day[visits[b]].record)) {
          // The smaller index is the root: the first report in stream order is kept.
          const std::size_t ra = root(parent, visits[a]);
          const std::size_t rb = root(parent, visits[b]);
          parent[std::max(ra, rb)] = std::min(ra, rb);
        }
      }
    }
  }

  std::vector<std::vector<std::size_t>> groups;
  std::map<std::size_t, std::size_t> group_of_root;
  for (std::size_t i = 0; i < day.size(); ++i) {
    const std::size_t r = root(parent, i);
    auto [it, added] = group_of_root.try_emplace(r, groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(i);
  }

  for (const auto& group : groups) {
    if (group.size() < 2) continue;
    rapidjson::Document& kept = day[group.front()].record;
    std::set<std::string> members;
    for (const std::size_t i : group) {
      members.merge(joint_with_of(day[i].record));
      members.insert(member_of(day[i].record));
    }
    members.erase(member_of(kept));
    set_joint_with(kept, members);
  }
  return groups;
}

}  // namespace opcat::consolidation

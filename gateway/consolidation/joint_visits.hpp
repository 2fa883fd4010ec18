// Joint inspections: two member bodies that visit one place together each report the visit. The
// consolidated submission holds it once, with joint_with naming the other bodies.
//
// The rule: visits are one joint visit when they start on the same day, at the same place (the
// same PlaceIdentity: places are member-scoped, so matched on normalised name, place_type and
// jurisdiction), come from different members, and at least one of them names the other's member
// in joint_with. Requiring that word from a member keeps apart two bodies that happen to visit
// one prison on the same day (an IMB monitor on the day of an HMIP inspection): they did not
// inspect together. The link is transitive (A names B, C names B: A, B and C are one visit).
//
// The merged visit is the record of the member whose code sorts first (a fixed choice, so that
// the output is deterministic), with joint_with the union of every report's joint_with and
// members, less its own member. Its other fields are that member's: reports of one visit differ
// in what each body counted, and mixing fields would make a record no body made. Each report
// survives in the lineage (JointVisit::reported_as).
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <vector>

#include "gateway/consolidation/place_identity.hpp"

namespace opcat::consolidation {

// One reported visit of the day being merged.
struct DayVisit {
  rapidjson::Document record;
  std::string submission_id;
  std::optional<PlaceIdentity> place;  // nullopt: the place is unknown, never merged
};

// Groups one day's visits (all with the same start_date, in stream order: member, then
// visit_id) into visits: each group is the indices of the reports of one visit, the kept one
// first; a visit nobody else reported is a group of one. Groups come in the order of their first
// report. The kept visit's joint_with is rewritten in place (in the schema's field position);
// the other reports are left as they are, for the lineage.
std::vector<std::vector<std::size_t>> merge_joint_visits(std::vector<DayVisit>& day);

}  // namespace opcat::consolidation

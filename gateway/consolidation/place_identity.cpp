#include "gateway/consolidation/place_identity.hpp"

namespace opcat::consolidation {
namespace {

std::string text_of(const rapidjson::Value& object, const char* field) {
  const auto it = object.FindMember(field);
  if (it == object.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

PlaceIdentity identity_of(const rapidjson::Value& place) {
  return {normalised_place_name(text_of(place, "name")), text_of(place, "place_type"),
          text_of(place, "jurisdiction")};
}

}  // namespace

std::string normalised_place_name(std::string_view name) {
  std::string key;
  bool gap = false;
  auto append_word_char = [&](char c) {
    if (gap && !key.empty()) key += ' ';
    gap = false;
    key += c;
  };
  for (const char c : name) {
    if (c >= 'A' && c <= 'Z') {
      append_word_char(static_cast<char>(c - 'A' + 'a'));
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               (static_cast<unsigned char>(c) >= 0x80)) {
      // Bytes of non-ASCII letters (UTF-8) are kept as they are: "Ynys Môn" stays itself.
      append_word_char(c);
    } else if (c == '&') {
      gap = true;
      for (const char letter : std::string_view("and")) append_word_char(letter);
      gap = true;
    } else {
      gap = true;
    }
  }
  return key;
}

void PlaceDirectory::add(const rapidjson::Value& place, std::string body,
                         std::string submission_id) {
  places_.insert_or_assign(text_of(place, "place_id"),
                           Entry{identity_of(place), std::move(body), std::move(submission_id)});
}

std::optional<PlaceIdentity> PlaceDirectory::resolve(const rapidjson::Value& place_ref) const {
  if (!place_ref.IsObject()) return std::nullopt;
  if (place_ref.HasMember("place_id")) {
    const auto it = places_.find(text_of(place_ref, "place_id"));
    if (it == places_.end()) return std::nullopt;
    return it->second.identity;
  }
  return identity_of(place_ref);
}

void PlaceDirectory::mark_referenced(const rapidjson::Value& place_ref) {
  if (!place_ref.IsObject() || !place_ref.HasMember("place_id")) return;
  const auto it = places_.find(text_of(place_ref, "place_id"));
  if (it != places_.end()) it->second.referenced = true;
}

}  // namespace opcat::consolidation

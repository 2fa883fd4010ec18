#include "adapters/schema/codelist_provider.hpp"

#include <stdexcept>

#include "adapters/schema/json_file.hpp"

namespace opcat::schema {
namespace {

// Only plain files in codelists/: the schema must not reach outside its folder or the network.
bool is_codelist_ref(std::string_view ref) {
  constexpr std::string_view kPrefix = "codelists/";
  constexpr std::string_view kSuffix = ".json";
  if (!ref.starts_with(kPrefix) || !ref.ends_with(kSuffix)) return false;
  const std::string_view stem =
      ref.substr(kPrefix.size(), ref.size() - kPrefix.size() - kSuffix.size());
  if (stem.empty()) return false;
  for (char c : stem) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

void collect_remote_refs(const rapidjson::Value& node, std::vector<std::string>& refs) {
  if (node.IsObject()) {
    for (const auto& member : node.GetObject()) {
      if (member.name == "$ref" && member.value.IsString() && member.value.GetString()[0] != '#') {
        refs.emplace_back(member.value.GetString(), member.value.GetStringLength());
      } else {
        collect_remote_refs(member.value, refs);
      }
    }
  } else if (node.IsArray()) {
    for (const auto& item : node.GetArray()) collect_remote_refs(item, refs);
  }
}

}  // namespace

CodelistProvider::CodelistProvider(const std::filesystem::path& schema_file,
                                   const rapidjson::Value& schema) {
  std::vector<std::string> refs;
  collect_remote_refs(schema, refs);
  for (const auto& ref : refs) {
    if (entry(ref) != nullptr) continue;
    if (!is_codelist_ref(ref)) {
      throw std::runtime_error(schema_file.string() + ": \"$ref\": \"" + ref +
                               "\" is not supported (only \"#/definitions/...\" and "
                               "\"codelists/<name>.json\")");
    }
    auto added = std::make_unique<Entry>();
    const std::filesystem::path file = schema_file.parent_path() / ref;
    added->ref = ref;
    added->list = read_codelist(file);
    added->raw = detail::read_json_file(file);
    added->schema = std::make_unique<rapidjson::SchemaDocument>(added->raw);
    entries_.push_back(std::move(added));
  }
}

const rapidjson::SchemaDocument* CodelistProvider::GetRemoteDocument(const char* uri,
                                                                     rapidjson::SizeType length) {
  // RapidJSON 1.1.0 passes the length of the ref minus one (schema.h, HandleRefSchema: "i - 1"),
  // later versions the whole length: accept both. Every ref ends in ".json", so a ref that is
  // one character longer than the text given is still found without ambiguity.
  const std::string_view given(uri, length);
  for (const auto& candidate : entries_) {
    const std::string_view ref = candidate->ref;
    if (ref == given || (ref.size() == given.size() + 1 && ref.starts_with(given))) {
      return candidate->schema.get();
    }
  }
  return nullptr;
}

const CodelistProvider::Entry* CodelistProvider::entry(std::string_view ref) const {
  for (const auto& candidate : entries_) {
    if (candidate->ref == ref) return candidate.get();
  }
  return nullptr;
}

const Codelist* CodelistProvider::find(std::string_view ref) const {
  const Entry* found = entry(ref);
  return found == nullptr ? nullptr : &found->list;
}

const rapidjson::Value* CodelistProvider::raw(std::string_view ref) const {
  const Entry* found = entry(ref);
  return found == nullptr ? nullptr : &found->raw;
}

std::vector<const Codelist*> CodelistProvider::codelists() const {
  std::vector<const Codelist*> lists;
  for (const auto& candidate : entries_) lists.push_back(&candidate->list);
  return lists;
}

}  // namespace opcat::schema

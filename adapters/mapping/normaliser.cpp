#include "adapters/mapping/normaliser.hpp"

#include <algorithm>
#include <map>

#include "adapters/core/sha256.hpp"
#include "adapters/mapping/field_conversion.hpp"
#include "gateway/config/config.hpp"

namespace opcat::adapters {
namespace {

using Allocator = rapidjson::Document::AllocatorType;

// The order of the parts of a nested object, as the schema's place reference and ratings define
// them (the XSD is a sequence, so the order is part of the format).
const std::vector<std::string>& nested_order(const std::string& field) {
  static const std::map<std::string, std::vector<std::string>> orders{
      {"place", {"place_id", "name", "place_type", "jurisdiction"}},
  };
  static const std::vector<std::string> none;
  const auto found = orders.find(field);
  return found == orders.end() ? none : found->second;
}

// True when `field` is `outer` or one of its parts ("place.name" is within "place").
bool within(std::string_view field, std::string_view outer) {
  if (field.substr(0, outer.size()) != outer) return false;
  return field.size() == outer.size() || field[outer.size()] == '.' || field[outer.size()] == '[';
}

std::string cut(std::string_view text) {
  return std::string(text.substr(0, 200)) + (text.size() > 200 ? "..." : "");
}

// A mapping rule with its paths bound to one export's reader.
struct BoundField {
  const FieldRule* rule = nullptr;
  std::vector<Selector> selectors;
  std::string source_field;  // the member's name for it, for errors
};

struct BoundRecord {
  const RecordRule* rule = nullptr;
  std::optional<Selector> each;
  std::optional<Selector> when;
  BoundField id_from;
  std::vector<Selector> id_hash;
  std::string id_source;
  std::vector<BoundField> fields;
  std::vector<std::pair<const RatingRule*, BoundField>> ratings;
};

// One export going through the mapping.
class Run {
 public:
  Run(const MemberMapping& mapping, const schema::RecordSchema& schema, RecordSink& sink,
      const Normaliser::Options& options, Outcome& outcome)
      : mapping_(mapping), schema_(schema), sink_(sink), options_(options), outcome_(outcome) {}

  // Binds every path of the mapping; throws UnreadableInput when a field that cannot be
  // missing has no column / path in this export.
  void bind(Reader& reader);
  // Maps one unit; returns false once the error budget is spent.
  bool unit(const SourceNode& node);

 private:
  BoundField bind_field(Reader& reader, const FieldRule& rule, bool must_bind);
  void build(const BoundRecord& record, const SourceNode& item, const SourceNode& whole);
  std::optional<std::string_view> first_value(const BoundField& field, const SourceNode& node) const;
  bool fill(const BoundField& field, const SourceNode& node, rapidjson::Value& out, Allocator& allocator,
            std::vector<RecordError>& errors, const std::string& locator) const;
  bool reject(std::vector<RecordError>&& errors);

  const MemberMapping& mapping_;
  const schema::RecordSchema& schema_;
  RecordSink& sink_;
  const Normaliser::Options& options_;
  Outcome& outcome_;
  std::vector<BoundRecord> records_;
};

BoundField Run::bind_field(Reader& reader, const FieldRule& rule, bool must_bind) {
  BoundField bound;
  bound.rule = &rule;
  std::string reasons;
  for (const auto& path : rule.from) {
    try {
      const Selector selector = reader.bind(path);
      if (bound.selectors.empty()) bound.source_field = reader.source_field(selector);
      bound.selectors.push_back(selector);
    } catch (const std::invalid_argument& e) {
      reasons += (reasons.empty() ? "" : "; ") + std::string(e.what());
    }
  }
  if (bound.selectors.empty() && !rule.from.empty()) {
    bound.source_field = rule.from.front().path;
    if (must_bind || rule.required) {
      throw UnreadableInput("", "the export has no " + rule.from.front().path + " for the field " +
                                    rule.field + ", which the mapping " + mapping_.file.filename().string() +
                                    " requires: " + reasons);
    }
  }
  return bound;
}

// A path the mapping cannot do without, bound or the export is unusable for this mapping.
Selector bind_required(Reader& reader, const FieldPath& path, const std::string& what) {
  try {
    return reader.bind(path);
  } catch (const std::invalid_argument& e) {
    throw UnreadableInput("", "the export has no " + path.path + " (" + what + "): " + e.what());
  }
}

void Run::bind(Reader& reader) {
  for (const auto& rule : mapping_.records) {
    BoundRecord bound;
    bound.rule = &rule;
    if (rule.each) bound.each = bind_required(reader, *rule.each, "the items of each " + rule.type);
    if (rule.when) bound.when = bind_required(reader, *rule.when, "whether to make a " + rule.type);
    if (!rule.id.from.empty()) {
      FieldRule id_rule;
      id_rule.field = std::string(id_field(rule.type));
      id_rule.from = rule.id.from;
      id_rule.from_record = rule.id.from_record;
      bound.id_from = bind_field(reader, id_rule, /*must_bind=*/true);
      bound.id_from.rule = nullptr;  // id_rule is local: only selectors and source_field are kept
      bound.id_source = bound.id_from.source_field;
    }
    for (const auto& path : rule.id.hash) {
      const Selector selector = bind_required(reader, path, "part of the " + rule.type + " id");
      bound.id_hash.push_back(selector);
      bound.id_source += (bound.id_source.empty() ? "" : " + ") + reader.source_field(selector);
    }
    for (const auto& field : rule.fields) bound.fields.push_back(bind_field(reader, field, false));
    for (const auto& rating : rule.ratings) {
      bound.ratings.emplace_back(&rating, bind_field(reader, rating.value, false));
    }
    records_.push_back(std::move(bound));
  }
}

std::optional<std::string_view> Run::first_value(const BoundField& field, const SourceNode& node) const {
  for (const Selector selector : field.selectors) {
    const auto value = node.value(selector);
    if (value && !trim(*value).empty()) return value;
  }
  return std::nullopt;
}

// Fills `out` for one field; false when the field stays absent (with an error if it had to be).
bool Run::fill(const BoundField& field, const SourceNode& node, rapidjson::Value& out, Allocator& allocator,
               std::vector<RecordError>& errors, const std::string& locator) const {
  const FieldRule& rule = *field.rule;
  ConversionProblem problem;
  std::string raw;
  bool ok = false;
  if (rule.value) {
    raw = constant_text(*rule.value);
    ok = convert_value(rule, raw, mapping_.member, out, allocator, problem);
  } else if (rule.kind == FieldRule::Kind::list && rule.split.empty()) {
    std::vector<std::string> items;
    for (const Selector selector : field.selectors) {
      items = node.values(selector);
      if (!items.empty()) break;
    }
    if (items.empty() && !rule.default_value && !rule.required) return false;
    ok = convert_list(rule, items, mapping_.member, out, allocator, problem);
  } else {
    const auto value = first_value(field, node);
    if (!value) {
      if (rule.default_value) {
        raw = constant_text(*rule.default_value);
      } else {
        if (rule.required) {
          errors.push_back({locator, rule.field, field.source_field, "", "missing",
                            field.source_field + " is empty or missing, and " + rule.field + " is required"});
        }
        return false;
      }
    } else {
      raw = std::string(*value);
    }
    if (rule.kind == FieldRule::Kind::list) {
      std::vector<std::string> items;
      std::size_t start = 0;
      while (start <= raw.size()) {
        const std::size_t end = std::min(raw.find(rule.split, start), raw.size());
        items.emplace_back(raw.substr(start, end - start));
        start = end + rule.split.size();
      }
      ok = convert_list(rule, items, mapping_.member, out, allocator, problem);
    } else {
      ok = convert_value(rule, raw, mapping_.member, out, allocator, problem);
    }
  }
  if (!ok) errors.push_back({locator, rule.field, field.source_field, cut(raw), problem.code, problem.message});
  return ok;
}

void Run::build(const BoundRecord& bound, const SourceNode& item, const SourceNode& whole) {
  const RecordRule& rule = *bound.rule;
  const std::string& locator = item.locator();
  rapidjson::Document record(rapidjson::kObjectType);
  Allocator& allocator = record.GetAllocator();
  std::vector<RecordError> errors;
  std::map<std::string, rapidjson::Value> top;
  std::map<std::string, std::map<std::string, rapidjson::Value>> nested;
  std::map<std::string, std::string> source_of;  // schema field -> the member's column / path

  top["record_type"].SetString(rule.type.c_str(), allocator);
  top["schema_version"].SetInt(1);
  top["member"].SetString(mapping_.member.c_str(), allocator);

  std::string original_id;
  const std::string id_name(id_field(rule.type));
  if (!bound.id_from.selectors.empty() || !bound.id_hash.empty()) {
    const SourceNode& id_node = rule.id.from_record ? whole : item;
    std::string id;
    if (!bound.id_hash.empty()) {
      std::string key;
      bool any = false;
      for (const Selector selector : bound.id_hash) {
        const auto value = id_node.value(selector);
        const std::string_view part = value ? trim(*value) : std::string_view{};
        any = any || !part.empty();
        key.append(part).push_back('\x1f');
      }
      if (any) id = "h" + sha256_hex(key).substr(0, 16);
    } else if (const auto value = first_value(bound.id_from, id_node)) {
      original_id = std::string(trim(*value));
      id = original_id;
    }
    if (id.empty()) {
      errors.push_back({locator, id_name, bound.id_source, "", "missing_id",
                        "no id: " + bound.id_source + " is empty or missing"});
    } else if (!id_name.empty()) {
      top[id_name].SetString((mapping_.member + ":" + id).c_str(), allocator);
      source_of[id_name] = bound.id_source;
    }
  }

  for (const auto& field : bound.fields) {
    const FieldRule& rule_of_field = *field.rule;
    rapidjson::Value value;
    if (!fill(field, rule_of_field.from_record ? whole : item, value, allocator, errors, locator)) continue;
    if (value.IsNull()) continue;  // mapped to "leave out"
    const auto dot = rule_of_field.field.find('.');
    if (dot == std::string::npos) {
      top[rule_of_field.field] = std::move(value);
      source_of[rule_of_field.field] = field.source_field;
    } else {
      nested[rule_of_field.field.substr(0, dot)][rule_of_field.field.substr(dot + 1)] = std::move(value);
      source_of[rule_of_field.field] = field.source_field;
    }
  }

  if (!bound.ratings.empty()) {
    rapidjson::Value ratings(rapidjson::kArrayType);
    for (const auto& [rating, field] : bound.ratings) {
      rapidjson::Value value;
      if (!fill(field, rating->value.from_record ? whole : item, value, allocator, errors, locator)) continue;
      if (value.IsNull()) continue;  // mapped to "leave out" (e.g. "Not judged")
      rapidjson::Value entry(rapidjson::kObjectType);
      entry.AddMember("name", rapidjson::Value(rating->name.c_str(), allocator), allocator);
      entry.AddMember("value", value, allocator);
      if (!rating->scale.empty()) entry.AddMember("scale", rapidjson::Value(rating->scale.c_str(), allocator), allocator);
      ratings.PushBack(entry, allocator);
      source_of["ratings"] = field.source_field;
    }
    if (!ratings.Empty()) top["ratings"] = std::move(ratings);
  }

  for (auto& [name, parts] : nested) {
    rapidjson::Value object(rapidjson::kObjectType);
    for (const auto& part : nested_order(name)) {
      const auto found = parts.find(part);
      if (found != parts.end()) object.AddMember(rapidjson::Value(part.c_str(), allocator), found->second, allocator);
    }
    top[name] = std::move(object);
  }

  rapidjson::Value source(rapidjson::kObjectType);
  if (!options_.submission_id.empty()) {
    source.AddMember("submission_id", rapidjson::Value(options_.submission_id.c_str(), allocator), allocator);
  }
  source.AddMember("locator", rapidjson::Value(locator.c_str(), allocator), allocator);
  if (!original_id.empty()) source.AddMember("original_id", rapidjson::Value(original_id.c_str(), allocator), allocator);
  top["source"] = std::move(source);

  for (const auto& name : schema_.field_order(rule.type)) {
    const auto found = top.find(name);
    if (found != top.end()) record.AddMember(rapidjson::Value(name.c_str(), allocator), found->second, allocator);
  }

  // Fields that failed conversion are already reported; the schema's "required" about the same
  // field would only repeat it.
  for (auto& violation : schema_.validate(record)) {
    const bool repeated = std::any_of(errors.begin(), errors.end(), [&](const RecordError& e) {
      return !e.field.empty() && (within(violation.field, e.field) || within(e.field, violation.field));
    });
    if (repeated) continue;
    const auto source_field = source_of.find(violation.field);
    errors.push_back({locator, violation.field,
                      source_field == source_of.end() ? std::string() : source_field->second, "",
                      violation.code, violation.message});
  }

  if (errors.empty()) {
    ++outcome_.accepted;
    sink_.record(record);
  } else {
    reject(std::move(errors));
  }
}

bool Run::reject(std::vector<RecordError>&& errors) {
  ++outcome_.rejected;
  for (const auto& error : errors) sink_.error(error);
  return outcome_.rejected <= mapping_.budget.max_rejected;
}

bool Run::unit(const SourceNode& node) {
  ++outcome_.units;
  if (const auto defect = node.defect()) {
    return reject({{node.locator(), "", "", "", "malformed", *defect}});
  }
  for (const auto& record : records_) {
    // `when`: this kind of record is made only from units that have the value (a service never
    // inspected has no inspection to report, and that is no error of the member's).
    if (record.when) {
      const auto value = node.value(*record.when);
      if (!value || trim(*value).empty()) continue;
    }
    if (!record.each) {
      build(record, node, node);
      continue;
    }
    for (const auto& item : node.children(*record.each)) build(record, *item, node);
  }
  return outcome_.rejected <= mapping_.budget.max_rejected;
}

}  // namespace

const char* to_string(Outcome::Verdict verdict) {
  switch (verdict) {
    case Outcome::Verdict::complete: return "complete";
    case Outcome::Verdict::partial: return "partial";
    case Outcome::Verdict::rejected: return "rejected";
  }
  return "rejected";
}

Normaliser::Normaliser(const MemberMapping& mapping, const schema::RecordSchema& schema)
    : mapping_(mapping), schema_(schema) {
  for (std::size_t r = 0; r < mapping.records.size(); ++r) {
    const auto& rule = mapping.records[r];
    const auto& order = schema.field_order(rule.type);
    for (const auto& field : rule.fields) {
      const std::string top = field.field.substr(0, field.field.find('.'));
      const auto dot = field.field.find('.');
      const auto& parts = nested_order(top);
      const bool bad_part = dot != std::string::npos &&
                            std::find(parts.begin(), parts.end(), field.field.substr(dot + 1)) == parts.end();
      if (std::find(order.begin(), order.end(), top) == order.end() || top == "record_type" || bad_part ||
          top == "schema_version" || top == "member" || top == "source" || top == std::string(id_field(rule.type))) {
        std::string fields;
        for (const auto& name : order) fields += (fields.empty() ? "" : ", ") + name;
        throw config::ConfigError(mapping.file.string() + ": record[" + std::to_string(r) + "].fields." +
                                  field.field + ": not a field a mapping can fill in a " + rule.type +
                                  " record (the schema's fields: " + fields + ")");
      }
    }
  }
}

Outcome Normaliser::run(ByteSource& source, RecordSink& sink, const Options& options) const {
  Outcome outcome;
  Run run(mapping_, schema_, sink, options, outcome);
  try {
    const auto reader = mapping_.make_reader(source);
    run.bind(*reader);
    while (auto node = reader->next()) {
      if (!run.unit(*node)) {
        outcome.verdict = Outcome::Verdict::rejected;
        outcome.reason = "more than " + std::to_string(mapping_.budget.max_rejected) +
                         " records rejected (the error budget of " + mapping_.file.filename().string() +
                         "): the export is rejected as a whole";
        outcome.locator = node->locator();
        return outcome;
      }
    }
  } catch (const UnreadableInput& e) {
    outcome.verdict = Outcome::Verdict::rejected;
    outcome.reason = e.what();
    outcome.locator = e.locator();
    return outcome;
  } catch (const std::runtime_error& e) {  // the source itself failed (I/O)
    outcome.verdict = Outcome::Verdict::rejected;
    outcome.reason = e.what();
    return outcome;
  }

  const std::size_t records = outcome.accepted + outcome.rejected;
  if (records == 0) {
    outcome.verdict = Outcome::Verdict::rejected;
    outcome.reason = "the export holds no records";
  } else if (static_cast<double>(outcome.rejected) > mapping_.budget.max_rejected_ratio * static_cast<double>(records)) {
    outcome.verdict = Outcome::Verdict::rejected;
    outcome.reason = std::to_string(outcome.rejected) + " of " + std::to_string(records) +
                     " records rejected, over the error budget of " +
                     std::to_string(static_cast<int>(mapping_.budget.max_rejected_ratio * 100)) + "%";
  } else if (outcome.rejected > 0) {
    outcome.verdict = Outcome::Verdict::partial;
  }
  return outcome;
}

}  // namespace opcat::adapters

#include "adapters/mapping/member_mapping.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

#include "gateway/config/toml_section.hpp"

namespace opcat::adapters {
namespace {

using config::detail::fail;
using config::detail::Section;
using config::detail::type_name;

std::string fold(std::string_view text) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  std::string out;
  for (std::size_t i = begin; i < end; ++i) {
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[i]))));
  }
  return out;
}

Constant constant(const toml::node& node, const std::string& key) {
  if (auto s = node.as_string()) return s->get();
  if (auto i = node.as_integer()) return i->get();
  if (auto f = node.as_floating_point()) return f->get();
  if (auto b = node.as_boolean()) return b->get();
  fail(key, "expected a string, integer, float or boolean, got " + std::string(type_name(node)),
       &node.source());
}

FieldPath::Match parse_match(const Section& section) {
  const auto match = section.string("match");
  if (!match || *match == "exact") return FieldPath::Match::exact;
  if (*match == "insensitive") return FieldPath::Match::insensitive;
  if (*match == "prefix") return FieldPath::Match::prefix;
  fail(section.key("match"), "expected exact, insensitive or prefix, got \"" + *match + "\"",
       &section.find("match")->source());
}

// `from` (or `hash`): one path or a list of paths, tried in order.
std::vector<FieldPath> parse_paths(const Section& section, std::string_view name,
                                   FieldPath::Match match) {
  std::vector<FieldPath> paths;
  const toml::node* node = section.find(name);
  if (node == nullptr) return paths;
  if (auto text = node->as_string()) {
    paths.push_back({text->get(), match});
    return paths;
  }
  for (const auto& text : section.strings(name, [](const std::string& s) {
         if (s.empty()) throw std::invalid_argument("an empty path");
         return s;
       })) {
    paths.push_back({text, match});
  }
  if (paths.empty()) fail(section.key(name), "expected at least one path", &node->source());
  return paths;
}

FieldRule::Kind parse_kind(const Section& section) {
  const auto type = section.string("type");
  if (!type) return FieldRule::Kind::string;
  static const std::map<std::string, FieldRule::Kind> kinds{
      {"string", FieldRule::Kind::string}, {"integer", FieldRule::Kind::integer},
      {"number", FieldRule::Kind::number}, {"boolean", FieldRule::Kind::boolean},
      {"date", FieldRule::Kind::date},     {"list", FieldRule::Kind::list}};
  const auto found = kinds.find(*type);
  if (found == kinds.end()) {
    fail(section.key("type"), "expected string, integer, number, boolean, date or list, got \"" + *type + "\"",
         &section.find("type")->source());
  }
  return found->second;
}

std::vector<DateFormat> parse_date_formats(const Section& section) {
  std::vector<DateFormat> formats;
  const toml::node* node = section.find("date");
  if (node == nullptr) return formats;
  const auto convert = [](const std::string& name) {
    if (!parse_date_format(name)) {
      throw std::invalid_argument("unknown date format \"" + name + "\" (known: " +
                                  date_format_names() + ")");
    }
    return name;
  };
  std::vector<std::string> names;
  if (node->is_string()) {
    names.push_back(*section.converted("date", convert));
  } else {
    names = section.strings("date", convert);
  }
  for (const auto& name : names) formats.push_back(*parse_date_format(name));
  return formats;
}

// Without a `type`, a field takes the type of the constants the mapping gives it: `value = false`
// is a boolean, `map = { Good = 3, ... }` an integer. Text stays text.
FieldRule::Kind kind_of_constants(const FieldRule& rule) {
  std::vector<const Constant*> constants;
  if (rule.value) constants.push_back(&*rule.value);
  for (const auto& [key, target] : rule.value_map) {
    const auto* text = std::get_if<std::string>(&target);
    if (text == nullptr || !text->empty()) constants.push_back(&target);  // "" means "leave out"
  }
  if (rule.default_value) constants.push_back(&*rule.default_value);
  if (constants.empty()) return FieldRule::Kind::string;
  const auto all = [&](auto predicate) { return std::all_of(constants.begin(), constants.end(), predicate); };
  if (all([](const Constant* c) { return std::holds_alternative<bool>(*c); })) return FieldRule::Kind::boolean;
  if (all([](const Constant* c) { return std::holds_alternative<std::int64_t>(*c); })) return FieldRule::Kind::integer;
  if (all([](const Constant* c) { return !std::holds_alternative<std::string>(*c) && !std::holds_alternative<bool>(*c); })) {
    return FieldRule::Kind::number;
  }
  return FieldRule::Kind::string;
}

// A field written as a bare string is a column / path: `name = "Establishment"`.
FieldRule parse_field(const std::string& key, const toml::node& node, const std::string& field) {
  FieldRule rule;
  rule.field = field;
  if (auto text = node.as_string()) {
    rule.from.push_back({text->get(), FieldPath::Match::exact});
    return rule;
  }
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    fail(key, "expected a column/path string or a table, got " + std::string(type_name(node)), &node.source());
  }
  const Section section(table, key,
                        {"from", "match", "record", "value", "type", "date", "map", "map_passthrough",
                         "default", "required", "split", "reference", "scale"});
  rule.from = parse_paths(section, "from", parse_match(section));
  if (auto record = section.find("record")) {
    if (!record->is_boolean()) fail(section.key("record"), "expected a boolean", &record->source());
    rule.from_record = record->as_boolean()->get();
  }
  if (auto value = section.find("value")) rule.value = constant(*value, section.key("value"));
  if (rule.value && !rule.from.empty()) {
    fail(key, "give either `from` or `value`, not both", &node.source());
  }
  if (!rule.value && rule.from.empty()) {
    fail(key, "give `from` (where the value is in the export) or `value` (a constant)", &node.source());
  }
  rule.kind = parse_kind(section);
  const auto formats = parse_date_formats(section);
  if (!formats.empty()) {
    if (section.find("type") && rule.kind != FieldRule::Kind::date) {
      fail(section.key("date"), "date formats need type = \"date\"", &section.find("date")->source());
    }
    rule.kind = FieldRule::Kind::date;
    rule.date_formats = formats;
  }
  if (auto split = section.string("split")) {
    rule.split = *split;
    rule.kind = FieldRule::Kind::list;
  }
  if (auto map = section.table("map")) {
    for (auto&& [source_value, target] : *map) {
      rule.value_map[fold(source_value.str())] =
          constant(target, section.key("map") + "." + std::string(source_value.str()));
    }
  }
  if (auto passthrough = section.find("map_passthrough")) {
    if (!passthrough->is_boolean()) {
      fail(section.key("map_passthrough"), "expected a boolean", &passthrough->source());
    }
    rule.map_passthrough = passthrough->as_boolean()->get();
  }
  if (auto fallback = section.find("default")) rule.default_value = constant(*fallback, section.key("default"));
  if (!section.find("type") && formats.empty() && rule.split.empty()) rule.kind = kind_of_constants(rule);
  for (const auto* flag : {"required", "reference"}) {
    if (auto node_flag = section.find(flag)) {
      if (!node_flag->is_boolean()) fail(section.key(flag), "expected a boolean", &node_flag->source());
      (std::string_view(flag) == "required" ? rule.required : rule.reference) = node_flag->as_boolean()->get();
    }
  }
  return rule;
}

IdRule parse_id(const std::string& key, const toml::node& node) {
  IdRule id;
  if (auto text = node.as_string()) {
    id.from.push_back({text->get(), FieldPath::Match::exact});
    return id;
  }
  const toml::table* table = node.as_table();
  if (table == nullptr) fail(key, "expected a column/path string or a table", &node.source());
  const Section section(table, key, {"from", "hash", "match", "record"});
  const auto match = parse_match(section);
  id.from = parse_paths(section, "from", match);
  id.hash = parse_paths(section, "hash", match);
  if (auto record = section.find("record")) {
    if (!record->is_boolean()) fail(section.key("record"), "expected a boolean", &record->source());
    id.from_record = record->as_boolean()->get();
  }
  if (id.from.empty() == id.hash.empty()) {
    fail(key, "give either `from` (the member's own id) or `hash` (fields whose values identify the record)",
         &node.source());
  }
  return id;
}

// toml++ keeps a table's keys sorted; a mapping's fields are read in the order they are written,
// so that records and errors come out in the order the mapping's author chose.
std::vector<std::pair<std::string_view, const toml::node*>> in_file_order(const toml::table& table) {
  std::vector<std::pair<std::string_view, const toml::node*>> entries;
  for (auto&& [name, node] : table) entries.emplace_back(name.str(), &node);
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const auto& left = a.second->source().begin;
    const auto& right = b.second->source().begin;
    return left.line != right.line ? left.line < right.line : left.column < right.column;
  });
  return entries;
}

RecordRule parse_record(const toml::table& table, const std::string& key) {
  static const std::vector<std::string_view> types{"place", "visit", "recommendation", "population",
                                                   "indicator"};
  const Section section(&table, key, {"type", "each", "when", "id", "fields", "ratings"});
  section.require("type");
  RecordRule rule;
  rule.type = *section.string("type");
  if (std::find(types.begin(), types.end(), rule.type) == types.end()) {
    fail(section.key("type"),
         "unknown record type \"" + rule.type + "\" (place, visit, recommendation, population, indicator)",
         &section.find("type")->source());
  }
  if (auto each = section.string("each")) rule.each = FieldPath{*each, FieldPath::Match::exact};
  if (auto when = section.string("when")) rule.when = FieldPath{*when, FieldPath::Match::exact};
  if (auto id = section.find("id")) {
    rule.id = parse_id(section.key("id"), *id);
  } else if (!id_field(rule.type).empty()) {
    fail(key, "a " + rule.type + " record needs an `id` (from the export, or a hash of key fields)",
         section.where());
  }
  section.require("fields");
  for (auto&& [name, node] : in_file_order(*section.table("fields"))) {
    const std::string field(name);
    rule.fields.push_back(parse_field(section.key("fields") + "." + field, *node, field));
  }
  if (auto ratings = section.table("ratings")) {
    for (auto&& [name, node_pointer] : in_file_order(*ratings)) {
      const toml::node& node = *node_pointer;
      const std::string rating_key = section.key("ratings") + "." + std::string(name);
      RatingRule rating;
      rating.name = std::string(name);
      rating.value = parse_field(rating_key, node, "ratings." + rating.name);  // errors name the rating
      rating.value.kind = FieldRule::Kind::number;
      if (auto table_node = node.as_table()) {
        if (auto scale = (*table_node)["scale"].value<std::string>()) rating.scale = *scale;
      }
      rule.ratings.push_back(std::move(rating));
    }
  }
  return rule;
}

}  // namespace

std::string_view id_field(std::string_view record_type) {
  if (record_type == "place") return "place_id";
  if (record_type == "visit") return "visit_id";
  if (record_type == "recommendation") return "recommendation_id";
  return "";
}

MemberMapping load_mapping(const std::filesystem::path& file) {
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw config::ConfigError(file.string() + ": TOML syntax error at line " +
                              std::to_string(e.source().begin.line) + ", column " +
                              std::to_string(e.source().begin.column) + ": " + std::string(e.description()));
  }
  const Section top(&root, "", {"adapter", "reader", "record"});
  top.require("adapter");
  const Section adapter(top.table("adapter"), "adapter",
                        {"member", "name", "version", "reader", "description", "max_rejected",
                         "max_rejected_ratio"});
  adapter.require("member");
  adapter.require("reader");

  MemberMapping mapping;
  mapping.file = file;
  mapping.member = *adapter.string("member");
  if (!std::regex_match(mapping.member, std::regex("^[a-z][a-z0-9-]*$"))) {
    fail(adapter.key("member"), "not a member code", &adapter.find("member")->source());
  }
  mapping.name = adapter.string("name").value_or("default");
  mapping.version = adapter.integer("version", 1, 1'000'000).value_or(1);
  mapping.description = adapter.string("description").value_or("");
  mapping.budget.max_rejected = static_cast<std::size_t>(
      adapter.integer("max_rejected", 0, 1'000'000'000).value_or(
          static_cast<std::int64_t>(mapping.budget.max_rejected)));
  mapping.budget.max_rejected_ratio =
      adapter.number("max_rejected_ratio", 0.0, 1.0).value_or(mapping.budget.max_rejected_ratio);

  mapping.reader = *adapter.string("reader");
  const ReaderKind* kind = find_reader_kind(mapping.reader);
  if (kind == nullptr) {
    std::string known;
    for (const auto& k : reader_kinds()) known += (known.empty() ? "" : ", ") + std::string(k.name);
    fail(adapter.key("reader"), "unknown reader \"" + mapping.reader + "\" (known: " + known + ")",
         &adapter.find("reader")->source());
  }
  mapping.make_reader = kind->configure(top.table("reader"));

  const toml::node* records = top.find("record");
  if (records == nullptr || !records->is_array_of_tables() || records->as_array()->empty()) {
    fail("record", "expected one or more [[record]] tables", top.where());
  }
  const toml::array& array = *records->as_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    mapping.records.push_back(
        parse_record(*array.get(i)->as_table(), "record[" + std::to_string(i) + "]"));
  }
  return mapping;
}

}  // namespace opcat::adapters

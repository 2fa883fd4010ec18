// Turns the text a member wrote into the typed value the common schema wants: value maps first,
// then integers, numbers, booleans, ISO dates, lists, member-scoped references.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <vector>

#include "adapters/mapping/member_mapping.hpp"

namespace opcat::adapters {

// Why a value could not be converted: a stable code and a message for the member.
struct ConversionProblem {
  std::string code;  // unmapped_value, bad_integer, bad_number, bad_boolean, bad_date
  std::string message;
};

// Converts `raw` (one value as found in the export) for `rule` into `out`. Returns false and
// fills `problem` when the text cannot be the field's value.
bool convert_value(const FieldRule& rule, std::string_view raw, std::string_view member,
                   rapidjson::Value& out, rapidjson::Document::AllocatorType& allocator,
                   ConversionProblem& problem);

// The same for a list field, from the items already separated.
bool convert_list(const FieldRule& rule, const std::vector<std::string>& items,
                  std::string_view member, rapidjson::Value& out,
                  rapidjson::Document::AllocatorType& allocator, ConversionProblem& problem);

// A constant of the mapping file, as the text convert_value expects.
std::string constant_text(const Constant& constant);

// Leading and trailing white space removed.
std::string_view trim(std::string_view text);

}  // namespace opcat::adapters

// The JSON the operators' APIs share: one shape for a transfer-log entry, a delivery and an
// alert, whether it comes in a page, in a single answer or in the live stream.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>
#include <string>
#include <string_view>

#include "gateway/http/message.hpp"
#include "gateway/store/outbox.hpp"
#include "gateway/store/store.hpp"

namespace opcat::http {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Text from members and recipients may not be UTF-8: it must not break the answer.
void write_string(JsonWriter& json, std::string_view text);
void write_time_or_null(JsonWriter& json, const std::optional<store::Clock::time_point>& time);
// `key`, then the text, or null when it is empty.
void write_text_or_null(JsonWriter& json, const char* key, const std::string& text);

void write_transfer(JsonWriter& json, const store::TransferLogEntry& entry);
void write_delivery(JsonWriter& json, const store::Delivery& delivery);
void write_alert(JsonWriter& json, const store::Alert& alert);

Response json_ok(Status status, const rapidjson::StringBuffer& text, const Request& request);

// Reads are for every operator role; a change needs operator or admin, managing accounts admin.
std::optional<Response> refuse_unless_operator(const Context& context);
std::optional<Response> refuse_unless_admin(const Context& context);
// "operator:<name>": who asked for a change, in the log lines that record it.
std::string who(const Context& context);

}  // namespace opcat::http

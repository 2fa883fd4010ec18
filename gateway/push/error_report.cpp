#include "gateway/push/error_report.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>
#include <variant>

#include "gateway/push/receipt.hpp"
#include "gateway/push/stoppable_wait.hpp"

namespace opcat::push {
namespace {

constexpr std::string_view kPageSize = "1000";
// A page that fails for a temporary reason is tried again a few times before the report is
// written without the rest: the export is rejected either way, the list only helps fix it.
constexpr unsigned kPageAttempts = 3;
constexpr std::chrono::milliseconds kPageRetryWait{1'000};

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

std::string json_string(std::string_view text) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return {buffer.GetString(), buffer.GetSize()};
}

std::string json_value(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

// The first page asks for big pages unless the gateway's href already chose a size.
std::string first_page(const std::string& href) {
  if (href.find("limit=") != std::string::npos) return href;
  return href + (href.find('?') == std::string::npos ? "?" : "&") + "limit=" + std::string(kPageSize);
}

struct Page {
  rapidjson::Document document;
  std::optional<std::string> next;
};

// One page of the error list, retried a little; the reason when it could not be read.
std::variant<Page, std::string> fetch_page(const HttpsClient& gateway, const std::string& href,
                                           std::stop_token stop) {
  std::string reason;
  for (unsigned attempt = 1; attempt <= kPageAttempts; ++attempt) {
    if (attempt > 1 && !wait_unless_stopped(kPageRetryWait, stop)) break;
    const Exchange exchange = gateway.get(href, stop);
    if (const auto* failure = std::get_if<TransportFailure>(&exchange)) {
      reason = std::string(to_string(failure->stage)) + ": " + failure->reason;
      continue;
    }
    const auto& response = std::get<HttpResponse>(exchange);
    if (response.result_int() != 200) {
      reason = "HTTP " + std::to_string(response.result_int()) + " for " + href;
      if (response.result_int() < 500 && response.result_int() != 429) break;  // final
      continue;
    }
    Page page;
    page.document.Parse(response.body().data(), response.body().size());
    if (page.document.HasParseError() || !page.document.IsObject() ||
        !page.document.HasMember("errors") || !page.document["errors"].IsArray()) {
      return "the error list at " + href + " is not {\"errors\":[...]}";
    }
    if (page.document.HasMember("next") && page.document["next"].IsString()) {
      page.next = page.document["next"].GetString();
    }
    return page;
  }
  return reason;
}

}  // namespace

bool write_error_report(NewFile& out, const std::filesystem::path& file, const FilePush& push,
                        const HttpsClient& gateway, std::stop_token stop, std::size_t max_errors) {
  const PushOutcome& outcome = push.outcome;
  out.write("{\"file\":" + json_string(file.filename().string()));
  out.write(",\"sha256\":" + json_string(push.sha256));
  out.write(",\"http_status\":" + std::to_string(outcome.http_status));
  out.write(",\"reason\":" + json_string(outcome.reason));
  // The answer as it came when it is JSON (it normally is), else as a string.
  rapidjson::Document body;
  body.Parse(outcome.body.data(), outcome.body.size());
  out.write(",\"response\":" + (body.HasParseError() ? json_string(outcome.body) : json_value(body)));

  // Only a receipt (a 422) has an error list; a 413 or a 409 carries its one reason.
  const auto receipt = outcome.has_receipt() ? read_receipt(outcome.body) : std::nullopt;
  if (receipt && receipt->errors_total == 0) {
    out.write(",\"errors\":[],\"errors_complete\":true");
  } else if (receipt && !receipt->errors_href.empty()) {
    out.write(",\"errors\":[");
    std::size_t written = 0;
    std::optional<std::string> href = first_page(receipt->errors_href);
    std::string note;
    while (href && note.empty()) {
      auto fetched = fetch_page(gateway, *href, stop);
      if (stop.stop_requested()) return false;
      if (auto* reason = std::get_if<std::string>(&fetched)) {
        note = "the list stops after " + std::to_string(written) + " errors: " + *reason;
        break;
      }
      Page& page = std::get<Page>(fetched);
      for (const auto& error : page.document["errors"].GetArray()) {
        if (written == max_errors) {
          note = "capped at " + std::to_string(max_errors) + " errors of " +
                 std::to_string(receipt->errors_total);
          break;
        }
        out.write((written++ == 0 ? "" : ",") + json_value(error));
      }
      href = std::move(page.next);
    }
    out.write("],\"errors_complete\":" + std::string(note.empty() ? "true" : "false"));
    if (!note.empty()) out.write(",\"errors_note\":" + json_string(note));
  }
  out.write("}\n");
  return true;
}

}  // namespace opcat::push

#include "gateway/app/alert_webhook.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <variant>

#include "gateway/log/log.hpp"
#include "gateway/push/gateway_url.hpp"
#include "gateway/push/https_client.hpp"
#include "gateway/store/timestamp.hpp"

namespace opcat::app {
namespace {

void text(rapidjson::Writer<rapidjson::StringBuffer>& json, const std::string& value) {
  json.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

push::ClientSettings client_settings(const WebhookSettings& settings) {
  push::ClientSettings client;
  client.gateway = push::GatewayUrl::parse(settings.url);
  client.ca = settings.ca;
  client.certificate = settings.certificate;
  client.private_key = settings.private_key;
  client.connect_timeout = std::chrono::seconds(10);
  client.request_timeout = std::chrono::seconds(30);
  client.response_body_limit = 64 * 1024;
  return client;
}

}  // namespace

std::string alert_notification(const store::Alert& alert, bool raised) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> json(out);
  json.StartObject();
  json.Key("event");
  json.String(raised ? "alert_raised" : "alert_cleared");
  json.Key("alert");
  json.StartObject();
  json.Key("kind");
  text(json, alert.kind);
  json.Key("subject");
  text(json, alert.subject);
  json.Key("message");
  text(json, alert.message);
  json.Key("raised_at");
  text(json, store::format_utc(alert.raised_at));
  json.Key("cleared_at");
  if (alert.cleared_at) {
    text(json, store::format_utc(*alert.cleared_at));
  } else {
    json.Null();
  }
  json.EndObject();
  json.Key("source");
  json.String("opcat-gateway");
  json.EndObject();
  return {out.GetString(), out.GetSize()};
}

AlertWebhook::AlertWebhook(WebhookSettings settings)
    : settings_(std::move(settings)),
      client_(std::make_unique<push::HttpsClient>(client_settings(settings_))),
      thread_([this](std::stop_token stop) { run(stop); }) {}

AlertWebhook::~AlertWebhook() {
  thread_.request_stop();
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  if (!queued_.empty()) {
    log::warn("alert_webhook_dropped")
        .field("count", static_cast<std::uint64_t>(queued_.size()))
        .field("reason", "the gateway stopped");
  }
}

void AlertWebhook::notify(const store::Alert& alert, bool raised) {
  {
    std::lock_guard lock(mutex_);
    if (queued_.size() >= settings_.max_queued) {
      log::warn("alert_webhook_dropped").field("alert", alert.key).field("reason", "queue full");
      return;
    }
    queued_.push_back(alert_notification(alert, raised));
  }
  wake_.notify_one();
}

void AlertWebhook::run(std::stop_token stop) {
  while (true) {
    std::string body;
    {
      std::unique_lock lock(mutex_);
      if (!wake_.wait(lock, stop, [this] { return !queued_.empty(); })) return;
      body = std::move(queued_.front());
      queued_.pop_front();
    }
    auto wait = settings_.first_retry;
    for (unsigned attempt = 1; attempt <= settings_.attempts; ++attempt) {
      const push::Exchange exchange = client_->post_text("", body, "application/json", stop);
      std::string problem;
      if (const auto* response = std::get_if<push::HttpResponse>(&exchange)) {
        if (response->result_int() / 100 == 2) {
          log::debug("alert_webhook_sent").field("status", response->result_int());
          break;
        }
        problem = "HTTP " + std::to_string(response->result_int());
      } else {
        problem = std::get<push::TransportFailure>(exchange).reason;
      }
      if (stop.stop_requested()) return;
      if (attempt == settings_.attempts) {
        log::warn("alert_webhook_failed")
            .field("url", settings_.url)
            .field("attempts", static_cast<std::uint64_t>(attempt))
            .field("reason", problem);
        break;
      }
      std::unique_lock lock(mutex_);
      // Sleeps until the next try, or returns at once when the gateway stops.
      if (wake_.wait_for(lock, stop, wait, [] { return false; }); stop.stop_requested()) return;
      wait *= 2;
    }
  }
}

}  // namespace opcat::app

// [recipients.<name>] and [recipients.<name>.retry] (format: gateway/gateway.example.toml).
#include "gateway/config/recipients.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace opcat::config {

const char* to_string(DeliveryMode mode) {
  switch (mode) {
    case DeliveryMode::push:
      return "push";
    case DeliveryMode::pull:
      return "pull";
    case DeliveryMode::folder:
      return "folder";
  }
  return "unknown";
}

const char* to_string(PayloadFormat format) {
  return format == PayloadFormat::xml ? "xml" : "json";
}

DailySchedule DailySchedule::parse(const std::string& text) {
  const auto bad = [&] {
    return std::invalid_argument("expected \"\" (on demand only) or \"daily HH:MM\" (UTC), got \"" +
                                 text + "\"");
  };
  constexpr std::string_view kPrefix = "daily ";
  if (!text.starts_with(kPrefix) || text.size() != kPrefix.size() + 5 ||
      text[kPrefix.size() + 2] != ':') {
    throw bad();
  }
  const auto two_digits = [&](std::size_t at) {
    const char a = text[at], b = text[at + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9') throw bad();
    return (a - '0') * 10 + (b - '0');
  };
  DailySchedule schedule{two_digits(kPrefix.size()), two_digits(kPrefix.size() + 3)};
  if (schedule.hour > 23 || schedule.minute > 59) {
    throw std::invalid_argument("\"" + text + "\" is not a time of day (00:00 to 23:59)");
  }
  return schedule;
}

std::string DailySchedule::to_string() const {
  char text[16];
  std::snprintf(text, sizeof text, "daily %02d:%02d", hour, minute);
  return text;
}

namespace detail {
namespace {
namespace fs = std::filesystem;

// Recipient names end up in file names, URLs (?recipient=) and delivery rows: keep them plain.
bool is_name(std::string_view text) {
  if (text.empty() || !(text[0] >= 'a' && text[0] <= 'z')) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// A day is the longest sensible wait between two tries; a year the longest sensible patience.
constexpr double kMaxRetrySeconds = 86'400;
constexpr std::int64_t kMaxGiveUpHours = 8'760;

DeliveryMode parse_mode(const std::string& text) {
  if (text == "push") return DeliveryMode::push;
  if (text == "pull") return DeliveryMode::pull;
  if (text == "folder") return DeliveryMode::folder;
  throw std::invalid_argument("expected \"push\", \"pull\" or \"folder\", got \"" + text + "\"");
}

PayloadFormat parse_format(const std::string& text) {
  if (text == "json") return PayloadFormat::json;
  if (text == "xml") return PayloadFormat::xml;
  throw std::invalid_argument("expected \"json\" or \"xml\", got \"" + text + "\"");
}

std::string check_https_url(const std::string& text) {
  if (!text.starts_with("https://") || text.size() == 8) {
    throw std::invalid_argument("expected an https:// URL (deliveries use mutual TLS), got \"" +
                                text + "\"");
  }
  if (text.find_first_of(" ?#") != std::string::npos) {
    throw std::invalid_argument("\"" + text + "\": no spaces, query or fragment, please");
  }
  return text;
}

const toml::source_region* where_of(const Section& section, std::string_view name) {
  const toml::node* node = section.find(name);
  return node == nullptr ? section.where() : &node->source();
}

std::optional<fs::path> readable(const Section& section, std::string_view name,
                                 const fs::path& base) {
  auto path = section.path(name, base);
  if (path) check_readable_file(section.key(name), *path, &section.find(name)->source());
  return path;
}

fs::path required_readable(const Section& section, std::string_view name, const fs::path& base,
                           std::string_view why) {
  if (section.find(name) == nullptr) {
    fail(section.key(name), "required key is missing (" + std::string(why) + ")",
         section.where());
  }
  return *readable(section, name, base);
}

RetryPolicy read_retry(const Section& recipient) {
  const Section retry(recipient.table("retry"), recipient.key("retry"),
                      {"initial_seconds", "max_seconds", "give_up_after_hours"});
  RetryPolicy policy;
  const auto seconds = [](double s) {
    return std::chrono::round<std::chrono::milliseconds>(std::chrono::duration<double>(s));
  };
  if (auto s = retry.number("initial_seconds", 0.001, kMaxRetrySeconds)) policy.initial = seconds(*s);
  if (auto s = retry.number("max_seconds", 0.001, kMaxRetrySeconds)) policy.max = seconds(*s);
  if (auto h = retry.integer("give_up_after_hours", 1, kMaxGiveUpHours)) {
    policy.give_up_after = std::chrono::hours(*h);
  }
  if (policy.max < policy.initial) {
    fail(retry.key("max_seconds"), "must not be less than initial_seconds",
         where_of(retry, "max_seconds"));
  }
  return policy;
}

// A pull recipient is recognised on the member listener by its CN alone: it must never be
// taken for a member or an operator, nor a member for it.
void check_client_cn_is_free(const Section& section, const std::string& cn, const Config& config) {
  const auto clash = [&](const std::string& party) {
    fail(section.key("client_cn"),
         "CN \"" + cn + "\" is also the certificate CN of " + party +
             "; a certificate must identify exactly one party",
         where_of(section, "client_cn"));
  };
  for (const auto& [code, member] : config.members) {
    if (member.certificate.cn == cn) clash("members." + code);
  }
  for (const auto& [name, op] : config.operators) {
    if (op.certificate.cn == cn) clash("operators." + name);
  }
}

Recipient read_recipient(const std::string& name, const toml::table& table, const fs::path& base,
                         const Config& config) {
  const Section section(&table, "recipients." + name,
                        {"mode", "url", "ca", "certificate", "private_key", "folder", "format",
                         "policy", "pseudonym_key", "retry", "schedule", "client_cn"});
  Recipient recipient;
  recipient.name = name;
  recipient.mode = section.converted("mode", parse_mode).value_or(DeliveryMode::push);
  recipient.format = section.converted("format", parse_format).value_or(PayloadFormat::json);
  recipient.policy = readable(section, "policy", base).value_or(fs::path());
  recipient.pseudonym_key = readable(section, "pseudonym_key", base).value_or(fs::path());
  recipient.retry = read_retry(section);
  // An empty string is allowed here (and means "on demand"), unlike Section::string.
  if (const toml::node* node = section.find("schedule")) {
    const auto* text = node->as_string();
    if (text == nullptr) {
      fail(section.key("schedule"), "expected a string, got " + std::string(type_name(*node)),
           &node->source());
    }
    if (!text->get().empty()) recipient.schedule = section.converted("schedule", DailySchedule::parse);
  }

  switch (recipient.mode) {
    case DeliveryMode::push:
      section.require("url");
      recipient.url = *section.converted("url", check_https_url);
      recipient.ca = required_readable(section, "ca", base,
                                        "it verifies the recipient's server and its receipts");
      recipient.certificate = readable(section, "certificate", base).value_or(config.tls.certificate);
      recipient.private_key = readable(section, "private_key", base).value_or(config.tls.private_key);
      break;
    case DeliveryMode::pull:
      section.require("client_cn");
      recipient.client_cn = *section.string("client_cn");
      check_client_cn_is_free(section, recipient.client_cn, config);
      recipient.ca = required_readable(section, "ca", base, "it verifies the recipient's receipts");
      break;
    case DeliveryMode::folder: {
      section.require("folder");
      recipient.folder = *section.path("folder", base);
      std::error_code ec;
      if (fs::exists(recipient.folder, ec) && !fs::is_directory(recipient.folder, ec)) {
        fail(section.key("folder"), recipient.folder.string() + " exists and is not a directory",
             where_of(section, "folder"));
      }
      recipient.ca = readable(section, "ca", base).value_or(fs::path());
      break;
    }
  }
  // Keys that belong to another mode are a misunderstanding worth reporting, not ignoring.
  const auto only_for = [&](std::string_view key, DeliveryMode mode) {
    if (recipient.mode != mode && section.find(key) != nullptr) {
      fail(section.key(key),
           std::string("only applies to mode = \"") + to_string(mode) + "\" (this recipient is \"" +
               to_string(recipient.mode) + "\")",
           where_of(section, key));
    }
  };
  only_for("url", DeliveryMode::push);
  only_for("certificate", DeliveryMode::push);
  only_for("private_key", DeliveryMode::push);
  only_for("client_cn", DeliveryMode::pull);
  only_for("folder", DeliveryMode::folder);
  return recipient;
}

}  // namespace

std::map<std::string, Recipient> read_recipients(const Section& root, const fs::path& base,
                                                 const Config& config) {
  std::map<std::string, Recipient> recipients;
  const toml::table* table = root.table("recipients");
  if (table == nullptr) return recipients;
  std::map<std::string, std::string> client_cns;  // cn -> recipient
  for (auto&& [key, value] : *table) {
    const std::string name(key.str());
    const std::string dotted = "recipients." + name;
    if (!is_name(name)) fail(dotted, "the name must match ^[a-z][a-z0-9-]*$", &key.source());
    if (!value.is_table()) {
      fail(dotted, "expected a table, got " + std::string(type_name(value)), &value.source());
    }
    Recipient recipient = read_recipient(name, *value.as_table(), base, config);
    if (!recipient.client_cn.empty()) {
      const auto [it, inserted] = client_cns.emplace(recipient.client_cn, name);
      if (!inserted) {
        fail(dotted + ".client_cn",
             "CN \"" + recipient.client_cn + "\" is also the client_cn of recipients." + it->second,
             &value.as_table()->get("client_cn")->source());
      }
    }
    recipients.emplace(name, std::move(recipient));
  }
  return recipients;
}

}  // namespace detail
}  // namespace opcat::config

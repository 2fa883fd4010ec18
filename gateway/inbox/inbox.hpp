// The reference inbox's logic, without sockets: what to answer a delivery POSTed by the gateway
// (docs/protocol.md). The header is checked before the body is read (400, 409, 415, or the
// original receipt of a retry); the body, once on disk, is verified (digest, signature, JSON and
// schema), stored, and answered with a signed receipt.
#pragma once

#include <rapidjson/schema.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include "gateway/http/router.hpp"
#include "gateway/inbox/inbox_store.hpp"
#include "gateway/signing/signer.hpp"

namespace opcat::inbox {

class Inbox {
 public:
  struct Options {
    std::filesystem::path payload_ca;  // verifies the gateway's payload signatures
    std::filesystem::path schema;      // optional JSON Schema for JSON payloads
    std::function<std::chrono::system_clock::time_point()> now = [] {
      return std::chrono::system_clock::now();
    };
  };
  // `signer` and `store` must outlive the inbox. Logs "payload_schema_absent" when the schema
  // file does not exist (payloads are then only checked to be well-formed JSON).
  Inbox(const signing::Signer& signer, InboxStore& store, Options options);
  ~Inbox();

  // Header only: a refusal, the original receipt for a delivery id already stored, or nullopt
  // (read the body).
  std::optional<http::Response> check(const http::Context& context) const;
  // The body on disk: 201 and a new signed receipt, or why not.
  http::Response receive(const http::Context& context, const http::ReceivedBody& body) const;

 private:
  std::optional<std::string> payload_problem(std::string_view payload, bool json) const;
  http::Response receipt_response(http::Status status, const StoredDelivery& stored,
                                  const http::Request& request) const;

  const signing::Signer& signer_;
  InboxStore& store_;
  Options options_;
  std::unique_ptr<rapidjson::SchemaDocument> schema_;
};

// POST /v1/deliveries (upload route, identified senders only).
void add_inbox_routes(http::Router& router, const Inbox& inbox);

}  // namespace opcat::inbox

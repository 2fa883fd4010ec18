// The reference inbox's logic, without sockets: what to answer a delivery POSTed by the gateway
// (docs/protocol.md). The header is checked before the body is read (400, 409, 415, or the
// original receipt of a retry); the body, once on disk, is verified from disk without ever being
// held in memory (digest, signature, schema: consolidated.schema.json or consolidated.xsd),
// stored, and answered with a signed receipt.
#pragma once

#include <chrono>
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
    // The folder with consolidated.schema.json, consolidated.xsd and what they refer to: a copy
    // of the gateway's schemas/. Empty: schema::schemas_dir().
    std::filesystem::path schemas;
    std::function<std::chrono::system_clock::time_point()> now = [] {
      return std::chrono::system_clock::now();
    };
  };
  // `signer` and `store` must outlive the inbox. Loads the schemas; throws std::runtime_error
  // naming the file when one cannot be read.
  Inbox(const signing::Signer& signer, InboxStore& store, Options options);
  ~Inbox();

  // Header only: a refusal, the original receipt for a delivery id already stored, or nullopt
  // (read the body).
  std::optional<http::Response> check(const http::Context& context) const;
  // The body on disk: 201 and a new signed receipt, or why not.
  http::Response receive(const http::Context& context, const http::ReceivedBody& body) const;

 private:
  class Schemas;

  http::Response receipt_response(http::Status status, const StoredDelivery& stored,
                                  const http::Request& request) const;

  const signing::Signer& signer_;
  InboxStore& store_;
  Options options_;
  std::unique_ptr<Schemas> schemas_;
};

// POST /v1/deliveries (upload route, identified senders only).
void add_inbox_routes(http::Router& router, const Inbox& inbox);

}  // namespace opcat::inbox

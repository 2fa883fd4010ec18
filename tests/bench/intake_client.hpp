// The intake benchmark's client side (docs/PERFORMANCE.md, "Intake"; scripts/bench-intake): a
// member pushing exports to POST /v1/submissions over mutual TLS, the way a member's system
// would, but timed.
//
// Why not gateway/push's HttpsClient: it makes one connection per exchange (Connection: close,
// its own io_context each time) and does not say when the body was fully sent. The load test
// needs many keep-alive connections on one thread, and the file push wants the upload and the
// gateway's work timed apart. What it can share it does: GatewayUrl and read_receipt.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "gateway/push/gateway_url.hpp"

namespace opcat::bench {

// A member's client certificate and key (PEM).
struct MemberIdentity {
  std::filesystem::path certificate;
  std::filesystem::path private_key;
};

// push-file: one export, streamed from disk on a fresh connection.
struct PushFileOptions {
  push::GatewayUrl gateway;
  MemberIdentity member;
  std::filesystem::path ca;  // the CA bundle the gateway's certificate chains to
  std::filesystem::path file;
  std::string content_type = "text/csv";
  double timeout_s = 3600;  // per step; the answer to a 1 GB export takes minutes
};

// Prints one line of key=value pairs: the HTTP status, the time to connect, to send the body and
// to get the answer (from the request's first byte), MB/s, and the receipt's fields.
// Exit status 0 for a 202, 1 otherwise.
int push_file(const PushFileOptions& options);

// push: many keep-alive connections, each pushing small distinct exports as fast as the answers
// come, for a fixed time.
struct PushLoadOptions {
  push::GatewayUrl gateway;
  std::vector<MemberIdentity> members;  // connections_per_member connections each
  std::filesystem::path ca;
  int connections_per_member = 1;
  double seconds = 20;  // the measured window
  double warmup_s = 2;  // pushes answered before the window are not counted
  // The material of the small exports: an icva-shaped export (opcat-bench generate --shape icva)
  // whose header and rows are taken `rows` at a time, plus one row that makes each body distinct.
  std::filesystem::path template_file;
  int rows = 4;
  std::string tag;  // in every body: distinct across runs on the same data directory
  double timeout_s = 120;
  std::filesystem::path timeline;  // if given: one line per second of the window (202s, max ms)
  std::filesystem::path stop_file;  // if given: the window ends early once this file exists
};

// Prints one line of key=value pairs: connections, answers by status, submissions acknowledged
// (202) per second, latency percentiles of those, transport errors, the client's CPU time.
int push_load(const PushLoadOptions& options);

}  // namespace opcat::bench

// A consolidated submission entering the outbox: its bytes placed in <data_dir>/outbox/, signed
// once (every attempt sends the same signature), and queued for its recipient. The payload is
// streamed (copied, hashed and signed in chunks): it may be far larger than memory allows.
#pragma once

#include <filesystem>
#include <string>

#include "gateway/config/config.hpp"
#include "gateway/signing/signer.hpp"
#include "gateway/store/outbox.hpp"

namespace opcat::delivery {

// What the payload is, for the recipient's manifest and the operators: opaque to delivery.
struct PayloadMetadata {
  std::string period;  // "2025-04-01..2026-03-31"
  std::string policy;  // the data policy applied ("spt")
};

// "dlv_" + 26 lowercase base32 characters (130 random bits).
std::string new_delivery_id();

// What becomes of the file given to enqueue_payload.
enum class PayloadSource {
  copy,  // left where it is (an operator's file)
  move,  // renamed into the outbox (a payload just written in the outbox folder for this)
};

// Places `payload_file` at <outbox_dir>/<id>.<json|xml> (a durable copy, or a rename), signs its
// bytes with `signer`, and enqueues it for `recipient` (due at once). Returns the new delivery.
// Throws std::runtime_error (unreadable file) or store::StoreError.
store::Delivery enqueue_payload(store::Outbox& outbox, const signing::Signer& signer,
                                const std::filesystem::path& outbox_dir,
                                const config::Recipient& recipient,
                                const std::filesystem::path& payload_file,
                                const PayloadMetadata& metadata, store::Clock::time_point now,
                                PayloadSource source = PayloadSource::copy);

}  // namespace opcat::delivery

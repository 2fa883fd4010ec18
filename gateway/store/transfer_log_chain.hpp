// The transfer log's tamper evidence. Each entry carries the SHA-256 of the previous entry and
// its own hash over its content and that previous hash, so an edited, inserted or deleted entry
// breaks the chain at that point; signed checkpoints pin the chain's head, so that rewriting the
// chain from the edit onwards (recomputing every hash) is caught too. `opcat-gateway log verify`
// runs verify_transfer_log.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/store.hpp"
#include "gateway/store/transfer_log_entry.hpp"

namespace opcat::store {

// The previous hash of the first entry.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The hash of `entry` (its seq, every field as stored, and entry.prev_hash): lower-case hex
// SHA-256 of a canonical JSON array of them. What the store writes and what verify recomputes.
std::string transfer_entry_hash(const TransferLogEntry& entry);

// The exact bytes a checkpoint's signature covers.
std::string checkpoint_text(const TransferLogCheckpoint& checkpoint);

struct ChainProblem {
  std::int64_t seq = 0;  // the entry (or checkpoint) where it shows
  std::string what;
};

struct ChainReport {
  std::uint64_t entries = 0;
  std::int64_t last_seq = 0;
  std::uint64_t checkpoints = 0;
  std::int64_t last_checkpoint_seq = 0;  // 0: none
  std::vector<ChainProblem> problems;    // empty: intact
  bool intact() const { return problems.empty(); }
};

// Checks a checkpoint's signature over checkpoint_text(); throws with the reason when it does not
// hold (the caller knows which CA to trust; the store does not sign or verify).
using CheckpointSignatureCheck = std::function<void(const TransferLogCheckpoint&)>;

// Walks the whole log in seq order (paged, never whole in memory) and every checkpoint. Finds:
// an entry whose hash does not match its content (edited); an entry whose prev_hash is not the
// hash of the entry before it, or a gap in seq (one inserted or deleted there); a checkpoint whose
// entry is missing or has another hash (the log rewritten or cut back up to there); a checkpoint
// whose signature does not hold (when `check` is given). Entries after the last checkpoint are
// chained but not yet signed: the report says how many.
ChainReport verify_transfer_log(Store& store, const CheckpointSignatureCheck& check = {});

}  // namespace opcat::store

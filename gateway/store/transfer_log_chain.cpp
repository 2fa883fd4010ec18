#include "gateway/store/transfer_log_chain.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "adapters/core/sha256.hpp"
#include "gateway/store/timestamp.hpp"

namespace opcat::store {
namespace {

void text(rapidjson::Writer<rapidjson::StringBuffer>& json, std::string_view value) {
  json.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

}  // namespace

std::string transfer_entry_hash(const TransferLogEntry& e) {
  // A JSON array in a fixed order: unambiguous (every string quoted and escaped), and readable by
  // anyone who wants to recompute a hash with another tool. The version tag lets the form change.
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> json(out);
  json.StartArray();
  json.String("opcat-gateway/transfer-log-entry/1");
  json.Int64(e.seq);
  text(json, format_utc(e.time));
  json.String(to_string(e.direction));
  text(json, e.member);
  text(json, e.recipient);
  text(json, e.submission_id);
  text(json, e.delivery_id);
  json.Uint64(e.bytes);
  json.Uint64(e.records);
  text(json, e.status);
  json.Int(e.http_status);
  json.Int64(e.duration_ms);
  text(json, e.error);
  text(json, e.prev_hash);
  json.EndArray();
  return adapters::sha256_hex(std::string_view(out.GetString(), out.GetSize()));
}

std::string checkpoint_text(const TransferLogCheckpoint& checkpoint) {
  return "opcat-gateway/transfer-log-checkpoint/1\nseq: " + std::to_string(checkpoint.seq) +
         "\nhash: " + checkpoint.hash + "\ntime: " + format_utc(checkpoint.time) + "\n";
}

ChainReport verify_transfer_log(Store& store, const CheckpointSignatureCheck& check) {
  ChainReport report;
  const auto checkpoints = store.list_checkpoints();
  auto next_checkpoint = checkpoints.begin();
  // Checkpoints whose entry the walk never met (the log was cut back past them) are reported
  // after the walk.
  const auto problem = [&](std::int64_t seq, std::string what) {
    report.problems.push_back({seq, std::move(what)});
  };

  std::string prev_hash(kGenesisHash);
  std::int64_t prev_seq = 0;
  TransferQuery page;
  page.limit = 1000;
  for (;;) {
    const auto entries = store.list_transfers(page);
    for (const TransferLogEntry& e : entries) {
      ++report.entries;
      if (e.seq != prev_seq + 1) {
        problem(e.seq, "entries " + std::to_string(prev_seq + 1) + " to " +
                           std::to_string(e.seq - 1) + " are missing (deleted)");
      }
      if (e.prev_hash != prev_hash) {
        problem(e.seq, "its prev_hash is not the hash of the entry before it (seq " +
                           std::to_string(prev_seq) +
                           "): an entry was inserted or deleted here, or that one was altered");
      }
      if (e.hash.empty() || transfer_entry_hash(e) != e.hash) {
        problem(e.seq, "its content does not match its hash: the entry was edited");
      }
      while (next_checkpoint != checkpoints.end() && next_checkpoint->seq < e.seq) {
        problem(next_checkpoint->seq, "a signed checkpoint names this entry, which is missing");
        ++next_checkpoint;
      }
      if (next_checkpoint != checkpoints.end() && next_checkpoint->seq == e.seq) {
        if (next_checkpoint->hash != e.hash) {
          problem(e.seq,
                  "the signed checkpoint at this entry holds another hash: the log was rewritten "
                  "up to here");
        }
        ++next_checkpoint;
      }
      prev_hash = e.hash;
      prev_seq = e.seq;
    }
    if (entries.size() < page.limit) break;
    page.after_seq = entries.back().seq;
  }
  report.last_seq = prev_seq;
  for (; next_checkpoint != checkpoints.end(); ++next_checkpoint) {
    problem(next_checkpoint->seq,
            "a signed checkpoint names this entry, but the log ends at " +
                std::to_string(prev_seq) + ": entries were removed from the end");
  }
  for (const TransferLogCheckpoint& checkpoint : checkpoints) {
    ++report.checkpoints;
    report.last_checkpoint_seq = checkpoint.seq;
    if (!check) continue;
    try {
      check(checkpoint);
    } catch (const std::exception& e) {
      problem(checkpoint.seq, std::string("the checkpoint's signature does not hold: ") + e.what());
    }
  }
  return report;
}

}  // namespace opcat::store

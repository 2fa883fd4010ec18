// Where the reference inbox keeps what it received: one folder per delivery id,
//   <data_dir>/deliveries/<id>/payload.<json|xml>   the payload, byte for byte
//                              payload.p7s           the gateway's signature over it (DER)
//                              receipt.json          the receipt the inbox answered with
//                              receipt.p7s           the inbox's signature over it (DER)
// written in a hidden temporary folder, fsync'd and renamed whole: a delivery is there with its
// receipt, or not at all. The folder name is the de-duplication key.
#pragma once

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opcat::inbox {

struct StoredDelivery {
  std::string receipt;
  std::string receipt_signature;  // DER
};

struct NewStoredDelivery {
  std::string id;
  std::filesystem::path received_body;  // linked (or copied) as the payload
  std::string extension;                // "json" or "xml"
  std::string payload_signature;        // DER
  std::string receipt;
  std::string receipt_signature;  // DER
};

class InboxStore {
 public:
  explicit InboxStore(std::filesystem::path data_dir);

  std::optional<StoredDelivery> find(std::string_view id) const;
  // Stores it unless the id is there already; returns what is stored under the id either way
  // (the first one wins: a concurrent retry gets the original receipt).
  StoredDelivery store(const NewStoredDelivery& delivery);
  // The ids stored, sorted (tests, and an operator's `ls`).
  std::vector<std::string> ids() const;
  std::filesystem::path folder_of(std::string_view id) const { return root_ / std::string(id); }

 private:
  std::filesystem::path root_;
  mutable std::mutex mutex_;  // one store() at a time: find-then-rename must not interleave
};

}  // namespace opcat::inbox

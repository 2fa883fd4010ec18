// Folder mode, for an air-gapped hand-over: each delivery becomes three files in the folder,
//   <id>.<ext>            the payload, byte for byte
//   <id>.<ext>.p7s        its detached CMS signature (DER): `openssl cms -verify` checks it
//   <id>.manifest.json    what the two are (written LAST: a manifest means the set is complete)
// each written under a temporary name, fsync'd and renamed, so a reader never sees half a file.
#pragma once

#include "gateway/delivery/recipient.hpp"

namespace opcat::delivery {

class FolderRecipient final : public Recipient {
 public:
  explicit FolderRecipient(const config::Recipient& settings);
  const std::string& name() const override { return name_; }
  // Delivered once the manifest is in place; its bytes are the "receipt" the outbox keeps.
  Handover hand_over(const store::Delivery& delivery, std::stop_token stop) override;

 private:
  std::string name_;
  std::filesystem::path folder_;
};

}  // namespace opcat::delivery

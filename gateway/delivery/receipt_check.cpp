#include "gateway/delivery/receipt_check.hpp"

#include <rapidjson/document.h>

#include <stdexcept>

#include "gateway/signing/verifier.hpp"

namespace opcat::delivery {

std::optional<std::string> receipt_problem(std::string_view receipt,
                                           std::string_view signature_der,
                                           const store::Delivery& delivery,
                                           const std::filesystem::path& ca) {
  if (signature_der.empty()) return "the receipt is not signed (no Receipt-Signature)";
  try {
    signing::verify_detached(signature_der, receipt, ca);
  } catch (const signing::SignatureError& e) {
    return std::string("receipt signature: ") + e.what();
  }
  rapidjson::Document document;
  document.Parse(receipt.data(), receipt.size());
  if (document.HasParseError() || !document.IsObject()) return "the receipt is not a JSON object";
  const auto text = [&](const char* key) -> std::string {
    const auto it = document.FindMember(key);
    if (it == document.MemberEnd() || !it->value.IsString()) return {};
    return {it->value.GetString(), it->value.GetStringLength()};
  };
  // A valid signature over somebody else's receipt proves nothing about this delivery.
  if (const std::string id = text("delivery_id"); id != delivery.id) {
    return "the receipt names delivery \"" + id + "\", not " + delivery.id;
  }
  if (const std::string sha = text("payload_sha256"); sha != delivery.sha256) {
    return "the receipt names payload SHA-256 \"" + sha + "\", not " + delivery.sha256;
  }
  return std::nullopt;
}

}  // namespace opcat::delivery

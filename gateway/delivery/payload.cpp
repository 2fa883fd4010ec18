#include "gateway/delivery/payload.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "gateway/push/durable_files.hpp"

namespace opcat::delivery {
namespace fs = std::filesystem;

std::string new_delivery_id() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::array<unsigned char, 26> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    throw std::runtime_error("no randomness for a delivery id (RAND_bytes failed)");
  }
  std::string id = "dlv_";
  for (unsigned char byte : random) id += kAlphabet[byte & 0x1f];
  return id;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the payload " + path.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw std::runtime_error("error while reading the payload " + path.string());
  return std::move(bytes).str();
}

std::string metadata_json(const config::Recipient& recipient, const PayloadMetadata& metadata,
                          const std::string& sha256) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("recipient");
  w.String(recipient.name.c_str());
  w.Key("period");
  w.String(metadata.period.c_str());
  w.Key("format");
  w.String(config::to_string(recipient.format));
  w.Key("policy");
  w.String(metadata.policy.c_str());
  w.Key("payload_sha256");
  w.String(sha256.c_str());
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

store::Delivery enqueue_payload(store::Outbox& outbox, const signing::Signer& signer,
                                const fs::path& outbox_dir, const config::Recipient& recipient,
                                const fs::path& payload_file, const PayloadMetadata& metadata,
                                store::Clock::time_point now) {
  // The signature needs the whole payload; consolidated submissions are tens of MB at most.
  const std::string bytes = read_file(payload_file);
  const bool xml = recipient.format == config::PayloadFormat::xml;
  store::Delivery delivery;
  delivery.id = new_delivery_id();
  delivery.recipient = recipient.name;
  delivery.payload = outbox_dir / (delivery.id + (xml ? ".xml" : ".json"));
  delivery.sha256 = sha256_hex(bytes);
  delivery.size = bytes.size();
  delivery.signature = signer.sign_detached(bytes);
  delivery.content_type = xml ? "application/xml" : "application/json";
  delivery.metadata_json = metadata_json(recipient, metadata, delivery.sha256);
  delivery.created_at = now;
  delivery.due_at = now;
  delivery.retry_since = now;
  fs::create_directories(outbox_dir);
  // The file first: a crash before the row leaves an orphan file, never a row without its file.
  if (!push::write_new_file(delivery.payload, bytes)) {
    throw std::runtime_error(delivery.payload.string() + " exists already");
  }
  outbox.enqueue(delivery);
  return delivery;
}

}  // namespace opcat::delivery

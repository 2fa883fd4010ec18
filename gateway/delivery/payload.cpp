#include "gateway/delivery/payload.hpp"

#include <fcntl.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "adapters/core/sha256.hpp"
#include "gateway/push/durable_files.hpp"
#include "gateway/push/file_pusher.hpp"
#include "gateway/store/submission_id.hpp"

namespace opcat::delivery {
namespace fs = std::filesystem;

std::string new_delivery_id() { return store::new_id("dlv_"); }

namespace {

// Copies `from` into the new file `to` (durably, never replacing), hashing the bytes on the way.
std::string copy_hashing(const fs::path& from, const fs::path& to) {
  adapters::Sha256 digest;
  if (!push::copy_new_file(from, to, [&](std::string_view piece) { digest.update(piece); })) {
    throw std::runtime_error(to.string() + " exists already");
  }
  return digest.finish_hex();
}

// fsync of a file written by someone else (the consolidator's stream), before it is renamed.
void sync_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    throw std::system_error(error, std::generic_category(), "fsync " + path.string());
  }
  ::close(fd);
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
                                store::Clock::time_point now, PayloadSource source) {
  const bool xml = recipient.format == config::PayloadFormat::xml;
  store::Delivery delivery;
  delivery.id = new_delivery_id();
  delivery.recipient = recipient.name;
  delivery.payload = outbox_dir / (delivery.id + (xml ? ".xml" : ".json"));
  fs::create_directories(outbox_dir);
  // The file first: a crash before the row leaves an orphan file, never a row without its file.
  if (source == PayloadSource::move) {
    sync_file(payload_file);
    if (!push::move_without_replacing(payload_file, delivery.payload)) {
      throw std::runtime_error(delivery.payload.string() + " exists already");
    }
  } else {
    delivery.sha256 = copy_hashing(payload_file, delivery.payload);
  }
  // Until its row is committed the file is nobody's: removed if anything fails (and, after a
  // crash, by the gateway's start-up sweep of files without a row).
  try {
    if (source == PayloadSource::move) delivery.sha256 = push::sha256_of_file(delivery.payload);
    delivery.size = fs::file_size(delivery.payload);
    delivery.signature = signer.sign_detached_file(delivery.payload);
    delivery.content_type = xml ? "application/xml" : "application/json";
    delivery.metadata_json = metadata_json(recipient, metadata, delivery.sha256);
    delivery.created_at = now;
    delivery.due_at = now;
    delivery.retry_since = now;
    outbox.enqueue(delivery);
  } catch (...) {
    std::error_code ignored;
    fs::remove(delivery.payload, ignored);
    throw;
  }
  return delivery;
}

}  // namespace opcat::delivery

#include "gateway/delivery/folder_recipient.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gateway/push/durable_files.hpp"
#include "gateway/store/timestamp.hpp"

namespace opcat::delivery {
namespace {
namespace fs = std::filesystem;

std::string manifest_json(const store::Delivery& d, const std::string& payload_name) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("manifest");
  w.String("opcat-gateway/folder-delivery/1");
  w.Key("delivery_id");
  w.String(d.id.c_str());
  w.Key("recipient");
  w.String(d.recipient.c_str());
  w.Key("payload");
  w.String(payload_name.c_str());
  w.Key("signature");
  w.String((payload_name + ".p7s").c_str());
  w.Key("payload_sha256");
  w.String(d.sha256.c_str());
  w.Key("size");
  w.Uint64(d.size);
  w.Key("content_type");
  w.String(d.content_type.c_str());
  w.Key("created_at");
  w.String(store::format_utc(d.created_at).c_str());
  w.Key("metadata");
  w.RawValue(d.metadata_json.c_str(), d.metadata_json.size(), rapidjson::kObjectType);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace

FolderRecipient::FolderRecipient(const config::Recipient& settings)
    : name_(settings.name), folder_(settings.folder) {}

Handover FolderRecipient::hand_over(const store::Delivery& delivery, std::stop_token) {
  Handover handover;
  try {
    fs::create_directories(folder_);
    const std::string payload_name = delivery.payload.filename().string();
    const fs::path manifest = folder_ / (delivery.id + ".manifest.json");
    const std::string manifest_bytes = manifest_json(delivery, payload_name);
    // A retry after a crash finds some files there already: they were written whole (renamed
    // only once complete), so a name that exists holds the same bytes; only the rest are added.
    push::copy_new_file(delivery.payload, folder_ / payload_name);
    push::write_new_file(folder_ / (payload_name + ".p7s"), delivery.signature);
    push::write_new_file(manifest, manifest_bytes);
    handover.result = Handover::Result::delivered;
    handover.receipt = manifest_bytes;
  } catch (const std::exception& e) {
    handover.error = std::string("folder: ") + e.what();  // retry: a full disk, a missing mount
  }
  return handover;
}

}  // namespace opcat::delivery

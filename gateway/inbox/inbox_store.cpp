#include "gateway/inbox/inbox_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include "gateway/push/durable_files.hpp"

namespace opcat::inbox {
namespace fs = std::filesystem;
namespace {

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return std::move(bytes).str();
}

void fsync_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + path.string());
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw std::system_error(errno, std::generic_category(), "fsync " + path.string());
}

}  // namespace

InboxStore::InboxStore(fs::path data_dir) : root_(std::move(data_dir) / "deliveries") {
  fs::create_directories(root_);
  // Temporary folders of deliveries cut off by a crash were never acknowledged: the gateway
  // sends them again.
  for (const auto& entry : fs::directory_iterator(root_)) {
    if (entry.path().filename().string().starts_with(".tmp-")) fs::remove_all(entry.path());
  }
}

std::optional<StoredDelivery> InboxStore::find(std::string_view id) const {
  const fs::path folder = folder_of(id);
  auto receipt = read_file(folder / "receipt.json");
  auto signature = read_file(folder / "receipt.p7s");
  if (!receipt || !signature) return std::nullopt;
  return StoredDelivery{std::move(*receipt), std::move(*signature)};
}

StoredDelivery InboxStore::store(const NewStoredDelivery& d) {
  std::lock_guard lock(mutex_);
  if (auto existing = find(d.id)) return *existing;
  const fs::path temp = root_ / (".tmp-" + d.id);
  fs::remove_all(temp);
  fs::create_directories(temp);
  const fs::path payload = temp / ("payload." + d.extension);
  // A hard link to the received body costs no copy; a copy when the body is on another device.
  std::error_code ec;
  fs::create_hard_link(d.received_body, payload, ec);
  if (ec) fs::copy_file(d.received_body, payload);
  fsync_file(payload);
  push::write_new_file(temp / "payload.p7s", d.payload_signature);
  push::write_new_file(temp / "receipt.json", d.receipt);
  push::write_new_file(temp / "receipt.p7s", d.receipt_signature);
  push::sync_directory(temp);
  fs::rename(temp, folder_of(d.id));
  push::sync_directory(root_);
  return {d.receipt, d.receipt_signature};
}

std::vector<std::string> InboxStore::ids() const {
  std::vector<std::string> ids;
  for (const auto& entry : fs::directory_iterator(root_)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(".")) ids.push_back(name);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace opcat::inbox

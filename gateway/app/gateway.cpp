#include "gateway/app/gateway.hpp"

#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <stdexcept>

#include "adapters/schema/schemas_dir.hpp"
#include "gateway/http/member_api.hpp"
#include "gateway/http/submissions_api.hpp"
#include "gateway/log/log.hpp"
#include "gateway/store/sqlite/sqlite_outbox.hpp"
#include "gateway/store/sqlite/sqlite_store.hpp"
#include "gateway/delivery/pull_api.hpp"

namespace opcat::app {
namespace {

unsigned worker_count(unsigned configured) {
  if (configured > 0) return configured;
  return std::max(1u, std::thread::hardware_concurrency());
}

signing::Signer load_signer(const config::Config& config) {
  if (!config.signing) {
    throw std::runtime_error(
        "no [signing] section in the configuration: the gateway signs every receipt it gives, "
        "so it needs a signing certificate and key (see gateway/gateway.example.toml)");
  }
  return signing::Signer::load(config.signing->certificate, config.signing->private_key,
                               config.signing->chain);
}

}  // namespace

Gateway::Gateway(const config::Config& config)
    : config_(config),
      mappings_(adapters::MappingCatalogue::load(adapters::default_mappings_dir())),
      schema_(schema::RecordSchema::load(schema::schemas_dir())),
      signer_(load_signer(config_)),
      archive_(std::make_shared<store::BodyArchive>(config_.data_dir)),
      work_(worker_count(config_.intake.workers)) {
  // Leftovers of a crash: bodies that were being received when it happened were never
  // acknowledged, so their members will push them again.
  if (const auto removed = archive_->remove_temp_files(); removed > 0) {
    log::info("removed_partial_bodies").field("count", static_cast<std::uint64_t>(removed));
  }
  auto sqlite_store = std::make_unique<store::sqlite::SqliteStore>(config_.data_dir);
  outbox_ = std::make_unique<store::sqlite::SqliteOutbox>(*sqlite_store);
  store_ = std::move(sqlite_store);
  intake_ = std::make_unique<intake::Intake>(
      *store_, mappings_, schema_, signer_,
      intake::Intake::Options{.receipt_errors = config_.intake.receipt_errors});

  net::ServerParts parts;
  parts.member_routes = http::member_api();
  http::add_submission_routes(parts.member_routes, *intake_, *store_);
  delivery::add_pull_routes(parts.member_routes, *outbox_, config_.recipients);
  parts.archive = archive_;
  parts.work = work_.get_executor();
  server_ = std::make_unique<net::Server>(config_, std::move(parts));

  prune_bodies();
  retention_ = std::thread([this] { run_retention(); });

  auto recipients = delivery::Deliverer::from_config(config_.recipients);
  if (!recipients.empty()) {
    deliverer_ = std::make_unique<delivery::Deliverer>(*outbox_, std::move(recipients));
    deliverer_->start();
  }
}

store::Delivery Gateway::enqueue_delivery(const std::string& recipient,
                                          const std::filesystem::path& payload,
                                          const delivery::PayloadMetadata& metadata) {
  const auto it = config_.recipients.find(recipient);
  if (it == config_.recipients.end()) {
    throw std::invalid_argument("no recipient \"" + recipient + "\" in the configuration");
  }
  store::Delivery queued = delivery::enqueue_payload(*outbox_, signer_, config_.data_dir / "outbox",
                                                     it->second, payload, metadata,
                                                     store::Clock::now());
  log::info("delivery_enqueued")
      .field("delivery_id", queued.id)
      .field("recipient", recipient)
      .field("size", queued.size)
      .field("payload_sha256", queued.sha256);
  if (deliverer_) deliverer_->wake();
  return queued;
}

bool Gateway::requeue_delivery(const std::string& delivery_id) {
  if (deliverer_) return deliverer_->requeue(delivery_id);
  return outbox_->requeue(delivery_id, store::Clock::now());  // a pull recipient's
}

Gateway::~Gateway() {
  // An exchange in progress is abandoned; its delivery is due again at the next start.
  if (deliverer_) deliverer_->stop();
  {
    std::lock_guard lock(retention_mutex_);
    stopping_ = true;
  }
  retention_wake_.notify_all();
  if (retention_.joinable()) retention_.join();
  // Uploads being processed finish (their commits are durable or rolled back) before the
  // server, the store and the intake they use go away.
  work_.join();
  server_.reset();
}

void Gateway::run(bool handle_signals) { server_->run(handle_signals); }

void Gateway::shutdown() { server_->shutdown(); }

void Gateway::prune_bodies() {
  if (config_.retention.bodies_days == 0) return;
  const auto cutoff = std::filesystem::file_time_type::clock::now() -
                      std::chrono::hours(24) * config_.retention.bodies_days;
  try {
    const auto removed = archive_->remove_older_than(cutoff);
    if (removed > 0) {
      log::info("bodies_pruned")
          .field("count", static_cast<std::uint64_t>(removed))
          .field("older_than_days", static_cast<std::uint64_t>(config_.retention.bodies_days));
    }
  } catch (const std::exception& e) {
    log::warn("body_pruning_failed").field("reason", e.what());
  }
}

void Gateway::run_retention() {
  std::unique_lock lock(retention_mutex_);
  // Hourly is plenty for a limit counted in days, and cheap: one directory walk.
  while (!retention_wake_.wait_for(lock, std::chrono::hours(1), [this] { return stopping_; })) {
    lock.unlock();
    prune_bodies();
    lock.lock();
  }
}

}  // namespace opcat::app

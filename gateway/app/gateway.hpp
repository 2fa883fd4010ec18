// The whole gateway assembled from its configuration: the store and body archive in the data
// directory, the members' mappings, the signer, intake and the two listeners. `serve` runs one;
// integration tests start one on port 0 in a temp directory.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "adapters/mapping/catalogue.hpp"
#include "adapters/schema/record_schema.hpp"
#include "gateway/app/alert_watch.hpp"
#include "gateway/app/alert_webhook.hpp"
#include "gateway/auth/browser_sessions.hpp"
#include "gateway/auth/login_throttle.hpp"
#include "gateway/config/config.hpp"
#include "gateway/consolidation/consolidation_queue.hpp"
#include "gateway/consolidation/policy.hpp"
#include "gateway/delivery/deliverer.hpp"
#include "gateway/delivery/payload.hpp"
#include "gateway/intake/intake.hpp"
#include "gateway/net/server.hpp"
#include "gateway/signing/signer.hpp"
#include "gateway/store/body_archive.hpp"
#include "gateway/store/outbox.hpp"
#include "gateway/store/store.hpp"

namespace opcat::app {

class Gateway {
 public:
  // Opens (creating and migrating if needed) the data directory, loads and checks every mapping,
  // the schema and the signing key, and binds both listeners. Throws std::runtime_error (or
  // config::ConfigError for a bad mapping) naming what is wrong; nothing is served then.
  explicit Gateway(const config::Config& config);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Serves until a graceful shutdown has finished (see net::Server::run).
  void run(bool handle_signals = true);
  // Starts the graceful shutdown from any thread.
  void shutdown();

  net::Server& server() { return *server_; }
  store::Store& store() { return *store_; }
  const store::BodyArchive& archive() const { return *archive_; }
  store::Outbox& outbox() { return *outbox_; }

  // Operator-facing, for consolidation to call: copies the payload into <data_dir>/outbox/,
  // signs it, and queues it for the configured recipient (push and folder recipients get it
  // from the Deliverer at once; a pull recipient fetches it). Throws std::invalid_argument for
  // a recipient not in the config, std::runtime_error or store::StoreError otherwise.
  store::Delivery enqueue_delivery(const std::string& recipient,
                                   const std::filesystem::path& payload,
                                   const delivery::PayloadMetadata& metadata,
                                   delivery::PayloadSource source = delivery::PayloadSource::copy);

  // Consolidates the request's period from this gateway's store with the recipient's data
  // policy and format, and enqueues the payload for it; synchronous (seconds for a large store).
  // What the consolidation queue runs, for POST /v1/consolidations and the schedules. Throws
  // std::invalid_argument for a recipient not in the config, std::runtime_error otherwise.
  consolidation::ConsolidationOutcome consolidate_for(
      const consolidation::ConsolidationRequest& request);
  consolidation::ConsolidationQueue& consolidations() { return *consolidations_; }

  // Signs the transfer log's head (store::TransferLogCheckpoint) unless the newest entry is
  // signed already. Every 5 minutes and at shutdown; returns the seq signed, or 0 for nothing new.
  std::int64_t checkpoint_transfer_log();

  // GET /metrics (admin listener): app/metrics.hpp.
  std::string metrics_text();

  // Raises and clears alerts (app/alert_watch.hpp); every minute, and for tests on demand.
  std::size_t evaluate_alerts();
  // An operator's second chance for a failed (dead-letter) delivery; false unless it was failed.
  bool requeue_delivery(const std::string& delivery_id);

 private:
  // The browser console on the admin listener: its files, sign-in, accounts and views.
  void add_console(http::Router& routes);
  void remove_outbox_leftovers();
  void prune_bodies();
  void run_housekeeping();

  const config::Config config_;
  adapters::MappingCatalogue mappings_;
  schema::RecordSchema schema_;
  signing::Signer signer_;
  std::shared_ptr<store::BodyArchive> archive_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<intake::Intake> intake_;
  std::unique_ptr<store::Outbox> outbox_;  // in store_'s database
  // Each recipient's data policy, loaded (and its key read) once at start-up: a bad policy stops
  // the gateway from starting rather than failing a consolidation at 2 a.m.
  std::map<std::string, consolidation::DataPolicy> policies_;
  // The console's sign-ins (in memory: a restart signs everyone out), used by the admin routes.
  auth::BrowserSessions sessions_;
  auth::LoginThrottle login_throttle_;
  // Declared after what its jobs use: joined (in ~Gateway) before any of it is destroyed.
  boost::asio::thread_pool work_;
  std::unique_ptr<net::Server> server_;
  // Started at construction when a push or folder recipient is configured; stopped first.
  std::unique_ptr<delivery::Deliverer> deliverer_;
  // Stopped before the deliverer: a job ends by enqueueing a delivery.
  std::unique_ptr<consolidation::ConsolidationQueue> consolidations_;

  std::unique_ptr<AlertWebhook> alert_webhook_;  // when [alerts] webhook_url is set
  std::unique_ptr<AlertWatch> alert_watch_;
  // Housekeeping: alerts (every minute), transfer-log checkpoints (every 5 minutes) and body
  // retention (hourly).
  std::mutex housekeeping_mutex_;
  std::condition_variable housekeeping_wake_;
  bool stopping_ = false;
  std::thread housekeeping_;
};

}  // namespace opcat::app

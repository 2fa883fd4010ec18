#include "gateway/app/gateway.hpp"

#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <fstream>
#include <stdexcept>

#include "adapters/schema/schemas_dir.hpp"
#include "gateway/app/metrics.hpp"
#include "gateway/http/console_api.hpp"
#include "gateway/http/json_response.hpp"
#include "gateway/http/member_api.hpp"
#include "gateway/http/operations_api.hpp"
#include "gateway/http/operators_api.hpp"
#include "gateway/http/session_api.hpp"
#include "gateway/http/submissions_api.hpp"
#include "gateway/log/log.hpp"
#include "gateway/store/sqlite/sqlite_outbox.hpp"
#include "gateway/store/sqlite/sqlite_store.hpp"
#include "gateway/store/submission_id.hpp"
#include "gateway/store/transfer_log_chain.hpp"
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

std::map<std::string, consolidation::DataPolicy> load_policies(
    const config::Config& config, const schema::RecordSchema& schema) {
  std::map<std::string, consolidation::DataPolicy> policies;
  for (const auto& [name, recipient] : config.recipients) {
    try {
      policies.emplace(name, consolidation::DataPolicy::for_recipient(recipient, schema));
    } catch (const std::exception& e) {
      throw config::ConfigError("recipients." + name + ".policy: " + e.what());
    }
  }
  return policies;
}

std::map<std::string, config::DailySchedule> schedules(const config::Config& config) {
  std::map<std::string, config::DailySchedule> found;
  for (const auto& [name, recipient] : config.recipients) {
    if (recipient.schedule) found.emplace(name, *recipient.schedule);
  }
  return found;
}

// A payload being written by a consolidation: "<outbox>/.tmp_<id>.partial".
constexpr std::string_view kPartialPrefix = ".tmp_";
constexpr std::string_view kPartialSuffix = ".partial";
constexpr auto kPayloadPermissions =
    std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
    std::filesystem::perms::group_read;

}  // namespace

Gateway::Gateway(const config::Config& config)
    : config_(config),
      mappings_(adapters::MappingCatalogue::load(adapters::default_mappings_dir())),
      schema_(schema::RecordSchema::load(schema::schemas_dir())),
      signer_(load_signer(config_)),
      archive_(std::make_shared<store::BodyArchive>(config_.data_dir)),
      sessions_(auth::SessionPolicy{.idle = config_.admin.session_idle,
                                    .absolute = config_.admin.session_max}),
      work_(worker_count(config_.intake.workers)) {
  // Leftovers of a crash: bodies that were being received when it happened were never
  // acknowledged, so their members will push them again.
  if (const auto removed = archive_->remove_temp_files(); removed > 0) {
    log::info("removed_partial_bodies").field("count", static_cast<std::uint64_t>(removed));
  }
  auto sqlite_store = std::make_unique<store::sqlite::SqliteStore>(config_.data_dir);
  outbox_ = std::make_unique<store::sqlite::SqliteOutbox>(*sqlite_store);
  store_ = std::move(sqlite_store);
  policies_ = load_policies(config_, schema_);
  if (!config_.alerts.webhook_url.empty()) {
    alert_webhook_ = std::make_unique<AlertWebhook>(
        WebhookSettings{.url = config_.alerts.webhook_url,
                        .ca = config_.alerts.webhook_ca,
                        .certificate = config_.alerts.webhook_certificate,
                        .private_key = config_.alerts.webhook_private_key});
  }
  alert_watch_ = std::make_unique<AlertWatch>(
      *store_, *outbox_, config_,
      alert_webhook_ ? AlertWatch::Notify([this](const store::Alert& alert, bool raised) {
        alert_webhook_->notify(alert, raised);
      })
                     : AlertWatch::Notify());
  remove_outbox_leftovers();
  intake_ = std::make_unique<intake::Intake>(
      *store_, mappings_, schema_, signer_,
      intake::Intake::Options{.receipt_errors = config_.intake.receipt_errors});

  net::ServerParts parts;
  parts.member_routes = http::member_api();
  http::add_submission_routes(parts.member_routes, *intake_, *store_);
  delivery::add_pull_routes(parts.member_routes, *outbox_, config_.recipients);
  consolidations_ = std::make_unique<consolidation::ConsolidationQueue>(
      [this](const consolidation::ConsolidationRequest& request) {
        return consolidate_for(request);
      },
      consolidation::ConsolidationQueue::Options{.schedules = schedules(config_)});
  http::add_operations_routes(
      parts.admin_routes,
      http::Operations{.store = *store_,
                       .consolidations = *consolidations_,
                       .outbox = *outbox_,
                       .recipients = config_.recipients,
                       .requeue = [this](const std::string& id) { return requeue_delivery(id); },
                       .today = [] { return consolidation::today_utc(); }});
  // Read at scrape time; server_ exists by then (routes run only once it serves).
  parts.admin_routes.add(http::Verb::get, "/metrics", http::Access::identified,
                         [this](const http::Context& context) {
                           return http::bytes_response(http::Status::ok, metrics_text(),
                                                       "text/plain; version=0.0.4; charset=utf-8",
                                                       context.request);
                         });
  if (config_.admin.console) add_console(parts.admin_routes);
  parts.archive = archive_;
  parts.work = work_.get_executor();
  server_ = std::make_unique<net::Server>(config_, std::move(parts));

  auto recipients = delivery::Deliverer::from_config(config_.recipients);
  if (!recipients.empty()) {
    deliverer_ = std::make_unique<delivery::Deliverer>(*outbox_, std::move(recipients));
    deliverer_->start();
  }
  consolidations_->start();

  // Last: nothing after it may throw, since a joinable std::thread destroyed by a failed
  // constructor would terminate the process instead of reporting the error.
  prune_bodies();
  housekeeping_ = std::thread([this] { run_housekeeping(); });
}

store::Delivery Gateway::enqueue_delivery(const std::string& recipient,
                                          const std::filesystem::path& payload,
                                          const delivery::PayloadMetadata& metadata,
                                          delivery::PayloadSource source) {
  const auto it = config_.recipients.find(recipient);
  if (it == config_.recipients.end()) {
    throw std::invalid_argument("no recipient \"" + recipient + "\" in the configuration");
  }
  store::Delivery queued = delivery::enqueue_payload(*outbox_, signer_, config_.data_dir / "outbox",
                                                     it->second, payload, metadata,
                                                     store::Clock::now(), source);
  log::info("delivery_enqueued")
      .field("delivery_id", queued.id)
      .field("recipient", recipient)
      .field("size", queued.size)
      .field("payload_sha256", queued.sha256);
  if (deliverer_) deliverer_->wake();
  return queued;
}

consolidation::ConsolidationOutcome Gateway::consolidate_for(
    const consolidation::ConsolidationRequest& request) {
  const auto recipient = config_.recipients.find(request.recipient);
  if (recipient == config_.recipients.end()) {
    throw std::invalid_argument("no recipient \"" + request.recipient + "\" in the configuration");
  }
  const std::filesystem::path outbox_dir = config_.data_dir / "outbox";
  std::filesystem::create_directories(outbox_dir);
  // Written beside its final place and moved in by enqueue: no second copy of a large payload.
  const std::filesystem::path partial =
      outbox_dir / (std::string(kPartialPrefix) + store::new_id("") + std::string(kPartialSuffix));
  try {
    std::ofstream file(partial, std::ios::binary | std::ios::trunc);
    if (!file) throw std::runtime_error("cannot write " + partial.string());
    // Personal data (the NPM's payload keeps it): readable by the gateway's user and group only.
    std::filesystem::permissions(partial, kPayloadPermissions,
                                 std::filesystem::perm_options::replace);
    consolidation::ConsolidationOutcome outcome;
    outcome.summary = consolidation::consolidate(*store_, request.period,
                                                 policies_.at(request.recipient),
                                                 recipient->second.format, file);
    file.close();
    if (!file) throw std::runtime_error("writing " + partial.string() + " failed");
    const store::Delivery queued = enqueue_delivery(
        request.recipient, partial,
        delivery::PayloadMetadata{.period = request.period.to_string(),
                                  .policy = outcome.summary.policy_profile},
        delivery::PayloadSource::move);
    outcome.delivery_id = queued.id;
    return outcome;
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(partial, ignored);
    throw;
  }
}

void Gateway::remove_outbox_leftovers() {
  std::filesystem::create_directories(config_.data_dir / "outbox");
  std::filesystem::permissions(config_.data_dir / "outbox",
                               kPayloadPermissions | std::filesystem::perms::owner_exec |
                                   std::filesystem::perms::group_exec,
                               std::filesystem::perm_options::replace);
  // Only the gateway writes in outbox/: a dot-file there is a payload a crash cut off (a
  // consolidation's .partial, a copy's temporary), and a payload file without its delivery row
  // was placed by an enqueue that failed or crashed before its row was committed.
  const std::filesystem::path outbox_dir = config_.data_dir / "outbox";
  std::error_code error;
  std::uint64_t removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(outbox_dir, error)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    const bool cut_off = name.starts_with(".");
    const bool orphan = name.starts_with("dlv_") && !outbox_->get_delivery(entry.path().stem().string());
    if (cut_off || orphan) removed += std::filesystem::remove(entry.path(), error) ? 1 : 0;
  }
  if (removed > 0) log::info("removed_outbox_leftovers").field("count", removed);
}

void Gateway::add_console(http::Router& routes) {
  const auto now = [] { return store::Clock::now(); };
  routes.set_session_resolver(http::session_resolver(sessions_, *store_));
  http::add_session_routes(routes, http::ConsoleSignIn{.store = *store_,
                                                       .sessions = sessions_,
                                                       .throttle = login_throttle_,
                                                       .now = now});
  http::add_operators_routes(
      routes, http::ConsoleAccounts{.store = *store_, .sessions = sessions_, .now = now});
  http::add_console_routes(routes, http::ConsoleView{.config = config_,
                                                     .store = *store_,
                                                     .outbox = *outbox_,
                                                     .sessions = sessions_,
                                                     .now = now});
}

bool Gateway::requeue_delivery(const std::string& delivery_id) {
  if (deliverer_) return deliverer_->requeue(delivery_id);
  return outbox_->requeue(delivery_id, store::Clock::now());  // a pull recipient's
}

Gateway::~Gateway() {
  // A consolidation in progress finishes (it ends by enqueueing), then the deliverer stops.
  if (consolidations_) consolidations_->stop();
  // An exchange in progress is abandoned; its delivery is due again at the next start.
  if (deliverer_) deliverer_->stop();
  {
    std::lock_guard lock(housekeeping_mutex_);
    stopping_ = true;
  }
  housekeeping_wake_.notify_all();
  if (housekeeping_.joinable()) housekeeping_.join();
  // Uploads being processed finish (their commits are durable or rolled back) before the
  // server, the store and the intake they use go away.
  work_.join();
  // The last entries of this run signed: a clean stop leaves nothing unsigned.
  checkpoint_transfer_log();
  server_.reset();
}

void Gateway::run(bool handle_signals) { server_->run(handle_signals); }

void Gateway::shutdown() { server_->shutdown(); }

void Gateway::prune_bodies() {
  // Only raw bodies go: a submission's records, errors and receipt stay in the store, and so
  // does its transfer-log entry (which holds the body's digest, not the body), so the hash chain
  // is untouched. Outbox payloads are never pruned here.
  const auto now = std::filesystem::file_time_type::clock::now();
  try {
    if (config_.retention.bodies_days > 0) {
      const auto removed = archive_->remove_older_than(
          now - std::chrono::hours(24) * config_.retention.bodies_days);
      if (removed > 0) {
        log::info("bodies_pruned")
            .field("count", static_cast<std::uint64_t>(removed))
            .field("older_than_days", static_cast<std::uint64_t>(config_.retention.bodies_days));
      }
    }
    if (config_.retention.bodies_max_mib > 0) {
      const auto pruned = archive_->remove_oldest_beyond(
          config_.retention.bodies_max_mib * 1024 * 1024, now - std::chrono::hours(1));
      if (pruned.bodies > 0) {
        log::info("bodies_pruned")
            .field("count", static_cast<std::uint64_t>(pruned.bodies))
            .field("bytes", pruned.bytes)
            .field("over_mib", config_.retention.bodies_max_mib);
      }
    }
  } catch (const std::exception& e) {
    log::warn("body_pruning_failed").field("reason", e.what());
  }
}

void Gateway::run_housekeeping() {
  using namespace std::chrono_literals;
  using steady = std::chrono::steady_clock;
  constexpr auto kTick = 1min;             // alerts
  constexpr auto kCheckpointEvery = 5min;  // transfer-log checkpoints
  constexpr auto kPruneEvery = 1h;         // plenty for a limit counted in days; one directory walk
  auto last_checkpoint = steady::now();
  auto last_prune = steady::now();
  evaluate_alerts();
  std::unique_lock lock(housekeeping_mutex_);
  while (!housekeeping_wake_.wait_for(lock, kTick, [this] { return stopping_; })) {
    lock.unlock();
    evaluate_alerts();
    if (steady::now() - last_checkpoint >= kCheckpointEvery) {
      checkpoint_transfer_log();
      last_checkpoint = steady::now();
    }
    if (steady::now() - last_prune >= kPruneEvery) {
      prune_bodies();
      last_prune = steady::now();
    }
    lock.lock();
  }
}

std::size_t Gateway::evaluate_alerts() {
  try {
    return alert_watch_->evaluate(store::Clock::now());
  } catch (const std::exception& e) {
    log::warn("alert_evaluation_failed").field("reason", e.what());
    return 0;
  }
}

std::string Gateway::metrics_text() {
  std::vector<std::string> recipients;
  for (const auto& [name, recipient] : config_.recipients) recipients.push_back(name);
  return render_metrics({.member_listener = server_->member_stats(),
                         .admin_listener = server_->admin_stats(),
                         .store = *store_,
                         .outbox = *outbox_,
                         .recipients = std::move(recipients),
                         .now = store::Clock::now()});
}

std::int64_t Gateway::checkpoint_transfer_log() {
  try {
    const auto head = store_->last_transfer();
    if (!head) return 0;
    const auto checkpoints = store_->list_checkpoints();
    if (!checkpoints.empty() && checkpoints.back().seq >= head->seq) return 0;
    store::TransferLogCheckpoint checkpoint;
    checkpoint.seq = head->seq;
    checkpoint.hash = head->hash;
    checkpoint.time = std::chrono::floor<std::chrono::milliseconds>(store::Clock::now());
    checkpoint.signature = signer_.sign_detached(store::checkpoint_text(checkpoint));
    store_->append_checkpoint(checkpoint);
    log::debug("transfer_log_checkpoint").field("seq", checkpoint.seq).field("hash", checkpoint.hash);
    return checkpoint.seq;
  } catch (const std::exception& e) {
    // Not fatal: the chain still holds; the next checkpoint covers these entries too.
    log::warn("transfer_log_checkpoint_failed").field("reason", e.what());
    return 0;
  }
}

}  // namespace opcat::app

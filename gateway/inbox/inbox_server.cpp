#include "gateway/inbox/inbox_server.hpp"

#include "gateway/log/log.hpp"

namespace opcat::inbox {

InboxServer::InboxServer(const InboxConfig& config)
    : config_(config),
      signer_(signing::Signer::load(config.signing.certificate, config.signing.private_key,
                                    config.signing.chain)),
      work_(2) {
  std::filesystem::create_directories(config_.data_dir);
  archive_ = std::make_shared<store::BodyArchive>(config_.data_dir);
  archive_->remove_temp_files();
  store_ = std::make_unique<InboxStore>(config_.data_dir);
  inbox_ = std::make_unique<Inbox>(
      signer_, *store_,
      Inbox::Options{.payload_ca = config_.payload_ca, .schemas = config_.schemas});
  net::ServerParts parts;
  parts.member_routes = http::Router();
  add_inbox_routes(parts.member_routes, *inbox_);
  parts.admin_routes = http::Router();
  parts.archive = archive_;
  parts.work = work_.get_executor();
  server_ = std::make_unique<net::Server>(config_.server_config(), std::move(parts));
}

InboxServer::~InboxServer() {
  work_.join();
  server_.reset();
}

void InboxServer::run(bool handle_signals) { server_->run(handle_signals); }

void InboxServer::shutdown() { server_->shutdown(); }

}  // namespace opcat::inbox

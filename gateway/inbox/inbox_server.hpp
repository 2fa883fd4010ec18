// The reference inbox assembled: its config, receipt signer, store, worker pool and a net::Server
// (the gateway's own TLS listener code) whose member listener serves only POST /v1/deliveries to
// the allowed senders. `opcat-gateway inbox` runs one; tests start one in-process on port 0.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <memory>

#include "gateway/inbox/inbox.hpp"
#include "gateway/inbox/inbox_config.hpp"
#include "gateway/net/server.hpp"
#include "gateway/store/body_archive.hpp"

namespace opcat::inbox {

class InboxServer {
 public:
  // Loads the signing key, opens the data directory and binds the listener; throws on failure.
  explicit InboxServer(const InboxConfig& config);
  ~InboxServer();

  void run(bool handle_signals = true);
  void shutdown();
  unsigned short port() const { return server_->member_endpoint().port(); }
  const InboxStore& store() const { return *store_; }

 private:
  InboxConfig config_;
  signing::Signer signer_;
  std::shared_ptr<store::BodyArchive> archive_;
  std::unique_ptr<InboxStore> store_;
  std::unique_ptr<Inbox> inbox_;
  boost::asio::thread_pool work_;
  std::unique_ptr<net::Server> server_;
};

}  // namespace opcat::inbox

// The reference inbox (`opcat-gateway inbox`) run in-process on its own thread, for tests that
// deliver to it over real mutual TLS; shut down and joined when destroyed.
#pragma once

#include <thread>

#include "gateway/inbox/inbox_server.hpp"

namespace opcat::testing {

class RunningInbox {
 public:
  explicit RunningInbox(const inbox::InboxConfig& config)
      : server_(config), thread_([this] { server_.run(false); }) {}
  ~RunningInbox() {
    server_.shutdown();
    thread_.join();
  }
  RunningInbox(const RunningInbox&) = delete;
  RunningInbox& operator=(const RunningInbox&) = delete;

  unsigned short port() const { return server_.port(); }
  const inbox::InboxStore& store() const { return server_.store(); }

 private:
  inbox::InboxServer server_;
  std::thread thread_;
};

}  // namespace opcat::testing

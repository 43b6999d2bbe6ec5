// One organisation's sync server in process, for tests of the protocol: a real SQLite
// central store in a fresh temp dir, the organisation keys unlocked, one user (amina,
// assistant, team um-dukhun) and the real SyncService on a clock the test sets. No socket:
// a test calls the service as the HTTP front would, so that replays, tampering and
// arrival orders can be staged exactly. Setting up is checked with doctest's REQUIRE.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sync-server/service.h"
#include "tests/support.h"

namespace amana::testing {

struct InProcessServer {
  static constexpr std::int64_t kStartMs = 1'800'000'000'000;

  InProcessServer();
  InProcessServer(const InProcessServer&) = delete;
  InProcessServer& operator=(const InProcessServer&) = delete;

  // A request with a protobuf body, straight to the service.
  server::HttpResponse call(const std::string& method, const std::string& target, const std::string& body = "");
  // A fresh single-use nonce from GET /v1/nonce.
  std::string nonce();
  std::int64_t count_records();

  // Destroyed in reverse order: the service before the store it writes to, the store
  // before its directory.
  TempDir dir;
  std::int64_t now = kStartMs;  // what the service's clock reads; a test may move it
  std::unique_ptr<server::CentralStore> store;
  server::OrgKeys keys;
  std::shared_ptr<server::Metrics> metrics = std::make_shared<server::Metrics>();
  std::unique_ptr<server::SyncService> service;
};

}  // namespace amana::testing

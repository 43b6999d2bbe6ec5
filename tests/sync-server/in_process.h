// One organisation's sync server in process, for tests of the protocol: a real SQLite
// central store in a fresh temp dir, the organisation keys unlocked, one user (amina,
// assistant, team um-dukhun) and the real SyncService on a clock the test sets. No socket:
// a test calls the service as the HTTP front would, so that replays, tampering and
// arrival orders can be staged exactly. Setting up is checked with doctest's REQUIRE.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/envelope.h"
#include "common/hlc.h"
#include "common/ids.h"
#include "proto/amana.pb.h"
#include "proto/sync.pb.h"

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

// An enrolled device speaking to an InProcessServer at the message level, as any device
// owner can with the project's own library: it enrolls, seals what it likes, and keeps
// its changeset chain (number and previous hash) itself.
struct MessageDevice {
  DeviceId id = new_device_id();
  crypto::SigningKeyPair sign = crypto::SigningKeyPair::generate();
  crypto::BoxKeyPair box = crypto::BoxKeyPair::generate();
  std::uint64_t number = 0;
  std::string previous_hash;

  // Enrolls with a fresh code of `user`; REQUIREs that the server accepted.
  void enroll(InProcessServer& server, const std::string& user = "amina");
  // `payload` signed by this device and sealed to the server, naming the device by its id
  // (an enrollment, before the server knows the id, names its signing key instead).
  std::string seal(const InProcessServer& server, envelope::Purpose purpose, const std::string& payload) const;
  // The next changeset in this device's chain, holding `operations` (each stamped with
  // this device's id).
  std::string changeset(std::vector<pb::Operation> operations);
  // A sealed push request with a fresh nonce.
  std::string push_request(InProcessServer& server, const std::vector<std::string>& changesets) const;
  // The server's sealed answer to a push, opened and parsed; an error for a refusal.
  Result<pb::PushResponse> read_push_response(const InProcessServer& server, const server::HttpResponse& response) const;
  Result<pb::PushResponse> push(InProcessServer& server, const std::vector<std::string>& changesets) const;
};

// An operation as a device would write it: every value in `values` written at `hlc`.
struct OperationSpec {
  DeviceId device;
  RecordId record;
  std::string form;
  std::map<std::string, std::string> values;
  std::string author = "amina";
  std::optional<RecordId> case_id = std::nullopt;
  HlcTime hlc = make_hlc(InProcessServer::kStartMs, 0);
  std::int64_t created_at_ms = InProcessServer::kStartMs;
  std::optional<std::uint32_t> form_version = std::nullopt;  // nullopt: the built-in pack's
};
pb::Operation make_operation(OperationSpec spec);

// An id's bytes as protobuf carries them.
std::string id_bytes(const RecordId& id);

}  // namespace amana::testing

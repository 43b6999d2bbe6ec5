// What a rogue enrolled device sends: any payload, properly signed by an enrolled device
// and sealed to the org, so that the input reaches the protobuf parsers, the limits on
// changesets and operations, the chain checks and the merge into the central store.
// This is also the path of a sync bundle (import_bundle), and of changesets inside it.
//
// Input: byte 0 picks the request; the rest is its payload. When the payload parses as the
// request's message, its nonce is replaced by a fresh one, so that inputs are not all
// stopped as replays (a separate test covers replays).
#include <cstddef>
#include <cstdint>
#include <string>

#include "proto/sync.pb.h"
#include "tests/fuzz/server_fixture.h"

namespace {

using amana::envelope::Purpose;

template <class Message>
std::string with_fresh_nonce(const std::string& payload, amana::fuzz::ServerFixture& server) {
  Message message;
  if (!message.ParseFromString(payload)) return payload;
  message.set_server_nonce(server.fresh_nonce());
  return message.SerializeAsString();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto& server = amana::fuzz::ServerFixture::get();
  const std::string payload(reinterpret_cast<const char*>(data + 1), size - 1);
  int status = 200;
  switch (data[0] % 4) {
    case 0: {
      const std::string body = with_fresh_nonce<amana::pb::PushRequest>(payload, server);
      status = server.call("POST", "/v1/push", server.seal_from_device(Purpose::push_request,
                                                                     amana::crypto::as_bytes(body))).status;
      break;
    }
    case 1: {
      const std::string body = with_fresh_nonce<amana::pb::PullRequest>(payload, server);
      status = server.call("POST", "/v1/pull", server.seal_from_device(Purpose::pull_request,
                                                                     amana::crypto::as_bytes(body))).status;
      break;
    }
    case 2: {
      const std::string body = with_fresh_nonce<amana::pb::EnrollRequest>(payload, server);
      status = server.call("POST", "/v1/enroll", server.seal_from_stranger(Purpose::enroll_request,
                                                                         amana::crypto::as_bytes(body))).status;
      break;
    }
    case 3: {
      // A bundle from a USB stick: the same push, without a nonce.
      const std::string sealed = server.seal_from_device(Purpose::bundle, amana::crypto::as_bytes(payload));
      const auto imported = server.service->import_bundle(amana::crypto::as_bytes(sealed));
      // The codes SyncService answers with a 4xx; anything else would be a 500.
      using amana::ErrorCode;
      if (!imported.ok()) {
        const ErrorCode code = imported.status().code();
        if (code != ErrorCode::corrupt && code != ErrorCode::invalid_argument && code != ErrorCode::revoked &&
            code != ErrorCode::permission_denied) {
          status = 500;
        }
      }
      break;
    }
  }
  if (status >= 500) __builtin_trap();
  return 0;
}

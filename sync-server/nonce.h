// Server nonces that prove themselves: the freshness a device's sealed request carries
// (docs/protocol.md), issued without writing anything and checked without a lookup.
//
//   nonce = expires_at_ms (8 bytes, big-endian) || random (8) || tag (16)
//   tag   = BLAKE2b-256(key, "amana/nonce/v1" || expires_at_ms || random), first 16 bytes
//   key   = BLAKE2b-256(org data key, "amana/nonce-key/v1")
//
// Why so: GET /v1/nonce is unauthenticated, so it must cost no disk sync and leave nothing
// behind that a flood could fill (a stored nonce table had to drop the oldest nonces, an
// honest device's among them). The key comes from the org's data key, so every server
// process of one organisation sharing one central store accepts the others' nonces.
// Single use is the store's part: the request a nonce opens records its tag as spent in
// that request's own transaction, until the nonce expires (CentralStore::spend_nonce);
// only a request that verified as an enrolled device's (or an enrollment's) gets there.
//
// Thread safety: const methods may be called from any thread at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/crypto.h"
#include "common/status.h"

namespace amana::server {

class NonceIssuer {
 public:
  static constexpr std::size_t kNonceBytes = 32;

  NonceIssuer(const crypto::SecretBytes& data_key, std::chrono::milliseconds lifetime);

  // A new nonce, valid until now_ms + lifetime.
  std::string issue(std::int64_t now_ms) const;

  struct Checked {
    crypto::Bytes id;  // what the store records as spent: the tag
    std::int64_t expires_at_ms = 0;
  };
  // replayed for a nonce this organisation did not issue (or was altered), or that has
  // expired; the message says which, for the device's error line.
  Result<Checked> check(std::string_view nonce, std::int64_t now_ms) const;

 private:
  crypto::SecretBytes key_;
  std::chrono::milliseconds lifetime_;
};

}  // namespace amana::server

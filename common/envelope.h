// Sealed, signed messages between devices and the server: what crosses HTTP, a proxy or
// a USB stick. Whatever carries the bytes, only the intended recipient can read them and
// it knows who wrote them.
//
// Making an envelope (sender side), in this order:
//   1. compressed = zstd(payload)                          (compress before encrypting)
//   2. signature  = Ed25519(sender, signed_bytes(purpose, sender_id, sender's Ed25519
//                   public key, recipient's X25519 public key, compressed))
//   3. inner      = pb::SignedMessage{purpose, sender_id, compressed, signature,
//                   recipient_box_public_key}
//   4. sealed     = crypto_box_seal(inner, recipient X25519 public key)   (anonymous sender)
// Opening (recipient side), cheapest check first so that forged input costs little:
//   size bound -> unseal -> parse the small SignedMessage (bounded) -> purpose matches ->
//   the signed recipient key is our own -> look up the sender's public key (unknown or
//   revoked sender stops here) -> verify the signature -> decompress with a bound -> payload.
// The payload is returned as bytes; the caller parses it as the protobuf message the
// purpose implies. The purpose is signed, so a message cannot be replayed as another kind.
//
// Both keys are signed (protocol version 4) so that whoever opens a message cannot pass it
// on as if it had been sealed to someone else: a relay that got a device to seal to the
// relay's key (a store pointed at the wrong org key) can read that message, but the real
// server refuses it re-sealed, because the device signed the relay's key, not the
// server's. The sender's own key is signed too, so a signature never verifies under a key
// other than the one the signer meant (no key substitution across identities).
//
// Thread safety: free functions, safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "common/crypto.h"
#include "common/status.h"

namespace amana::envelope {

// Values are part of the signed bytes: never renumber or reuse.
enum class Purpose : std::uint8_t {
  push_request = 1,
  push_response = 2,
  pull_request = 3,
  pull_response = 4,
  enroll_request = 5,
  enroll_response = 6,
  bundle = 7,
  dataset_request = 8,
  dataset_response = 9,
};

struct Limits {
  std::size_t max_sealed_bytes = 32u << 20;  // what a transport may hand us
  std::size_t max_payload_bytes = 64u << 20; // after decompression
};

struct Sender {
  crypto::ByteView id;                   // device id (16 bytes) or the org's id
  const crypto::SecretBytes* sign_secret_key;  // Ed25519, 64 bytes
};

struct Recipient {
  crypto::PublicKey box_public_key;
  const crypto::SecretBytes* box_secret_key;  // X25519, 32 bytes
};

struct Opened {
  crypto::Bytes sender_id;
  crypto::Bytes payload;
};

// Returns the Ed25519 public key to verify `sender_id` with, or the Status to refuse the
// message with (permission_denied for an unknown device, revoked for a revoked one).
using SenderKeyLookup = std::function<Result<crypto::PublicKey>(crypto::ByteView sender_id)>;

// The bytes the sender signs (docs/protocol.md, "Envelopes"): the domain
// "amana/envelope/v2", then every part the recipient acts on, each of fixed length or
// length-prefixed, so that no two different messages sign the same bytes.
crypto::Bytes signed_bytes(Purpose purpose, crypto::ByteView sender_id, const crypto::PublicKey& sender_sign_public_key,
                           const crypto::PublicKey& recipient_box_public_key, crypto::ByteView compressed);

crypto::Bytes seal(Purpose purpose, crypto::ByteView payload, const Sender& sender,
                   const crypto::PublicKey& recipient_box_public_key);

// corrupt for anything that fails to unseal, parse or verify, and for a message signed for
// another recipient (re-sealed on the way) or in the envelope of protocol 3 or before;
// invalid_argument for a size over the limits or the wrong purpose; the lookup's own
// Status for an unknown/revoked sender.
Result<Opened> open(crypto::ByteView sealed, Purpose expected, const Recipient& recipient,
                    const SenderKeyLookup& sender_key, const Limits& limits = {});

}  // namespace amana::envelope

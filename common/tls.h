// TLS as both sides speak it (OpenSSL through Boost.Asio): the protocol policy and the
// key pin a device keeps for its server.
//
// Bodies are sealed end to end whatever carries them (docs/protocol.md), so TLS is not
// what keeps answers secret: it hides which device talks to which server, when and how
// much, from whoever watches the network, and it stops a middlebox from reading the
// plain GETs (org keys, nonces) or rewriting them.
//
// The pin is the SHA-256 of the server certificate's SubjectPublicKeyInfo (DER), as HPKP
// and `curl --pinnedpubkey` pin, not of the whole certificate: a certificate re-issued for
// the same key (a new expiry date, another host name) keeps every device's pin valid,
// and the key is what proves who is on the other end. The office can check the value
// printed by `sync-server init` with standard tools (docs/security.md).
//
// Thread safety: the functions are pure or only touch the context passed in.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/crypto.h"
#include "common/status.h"

namespace boost::asio::ssl {
class context;
}

namespace amana::tls {

using KeyPin = std::array<std::uint8_t, 32>;  // SHA-256 of the certificate's SPKI (DER)

// Lower-case hex, as `sha256sum` prints it.
std::string to_text(const KeyPin& pin);

// The pin of a certificate given as DER or PEM (the first certificate of a PEM file: the
// server's own, before any chain). invalid_argument when it does not parse.
Result<KeyPin> key_pin_of_der(crypto::ByteView der);
Result<KeyPin> key_pin_of_pem(std::string_view pem);

// What the organisation signs (Ed25519, its signing key) to vouch for its server's TLS
// key in OrgKeys: "amana/tls-key/v1" || pin. The label keeps the signature from being
// taken for any other signed message.
crypto::Bytes signed_pin_message(const KeyPin& pin);

// TLS 1.2 or 1.3 only; for 1.2, forward-secret AEAD suites only (ECDHE with AES-GCM or
// ChaCha20-Poly1305); no compression, no renegotiation, and no session tickets: our
// client makes a fresh connection per request and never resumes, so a ticket would be
// about 200 bytes per connection paid for nothing on a link billed by the megabyte.
void apply_protocol_policy(boost::asio::ssl::context& context);

}  // namespace amana::tls

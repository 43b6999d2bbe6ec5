// A small blocking HTTP/1.1 client for devices talking to the sync server (Boost.Beast),
// over plain TCP (`http://`) or TLS (`https://`, OpenSSL).
//
// Plain HTTP is still confidential: every body is an end-to-end sealed envelope, so the
// network and any proxy see only ciphertext (docs/protocol.md). TLS adds what sealing
// cannot: it hides who syncs with whom, when and how much, and the plain GETs.
//
// Trust (https only), chosen per request by RequestOptions::trust:
//   system  the system's trust store, and the certificate must name the host (SNI is
//           sent for a host name). For a server with a certificate from a public CA.
//   pinned  the server's public key must hash to the pin the device learnt at
//           enrollment (common/tls.h); chain, names and dates are not checked: the
//           organisation signed this key (docs/protocol.md). For a self-signed server.
//   learn   any certificate; its key's pin comes back in Reply::tls_key. Only for a
//           request that carries nothing and whose answer is checked by other means:
//           GET /v1/org-keys at enrollment, whose keys the enrollment code vouches for.
// The check happens after the handshake and before a byte of the request is written, so
// an impostor learns nothing but the path the device would have asked for.
//
// Every call is bounded: one deadline for resolve, connect, handshake, write and read
// together, and a limit on the response body.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/status.h"
#include "common/tls.h"

namespace amana::http {

struct Url {
  bool tls = false;  // https://
  std::string host;
  std::string port;
  std::string base_path;  // without a trailing '/'
  // "http://host:port[/path]", "https://host:port[/path]" or "host:port" (plain HTTP);
  // invalid_argument otherwise. IPv6 hosts go in brackets: "https://[fd00::5]:8443".
  static Result<Url> parse(std::string_view text);
  std::string authority() const { return host + ":" + port; }
};

struct TlsTrust {
  enum class Mode { system, pinned, learn };
  Mode mode = Mode::system;
  tls::KeyPin pin{};  // for pinned
};

struct Reply {
  int status = 0;
  std::string body;
  std::optional<tls::KeyPin> tls_key;  // over https: the pin of the key the server presented
};

struct RequestOptions {
  std::chrono::milliseconds timeout{30'000};
  std::size_t max_body_bytes = 32u << 20;
  TlsTrust trust;  // ignored for http://
};

// io error naming the server when it cannot be reached, the TLS handshake fails or it does
// not answer in time; permission_denied when its certificate is not trusted, names another
// host, or its key is not the pinned one (nothing was sent then).
Result<Reply> request(const Url& url, const std::string& method, const std::string& target,
                      const std::string& body, const RequestOptions& options = {});

}  // namespace amana::http

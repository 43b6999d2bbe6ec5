// The server's own TLS certificate: a self-signed one that `sync-server init` makes in the
// data directory, so that an office with no certificate authority still serves https.
//
// Devices do not need the certificate to be signed by anyone: the organisation signs the
// pin of its key (common/tls.h) in GET /v1/org-keys, which a device trusts because its
// enrollment code vouches for the org keys (docs/protocol.md). Hence the choices:
//   key        ECDSA P-256: a small certificate and handshake on a link billed by the
//              byte (about half an RSA-2048 one), and every TLS client speaks it
//   validity   ten years: devices pin the key, not the certificate, and do not check its
//              dates; a browser on the office console warns about a self-signed one anyway
//   names      localhost, 127.0.0.1, ::1 and this machine's host name, for the console
//   key file   written 0600, like everything in the data directory
//
// Thread safety: the functions touch only the files named.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/status.h"
#include "common/tls.h"

namespace amana::server {

struct TlsFiles {
  std::filesystem::path certificate;  // PEM: the server's certificate, then any chain
  std::filesystem::path key;          // PEM: its private key
};

// Where init puts them: DIR/tls-certificate.pem and DIR/tls-key.pem.
TlsFiles default_tls_files(const std::filesystem::path& data_dir);
// True when both files exist.
bool tls_files_present(const TlsFiles& files);

// Makes a new key and a self-signed certificate for it and writes both; returns the pin of
// the key. already_exists when either file is there (a key is never overwritten: devices
// have pinned it), io when they cannot be written.
Result<tls::KeyPin> create_self_signed_certificate(const TlsFiles& files);

// The pin of the certificate's key: not_found, or invalid_argument naming the file when it
// is not a PEM certificate.
Result<tls::KeyPin> certificate_key_pin(const std::filesystem::path& certificate);

// What `sync-server serve` serves on `listen`: the certificate and key it was given; else
// the ones init made in `data_dir`, when both are there; else plain HTTP. Plain HTTP on an
// address other than loopback needs `plain_http` said explicitly (which also chooses it
// over certificates that are present). invalid_argument for plain HTTP off loopback
// without it, for `plain_http` with a certificate given, or for half a pair.
struct ServedTransport {
  TlsFiles tls;                         // empty: plain HTTP
  std::optional<tls::KeyPin> key_pin;   // of the certificate served
  std::string notice;                   // one line for the operator: what is served, and why it matters
};
Result<ServedTransport> choose_transport(const std::filesystem::path& data_dir, const std::string& listen,
                                         const TlsFiles& given, bool plain_http);

}  // namespace amana::server

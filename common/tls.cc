#include "common/tls.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>

#include <memory>

namespace amana::tls {
namespace {

struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

Result<KeyPin> key_pin_of(X509* cert) {
  unsigned char* spki = nullptr;
  const int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &spki);
  if (length <= 0) return invalid_argument("the certificate has no public key");
  KeyPin pin{};
  unsigned int written = 0;
  const bool hashed = EVP_Digest(spki, static_cast<std::size_t>(length), pin.data(), &written, EVP_sha256(), nullptr) == 1;
  OPENSSL_free(spki);
  if (!hashed || written != pin.size()) return invalid_argument("cannot hash the certificate's public key");
  return pin;
}

}  // namespace

std::string to_text(const KeyPin& pin) { return crypto::to_hex(pin); }

Result<KeyPin> key_pin_of_der(crypto::ByteView der) {
  const unsigned char* at = der.data();
  X509Ptr cert(d2i_X509(nullptr, &at, static_cast<long>(der.size())));
  if (!cert) return invalid_argument("not a DER certificate");
  return key_pin_of(cert.get());
}

Result<KeyPin> key_pin_of_pem(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return invalid_argument("cannot read the certificate");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return invalid_argument("not a PEM certificate (expected -----BEGIN CERTIFICATE-----)");
  return key_pin_of(cert.get());
}

crypto::Bytes signed_pin_message(const KeyPin& pin) {
  static constexpr std::string_view kLabel = "amana/tls-key/v1";
  crypto::Bytes message(kLabel.size() + pin.size());
  std::copy(kLabel.begin(), kLabel.end(), message.begin());
  std::copy(pin.begin(), pin.end(), message.begin() + static_cast<std::ptrdiff_t>(kLabel.size()));
  return message;
}

void apply_protocol_policy(boost::asio::ssl::context& context) {
  SSL_CTX* ctx = context.native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET |
                               SSL_OP_CIPHER_SERVER_PREFERENCE);
  // TLS 1.2: ephemeral ECDH and AEAD only. TLS 1.3's suites are all AEAD and forward
  // secret already; OpenSSL's default list for them stands.
  SSL_CTX_set_cipher_list(ctx,
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  SSL_CTX_set_num_tickets(ctx, 0);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
}

}  // namespace amana::tls

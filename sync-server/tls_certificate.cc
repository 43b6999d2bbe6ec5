#include "sync-server/tls_certificate.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <boost/asio/ip/address.hpp>

#include <memory>
#include <string>

#include "common/files.h"

namespace amana::server {
namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

constexpr long kValiditySeconds = 10L * 366 * 24 * 3600;

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

bool add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr) return false;
  const bool added = X509_add_ext(cert, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

Result<CertPtr> self_signed(EVP_PKEY* key) {
  CertPtr cert(X509_new());
  if (!cert) return io_error("cannot make a certificate (out of memory)");
  // A random 127-bit serial, as RFC 5280 asks certificate makers to.
  unsigned char serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof serial_bytes) != 1) return io_error("no randomness for the certificate serial");
  serial_bytes[0] &= 0x7f;
  BIGNUM* serial = BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr);
  const bool serial_set = serial != nullptr && BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(serial);
  X509_NAME* name = X509_get_subject_name(cert.get());
  const auto* common_name = reinterpret_cast<const unsigned char*>("amana-sync-server");
  std::string alt_names = "DNS:localhost,IP:127.0.0.1,IP:::1";
  const std::string host = host_name();
  // Only a plain host name goes in: anything else would not parse as a DNS name.
  if (!host.empty() && host != "localhost" && host.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                                                    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") ==
                                                  std::string::npos) {
    alt_names += ",DNS:" + host;
  }
  const bool made = serial_set && X509_set_version(cert.get(), 2) == 1 &&
                    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0) != nullptr &&
                    X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds) != nullptr &&
                    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, common_name, -1, -1, 0) == 1 &&
                    X509_set_issuer_name(cert.get(), name) == 1 && X509_set_pubkey(cert.get(), key) == 1 &&
                    add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") &&
                    add_extension(cert.get(), NID_key_usage, "critical,digitalSignature") &&
                    add_extension(cert.get(), NID_ext_key_usage, "serverAuth") &&
                    add_extension(cert.get(), NID_subject_alt_name, alt_names) &&
                    add_extension(cert.get(), NID_subject_key_identifier, "hash") &&
                    X509_sign(cert.get(), key, EVP_sha256()) > 0;
  if (!made) return io_error("cannot make the self-signed certificate (OpenSSL refused a step)");
  return cert;
}

template <class Write>
Result<std::string> pem_of(Write write) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return io_error("cannot encode the certificate or key as PEM");
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

}  // namespace

TlsFiles default_tls_files(const std::filesystem::path& data_dir) {
  return {data_dir / "tls-certificate.pem", data_dir / "tls-key.pem"};
}

bool tls_files_present(const TlsFiles& files) {
  std::error_code ec;
  return std::filesystem::exists(files.certificate, ec) && std::filesystem::exists(files.key, ec);
}

Result<tls::KeyPin> create_self_signed_certificate(const TlsFiles& files) {
  std::error_code ec;
  for (const auto& path : {files.certificate, files.key}) {
    if (std::filesystem::exists(path, ec)) {
      return Status(ErrorCode::already_exists, path.string() + " already exists: it is left as it is (devices pin "
                                                               "the key it holds)");
    }
  }
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return io_error("cannot generate the TLS key (OpenSSL: no P-256?)");
  AMANA_ASSIGN_OR_RETURN(CertPtr cert, self_signed(key.get()));
  AMANA_ASSIGN_OR_RETURN(std::string key_pem, pem_of([&](BIO* bio) {
                           return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
                         }));
  AMANA_ASSIGN_OR_RETURN(std::string cert_pem, pem_of([&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); }));
  // The key first: a certificate without its key is useless, a key without its
  // certificate only wastes a file.
  AMANA_RETURN_IF_ERROR(write_file_atomically(files.key, key_pem));
  OPENSSL_cleanse(key_pem.data(), key_pem.size());
  AMANA_RETURN_IF_ERROR(write_file_atomically(files.certificate, cert_pem));
  return tls::key_pin_of_pem(cert_pem);
}

Result<tls::KeyPin> certificate_key_pin(const std::filesystem::path& certificate) {
  AMANA_ASSIGN_OR_RETURN(std::string pem, read_file_bounded(certificate, 1 << 20));
  auto pin = tls::key_pin_of_pem(pem);
  if (!pin.ok()) return pin.status().with_context(certificate.string());
  return pin;
}

Result<ServedTransport> choose_transport(const std::filesystem::path& data_dir, const std::string& listen,
                                         const TlsFiles& given, bool plain_http) {
  if (given.certificate.empty() != given.key.empty()) {
    return invalid_argument("give both --tls-cert and --tls-key, or neither (then the ones `sync-server init` "
                            "made are used)");
  }
  if (plain_http && !given.certificate.empty()) {
    return invalid_argument("--plain-http and --tls-cert contradict each other: choose one");
  }
  ServedTransport served;
  if (!plain_http) {
    served.tls = given.certificate.empty() ? default_tls_files(data_dir) : given;
    if (given.certificate.empty() && !tls_files_present(served.tls)) served.tls = {};
  }
  if (!served.tls.certificate.empty()) {
    AMANA_ASSIGN_OR_RETURN(tls::KeyPin pin, certificate_key_pin(served.tls.certificate));
    served.key_pin = pin;
    served.notice = "serving TLS with " + served.tls.certificate.string() + " (key SHA-256 " + tls::to_text(pin) + ")";
    return served;
  }
  const std::string host = listen.substr(0, listen.rfind(':'));
  boost::system::error_code ec;
  const bool loopback = boost::asio::ip::make_address(host, ec).is_loopback() && !ec;
  if (!loopback && !plain_http) {
    return invalid_argument("no TLS certificate in " + data_dir.string() + " to serve " + listen +
                            " with: give --tls-cert and --tls-key, or say --plain-http to serve plain HTTP "
                            "beyond this machine");
  }
  served.notice = "serving plain HTTP: bodies stay sealed end to end, but anyone on the network sees which "
                  "devices sync, when and how much";
  return served;
}

}  // namespace amana::server

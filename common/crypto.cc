#include "common/crypto.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

namespace amana::crypto {
namespace {

void ensure_initialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  });
}

static_assert(kKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(kSaltBytes == crypto_pwhash_SALTBYTES);
static_assert(kSignatureBytes == crypto_sign_BYTES);
static_assert(kBoxSealOverhead == crypto_box_SEALBYTES);
static_assert(sizeof(PublicKey) == crypto_sign_PUBLICKEYBYTES && sizeof(PublicKey) == crypto_box_PUBLICKEYBYTES);

}  // namespace

SecretBytes::SecretBytes(std::size_t size, Memory memory) : size_(size), memory_(memory) {
  ensure_initialized();
  if (size == 0) return;
  data_ = static_cast<std::uint8_t*>(memory == Memory::guarded ? sodium_malloc(size) : std::malloc(size));
  if (data_ == nullptr) throw std::bad_alloc();
}

void SecretBytes::release() {
  if (data_ == nullptr) return;
  if (memory_ == Memory::guarded) {
    sodium_free(data_);  // zeroes before releasing
  } else {
    sodium_memzero(data_, size_);
    std::free(data_);
  }
  data_ = nullptr;
  size_ = 0;
}

SecretBytes SecretBytes::random(std::size_t size) {
  SecretBytes secret(size);
  randombytes_buf(secret.data_, size);
  return secret;
}

SecretBytes SecretBytes::copy_of(ByteView bytes) {
  SecretBytes secret(bytes.size());
  if (!bytes.empty()) std::memcpy(secret.data_, bytes.data(), bytes.size());
  return secret;
}

SecretBytes::~SecretBytes() { release(); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)), memory_(other.memory_) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    memory_ = other.memory_;
  }
  return *this;
}

void fill_random(std::span<std::uint8_t> out) {
  ensure_initialized();
  randombytes_buf(out.data(), out.size());
}

Bytes random_bytes(std::size_t size) {
  Bytes out(size);
  fill_random(out);
  return out;
}

Bytes seal(const SecretBytes& key, ByteView plaintext, ByteView associated_data) {
  if (key.size() != kKeyBytes) throw std::logic_error("seal: key must be 32 bytes");
  Bytes out(kNonceBytes + plaintext.size() + kTagBytes);
  fill_random(std::span(out).first(kNonceBytes));
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      out.data() + kNonceBytes, &written, plaintext.data(), plaintext.size(),
      associated_data.data(), associated_data.size(), nullptr, out.data(), key.data());
  out.resize(kNonceBytes + written);
  return out;
}

Result<SecretBytes> open(const SecretBytes& key, ByteView sealed, ByteView associated_data, Memory memory) {
  if (key.size() != kKeyBytes) throw std::logic_error("open: key must be 32 bytes");
  if (sealed.size() < kSealOverhead) {
    return corrupt("sealed value is shorter than its nonce and tag (" +
                   std::to_string(sealed.size()) + " bytes)");
  }
  SecretBytes plain(sealed.size() - kSealOverhead, memory);
  unsigned long long written = 0;
  const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      plain.data(), &written, nullptr, sealed.data() + kNonceBytes, sealed.size() - kNonceBytes,
      associated_data.data(), associated_data.size(), sealed.data(), key.data());
  if (rc != 0) return corrupt("authentication failed: wrong key or the data was altered");
  return plain;
}

Result<SecretBytes> derive_key(std::string_view passphrase, ByteView salt, KdfParams params) {
  ensure_initialized();
  if (salt.size() != kSaltBytes) return invalid_argument("key derivation salt must be 16 bytes");
  if (params.ops_limit < crypto_pwhash_OPSLIMIT_MIN || params.ops_limit > crypto_pwhash_OPSLIMIT_MAX ||
      params.mem_limit < crypto_pwhash_MEMLIMIT_MIN || params.mem_limit > crypto_pwhash_MEMLIMIT_MAX) {
    return invalid_argument("key derivation parameters out of range (passes " +
                            std::to_string(params.ops_limit) + ", memory " +
                            std::to_string(params.mem_limit) + " bytes)");
  }
  SecretBytes key(kKeyBytes);
  if (crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(), salt.data(),
                    params.ops_limit, static_cast<std::size_t>(params.mem_limit),
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status(ErrorCode::io, "not enough memory to derive the key (Argon2id needs " +
                                     std::to_string(params.mem_limit >> 20) + " MiB)");
  }
  return key;
}

SigningKeyPair SigningKeyPair::generate() {
  SigningKeyPair pair;
  pair.secret_key = SecretBytes(crypto_sign_SECRETKEYBYTES);
  crypto_sign_keypair(pair.public_key.data(), pair.secret_key.data());
  return pair;
}

BoxKeyPair BoxKeyPair::generate() {
  BoxKeyPair pair;
  pair.secret_key = SecretBytes(crypto_box_SECRETKEYBYTES);
  crypto_box_keypair(pair.public_key.data(), pair.secret_key.data());
  return pair;
}

Bytes sign(const SecretBytes& sign_secret_key, ByteView message) {
  ensure_initialized();
  if (sign_secret_key.size() != crypto_sign_SECRETKEYBYTES) throw std::logic_error("sign: not an Ed25519 secret key");
  Bytes signature(crypto_sign_BYTES);
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), sign_secret_key.data());
  return signature;
}

PublicKey sign_public_key_of(const SecretBytes& sign_secret_key) {
  ensure_initialized();
  if (sign_secret_key.size() != crypto_sign_SECRETKEYBYTES) {
    throw std::logic_error("sign_public_key_of: not an Ed25519 secret key");
  }
  PublicKey out{};
  crypto_sign_ed25519_sk_to_pk(out.data(), sign_secret_key.data());
  return out;
}

bool verify(const PublicKey& sign_public_key, ByteView message, ByteView signature) {
  ensure_initialized();
  if (signature.size() != crypto_sign_BYTES) return false;
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(), sign_public_key.data()) == 0;
}

Bytes box_seal(const PublicKey& recipient_public_key, ByteView plaintext) {
  ensure_initialized();
  Bytes sealed(plaintext.size() + crypto_box_SEALBYTES);
  if (crypto_box_seal(sealed.data(), plaintext.data(), plaintext.size(), recipient_public_key.data()) != 0) {
    throw std::logic_error("crypto_box_seal failed");
  }
  return sealed;
}

Result<Bytes> box_open(const PublicKey& recipient_public_key, const SecretBytes& recipient_secret_key,
                       ByteView sealed) {
  ensure_initialized();
  if (recipient_secret_key.size() != crypto_box_SECRETKEYBYTES) throw std::logic_error("box_open: not an X25519 key");
  if (sealed.size() < crypto_box_SEALBYTES) return corrupt("sealed message is too short");
  Bytes plaintext(sealed.size() - crypto_box_SEALBYTES);
  if (crypto_box_seal_open(plaintext.data(), sealed.data(), sealed.size(), recipient_public_key.data(),
                           recipient_secret_key.data()) != 0) {
    return corrupt("sealed message does not open with this key, or was changed");
  }
  return plaintext;
}

std::array<std::uint8_t, 32> hash(ByteView message) {
  ensure_initialized();
  std::array<std::uint8_t, 32> digest{};
  crypto_generichash(digest.data(), digest.size(), message.data(), message.size(), nullptr, 0);
  return digest;
}

std::array<std::uint8_t, 32> keyed_hash(const SecretBytes& key, ByteView message) {
  ensure_initialized();
  if (key.size() < crypto_generichash_KEYBYTES_MIN || key.size() > crypto_generichash_KEYBYTES_MAX) {
    throw std::logic_error("keyed_hash: key of the wrong size");
  }
  std::array<std::uint8_t, 32> digest{};
  crypto_generichash(digest.data(), digest.size(), message.data(), message.size(), key.data(), key.size());
  return digest;
}

bool constant_time_equal(ByteView a, ByteView b) {
  ensure_initialized();
  if (a.size() != b.size()) return false;
  return a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string to_hex(ByteView bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0xf]);
  }
  return out;
}

}  // namespace amana::crypto

// The only door to libsodium: secrets, random bytes, authenticated encryption at rest,
// passphrase key derivation and device key pairs.
//
// Threat addressed here: a lost or seized device. Everything sensitive on disk is sealed
// with XChaCha20-Poly1305 under a random data key; the data key is wrapped under a key
// derived from the user's passphrase with Argon2id. A wrong key or any flipped byte makes
// open() fail; it never returns unauthenticated plaintext.
//
// Thread safety: all functions are safe to call concurrently; a SecretBytes is not shared.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace amana::crypto {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Where a SecretBytes lives. Both are zeroed (sodium_memzero) when destroyed.
//   guarded  sodium_malloc: its own pages between guard pages, locked out of swap where the
//            OS allows. For keys and passphrases, which live long. Each one costs system
//            calls (mmap, mprotect, mlock, munmap): too dear per value.
//   wiped    the ordinary heap. For a plaintext opened to be read and dropped at once (a
//            record's values, an author, an operation): on a server opening thousands a
//            second, guarded memory was about 40% of the CPU (docs/benchmarks.md, 6).
enum class Memory { guarded, wiped };

// Secret material, zeroed when destroyed. Move-only so that no copy outlives its owner.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t size, Memory memory = Memory::guarded);
  static SecretBytes random(std::size_t size);
  static SecretBytes copy_of(ByteView bytes);
  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  std::uint8_t* data() { return data_; }
  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  ByteView view() const { return {data_, size_}; }
  std::string_view as_string() const { return {reinterpret_cast<const char*>(data_), size_}; }
  Memory memory() const { return memory_; }

 private:
  void release();
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  Memory memory_ = Memory::guarded;
};

void fill_random(std::span<std::uint8_t> out);
Bytes random_bytes(std::size_t size);

// --- Authenticated encryption (XChaCha20-Poly1305-IETF) ---
inline constexpr std::size_t kKeyBytes = 32;
inline constexpr std::size_t kNonceBytes = 24;
inline constexpr std::size_t kTagBytes = 16;
inline constexpr std::size_t kSealOverhead = kNonceBytes + kTagBytes;

// Returns nonce || ciphertext || tag with a fresh random nonce. `associated_data` is
// authenticated, not stored: pass what binds the ciphertext to its place (table, row id)
// so that a sealed value cannot be moved to another row unnoticed.
Bytes seal(const SecretBytes& key, ByteView plaintext, ByteView associated_data);

// The plaintext, or corrupt when the key is wrong or any byte was changed. A value read
// and dropped at once is opened into Memory::wiped; a key into guarded memory.
Result<SecretBytes> open(const SecretBytes& key, ByteView sealed, ByteView associated_data,
                         Memory memory = Memory::guarded);

// --- Passphrase key derivation (Argon2id) ---
inline constexpr std::size_t kSaltBytes = 16;

struct KdfParams {
  std::uint64_t ops_limit = 3;                  // passes; the design asks for >= 3
  std::uint64_t mem_limit = 64ull * 1024 * 1024;  // bytes; the design asks for >= 64 MiB
};
// The floor for stores created by the CLI. Tests of the library may pass weaker
// parameters to stay fast; stored parameters are what unlock uses.
inline constexpr KdfParams kDefaultKdf{};

// invalid_argument when the parameters are outside what libsodium accepts.
Result<SecretBytes> derive_key(std::string_view passphrase, ByteView salt, KdfParams params);

// --- Device keys ---
struct SigningKeyPair {  // Ed25519
  std::array<std::uint8_t, 32> public_key{};
  SecretBytes secret_key;  // 64 bytes
  static SigningKeyPair generate();
};

struct BoxKeyPair {  // X25519
  std::array<std::uint8_t, 32> public_key{};
  SecretBytes secret_key;  // 32 bytes
  static BoxKeyPair generate();
};

using PublicKey = std::array<std::uint8_t, 32>;
inline constexpr std::size_t kSignatureBytes = 64;
inline constexpr std::size_t kBoxSealOverhead = 48;  // ephemeral public key + MAC

// --- Signatures (Ed25519, detached) ---
Bytes sign(const SecretBytes& sign_secret_key, ByteView message);
// The public half of an Ed25519 secret key (libsodium keeps it inside the secret key).
PublicKey sign_public_key_of(const SecretBytes& sign_secret_key);
// False for a wrong key, a changed message or a malformed signature.
bool verify(const PublicKey& sign_public_key, ByteView message, ByteView signature);

// --- Anonymous public-key encryption (crypto_box_seal: X25519 + XSalsa20-Poly1305) ---
// Only the holder of the recipient's secret key can open; the sender stays anonymous
// (authenticate it with a signature inside).
Bytes box_seal(const PublicKey& recipient_public_key, ByteView plaintext);
// corrupt when the keys do not match or any byte was changed.
Result<Bytes> box_open(const PublicKey& recipient_public_key, const SecretBytes& recipient_secret_key,
                       ByteView sealed);

// --- Hashing (BLAKE2b-256) ---
std::array<std::uint8_t, 32> hash(ByteView message);
// Keyed BLAKE2b-256 (a MAC): stable pseudonyms that only the key holder can link back.
std::array<std::uint8_t, 32> keyed_hash(const SecretBytes& key, ByteView message);

// Comparison whose time does not depend on where the inputs differ (tokens, MACs).
bool constant_time_equal(ByteView a, ByteView b);

std::string to_hex(ByteView bytes);

}  // namespace amana::crypto

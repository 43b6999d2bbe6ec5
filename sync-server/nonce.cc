#include "sync-server/nonce.h"

#include <algorithm>

namespace amana::server {
namespace {

constexpr std::size_t kStampBytes = 8;
constexpr std::size_t kRandomBytes = 8;
constexpr std::size_t kTagBytes = 16;
static_assert(kStampBytes + kRandomBytes + kTagBytes == NonceIssuer::kNonceBytes);
constexpr std::string_view kTagLabel = "amana/nonce/v1";

crypto::SecretBytes nonce_key(const crypto::SecretBytes& data_key) {
  std::array<std::uint8_t, 32> derived = crypto::keyed_hash(data_key, crypto::as_bytes("amana/nonce-key/v1"));
  crypto::SecretBytes key = crypto::SecretBytes::copy_of(derived);
  std::fill(derived.begin(), derived.end(), std::uint8_t{0});
  return key;
}

// The tag over the first 16 bytes (expiry and random).
crypto::Bytes tag_of(const crypto::SecretBytes& key, crypto::ByteView body) {
  crypto::Bytes message(kTagLabel.size() + body.size());
  std::copy(kTagLabel.begin(), kTagLabel.end(), message.begin());
  std::copy(body.begin(), body.end(), message.begin() + static_cast<std::ptrdiff_t>(kTagLabel.size()));
  const auto full = crypto::keyed_hash(key, message);
  return crypto::Bytes(full.begin(), full.begin() + kTagBytes);
}

}  // namespace

NonceIssuer::NonceIssuer(const crypto::SecretBytes& data_key, std::chrono::milliseconds lifetime)
    : key_(nonce_key(data_key)), lifetime_(lifetime) {}

std::string NonceIssuer::issue(std::int64_t now_ms) const {
  const auto expires = static_cast<std::uint64_t>(now_ms + lifetime_.count());
  crypto::Bytes nonce(kStampBytes);
  for (std::size_t i = 0; i < kStampBytes; ++i) nonce[i] = static_cast<std::uint8_t>(expires >> (8 * (7 - i)));
  const crypto::Bytes random = crypto::random_bytes(kRandomBytes);
  nonce.insert(nonce.end(), random.begin(), random.end());
  const crypto::Bytes tag = tag_of(key_, nonce);
  nonce.insert(nonce.end(), tag.begin(), tag.end());
  return std::string(nonce.begin(), nonce.end());
}

Result<NonceIssuer::Checked> NonceIssuer::check(std::string_view nonce, std::int64_t now_ms) const {
  const crypto::ByteView bytes = crypto::as_bytes(nonce);
  const auto refused = [](const std::string& why) { return Status(ErrorCode::replayed, "request refused: " + why); };
  if (bytes.size() != kNonceBytes ||
      !crypto::constant_time_equal(tag_of(key_, bytes.first(kStampBytes + kRandomBytes)),
                                   bytes.last(kTagBytes))) {
    return refused("its nonce was not issued by this server");
  }
  std::uint64_t expires = 0;
  for (std::size_t i = 0; i < kStampBytes; ++i) expires = (expires << 8) | bytes[i];
  const auto expires_at_ms = static_cast<std::int64_t>(expires);
  if (expires_at_ms <= now_ms) return refused("its nonce has expired; sync again");
  // Issued by a process whose clock runs far ahead, or a bug: not a nonce to keep for long.
  if (expires_at_ms > now_ms + 2 * lifetime_.count()) return refused("its nonce expires too far in the future");
  return Checked{crypto::Bytes(bytes.end() - kTagBytes, bytes.end()), expires_at_ms};
}

}  // namespace amana::server

#include "sync-server/totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>

namespace amana::server {

namespace {

std::string percent_encoded(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '.' || c == '_' || c == '~';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string hotp(crypto::ByteView secret, std::uint64_t counter, int digits) {
  std::array<unsigned char, 8> message{};
  for (int i = 7; i >= 0; --i) {
    message[static_cast<std::size_t>(i)] = static_cast<unsigned char>(counter & 0xff);
    counter >>= 8;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  // Only fails for an unknown digest or an allocation failure: a bug, not an input.
  if (HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), message.data(), message.size(), mac.data(),
           &length) == nullptr ||
      length != 20) {
    throw std::runtime_error("HMAC-SHA1 failed");
  }
  const std::size_t offset = mac[19] & 0x0f;
  const std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7f) << 24) |
                               (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                               (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  std::uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  std::string code = std::to_string(binary % modulus);
  return std::string(static_cast<std::size_t>(digits) - code.size(), '0') + code;
}

std::uint64_t totp_step(std::int64_t unix_ms) { return unix_ms < 0 ? 0 : static_cast<std::uint64_t>(unix_ms / kTotpStepMs); }

std::optional<std::uint64_t> totp_match(crypto::ByteView secret, std::string_view code, std::int64_t now_ms,
                                        std::uint64_t last_used_step) {
  if (code.size() != static_cast<std::size_t>(kTotpDigits)) return std::nullopt;
  const std::uint64_t now = totp_step(now_ms);
  std::optional<std::uint64_t> matched;
  // Every candidate is compared, in constant time, whatever matched first.
  for (std::uint64_t step = now == 0 ? 0 : now - 1; step <= now + 1; ++step) {
    const std::string expected = hotp(secret, step);
    if (CRYPTO_memcmp(expected.data(), code.data(), code.size()) == 0 && step > last_used_step) matched = step;
  }
  return matched;
}

std::string base32(crypto::ByteView bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account, crypto::ByteView secret) {
  const std::string label = percent_encoded(issuer) + ":" + percent_encoded(account);
  return "otpauth://totp/" + label + "?secret=" + base32(secret) + "&issuer=" + percent_encoded(issuer) +
         "&algorithm=SHA1&digits=" + std::to_string(kTotpDigits) + "&period=" + std::to_string(kTotpStepMs / 1000);
}

}  // namespace amana::server

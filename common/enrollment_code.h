// Enrollment codes: what office staff read out, print or show as a QR code, and what a
// device types in to join the organisation.
//
// A code carries a one-time token (80 random bits; the server stores only its hash) and a
// fingerprint of the organisation's public keys (40 bits), so that a device can tell it
// is talking to the right server before it trusts the keys the server sends. Written as
// 24 Crockford base32 characters in groups of four: "7K2Q-9XHD-...". Parsing forgives
// lower case, missing dashes and the letters people confuse (O for 0, I and L for 1).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/crypto.h"
#include "common/status.h"

namespace amana {

struct EnrollmentCode {
  std::array<std::uint8_t, 10> token{};
  std::array<std::uint8_t, 5> fingerprint{};

  std::string to_string() const;
  // invalid_argument saying what is wrong with it (length, a character that cannot be in a code).
  static Result<EnrollmentCode> parse(std::string_view text);
};

// The first 5 bytes of BLAKE2b-256(sign public key || box public key).
std::array<std::uint8_t, 5> org_fingerprint(const crypto::PublicKey& sign_public_key,
                                            const crypto::PublicKey& box_public_key);

}  // namespace amana

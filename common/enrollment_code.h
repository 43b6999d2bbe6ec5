// Enrollment codes: what office staff read out, print or show as a QR code, and what a
// device types in to join the organisation.
//
// A code carries a one-time token (80 random bits; the server stores only its hash) and a
// 128-bit fingerprint of the organisation's public keys made with that token
// (enrollment_fingerprint), so that a device can tell it is talking to the right server
// before it trusts the keys the server sends. Because the token goes into the
// fingerprint, every code has its own: seeing one code's fingerprint tells nothing about
// another's, and a server with other keys would need a second preimage of 128 bits for
// each code it wants to take over.
//
// Written as 43 Crockford base32 characters in groups of four, the last a check character
// (Luhn mod 32 over the other 42): "7K2Q-9XHD-...-4PZ". The check character catches every
// single mistyped character and every swap of two neighbours, so a typo is told as a
// typo ("mistyped: check the code") and not as a wrong server. Parsing forgives lower
// case, missing dashes and the letters people confuse (O for 0, I and L for 1).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/crypto.h"
#include "common/status.h"

namespace amana {

inline constexpr std::size_t kEnrollmentCodeChars = 43;  // not counting dashes

using EnrollmentFingerprint = std::array<std::uint8_t, 16>;

struct EnrollmentCode {
  std::array<std::uint8_t, 10> token{};
  EnrollmentFingerprint fingerprint{};

  std::string to_string() const;
  // invalid_argument saying what is wrong with it, as a keyed message: a character that
  // cannot be in a code, the wrong length, or a mistyped code (the check fails).
  static Result<EnrollmentCode> parse(std::string_view text);
};

// The first 16 bytes of BLAKE2b-256("amana/enrollment-fingerprint/v2" || token ||
// sign public key || box public key).
EnrollmentFingerprint enrollment_fingerprint(const std::array<std::uint8_t, 10>& token,
                                             const crypto::PublicKey& sign_public_key,
                                             const crypto::PublicKey& box_public_key);

}  // namespace amana

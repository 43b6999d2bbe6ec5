// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP, HMAC-SHA1): the second
// factor officers and administrators may add to their console password (staff_accounts.h).
// 30-second steps; a code is accepted for the step it was made in and the one either side
// (a phone's clock a little off), and never for a step at or before the last one accepted,
// so that a code seen over someone's shoulder cannot be used again.
//
// HMAC-SHA1 is OpenSSL's (linked for TLS already); libsodium has no SHA-1, which RFC 6238's
// authenticator apps expect.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/crypto.h"

namespace amana::server {

inline constexpr std::int64_t kTotpStepMs = 30'000;
inline constexpr std::size_t kTotpSecretBytes = 20;  // 160 bits, as RFC 4226 recommends
inline constexpr int kTotpDigits = 6;

// The HOTP value of `counter`, `digits` long (zero-padded).
std::string hotp(crypto::ByteView secret, std::uint64_t counter, int digits = kTotpDigits);
// The step `unix_ms` falls in.
std::uint64_t totp_step(std::int64_t unix_ms);
// The step `code` was made for, when it is one of now's step and the ones either side and
// comes after `last_used_step`; nullopt otherwise (a wrong code, an old one, a reused one).
std::optional<std::uint64_t> totp_match(crypto::ByteView secret, std::string_view code, std::int64_t now_ms,
                                        std::uint64_t last_used_step);

// RFC 4648 base32, without padding: how authenticator apps take the secret.
std::string base32(crypto::ByteView bytes);
// otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
std::string otpauth_uri(std::string_view issuer, std::string_view account, crypto::ByteView secret);

}  // namespace amana::server

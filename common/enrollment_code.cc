#include "common/enrollment_code.h"

#include <algorithm>

namespace amana {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford
constexpr std::size_t kCodeChars = 24;  // 15 bytes = 120 bits = 24 x 5 bits

int decode_char(char c) {
  c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (c == 'O') c = '0';
  if (c == 'I' || c == 'L') c = '1';
  const auto at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

}  // namespace

std::string EnrollmentCode::to_string() const {
  std::array<std::uint8_t, 15> bytes{};
  std::copy(token.begin(), token.end(), bytes.begin());
  std::copy(fingerprint.begin(), fingerprint.end(), bytes.begin() + 10);
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (std::uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      if (!out.empty() && (out.size() + 1) % 5 == 0) out += '-';
      out += kAlphabet[(buffer >> bits) & 31];
    }
  }
  return out;
}

Result<EnrollmentCode> EnrollmentCode::parse(std::string_view text) {
  std::string symbols;
  for (char c : text) {
    if (c == '-' || c == ' ') continue;
    if (decode_char(c) < 0) {
      return invalid_argument("'" + std::string(1, c) + "' cannot be part of an enrollment code; check what you typed");
    }
    symbols += c;
    if (symbols.size() > kCodeChars) break;
  }
  if (symbols.size() != kCodeChars) {
    return invalid_argument("an enrollment code has " + std::to_string(kCodeChars) +
                            " characters (not counting dashes); this one has " + std::to_string(symbols.size()));
  }
  std::array<std::uint8_t, 15> bytes{};
  unsigned buffer = 0;
  int bits = 0;
  std::size_t at = 0;
  for (char c : symbols) {
    buffer = (buffer << 5) | static_cast<unsigned>(decode_char(c));
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[at++] = static_cast<std::uint8_t>((buffer >> bits) & 0xff);
    }
  }
  EnrollmentCode code;
  std::copy(bytes.begin(), bytes.begin() + 10, code.token.begin());
  std::copy(bytes.begin() + 10, bytes.end(), code.fingerprint.begin());
  return code;
}

std::array<std::uint8_t, 5> org_fingerprint(const crypto::PublicKey& sign_public_key,
                                            const crypto::PublicKey& box_public_key) {
  crypto::Bytes both(sign_public_key.begin(), sign_public_key.end());
  both.insert(both.end(), box_public_key.begin(), box_public_key.end());
  const auto digest = crypto::hash(both);
  std::array<std::uint8_t, 5> out{};
  std::copy(digest.begin(), digest.begin() + 5, out.begin());
  return out;
}

}  // namespace amana

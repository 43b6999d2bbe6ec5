#include "common/enrollment_code.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "common/message_catalogue.h"

namespace amana {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford
constexpr unsigned kBase = 32;
constexpr std::size_t kDataBytes = 26;                        // token 10 + fingerprint 16
constexpr std::size_t kDataChars = kEnrollmentCodeChars - 1;  // 42 x 5 bits = 208 + 2 zero bits
static_assert(kDataChars * 5 >= kDataBytes * 8 && (kDataChars - 1) * 5 < kDataBytes * 8);

int decode_char(char c) {
  c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (c == 'O') c = '0';
  if (c == 'I' || c == 'L') c = '1';
  const auto at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

// Luhn mod N (N = 32): from the right, every second symbol doubled, its two base-32 digits
// summed. Doubling then summing is a permutation of 0..31, so any one changed symbol
// changes the sum; a swap of two neighbours changes it unless they are 0 and 31.
unsigned luhn_sum(const std::vector<unsigned>& values, bool rightmost_doubled) {
  unsigned sum = 0;
  bool doubled = rightmost_doubled;
  for (auto it = values.rbegin(); it != values.rend(); ++it) {
    unsigned addend = doubled ? *it * 2 : *it;
    addend = addend / kBase + addend % kBase;
    sum += addend;
    doubled = !doubled;
  }
  return sum % kBase;
}

unsigned check_value(const std::vector<unsigned>& data) { return (kBase - luhn_sum(data, true)) % kBase; }

}  // namespace

std::string EnrollmentCode::to_string() const {
  std::array<std::uint8_t, kDataBytes> bytes{};
  std::copy(token.begin(), token.end(), bytes.begin());
  std::copy(fingerprint.begin(), fingerprint.end(), bytes.begin() + token.size());
  std::vector<unsigned> values;
  unsigned buffer = 0;
  int bits = 0;
  for (std::uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      values.push_back((buffer >> bits) & 31);
    }
  }
  values.push_back((buffer << (5 - bits)) & 31);  // the last bits, padded with zeros
  values.push_back(check_value(values));
  std::string out;
  for (unsigned value : values) {
    if (!out.empty() && (out.size() + 1) % 5 == 0) out += '-';
    out += kAlphabet[value];
  }
  return out;
}

Result<EnrollmentCode> EnrollmentCode::parse(std::string_view text) {
  std::vector<unsigned> values;
  for (char c : text) {
    if (c == '-' || c == ' ') continue;
    const int value = decode_char(c);
    if (value < 0) return invalid_argument(Message("enroll.code_character", {{"character", std::string(1, c)}}));
    values.push_back(static_cast<unsigned>(value));
    if (values.size() > kEnrollmentCodeChars) break;
  }
  if (values.size() != kEnrollmentCodeChars) {
    return invalid_argument(Message("enroll.code_length", {{"expected", static_cast<std::int64_t>(kEnrollmentCodeChars)},
                                                           {"count", static_cast<std::int64_t>(values.size())}}));
  }
  const std::uint8_t padding = values[kDataChars - 1] & 3;
  if (luhn_sum(values, false) != 0 || padding != 0) return invalid_argument(Message("enroll.code_mistyped"));
  std::array<std::uint8_t, kDataBytes> bytes{};
  unsigned buffer = 0;
  int bits = 0;
  std::size_t at = 0;
  for (std::size_t i = 0; i < kDataChars; ++i) {
    buffer = (buffer << 5) | values[i];
    bits += 5;
    if (bits >= 8 && at < bytes.size()) {
      bits -= 8;
      bytes[at++] = static_cast<std::uint8_t>((buffer >> bits) & 0xff);
    }
  }
  EnrollmentCode code;
  std::copy(bytes.begin(), bytes.begin() + code.token.size(), code.token.begin());
  std::copy(bytes.begin() + code.token.size(), bytes.end(), code.fingerprint.begin());
  return code;
}

EnrollmentFingerprint enrollment_fingerprint(const std::array<std::uint8_t, 10>& token,
                                             const crypto::PublicKey& sign_public_key,
                                             const crypto::PublicKey& box_public_key) {
  constexpr std::string_view kDomain = "amana/enrollment-fingerprint/v2";
  crypto::Bytes input(kDomain.begin(), kDomain.end());
  input.insert(input.end(), token.begin(), token.end());
  input.insert(input.end(), sign_public_key.begin(), sign_public_key.end());
  input.insert(input.end(), box_public_key.begin(), box_public_key.end());
  const auto digest = crypto::hash(input);
  EnrollmentFingerprint out{};
  std::copy(digest.begin(), digest.begin() + out.size(), out.begin());
  return out;
}

}  // namespace amana

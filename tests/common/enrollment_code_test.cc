#include "common/enrollment_code.h"

#include <doctest/doctest.h>

#include <set>

namespace amana {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

struct OrgKeys {
  crypto::PublicKey sign = crypto::SigningKeyPair::generate().public_key;
  crypto::PublicKey box = crypto::BoxKeyPair::generate().public_key;
};

EnrollmentCode issue(const OrgKeys& keys) {
  EnrollmentCode code;
  crypto::fill_random(code.token);
  code.fingerprint = enrollment_fingerprint(code.token, keys.sign, keys.box);
  return code;
}

}  // namespace

TEST_CASE("enrollment code: grouped, typeable, and it reads back as written, forgiving case and look-alikes") {
  const OrgKeys keys;
  const EnrollmentCode code = issue(keys);
  const std::string text = code.to_string();
  CHECK(text.size() == kEnrollmentCodeChars + 10);  // ten dashes
  for (std::size_t i = 4; i < text.size(); i += 5) CHECK(text[i] == '-');
  for (char c : text) CHECK((c == '-' || kAlphabet.find(c) != std::string_view::npos));
  auto parsed = EnrollmentCode::parse(text);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
  CHECK(parsed->token == code.token);
  CHECK(parsed->fingerprint == code.fingerprint);

  std::string loose;
  for (char c : text) {
    if (c == '-') continue;
    if (c == '0') c = 'O';
    if (c == '1') c = 'l';
    loose += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  auto forgiven = EnrollmentCode::parse(loose);
  REQUIRE(forgiven.ok());
  CHECK(forgiven->token == code.token);
}

TEST_CASE("enrollment code: the fingerprint is 128 bits, its own in every code, and tied to the org's keys") {
  const OrgKeys keys;
  const OrgKeys other;
  static_assert(sizeof(EnrollmentFingerprint) * 8 >= 128);
  std::set<EnrollmentFingerprint> seen;
  for (int i = 0; i < 200; ++i) seen.insert(issue(keys).fingerprint);
  CHECK(seen.size() == 200);  // no two codes of one organisation share a fingerprint
  const EnrollmentCode code = issue(keys);
  CHECK(enrollment_fingerprint(code.token, keys.sign, keys.box) == code.fingerprint);
  CHECK(enrollment_fingerprint(code.token, other.sign, keys.box) != code.fingerprint);
  CHECK(enrollment_fingerprint(code.token, keys.sign, other.box) != code.fingerprint);
  CHECK(enrollment_fingerprint(code.token, keys.box, keys.sign) != code.fingerprint);  // order matters
}

TEST_CASE("enrollment code: every single mistyped character, and swapped neighbours, say mistyped") {
  const OrgKeys keys;
  for (int round = 0; round < 5; ++round) {
    const std::string text = issue(keys).to_string();
    int substitutions = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '-') continue;
      for (char c : kAlphabet) {
        if (c == text[i]) continue;
        std::string typo = text;
        typo[i] = c;
        const auto parsed = EnrollmentCode::parse(typo);
        REQUIRE_FALSE_MESSAGE(parsed.ok(), typo);
        CHECK(parsed.status().code() == ErrorCode::invalid_argument);
        CHECK(parsed.status().message().find("mistyped: check the code") == 0);
        CHECK(parsed.status().message_in(Language::ar).find("خطأ في الكتابة") == 0);
        ++substitutions;
      }
    }
    CHECK(substitutions == static_cast<int>(kEnrollmentCodeChars) * 31);
    // Swaps: caught unless the two characters are 0 and Z (Luhn's one blind spot).
    std::string plain;
    for (char c : text) {
      if (c != '-') plain += c;
    }
    for (std::size_t i = 0; i + 1 < plain.size(); ++i) {
      if (plain[i] == plain[i + 1]) continue;
      const bool blind = (plain[i] == '0' && plain[i + 1] == 'Z') || (plain[i] == 'Z' && plain[i + 1] == '0');
      std::string swapped = plain;
      std::swap(swapped[i], swapped[i + 1]);
      if (!blind) CHECK_FALSE_MESSAGE(EnrollmentCode::parse(swapped).ok(), swapped);
    }
  }
}

TEST_CASE("enrollment code: a wrong length or a character that is never in a code is told as such") {
  auto short_code = EnrollmentCode::parse("ABCD-EFGH");
  CHECK(short_code.status().message().find("an enrollment code has 43 characters") == 0);
  auto with_u = EnrollmentCode::parse(std::string(kEnrollmentCodeChars, 'U'));
  CHECK(with_u.status().message().find("'U' cannot be part of an enrollment code") == 0);
  CHECK(with_u.status().message_in(Language::ar).find("رمز التسجيل") != std::string::npos);
}

}  // namespace amana

// TOTP against RFC 6238's test vectors (SHA-1, 8 digits, the 20-byte ASCII secret of its
// appendix B) and RFC 4226's HOTP values, base32 against RFC 4648's, and the acceptance
// rules: one step either side, never a step twice.
#include <doctest/doctest.h>

#include "sync-server/totp.h"

using namespace amana;
using namespace amana::server;

namespace {

const std::string kSecret = "12345678901234567890";
crypto::ByteView secret() { return crypto::as_bytes(kSecret); }

}  // namespace

TEST_CASE("totp: RFC 6238 appendix B test vectors (SHA-1)") {
  const std::pair<std::int64_t, const char*> vectors[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
  };
  for (const auto& [seconds, code] : vectors) {
    CAPTURE(seconds);
    CHECK(hotp(secret(), totp_step(seconds * 1000), 8) == code);
  }
}

TEST_CASE("totp: RFC 4226 appendix D HOTP values, six digits") {
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t counter = 0; counter < 10; ++counter) CHECK(hotp(secret(), counter) == expected[counter]);
}

TEST_CASE("totp: a code is accepted one step either side, never for a step already used") {
  const std::int64_t now = 1'800'000'000'000;
  const std::uint64_t step = totp_step(now);
  CHECK(totp_match(secret(), hotp(secret(), step), now, 0) == step);
  CHECK(totp_match(secret(), hotp(secret(), step - 1), now, 0) == step - 1);
  CHECK(totp_match(secret(), hotp(secret(), step + 1), now, 0) == step + 1);
  CHECK_FALSE(totp_match(secret(), hotp(secret(), step - 2), now, 0));
  CHECK_FALSE(totp_match(secret(), hotp(secret(), step + 2), now, 0));
  // Used once: that step, and every one before it, is refused from then on.
  CHECK_FALSE(totp_match(secret(), hotp(secret(), step), now, step));
  CHECK_FALSE(totp_match(secret(), hotp(secret(), step - 1), now, step));
  CHECK(totp_match(secret(), hotp(secret(), step + 1), now, step) == step + 1);
  CHECK_FALSE(totp_match(secret(), "12345", now, 0));
  CHECK_FALSE(totp_match(secret(), "abcdef", now, 0));
}

TEST_CASE("totp: base32 as RFC 4648 section 10, and the otpauth URI apps read") {
  CHECK(base32(crypto::as_bytes(std::string(""))) == "");
  CHECK(base32(crypto::as_bytes(std::string("f"))) == "MY");
  CHECK(base32(crypto::as_bytes(std::string("fo"))) == "MZXQ");
  CHECK(base32(crypto::as_bytes(std::string("foo"))) == "MZXW6");
  CHECK(base32(crypto::as_bytes(std::string("foob"))) == "MZXW6YQ");
  CHECK(base32(crypto::as_bytes(std::string("fooba"))) == "MZXW6YTB");
  CHECK(base32(crypto::as_bytes(std::string("foobar"))) == "MZXW6YTBOI");
  CHECK(otpauth_uri("Amana office", "omar", secret()) ==
        "otpauth://totp/Amana%20office:omar?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Amana%20office"
        "&algorithm=SHA1&digits=6&period=30");
}

#include "common/crypto.h"

#include <doctest/doctest.h>

using namespace amana;
using namespace amana::crypto;

namespace {
constexpr KdfParams kFastKdf{1, 8192};  // libsodium's minimum: these tests check behaviour, not cost
}

TEST_CASE("seal then open returns the plaintext") {
  const SecretBytes key = SecretBytes::random(kKeyBytes);
  const Bytes sealed = seal(key, as_bytes("Fatima Adam, Um Dukhun"), as_bytes("row-1"));
  CHECK(sealed.size() == 22 + kSealOverhead);
  auto plain = open(key, sealed, as_bytes("row-1"));
  REQUIRE(plain.ok());
  CHECK(plain->as_string() == "Fatima Adam, Um Dukhun");
}

TEST_CASE("a value opened into wiped memory reads the same and keeps its kind when moved") {
  const SecretBytes key = SecretBytes::random(kKeyBytes);
  CHECK(key.memory() == Memory::guarded);
  const Bytes sealed = seal(key, as_bytes("Hawa Ishag, shelter 12"), as_bytes("row-1"));
  auto plain = open(key, sealed, as_bytes("row-1"), Memory::wiped);
  REQUIRE(plain.ok());
  CHECK(plain->memory() == Memory::wiped);
  CHECK(plain->as_string() == "Hawa Ishag, shelter 12");
  SecretBytes moved = std::move(plain).value();
  CHECK(moved.memory() == Memory::wiped);
  CHECK(moved.as_string() == "Hawa Ishag, shelter 12");
  moved = SecretBytes::copy_of(as_bytes("key material"));  // the wiped buffer is released here
  CHECK(moved.memory() == Memory::guarded);
  CHECK(moved.as_string() == "key material");
  CHECK(open(key, sealed, as_bytes("row-2"), Memory::wiped).status().code() == ErrorCode::corrupt);
  CHECK(SecretBytes(0, Memory::wiped).empty());
}

TEST_CASE("sealing twice gives different ciphertexts (fresh nonce)") {
  const SecretBytes key = SecretBytes::random(kKeyBytes);
  CHECK(seal(key, as_bytes("same"), {}) != seal(key, as_bytes("same"), {}));
}

TEST_CASE("every single flipped byte of a sealed value is detected") {
  const SecretBytes key = SecretBytes::random(kKeyBytes);
  const Bytes sealed = seal(key, as_bytes("survivor statement"), as_bytes("ad"));
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    Bytes tampered = sealed;
    tampered[i] ^= 0x01;
    auto plain = open(key, tampered, as_bytes("ad"));
    REQUIRE_FALSE(plain.ok());
    CHECK(plain.status().code() == ErrorCode::corrupt);
  }
}

TEST_CASE("a wrong key, wrong associated data or truncated value does not open") {
  const SecretBytes key = SecretBytes::random(kKeyBytes);
  const SecretBytes other = SecretBytes::random(kKeyBytes);
  const Bytes sealed = seal(key, as_bytes("x"), as_bytes("row-1"));
  CHECK(open(other, sealed, as_bytes("row-1")).status().code() == ErrorCode::corrupt);
  CHECK(open(key, sealed, as_bytes("row-2")).status().code() == ErrorCode::corrupt);
  const Bytes truncated(sealed.begin(), sealed.begin() + 10);
  CHECK(open(key, truncated, as_bytes("row-1")).status().message().find("shorter") != std::string::npos);
}

TEST_CASE("derive_key is deterministic in passphrase and salt, and sensitive to both") {
  const Bytes salt = random_bytes(kSaltBytes);
  const Bytes other_salt = random_bytes(kSaltBytes);
  auto a = derive_key("correct horse", salt, kFastKdf);
  auto b = derive_key("correct horse", salt, kFastKdf);
  auto c = derive_key("correct horsf", salt, kFastKdf);
  auto d = derive_key("correct horse", other_salt, kFastKdf);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(c.ok());
  REQUIRE(d.ok());
  CHECK(a->size() == kKeyBytes);
  CHECK(constant_time_equal(a->view(), b->view()));
  CHECK_FALSE(constant_time_equal(a->view(), c->view()));
  CHECK_FALSE(constant_time_equal(a->view(), d->view()));
}

TEST_CASE("derive_key rejects a bad salt and out-of-range parameters") {
  CHECK(derive_key("p", random_bytes(3), kFastKdf).status().code() == ErrorCode::invalid_argument);
  CHECK(derive_key("p", random_bytes(kSaltBytes), {0, 8192}).status().code() == ErrorCode::invalid_argument);
  CHECK(derive_key("p", random_bytes(kSaltBytes), {1, 10}).status().code() == ErrorCode::invalid_argument);
}

TEST_CASE("the default KDF meets the design floor: Argon2id, 3 passes, 64 MiB") {
  CHECK(kDefaultKdf.ops_limit >= 3);
  CHECK(kDefaultKdf.mem_limit >= 64ull * 1024 * 1024);
}

TEST_CASE("SecretBytes moves its buffer and leaves the source empty") {
  SecretBytes a = SecretBytes::copy_of(as_bytes("key material"));
  const std::uint8_t* buffer = a.data();
  SecretBytes b = std::move(a);
  CHECK(b.data() == buffer);
  CHECK(b.as_string() == "key material");
  CHECK(a.empty());  // NOLINT: checking the moved-from state is the point
}

TEST_CASE("device key pairs are distinct and of the right sizes") {
  auto s1 = SigningKeyPair::generate();
  auto s2 = SigningKeyPair::generate();
  CHECK(s1.secret_key.size() == 64);
  CHECK(s1.public_key != s2.public_key);
  auto b1 = BoxKeyPair::generate();
  CHECK(b1.secret_key.size() == 32);
}

TEST_CASE("constant_time_equal and to_hex") {
  CHECK(constant_time_equal(as_bytes("abc"), as_bytes("abc")));
  CHECK_FALSE(constant_time_equal(as_bytes("abc"), as_bytes("abd")));
  CHECK_FALSE(constant_time_equal(as_bytes("abc"), as_bytes("abcd")));
  const std::uint8_t bytes[] = {0x00, 0xab, 0xff};
  CHECK(to_hex(bytes) == "00abff");
}

TEST_CASE("signatures verify only with the right key and the exact message") {
  const auto alice = crypto::SigningKeyPair::generate();
  const auto mallory = crypto::SigningKeyPair::generate();
  const auto message = crypto::as_bytes("changeset 7 from device 1");
  crypto::Bytes signature = crypto::sign(alice.secret_key, message);
  CHECK(signature.size() == crypto::kSignatureBytes);
  CHECK(crypto::verify(alice.public_key, message, signature));
  CHECK_FALSE(crypto::verify(mallory.public_key, message, signature));
  CHECK_FALSE(crypto::verify(alice.public_key, crypto::as_bytes("changeset 8 from device 1"), signature));
  CHECK_FALSE(crypto::verify(alice.public_key, message, crypto::ByteView(signature.data(), 63)));
  signature[10] ^= 1;
  CHECK_FALSE(crypto::verify(alice.public_key, message, signature));
}

TEST_CASE("box_seal opens only for its recipient and detects any change") {
  const auto server = crypto::BoxKeyPair::generate();
  const auto other = crypto::BoxKeyPair::generate();
  const auto plaintext = crypto::as_bytes("Amira Test-Person, Um Dukhun");
  const crypto::Bytes sealed = crypto::box_seal(server.public_key, plaintext);
  CHECK(sealed.size() == plaintext.size() + crypto::kBoxSealOverhead);
  auto opened = crypto::box_open(server.public_key, server.secret_key, sealed);
  REQUIRE(opened.ok());
  CHECK(std::equal(opened->begin(), opened->end(), plaintext.begin(), plaintext.end()));
  CHECK(crypto::box_open(other.public_key, other.secret_key, sealed).status().code() == ErrorCode::corrupt);
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    crypto::Bytes flipped = sealed;
    flipped[i] ^= 0x01;
    CHECK_FALSE(crypto::box_open(server.public_key, server.secret_key, flipped).ok());
  }
  CHECK(crypto::box_open(server.public_key, server.secret_key, crypto::ByteView(sealed.data(), 10)).status().code() ==
        ErrorCode::corrupt);
}

TEST_CASE("hash is BLAKE2b-256") {
  // Test vector: BLAKE2b-256 of the empty string.
  CHECK(crypto::to_hex(crypto::hash({})) == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  CHECK(crypto::hash(crypto::as_bytes("a")) != crypto::hash(crypto::as_bytes("b")));
}

TEST_CASE("keyed_hash is stable for one key and unlinkable without it") {
  const auto key = crypto::SecretBytes::random(32);
  const auto other = crypto::SecretBytes::random(32);
  CHECK(crypto::keyed_hash(key, crypto::as_bytes("record-1")) == crypto::keyed_hash(key, crypto::as_bytes("record-1")));
  CHECK(crypto::keyed_hash(key, crypto::as_bytes("record-1")) != crypto::keyed_hash(other, crypto::as_bytes("record-1")));
  CHECK(crypto::keyed_hash(key, crypto::as_bytes("record-1")) != crypto::hash(crypto::as_bytes("record-1")));
}

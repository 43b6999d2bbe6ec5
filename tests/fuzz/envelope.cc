// Opening a sealed envelope (common/envelope.h), the first thing done with every request
// body and every bundle file. Random bytes almost never get past the seal, so byte 0 picks
// how deep the rest of the input goes:
//   0  the sealed bytes as a transport hands them over
//   1  the inner SignedMessage, sealed properly to the recipient and naming it (parse,
//      purpose, sender)
//   2  the compressed payload, signed by the known sender and sealed properly (the
//      decompression bound, after a valid signature: what a rogue device can send)
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/envelope.h"
#include "proto/sync.pb.h"

namespace {

using namespace amana;

struct Keys {
  crypto::BoxKeyPair box = crypto::BoxKeyPair::generate();
  crypto::SigningKeyPair sign = crypto::SigningKeyPair::generate();
  crypto::Bytes sender_id = crypto::random_bytes(16);
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const Keys keys;
  const crypto::ByteView rest(data + 1, size - 1);
  const auto purpose = envelope::Purpose::push_request;
  crypto::Bytes sealed;
  switch (data[0] % 3) {
    case 0: sealed.assign(rest.begin(), rest.end()); break;
    case 1: {
      // The recipient key is 32 bytes no fuzzer guesses: name ours in whatever parses, so
      // that the sender lookup and the signature check are reached.
      pb::SignedMessage message;
      if (message.ParseFromArray(rest.data(), static_cast<int>(rest.size()))) {
        message.set_recipient_box_public_key(keys.box.public_key.data(), keys.box.public_key.size());
        sealed = crypto::box_seal(keys.box.public_key, crypto::as_bytes(message.SerializeAsString()));
      } else {
        sealed = crypto::box_seal(keys.box.public_key, rest);
      }
      break;
    }
    case 2: {
      pb::SignedMessage message;
      message.set_purpose(static_cast<std::uint32_t>(purpose));
      message.set_sender_id(keys.sender_id.data(), keys.sender_id.size());
      message.set_compressed_payload(rest.data(), rest.size());
      const auto signature = crypto::sign(
          keys.sign.secret_key,
          envelope::signed_bytes(purpose, keys.sender_id, keys.sign.public_key, keys.box.public_key, rest));
      message.set_signature(signature.data(), signature.size());
      message.set_recipient_box_public_key(keys.box.public_key.data(), keys.box.public_key.size());
      sealed = crypto::box_seal(keys.box.public_key, crypto::as_bytes(message.SerializeAsString()));
      break;
    }
  }
  const envelope::Recipient me{keys.box.public_key, &keys.box.secret_key};
  auto lookup = [&](crypto::ByteView sender) -> Result<crypto::PublicKey> {
    if (!crypto::constant_time_equal(sender, keys.sender_id)) {
      return Status(ErrorCode::permission_denied, "unknown sender");
    }
    return keys.sign.public_key;
  };
  // Small bounds, so that a payload past them is found within the fuzzer's input sizes.
  const envelope::Limits limits{1u << 16, 1u << 20};
  auto opened = envelope::open(sealed, purpose, me, lookup, limits);
  if (opened.ok() && opened->payload.size() > limits.max_payload_bytes) __builtin_trap();
  return 0;
}

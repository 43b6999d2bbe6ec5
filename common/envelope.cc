#include "common/envelope.h"

#include <stdexcept>

#include "common/compress.h"
#include "proto/sync.pb.h"

namespace amana::envelope {
namespace {

constexpr std::string_view kLabel = "amana/envelope/v2";
constexpr std::size_t kMaxSenderIdBytes = 64;

crypto::ByteView view(const std::string& s) { return crypto::as_bytes(s); }

}  // namespace

// label || purpose || len(sender_id) || sender_id || sender key || recipient key || compressed
crypto::Bytes signed_bytes(Purpose purpose, crypto::ByteView sender_id, const crypto::PublicKey& sender_sign_public_key,
                           const crypto::PublicKey& recipient_box_public_key, crypto::ByteView compressed) {
  if (sender_id.size() > kMaxSenderIdBytes) throw std::logic_error("envelope: sender id too long");
  crypto::Bytes out(kLabel.begin(), kLabel.end());
  out.push_back(static_cast<std::uint8_t>(purpose));
  out.push_back(static_cast<std::uint8_t>(sender_id.size()));
  out.insert(out.end(), sender_id.begin(), sender_id.end());
  out.insert(out.end(), sender_sign_public_key.begin(), sender_sign_public_key.end());
  out.insert(out.end(), recipient_box_public_key.begin(), recipient_box_public_key.end());
  out.insert(out.end(), compressed.begin(), compressed.end());
  return out;
}

crypto::Bytes seal(Purpose purpose, crypto::ByteView payload, const Sender& sender,
                   const crypto::PublicKey& recipient_box_public_key) {
  if (sender.id.size() > kMaxSenderIdBytes) throw std::logic_error("envelope: sender id too long");
  const crypto::Bytes compressed = compress::compress(payload);
  pb::SignedMessage message;
  message.set_purpose(static_cast<std::uint32_t>(purpose));
  message.set_sender_id(sender.id.data(), sender.id.size());
  message.set_compressed_payload(compressed.data(), compressed.size());
  const crypto::PublicKey sender_key = crypto::sign_public_key_of(*sender.sign_secret_key);
  const crypto::Bytes signature = crypto::sign(
      *sender.sign_secret_key, signed_bytes(purpose, sender.id, sender_key, recipient_box_public_key, compressed));
  message.set_signature(signature.data(), signature.size());
  message.set_recipient_box_public_key(recipient_box_public_key.data(), recipient_box_public_key.size());
  const std::string inner = message.SerializeAsString();
  return crypto::box_seal(recipient_box_public_key, view(inner));
}

Result<Opened> open(crypto::ByteView sealed, Purpose expected, const Recipient& recipient,
                    const SenderKeyLookup& sender_key, const Limits& limits) {
  if (sealed.size() > limits.max_sealed_bytes) {
    return invalid_argument("message of " + std::to_string(sealed.size()) + " bytes is over the limit of " +
                            std::to_string(limits.max_sealed_bytes));
  }
  auto inner = crypto::box_open(recipient.box_public_key, *recipient.box_secret_key, sealed);
  if (!inner.ok()) {
    return corrupt("message does not open: it was changed in transit or sealed for another key");
  }
  pb::SignedMessage message;
  if (!message.ParseFromArray(inner->data(), static_cast<int>(inner->size()))) {
    return corrupt("message opens but is not a signed envelope");
  }
  if (message.purpose() != static_cast<std::uint32_t>(expected)) {
    return invalid_argument("message is a " + std::to_string(message.purpose()) + " envelope where a " +
                            std::to_string(static_cast<unsigned>(expected)) + " was expected");
  }
  // Before any lookup: a message sealed by a sender of protocol 3 or before names no
  // recipient, and one that names another was opened and re-sealed on the way.
  if (message.recipient_box_public_key().empty()) {
    return corrupt("message is in the envelope of protocol version 3 or before, which does not bind its "
                   "recipient: update the software that sent it");
  }
  if (!crypto::constant_time_equal(view(message.recipient_box_public_key()), recipient.box_public_key)) {
    return corrupt("message was signed for another recipient and sealed again on the way: someone in between "
                   "opened it (a relay, or a device pointed at the wrong server key)");
  }
  const crypto::ByteView sender_id = view(message.sender_id());
  if (sender_id.size() > kMaxSenderIdBytes) return corrupt("message names an impossible sender");
  AMANA_ASSIGN_OR_RETURN(crypto::PublicKey key, sender_key(sender_id));
  const crypto::ByteView compressed = view(message.compressed_payload());
  if (!crypto::verify(key, signed_bytes(expected, sender_id, key, recipient.box_public_key, compressed),
                      view(message.signature()))) {
    return corrupt("message signature does not verify: it was forged or altered before sealing");
  }
  auto payload = compress::decompress(compressed, limits.max_payload_bytes);
  if (!payload.ok()) return payload.status().with_context("message payload");
  return Opened{crypto::Bytes(sender_id.begin(), sender_id.end()), std::move(payload).value()};
}

}  // namespace amana::envelope

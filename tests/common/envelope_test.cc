#include "common/envelope.h"

#include <doctest/doctest.h>

#include <map>
#include <set>

#include "common/ids.h"
#include "proto/sync.pb.h"

namespace amana::envelope {
namespace {

struct Party {
  DeviceId id = new_device_id();
  crypto::SigningKeyPair sign = crypto::SigningKeyPair::generate();
  crypto::BoxKeyPair box = crypto::BoxKeyPair::generate();

  Sender sender() const { return {id.view(), &sign.secret_key}; }
  Recipient recipient() const { return {box.public_key, &box.secret_key}; }
};

// The server's view of enrolled devices: known keys, and the ones it revoked.
struct Directory {
  std::map<crypto::Bytes, crypto::PublicKey> keys;
  std::set<crypto::Bytes> revoked;

  void enroll(const Party& party) {
    keys[crypto::Bytes(party.id.view().begin(), party.id.view().end())] = party.sign.public_key;
  }
  SenderKeyLookup lookup() const {
    return [this](crypto::ByteView id) -> Result<crypto::PublicKey> {
      crypto::Bytes key(id.begin(), id.end());
      if (revoked.count(key) != 0) return Status(ErrorCode::revoked, "device revoked");
      auto found = keys.find(key);
      if (found == keys.end()) return Status(ErrorCode::permission_denied, "unknown device");
      return found->second;
    };
  }
};

const crypto::Bytes kPayload = [] {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "satisfaction=4;consent=true;";
  return crypto::Bytes(text.begin(), text.end());
}();

}  // namespace

TEST_CASE("a sealed envelope opens for its recipient, naming its sender") {
  Party device;
  Party server;
  Directory directory;
  directory.enroll(device);
  const crypto::Bytes sealed = seal(Purpose::push_request, kPayload, device.sender(), server.box.public_key);
  CHECK(sealed.size() < kPayload.size());  // compressed before sealing
  auto opened = open(sealed, Purpose::push_request, server.recipient(), directory.lookup());
  REQUIRE_MESSAGE(opened.ok(), opened.status().message());
  CHECK(opened->payload == kPayload);
  CHECK(opened->sender_id == crypto::Bytes(device.id.view().begin(), device.id.view().end()));
}

TEST_CASE("any single flipped byte is rejected") {
  Party device;
  Party server;
  Directory directory;
  directory.enroll(device);
  const crypto::Bytes sealed = seal(Purpose::push_request, kPayload, device.sender(), server.box.public_key);
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    crypto::Bytes flipped = sealed;
    flipped[i] ^= 0x80;
    CHECK(open(flipped, Purpose::push_request, server.recipient(), directory.lookup()).status().code() ==
          ErrorCode::corrupt);
  }
}

TEST_CASE("another key cannot read it, unknown, revoked and forging senders are refused") {
  Party device;
  Party server;
  Party other_server;
  Directory directory;
  directory.enroll(device);
  const crypto::Bytes sealed = seal(Purpose::push_request, kPayload, device.sender(), server.box.public_key);
  CHECK(open(sealed, Purpose::push_request, other_server.recipient(), directory.lookup()).status().code() ==
        ErrorCode::corrupt);

  Party stranger;
  const crypto::Bytes from_stranger = seal(Purpose::push_request, kPayload, stranger.sender(), server.box.public_key);
  CHECK(open(from_stranger, Purpose::push_request, server.recipient(), directory.lookup()).status().message() ==
        "unknown device");

  // A stranger who claims an enrolled device's id signs with the wrong key.
  Sender impostor{device.id.view(), &stranger.sign.secret_key};
  const crypto::Bytes forged = seal(Purpose::push_request, kPayload, impostor, server.box.public_key);
  auto refused = open(forged, Purpose::push_request, server.recipient(), directory.lookup());
  CHECK(refused.status().code() == ErrorCode::corrupt);
  CHECK(refused.status().message().find("signature does not verify") != std::string::npos);

  directory.revoked.insert(crypto::Bytes(device.id.view().begin(), device.id.view().end()));
  CHECK(open(sealed, Purpose::push_request, server.recipient(), directory.lookup()).status().message() ==
        "device revoked");
}

TEST_CASE("a message cannot be replayed as another purpose, and sizes are bounded") {
  Party device;
  Party server;
  Directory directory;
  directory.enroll(device);
  const crypto::Bytes sealed = seal(Purpose::pull_request, kPayload, device.sender(), server.box.public_key);
  CHECK(open(sealed, Purpose::push_request, server.recipient(), directory.lookup()).status().code() ==
        ErrorCode::invalid_argument);
  Limits tight;
  tight.max_sealed_bytes = sealed.size() - 1;
  CHECK(open(sealed, Purpose::pull_request, server.recipient(), directory.lookup(), tight).status().code() ==
        ErrorCode::invalid_argument);
  Limits small_payload;
  small_payload.max_payload_bytes = kPayload.size() - 1;
  auto bomb = open(sealed, Purpose::pull_request, server.recipient(), directory.lookup(), small_payload);
  CHECK(bomb.status().code() == ErrorCode::invalid_argument);
  CHECK(bomb.status().message().find("message payload: ") == 0);
}

TEST_CASE("a relay that opens a message and seals it again for the real recipient is refused, both ways") {
  Party device;
  Party server;
  Party relay;  // the key a tampered store or a rogue proxy got the sender to seal to
  Directory directory;
  directory.enroll(device);
  auto resealed = [](const crypto::Bytes& sealed, const Party& by, const Party& to) {
    auto inner = crypto::box_open(by.box.public_key, by.box.secret_key, sealed);
    REQUIRE(inner.ok());
    return crypto::box_seal(to.box.public_key, *inner);
  };
  // Device to server: the relay holds the plaintext, but cannot pass the message on.
  const crypto::Bytes to_relay = seal(Purpose::push_request, kPayload, device.sender(), relay.box.public_key);
  CHECK(open(to_relay, Purpose::push_request, relay.recipient(), directory.lookup()).ok());
  auto upstream = open(resealed(to_relay, relay, server), Purpose::push_request, server.recipient(), directory.lookup());
  CHECK(upstream.status().code() == ErrorCode::corrupt);
  CHECK(upstream.status().message().find("signed for another recipient") != std::string::npos);

  // Server to device: a reply the org sealed to the relay, sealed again to the device.
  Directory org;
  org.enroll(server);
  const crypto::Bytes reply = seal(Purpose::pull_response, kPayload, server.sender(), relay.box.public_key);
  auto downstream = open(resealed(reply, relay, device), Purpose::pull_response, device.recipient(), org.lookup());
  CHECK(downstream.status().code() == ErrorCode::corrupt);
  CHECK(downstream.status().message().find("signed for another recipient") != std::string::npos);
}

TEST_CASE("the signature covers both keys: a recipient named falsely, or an envelope before version 4, is refused") {
  Party device;
  Party server;
  Party relay;
  Directory directory;
  directory.enroll(device);
  const crypto::Bytes to_relay = seal(Purpose::push_request, kPayload, device.sender(), relay.box.public_key);
  auto inner = crypto::box_open(relay.box.public_key, relay.box.secret_key, to_relay);
  REQUIRE(inner.ok());
  pb::SignedMessage message;
  REQUIRE(message.ParseFromArray(inner->data(), static_cast<int>(inner->size())));

  // The relay rewrites the named recipient to the server's: the signature says otherwise.
  message.set_recipient_box_public_key(server.box.public_key.data(), server.box.public_key.size());
  auto renamed = open(crypto::box_seal(server.box.public_key, crypto::as_bytes(message.SerializeAsString())),
                      Purpose::push_request, server.recipient(), directory.lookup());
  CHECK(renamed.status().code() == ErrorCode::corrupt);
  CHECK(renamed.status().message().find("signature does not verify") != std::string::npos);

  // Without the field it is the envelope of protocol 3, which bound no recipient.
  message.clear_recipient_box_public_key();
  auto old = open(crypto::box_seal(server.box.public_key, crypto::as_bytes(message.SerializeAsString())),
                  Purpose::push_request, server.recipient(), directory.lookup());
  CHECK(old.status().code() == ErrorCode::corrupt);
  CHECK(old.status().message().find("protocol version 3 or before") != std::string::npos);

  // A signature over the bytes with another sender key does not verify under the real one.
  const crypto::SigningKeyPair other = crypto::SigningKeyPair::generate();
  CHECK(signed_bytes(Purpose::push_request, device.id.view(), device.sign.public_key, server.box.public_key, {}) !=
        signed_bytes(Purpose::push_request, device.id.view(), other.public_key, server.box.public_key, {}));
  CHECK(crypto::sign_public_key_of(device.sign.secret_key) == device.sign.public_key);
}

}  // namespace amana::envelope

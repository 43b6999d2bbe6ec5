#include "common/envelope.h"

#include <doctest/doctest.h>

#include <map>
#include <set>

#include "common/ids.h"

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

}  // namespace amana::envelope

// One organisation, its central store and one enrolled device, made once per fuzz process
// for the targets that talk to the sync service. The device is what lets a target reach
// past the seal and the signature: inputs become payloads an enrolled device really
// signed, which is where a rogue device (the threat that holds valid keys) attacks from.
//
// The store lives in a fresh directory under $TMPDIR (tools/fuzz points it at /dev/shm, so
// that synchronous=FULL commits cost no disk flush) and is removed at exit. State carries
// over between inputs (merged changesets, spent nonces) as it does on a real server.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "common/crypto.h"
#include "common/envelope.h"
#include "common/ids.h"
#include "sync-server/service.h"

namespace amana::fuzz {

// A fixed clock: nonces never expire mid-run, and a crash reproduces from its input alone.
inline constexpr std::int64_t kNowMs = 1'800'000'000'000;

// The enrolled device's id is fixed so that the committed seeds (make_seeds.cc) name it:
// a changeset from any other device is refused before it reaches the merge.
inline constexpr std::array<std::uint8_t, 16> kDeviceIdBytes = {0x01, 0x94, 0x2f, 0x6c, 0x3a, 0x10, 0x7b, 0x21,
                                                                0x8c, 0x44, 0x5e, 0x90, 0x12, 0x34, 0x56, 0x78};

struct ServerFixture {
  static ServerFixture& get();

  server::HttpResponse call(const std::string& method, const std::string& target, const std::string& body);
  std::string fresh_nonce();
  // `payload` signed by the enrolled device and sealed to the org, as a device sends it.
  std::string seal_from_device(envelope::Purpose purpose, crypto::ByteView payload) const;
  // `payload` signed by a key that is not enrolled, naming itself as sender (enrollment).
  std::string seal_from_stranger(envelope::Purpose purpose, crypto::ByteView payload) const;

  ~ServerFixture();

  std::filesystem::path dir;
  std::unique_ptr<server::CentralStore> store;
  server::OrgKeys keys;
  std::shared_ptr<server::Metrics> metrics = std::make_shared<server::Metrics>();
  std::unique_ptr<server::SyncService> service;
  DeviceId device_id = DeviceId::from_bytes(kDeviceIdBytes).value();
  crypto::SigningKeyPair sign = crypto::SigningKeyPair::generate();
  crypto::BoxKeyPair box = crypto::BoxKeyPair::generate();
  crypto::SigningKeyPair stranger = crypto::SigningKeyPair::generate();

 private:
  ServerFixture();
};

}  // namespace amana::fuzz

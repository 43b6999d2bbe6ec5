// The threat of a rogue device, played as its owner would: they know their passphrase, so
// they open their own field-client store (field-client/store.h) and hold its keys; with the
// project's own library they build any changeset, chain it after their device's last one,
// sign and seal it (common/envelope.h) and POST it to the server, or carry it as a bundle.
// Afterwards the device's store is told of the forged changeset (Store::follow_changeset_chain,
// with the passphrase), so that the owner's next ordinary `field-client sync` follows it
// like any other.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/hlc.h"
#include "common/ids.h"
#include "proto/sync.pb.h"
#include "tests/support.h"

namespace amana::testing {

class DeviceOwner {
 public:
  // REQUIRES: `device` is enrolled and has nothing waiting to be acknowledged.
  explicit DeviceOwner(const FieldDevice& device) : DeviceOwner(device.home()) {}
  explicit DeviceOwner(const std::filesystem::path& home);

  const DeviceId& device() const { return device_; }
  const std::string& user() const { return user_; }

  using Values = std::map<std::string, std::string>;
  // An operation of this device on `record`, every field stamped `hlc` (0: now), authored
  // by the device's user unless the test says otherwise.
  pb::Operation operation(pb::Operation::Kind kind, const RecordId& record, const std::string& form,
                          const Values& values, std::optional<RecordId> case_id = std::nullopt,
                          HlcTime hlc = HlcTime{0}) const;
  pb::Operation create(const std::string& form, const Values& values, std::optional<RecordId> case_id = std::nullopt,
                       HlcTime hlc = HlcTime{0}) const;

  // The next changeset of the device's chain, holding `operations`.
  std::string changeset(const std::vector<pb::Operation>& operations);
  // Sends the changesets made so far and not yet sent as one push; the reply, opened. The
  // device's store then chains after them.
  pb::PushResponse push(const std::string& server_url);
  // Writes them as a bundle for `sync-server import-bundle` instead.
  void write_bundle(const std::filesystem::path& file);
  // Sends `request` as this device's pull (with a fresh nonce); the reply, opened. What
  // the device's store holds is not changed: the owner sees what the server sent.
  pb::DeviceUpdate pull(const std::string& server_url, pb::PullRequest request) const;

 private:
  void adopt_chain() const;
  std::filesystem::path home_;
  DeviceId device_;
  std::string user_;
  crypto::SecretBytes sign_secret_;
  crypto::PublicKey box_public_{};
  crypto::SecretBytes box_secret_;
  crypto::PublicKey org_box_{};
  crypto::PublicKey org_sign_{};
  std::uint64_t number_ = 0;
  std::string previous_hash_;
  std::vector<std::string> unsent_;
};

// A record id made now, as a device makes them.
RecordId fresh_record_id();
// The server's /metrics counter `name{labels}` (0 when absent).
std::uint64_t metric(const ServerUnderTest& server, const std::string& name, const std::string& labels);

}  // namespace amana::testing

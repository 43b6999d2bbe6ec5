// The organisation's keys (docs/architecture.md, security contract): Ed25519 to sign what the server
// sends, X25519 for devices to seal what they send, and the data key that seals field
// values in the central store. Made once by `sync-server init`; the secret parts are kept
// in the store sealed under Argon2id(operator passphrase), so a stolen disk or backup
// without the passphrase holds no usable key.
#pragma once

#include "common/crypto.h"
#include "common/status.h"
#include "sync-server/central_store.h"

namespace amana::server {

struct OrgPublicKeys {
  crypto::PublicKey sign{};
  crypto::PublicKey box{};
};

struct OrgKeys {
  crypto::SigningKeyPair sign;
  crypto::BoxKeyPair box;
  crypto::SecretBytes data_key;
  OrgPublicKeys public_keys() const { return {sign.public_key, box.public_key}; }
};

// Generates and stores new keys. already_exists when the store has keys. `created`, when
// given, receives them unlocked (init signs the built-in forms without a second derivation).
Status create_org_keys(CentralStore& store, std::string_view passphrase, crypto::KdfParams kdf = crypto::kDefaultKdf,
                       OrgKeys* created = nullptr);

// Unlocks the keys and gives the store its data key (CentralStore::set_data_key).
// wrong_passphrase, or corrupt when the stored keys or values are damaged.
Result<OrgKeys> unlock_org_keys(CentralStore& store, std::string_view passphrase);

// Readable without the passphrase: what devices and enrollment codes need.
Result<OrgPublicKeys> org_public_keys(CentralStore& store);

}  // namespace amana::server

#include "sync-server/org_keys.h"

#include <algorithm>
#include <cstring>

namespace amana::server {
namespace {

constexpr std::string_view kSecretsLabel = "amana/server/org-secrets/v1|";
constexpr std::size_t kSignSecretBytes = 64;
constexpr std::size_t kBoxSecretBytes = 32;

crypto::Bytes u64_bytes(std::uint64_t value) {
  crypto::Bytes out(8);
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value >> (56 - 8 * i));
  return out;
}

std::uint64_t read_u64(const crypto::Bytes& bytes) {
  std::uint64_t value = 0;
  for (std::uint8_t b : bytes) value = (value << 8) | b;
  return value;
}

crypto::Bytes secrets_ad(const crypto::Bytes& salt) {
  std::string ad(kSecretsLabel);
  ad.append(salt.begin(), salt.end());
  return crypto::Bytes(ad.begin(), ad.end());
}

Result<crypto::Bytes> required_meta(CentralStore& store, const std::string& key) {
  AMANA_ASSIGN_OR_RETURN(auto value, store.meta(key));
  if (!value) {
    return not_found("the server has no organisation keys yet: run `sync-server init` first");
  }
  return *value;
}

crypto::PublicKey to_key(const crypto::Bytes& bytes) {
  crypto::PublicKey key{};
  if (bytes.size() == key.size()) std::copy(bytes.begin(), bytes.end(), key.begin());
  return key;
}

}  // namespace

Status create_org_keys(CentralStore& store, std::string_view passphrase, crypto::KdfParams kdf, OrgKeys* created) {
  auto existing = store.meta("org_sign_public_key");
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return Status(ErrorCode::already_exists, "this server already has organisation keys");
  if (passphrase.empty()) return invalid_argument("the operator passphrase must not be empty");

  OrgKeys keys{crypto::SigningKeyPair::generate(), crypto::BoxKeyPair::generate(),
               crypto::SecretBytes::random(crypto::kKeyBytes)};
  const crypto::Bytes salt = crypto::random_bytes(crypto::kSaltBytes);
  AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes wrapping, crypto::derive_key(passphrase, salt, kdf));
  crypto::SecretBytes secrets(kSignSecretBytes + kBoxSecretBytes + crypto::kKeyBytes);
  std::memcpy(secrets.data(), keys.sign.secret_key.data(), kSignSecretBytes);
  std::memcpy(secrets.data() + kSignSecretBytes, keys.box.secret_key.data(), kBoxSecretBytes);
  std::memcpy(secrets.data() + kSignSecretBytes + kBoxSecretBytes, keys.data_key.data(), crypto::kKeyBytes);

  AMANA_RETURN_IF_ERROR(store.put_meta("kdf_salt", salt));
  AMANA_RETURN_IF_ERROR(store.put_meta("kdf_ops_limit", u64_bytes(kdf.ops_limit)));
  AMANA_RETURN_IF_ERROR(store.put_meta("kdf_mem_limit", u64_bytes(kdf.mem_limit)));
  AMANA_RETURN_IF_ERROR(store.put_meta("sealed_org_secrets", crypto::seal(wrapping, secrets.view(), secrets_ad(salt))));
  AMANA_RETURN_IF_ERROR(store.put_meta("org_box_public_key", keys.box.public_key));
  // Written last: its presence is what says "initialised".
  AMANA_RETURN_IF_ERROR(store.put_meta("org_sign_public_key", keys.sign.public_key));
  if (created != nullptr) *created = std::move(keys);
  return Status();
}

Result<OrgKeys> unlock_org_keys(CentralStore& store, std::string_view passphrase) {
  AMANA_ASSIGN_OR_RETURN(OrgPublicKeys public_keys, org_public_keys(store));
  AMANA_ASSIGN_OR_RETURN(crypto::Bytes salt, required_meta(store, "kdf_salt"));
  AMANA_ASSIGN_OR_RETURN(crypto::Bytes ops, required_meta(store, "kdf_ops_limit"));
  AMANA_ASSIGN_OR_RETURN(crypto::Bytes mem, required_meta(store, "kdf_mem_limit"));
  AMANA_ASSIGN_OR_RETURN(crypto::Bytes sealed, required_meta(store, "sealed_org_secrets"));
  AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes wrapping,
                         crypto::derive_key(passphrase, salt, {read_u64(ops), read_u64(mem)}));
  auto secrets = crypto::open(wrapping, sealed, secrets_ad(salt));
  if (!secrets.ok()) {
    return Status(ErrorCode::wrong_passphrase, "wrong operator passphrase: the organisation keys did not unlock");
  }
  if (secrets->size() != kSignSecretBytes + kBoxSecretBytes + crypto::kKeyBytes) {
    return corrupt("the stored organisation keys have the wrong size");
  }
  OrgKeys keys;
  keys.sign.public_key = public_keys.sign;
  keys.sign.secret_key = crypto::SecretBytes::copy_of(secrets->view().subspan(0, kSignSecretBytes));
  keys.box.public_key = public_keys.box;
  keys.box.secret_key = crypto::SecretBytes::copy_of(secrets->view().subspan(kSignSecretBytes, kBoxSecretBytes));
  keys.data_key = crypto::SecretBytes::copy_of(secrets->view().subspan(kSignSecretBytes + kBoxSecretBytes));
  AMANA_RETURN_IF_ERROR(store.set_data_key(crypto::SecretBytes::copy_of(keys.data_key.view())));
  return keys;
}

Result<OrgPublicKeys> org_public_keys(CentralStore& store) {
  AMANA_ASSIGN_OR_RETURN(crypto::Bytes sign, required_meta(store, "org_sign_public_key"));
  AMANA_ASSIGN_OR_RETURN(crypto::Bytes box, required_meta(store, "org_box_public_key"));
  return OrgPublicKeys{to_key(sign), to_key(box)};
}

}  // namespace amana::server

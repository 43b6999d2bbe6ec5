#include "tests/sync-server/forge.h"

#include <doctest/doctest.h>

#include "common/envelope.h"
#include "common/files.h"
#include "common/http_client.h"
#include "common/sqlite.h"
#include "field-client/store.h"

namespace amana::testing {
namespace {

std::string text(const crypto::Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }
std::string text(const RecordId& id) { return std::string(id.bytes.begin(), id.bytes.end()); }

std::int64_t now_ms() { return system_wall_clock()(); }

}  // namespace

RecordId fresh_record_id() { return new_record_id(now_ms()); }

DeviceOwner::DeviceOwner(const std::filesystem::path& home) : home_(home) {
  auto store = field::Store::open(home_, kPassphrases.at("AMANA_PASSPHRASE"));
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  device_ = store->device();
  user_ = store->user();
  auto keys = store->device_keys();
  REQUIRE(keys.ok());
  sign_secret_ = std::move(keys->sign_secret_key);
  box_public_ = keys->box_public_key;
  box_secret_ = std::move(keys->box_secret_key);
  auto enrollment = store->enrollment();
  REQUIRE(enrollment.ok());
  REQUIRE_MESSAGE(enrollment->has_value(), "the device must be enrolled");
  org_box_ = (*enrollment)->org_box_public_key;
  org_sign_ = (*enrollment)->org_sign_public_key;
  auto pending = store->pending_changesets(500);
  REQUIRE(pending.ok());
  REQUIRE_MESSAGE(pending->empty(), "sync the device before forging after its last changeset");
  // The chain is readable in clear: the number and hash of the device's last changeset.
  number_ = static_cast<std::uint64_t>(std::stoull(
      query_text(home_ / "store.db", "SELECT CAST(value AS TEXT) FROM meta WHERE key = 'changeset_number'")));
  const std::string hex =
      query_text(home_ / "store.db", "SELECT hex(value) FROM meta WHERE key = 'changeset_hash'");
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    previous_hash_.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
}

pb::Operation DeviceOwner::operation(pb::Operation::Kind kind, const RecordId& record, const std::string& form,
                                     const Values& values, std::optional<RecordId> case_id, HlcTime hlc) const {
  if (hlc == HlcTime{0}) hlc = make_hlc(now_ms(), 0);
  pb::Operation operation;
  operation.set_record_id(text(record));
  operation.set_kind(kind);
  operation.set_form_id(form);
  operation.set_form_version(builtin_form_version(form));
  operation.set_hlc(static_cast<std::uint64_t>(hlc));
  operation.set_device_id(std::string(device_.bytes.begin(), device_.bytes.end()));
  operation.set_author(user_);
  operation.set_created_at_ms(now_ms());
  if (case_id) operation.set_case_id(text(*case_id));
  for (const auto& [field, value] : values) {
    pb::FieldWrite* write = operation.add_writes();
    write->set_field(field);
    write->set_value(value);
    write->set_hlc(static_cast<std::uint64_t>(hlc));
  }
  return operation;
}

pb::Operation DeviceOwner::create(const std::string& form, const Values& values, std::optional<RecordId> case_id,
                                  HlcTime hlc) const {
  return operation(pb::Operation::CREATE, fresh_record_id(), form, values, case_id, hlc);
}

std::string DeviceOwner::changeset(const std::vector<pb::Operation>& operations) {
  pb::Changeset changeset;
  changeset.set_device_id(std::string(device_.bytes.begin(), device_.bytes.end()));
  changeset.set_number(++number_);
  changeset.set_previous_hash(previous_hash_);
  for (const pb::Operation& operation : operations) *changeset.add_operations() = operation;
  const std::string encoded = changeset.SerializeAsString();
  const auto hash = crypto::hash(crypto::as_bytes(encoded));
  previous_hash_.assign(hash.begin(), hash.end());
  unsent_.push_back(encoded);
  return encoded;
}

pb::PushResponse DeviceOwner::push(const std::string& server_url) {
  auto url = http::Url::parse(server_url);
  REQUIRE(url.ok());
  auto nonce_reply = http::request(*url, "GET", "/v1/nonce", "");
  REQUIRE(nonce_reply.ok());
  pb::Nonce nonce;
  REQUIRE(nonce.ParseFromString(nonce_reply->body));
  pb::PushRequest request;
  request.set_server_nonce(nonce.nonce());
  for (const std::string& encoded : unsent_) request.add_changesets(encoded);
  const envelope::Sender me{device_.view(), &sign_secret_};
  const auto sealed = envelope::seal(envelope::Purpose::push_request, crypto::as_bytes(request.SerializeAsString()), me,
                                     org_box_);
  auto reply = http::request(*url, "POST", "/v1/push", text(sealed));
  REQUIRE(reply.ok());
  REQUIRE_MESSAGE(reply->status == 200, reply->body);
  const envelope::Recipient recipient{box_public_, &box_secret_};
  auto org = [&](crypto::ByteView) -> Result<crypto::PublicKey> { return org_sign_; };
  auto opened = envelope::open(crypto::as_bytes(reply->body), envelope::Purpose::push_response, recipient, org);
  REQUIRE(opened.ok());
  pb::PushResponse response;
  REQUIRE(response.ParseFromArray(opened->payload.data(), static_cast<int>(opened->payload.size())));
  unsent_.clear();
  adopt_chain();
  return response;
}

pb::DeviceUpdate DeviceOwner::pull(const std::string& server_url, pb::PullRequest request) const {
  auto url = http::Url::parse(server_url);
  REQUIRE(url.ok());
  auto nonce_reply = http::request(*url, "GET", "/v1/nonce", "");
  REQUIRE(nonce_reply.ok());
  pb::Nonce nonce;
  REQUIRE(nonce.ParseFromString(nonce_reply->body));
  request.set_server_nonce(nonce.nonce());
  const envelope::Sender me{device_.view(), &sign_secret_};
  const auto sealed = envelope::seal(envelope::Purpose::pull_request, crypto::as_bytes(request.SerializeAsString()), me,
                                     org_box_);
  auto reply = http::request(*url, "POST", "/v1/pull", text(sealed));
  REQUIRE(reply.ok());
  REQUIRE_MESSAGE(reply->status == 200, reply->body);
  const envelope::Recipient recipient{box_public_, &box_secret_};
  auto org = [&](crypto::ByteView) -> Result<crypto::PublicKey> { return org_sign_; };
  auto opened = envelope::open(crypto::as_bytes(reply->body), envelope::Purpose::pull_response, recipient, org);
  REQUIRE(opened.ok());
  pb::DeviceUpdate update;
  REQUIRE(update.ParseFromArray(opened->payload.data(), static_cast<int>(opened->payload.size())));
  return update;
}

void DeviceOwner::write_bundle(const std::filesystem::path& file) {
  pb::PushRequest request;  // no nonce, as field-client bundle export makes it
  for (const std::string& encoded : unsent_) request.add_changesets(encoded);
  const envelope::Sender me{device_.view(), &sign_secret_};
  const auto sealed = envelope::seal(envelope::Purpose::bundle, crypto::as_bytes(request.SerializeAsString()), me,
                                     org_box_);
  REQUIRE(write_file_atomically(file, text(sealed)).ok());
  unsent_.clear();
  adopt_chain();
}

void DeviceOwner::adopt_chain() const {
  // Through the library, with the passphrase the owner holds: the store authenticates its
  // meta, so an edit with SQLite's own tools would be refused at the next unlock.
  auto store = field::Store::open(home_, kPassphrases.at("AMANA_PASSPHRASE"));
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  const Status followed = store->follow_changeset_chain(number_, crypto::as_bytes(previous_hash_));
  REQUIRE_MESSAGE(followed.ok(), followed.message());
}

std::uint64_t metric(const ServerUnderTest& server, const std::string& name, const std::string& labels) {
  const auto metrics = http::request(*http::Url::parse(server.url()), "GET", "/metrics", "");
  REQUIRE(metrics.ok());
  const std::string key = name + (labels.empty() ? "" : "{" + labels + "}") + " ";
  const auto at = metrics->body.find("\n" + key);
  return at == std::string::npos ? 0 : std::stoull(metrics->body.substr(at + 1 + key.size()));
}

}  // namespace amana::testing

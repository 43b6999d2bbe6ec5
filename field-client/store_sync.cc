// The device store: enrollment, changesets awaiting acknowledgement, the provider
// directory and cases pulled from the server (store.h).
#include <algorithm>

#include "field-client/store_internal.h"
#include "proto/sync.pb.h"

namespace amana::field {
using namespace store_detail;

namespace {

crypto::PublicKey key_from(const Bytes& bytes) {
  crypto::PublicKey key{};
  if (bytes.size() == key.size()) std::copy(bytes.begin(), bytes.end(), key.begin());
  return key;
}

}  // namespace

Result<std::optional<Enrollment>> Store::enrollment() {
  sql::Database& db = *state_->db;
  // Every exchange with the server starts here: what it trusts is checked again first.
  AMANA_RETURN_IF_ERROR(verify_meta(*state_));
  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> sealed, read_meta(db, "sealed_enrollment"));
  if (!sealed) return std::optional<Enrollment>();
  AMANA_ASSIGN_OR_RETURN(SecretBytes plain,
                         crypto::open(state_->data_key, *sealed, associated_data("amana/enrollment/v1", device_.view())));
  pb::EnrollResponse identity;
  if (!identity.ParseFromArray(plain.data(), static_cast<int>(plain.size()))) {
    return corrupt("the stored enrollment does not decode");
  }
  AMANA_ASSIGN_OR_RETURN(Bytes url, require_meta(db, "server_url"));
  AMANA_ASSIGN_OR_RETURN(Bytes org_sign, require_meta(db, "org_sign_public_key"));
  AMANA_ASSIGN_OR_RETURN(Bytes org_box, require_meta(db, "org_box_public_key"));
  Enrollment enrollment{std::string(url.begin(), url.end()), key_from(org_sign), key_from(org_box),
                        identity.user(), identity.role(), identity.team(), std::nullopt};
  AMANA_ASSIGN_OR_RETURN(std::optional<Bytes> pin, read_meta(db, "server_tls_key_pin"));
  if (pin) {
    if (pin->size() != tls::KeyPin().size()) return corrupt("the stored TLS key pin has the wrong size");
    enrollment.server_tls_key.emplace();
    std::copy(pin->begin(), pin->end(), enrollment.server_tls_key->begin());
  }
  return std::optional<Enrollment>(std::move(enrollment));
}

Status Store::save_enrollment(const Enrollment& enrollment) {
  sql::Database& db = *state_->db;
  pb::EnrollResponse identity;  // the same fields the server confirmed
  identity.set_user(enrollment.user);
  identity.set_role(enrollment.role);
  identity.set_team(enrollment.team);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
  std::vector<std::pair<std::string_view, std::optional<Bytes>>> entries{
      {"server_url", Bytes(enrollment.server_url.begin(), enrollment.server_url.end())},
      {"org_sign_public_key", Bytes(enrollment.org_sign_public_key.begin(), enrollment.org_sign_public_key.end())},
      {"org_box_public_key", Bytes(enrollment.org_box_public_key.begin(), enrollment.org_box_public_key.end())},
      {"sealed_enrollment", crypto::seal(state_->data_key, crypto::as_bytes(identity.SerializeAsString()),
                                         associated_data("amana/enrollment/v1", device_.view()))}};
  if (enrollment.server_tls_key) {
    entries.emplace_back("server_tls_key_pin", Bytes(enrollment.server_tls_key->begin(), enrollment.server_tls_key->end()));
  }
  AMANA_RETURN_IF_ERROR(write_meta_entries(*state_, txn, entries));
  return txn.commit();
}

Result<DeviceKeys> Store::device_keys() {
  sql::Database& db = *state_->db;
  DeviceKeys keys;
  AMANA_ASSIGN_OR_RETURN(Bytes sign_public, require_meta(db, "device_sign_public_key"));
  AMANA_ASSIGN_OR_RETURN(Bytes box_public, require_meta(db, "device_box_public_key"));
  AMANA_ASSIGN_OR_RETURN(Bytes sealed, require_meta(db, "sealed_device_secrets"));
  AMANA_ASSIGN_OR_RETURN(SecretBytes plain,
                         crypto::open(state_->data_key, sealed, associated_data(kSecretsLabel, device_.view())));
  pb::DeviceSecrets secrets;
  if (!secrets.ParseFromArray(plain.data(), static_cast<int>(plain.size()))) {
    return corrupt("the device secrets do not decode");
  }
  keys.sign_public_key = key_from(sign_public);
  keys.box_public_key = key_from(box_public);
  keys.sign_secret_key = SecretBytes::copy_of(crypto::as_bytes(secrets.sign_secret_key()));
  keys.box_secret_key = SecretBytes::copy_of(crypto::as_bytes(secrets.box_secret_key()));
  // The parsed message held copies of the secrets in ordinary memory: wipe them.
  secrets.mutable_sign_secret_key()->assign(secrets.sign_secret_key().size(), '\0');
  secrets.mutable_box_secret_key()->assign(secrets.box_secret_key().size(), '\0');
  return keys;
}

Result<std::vector<PendingChangeset>> Store::pending_changesets(std::size_t max_operations) {
  if (max_operations == 0) throw std::logic_error("pending_changesets: max_operations must be positive");
  sql::Database& db = *state_->db;
  {
    AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
    // Nothing goes to the server from an outbox or a queue of changesets that is not what
    // this device wrote (an operation removed, reordered, changed; a changeset removed).
    AMANA_RETURN_IF_ERROR(verify_outbox(*state_).status());
    AMANA_RETURN_IF_ERROR(verify_changesets(*state_));
    AMANA_ASSIGN_OR_RETURN(std::uint64_t packed, require_meta_number(db, "packed_sequence"));
    AMANA_ASSIGN_OR_RETURN(std::uint64_t number, require_meta_number(db, "changeset_number"));
    AMANA_ASSIGN_OR_RETURN(Bytes previous_hash, require_meta(db, "changeset_hash"));
    while (true) {
      AMANA_ASSIGN_OR_RETURN(auto entries, outbox(static_cast<std::int64_t>(packed), max_operations));
      if (entries.empty()) break;
      pb::Changeset changeset;
      changeset.set_device_id(device_.bytes.data(), device_.bytes.size());
      changeset.set_number(++number);
      changeset.set_previous_hash(previous_hash.data(), previous_hash.size());
      changeset.set_first_sequence(static_cast<std::uint64_t>(entries.front().sequence));
      changeset.set_last_sequence(static_cast<std::uint64_t>(entries.back().sequence));
      for (OutboxEntry& entry : entries) *changeset.add_operations() = std::move(entry.operation);
      const std::string encoded = changeset.SerializeAsString();
      const auto hash = crypto::hash(crypto::as_bytes(encoded));
      previous_hash.assign(hash.begin(), hash.end());
      packed = changeset.last_sequence();
      AMANA_ASSIGN_OR_RETURN(sql::Query insert, db.query(
          "INSERT INTO changesets (number, last_sequence, sealed_changeset) VALUES (?, ?, ?)"));
      AMANA_RETURN_IF_ERROR(insert.bind(1, static_cast<std::int64_t>(number))
                                .bind(2, static_cast<std::int64_t>(packed))
                                .bind(3, crypto::seal(state_->data_key, crypto::as_bytes(encoded),
                                                      associated_data(kChangesetLabel, number_text(number))))
                                .run());
    }
    AMANA_RETURN_IF_ERROR(write_meta_entries(*state_, txn,
                                             {{"packed_sequence", number_text(packed)},
                                              {"changeset_number", number_text(number)},
                                              {"changeset_hash", previous_hash}}));
    AMANA_RETURN_IF_ERROR(txn.commit());
  }
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query(
      "SELECT number, last_sequence, sealed_changeset FROM changesets ORDER BY number"));
  std::vector<PendingChangeset> out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    PendingChangeset pending;
    pending.number = static_cast<std::uint64_t>(q.column_int64(0));
    pending.last_sequence = q.column_int64(1);
    AMANA_ASSIGN_OR_RETURN(SecretBytes plain,
                           crypto::open(state_->data_key, q.column_blob(2),
                                        associated_data(kChangesetLabel, number_text(pending.number)), crypto::Memory::wiped));
    pending.encoded = std::string(plain.as_string());
    out.push_back(std::move(pending));
  }
  return out;
}

Status Store::acknowledge_changesets(std::uint64_t high_water) {
  sql::Database& db = *state_->db;
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
  // The last sequence comes from inside the sealed changeset, not its clear column: moving
  // the acknowledged point past operations never sent would let them be pruned unsent.
  AMANA_ASSIGN_OR_RETURN(sql::Query last, db.query(
      "SELECT number, sealed_changeset FROM changesets WHERE number <= ? ORDER BY number DESC LIMIT 1"));
  last.bind(1, static_cast<std::int64_t>(high_water));
  AMANA_ASSIGN_OR_RETURN(bool row, last.step());
  if (!row) return Status();  // nothing new acknowledged
  const auto number = static_cast<std::uint64_t>(last.column_int64(0));
  AMANA_ASSIGN_OR_RETURN(SecretBytes plain, crypto::open(state_->data_key, last.column_blob(1),
                                                         associated_data(kChangesetLabel, number_text(number))));
  pb::Changeset changeset;
  if (!changeset.ParseFromArray(plain.data(), static_cast<int>(plain.size()))) {
    return corrupt("a stored changeset does not decode");
  }
  const std::uint64_t sequence = changeset.last_sequence();
  // The chain up to there must hold; its link there becomes the new base.
  AMANA_ASSIGN_OR_RETURN(Bytes base, verify_outbox(*state_, static_cast<std::int64_t>(sequence)));
  AMANA_ASSIGN_OR_RETURN(sql::Query drop, db.query("DELETE FROM changesets WHERE number <= ?"));
  AMANA_RETURN_IF_ERROR(drop.bind(1, static_cast<std::int64_t>(number)).run());
  AMANA_RETURN_IF_ERROR(write_meta_entries(*state_, txn,
                                           {{"acknowledged_sequence", number_text(sequence)},
                                            {"acknowledged_changeset", number_text(number)},
                                            {"outbox_base", base}}));
  return txn.commit();
}

Status Store::follow_changeset_chain(std::uint64_t number, crypto::ByteView hash) {
  sql::Database& db = *state_->db;
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
  AMANA_ASSIGN_OR_RETURN(std::uint64_t current, require_meta_number(db, "changeset_number"));
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query("SELECT count(*) FROM changesets"));
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row || q.column_int64(0) != 0 || number < current) {
    return invalid_argument("the changeset chain can only move on when nothing packed waits to be acknowledged");
  }
  AMANA_RETURN_IF_ERROR(write_meta_entries(*state_, txn,
                                           {{"changeset_number", number_text(number)},
                                            {"acknowledged_changeset", number_text(number)},
                                            {"changeset_hash", Bytes(hash.begin(), hash.end())}}));
  return txn.commit();
}

// ---- service provider directory ----

Result<std::int64_t> Store::providers_version() {
  AMANA_ASSIGN_OR_RETURN(std::uint64_t version, require_meta_number(*state_->db, "providers_version"));
  return static_cast<std::int64_t>(version);
}

Status Store::replace_providers(const std::vector<pb::Provider>& list, std::int64_t version) {
  sql::Database& db = *state_->db;
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
  AMANA_RETURN_IF_ERROR(db.exec("DELETE FROM providers"));
  for (const pb::Provider& provider : list) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query("INSERT INTO providers (id, active, encoded) VALUES (?, ?, ?)"));
    AMANA_RETURN_IF_ERROR(q.bind(1, provider.id())
                              .bind(2, std::int64_t{provider.active() ? 1 : 0})
                              .bind(3, crypto::as_bytes(provider.SerializeAsString()))
                              .run());
  }
  AMANA_ASSIGN_OR_RETURN(Bytes digest, compute_providers_digest(*state_));
  AMANA_RETURN_IF_ERROR(write_meta_entries(
      *state_, txn,
      {{"providers_version", number_text(static_cast<std::uint64_t>(version))}, {"providers_digest", digest}}));
  return txn.commit();
}

Result<std::vector<pb::Provider>> Store::providers(bool include_inactive) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         state_->db->query("SELECT encoded FROM providers WHERE ?1 OR active = 1 ORDER BY id"));
  q.bind(1, std::int64_t{include_inactive ? 1 : 0});
  std::vector<pb::Provider> out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    const Bytes encoded = q.column_blob(0);
    pb::Provider provider;
    if (!provider.ParseFromArray(encoded.data(), static_cast<int>(encoded.size()))) {
      return corrupt("a provider in the local directory does not decode");
    }
    out.push_back(std::move(provider));
  }
  return out;
}

// ---- cases pulled from the server ----

Result<std::vector<RecordId>> Store::held_cases() {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, state_->db->query("SELECT id FROM records WHERE form_id = 'case' ORDER BY id"));
  std::vector<RecordId> out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    AMANA_ASSIGN_OR_RETURN(RecordId id, RecordId::from_bytes(q.column_blob(0)));
    out.push_back(id);
  }
  return out;
}

Result<std::uint64_t> Store::pull_cursor() { return require_meta_number(*state_->db, "pull_cursor"); }

Result<Store::PullReport> Store::apply_pulled(const std::vector<pb::Operation>& changes,
                                              const std::vector<RecordId>& evicted, std::uint64_t cursor) {
  sql::Database& db = *state_->db;
  PullReport report;
  SearchIndex::WriteGuard search(state_->search);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db.begin());
  const std::int64_t now_ms = state_->wall();
  for (const pb::Operation& operation : changes) {
    AMANA_ASSIGN_OR_RETURN(RecordId id, RecordId::from_bytes(crypto::as_bytes(operation.record_id())));
    AMANA_ASSIGN_OR_RETURN(DeviceId writer, DeviceId::from_bytes(crypto::as_bytes(operation.device_id())));
    const HlcTime stamp{operation.hlc()};
    // A stamp from the future (a forged clock the server took in before it refused them)
    // would win every later edit here and drag this device's clock along: not applied,
    // not observed. The server holds it; it comes again, and applies once it is no longer
    // ahead of this device's clock.
    bool ahead = beyond_clock_bound(stamp, now_ms);
    for (const pb::FieldWrite& write : operation.writes()) ahead = ahead || beyond_clock_bound(HlcTime{write.hlc()}, now_ms);
    if (ahead) {
      ++report.changes_held_back;
      continue;
    }
    state_->clock.observe(stamp);
    auto existing = record(id);
    Record target;
    const bool insert = !existing.ok();
    if (insert) {
      if (existing.status().code() != ErrorCode::not_found) return existing.status();
      std::optional<RecordId> case_id;
      if (operation.case_id().size() == 16) {
        AMANA_ASSIGN_OR_RETURN(case_id, RecordId::from_bytes(crypto::as_bytes(operation.case_id())));
      }
      target.summary = {id, operation.form_id(), operation.form_version(), operation.created_at_ms(), stamp, case_id};
      target.author = operation.author();
    } else {
      target = std::move(existing).value();
    }
    bool changed = insert;
    for (const pb::FieldWrite& write : operation.writes()) {
      // The merge rule of the server (common/merge.h): the greater (HLC, writer) wins, so
      // equal stamps from two devices end the same here as there, in any order.
      const merge::Stamp incoming{HlcTime{write.hlc()}, writer};
      auto seen = target.stamps.find(write.field());
      if (seen != target.stamps.end() && !(seen->second < incoming)) continue;
      if (write.cleared()) target.values.erase(write.field());
      else target.values[write.field()] = write.value();
      target.stamps[write.field()] = incoming;
      target.authors[write.field()] = operation.author();
      changed = true;
    }
    if (!changed) continue;
    if (target.summary.updated < stamp) target.summary.updated = stamp;
    AMANA_RETURN_IF_ERROR(write_record(txn, target, insert));
    ++report.changes_applied;
  }
  AMANA_ASSIGN_OR_RETURN(std::uint64_t acknowledged, require_meta_number(db, "acknowledged_sequence"));
  for (const RecordId& case_id : evicted) {
    // The case and its steps, except a record with changes still to push: that stays
    // until the server has it.
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query(
        "SELECT r.id FROM records r WHERE (r.id = ?1 OR r.case_id = ?1) AND NOT EXISTS "
        "(SELECT 1 FROM operations o WHERE o.record_id = r.id AND o.seq > ?2)"));
    q.bind(1, case_id.view()).bind(2, static_cast<std::int64_t>(acknowledged));
    std::vector<Bytes> removable;
    while (true) {
      AMANA_ASSIGN_OR_RETURN(bool row, q.step());
      if (!row) break;
      removable.push_back(q.column_blob(0));
    }
    for (const Bytes& id : removable) {
      // Only acknowledged operations go: the outbox chain starts after them.
      AMANA_ASSIGN_OR_RETURN(sql::Query drop_operations, db.query("DELETE FROM operations WHERE record_id = ?"));
      AMANA_RETURN_IF_ERROR(drop_operations.bind(1, id).run());
      AMANA_RETURN_IF_ERROR(delete_record_row(*state_, txn, id));
      AMANA_ASSIGN_OR_RETURN(RecordId removed, RecordId::from_bytes(id));
      state_->search.erase(removed);
    }
    ++report.cases_evicted;
  }
  AMANA_ASSIGN_OR_RETURN(std::uint64_t current, pull_cursor());
  std::vector<std::pair<std::string_view, std::optional<Bytes>>> meta{
      {"hlc_last", number_text(static_cast<std::uint64_t>(state_->clock.last()))}};
  if (cursor > current && report.changes_held_back == 0) meta.emplace_back("pull_cursor", number_text(cursor));
  AMANA_RETURN_IF_ERROR(write_meta_entries(*state_, txn, meta));
  AMANA_RETURN_IF_ERROR(txn.commit());
  search.committed();
  return report;
}

}  // namespace amana::field

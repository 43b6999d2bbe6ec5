// The field device's local store: records, their history and the sync outbox, in one
// SQLite file encrypted at rest.
//
// Layout of a home directory:
//   store.db (+ -wal, -shm)  SQLite, WAL mode, numbered migrations (store_schema.cc)
//   .discarded               for a moment after a duress unlock: the real store, its data
//                            key already destroyed, being overwritten
//
// What is in clear and why: record ids, form ids and versions, creation times and HLC
// stamps, operation sequence numbers, the KDF salt and parameters, the device id and
// public keys, the count of failed unlocks: what listing, sync and unlocking must read
// without the passphrase; and the published forms the office sent (signed by the org).
// Everything else (every answer, the author, each operation's contents, the device's
// secret keys) is sealed with XChaCha20-Poly1305 under a random
// data key. The data key is stored wrapped by Argon2id(passphrase, salt).
//
// What is authenticated (store_integrity.cc), so that a change made without the passphrase
// (with SQLite's own tools, on a powered-off device) is refused at unlock with a keyed
// "this store was changed outside Amana" error (code corrupt) and the store neither opens
// nor syncs: every meta value but the failure count (the server's address, the org's keys,
// the TLS pin, the lease and last sync, every counter and cursor, the unlock limit, the
// duress setting), under one MAC bound to the device id; each record's sealed values,
// bound to its clear columns and to the write that sealed them, with a digest of all rows
// in that meta; the unacknowledged outbox, as a chain of links from the acknowledged point
// to a head kept in meta; the provider directory. What is not: a copy of the whole store
// put back (docs/security.md says what follows from that).
//
// Invariants:
//  1. Every change to a record appends exactly one operation to the outbox, with the next
//     per-device sequence number and a fresh HLC stamp, in the same transaction.
//  2. A record's current values are the fold of its operations; operations are never
//     rewritten, so history is complete.
//  3. An unlock attempt is counted in store.db, committed, before any key is derived; a
//     correct passphrase sets the count back to 0. The attempt that reaches
//     `max_failed_unlocks` failures in a row, and any attempt beyond it, destroys the data
//     key (overwritten, secure_delete, WAL truncated). So no more than the limit of
//     guesses, even made in parallel, are ever checked.
//  4. The real, the duress and a wrong passphrase cost the same key derivations (one, or
//     two for a duress passphrase set before version 8). The duress passphrase is not a
//     failure: it wipes the store and opens an empty one; the overwrite of the old file
//     runs after open() has answered, while the Store lives.
//
// Thread safety: a Store belongs to one thread; two processes may open the same home
// (SQLite serialises their writes).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/amana.pb.h"
#include "proto/sync.pb.h"
#include "common/answers.h"
#include "common/crypto.h"
#include "common/hlc.h"
#include "common/ids.h"
#include "common/merge.h"
#include "common/sqlite.h"
#include "common/status.h"
#include "common/tls.h"

namespace amana::field {

struct StoreOptions {
  // Used by create(); open() uses the parameters stored with the salt, so that they can
  // be raised later without locking anyone out.
  crypto::KdfParams kdf = crypto::kDefaultKdf;
  // Failed unlocks in a row before the data key is destroyed (the design's default: 10).
  int max_failed_unlocks = 10;
  WallClock clock = system_wall_clock();
  // Called before every passphrase key derivation (Argon2id): lets a test count them.
  std::function<void()> on_key_derivation;
};

struct RecordSummary {
  RecordId id;
  std::string form_id;
  std::uint32_t form_version = 0;
  std::int64_t created_at_ms = 0;
  HlcTime updated{0};
  std::optional<RecordId> case_id;  // the case a case-step record belongs to
};

struct Record {
  RecordSummary summary;
  std::string author;
  forms::Answers values;
  // When each answer was last written, and by which device: the stamp the merge rule
  // ranks by (common/merge.h). Answers cleared since keep theirs here (not in `values`),
  // so that an older write arriving later cannot bring them back.
  std::map<std::string, merge::Stamp, std::less<>> stamps;
  // Who wrote each value merged from another device or the office (the user, or the
  // officer deciding), for the history; absent for this device's own values.
  std::map<std::string, std::string, std::less<>> authors;
};

struct FieldChange {
  std::string field;
  std::string value;     // the new value; empty when cleared
  bool cleared = false;  // the answer was removed (e.g. the question became non-relevant)
};

// One operation on a record, as the history shows it.
struct Revision {
  std::int64_t sequence = 0;  // 0 for a change merged from elsewhere
  HlcTime hlc{0};
  std::string author;
  bool created = false;
  std::vector<FieldChange> changes;
  // Merged at a sync from another device (`writer`) or the office (writer nil): the values
  // it holds that are still current here. What this device wrote itself is all kept.
  bool merged = false;
  DeviceId writer;
};

struct OutboxEntry {
  std::int64_t sequence = 0;
  pb::Operation operation;
};

// Where this device syncs to, and as whom: set by `field-client enroll`.
struct Enrollment {
  std::string server_url;
  crypto::PublicKey org_sign_public_key{};
  crypto::PublicKey org_box_public_key{};
  std::string user;
  std::string role;
  std::string team;
  // The pin of the server's TLS key, learnt at enrollment over https from the org's
  // signature (common/tls.h); every later request over https checks it. None: plain HTTP,
  // or a server whose certificate the system's trust store vouches for.
  std::optional<tls::KeyPin> server_tls_key;
};

struct DeviceKeys {
  crypto::PublicKey sign_public_key{};
  crypto::PublicKey box_public_key{};
  crypto::SecretBytes sign_secret_key;  // Ed25519, 64 bytes
  crypto::SecretBytes box_secret_key;   // X25519, 32 bytes
};

struct PendingChangeset {
  std::uint64_t number = 0;
  std::int64_t last_sequence = 0;
  std::string encoded;  // pb::Changeset, exactly as first packed
};

struct StoreStatus {
  DeviceId device;
  std::string user;
  std::vector<std::pair<std::string, std::int64_t>> records_per_form;  // by form id
  std::int64_t pending_operations = 0;  // in the outbox, not yet acknowledged by a server
  std::int64_t last_sequence = 0;
};

class Store {
 public:
  static bool exists(const std::filesystem::path& home);
  // already_exists when create() would refuse `home`: checked before asking for a passphrase.
  static Status check_can_create(const std::filesystem::path& home);

  // Creates a new store for `user` with a new device id and device keys. already_exists
  // when `home` holds a store; invalid_argument for an empty passphrase.
  static Result<Store> create(const std::filesystem::path& home, std::string_view passphrase,
                              std::string_view user, StoreOptions options = {});
  // Unlocks an existing store. not_found when there is none; wrong_passphrase (only the
  // failure count changed) or locked_out (data key destroyed, or destroyed by this very
  // attempt); corrupt with a "changed outside Amana" message when anything authenticated
  // does not match (nothing is then usable: the office should revoke the device).
  static Result<Store> open(const std::filesystem::path& home, std::string_view passphrase,
                            StoreOptions options = {});
  // Panic wipe, no passphrase needed: every store file is overwritten and removed.
  // not_found when there is nothing to wipe.
  static Status wipe(const std::filesystem::path& home);

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  // Stores a new record with already validated canonical answers.
  Result<RecordId> add_record(const forms::FormDefinition& form, const forms::Answers& answers);
  // Makes `answers` (validated) the record's values, writing only what changed; fields
  // that disappear are recorded as cleared. Returns false when nothing changed (and then
  // nothing is written).
  Result<bool> update_record(RecordId id, const forms::Answers& answers);

  Result<Record> record(RecordId id);
  // A full id, or at least 8 hex digits from its start or its end (the end is random, so
  // the last 8 characters nearly always suffice), matching exactly one record.
  Result<RecordId> resolve(std::string_view id_or_part);
  // Newest first; optionally one form's, or one case's step records.
  Result<std::vector<RecordSummary>> records(std::optional<std::string_view> form_id = std::nullopt,
                                             std::optional<RecordId> case_id = std::nullopt);
  // The same, one at a time, newest first, until `visit` answers false (or an error, which
  // is returned): a screen showing the newest 200 reads 200 rows, not the whole store.
  Status visit_records(std::optional<std::string_view> form_id, std::optional<RecordId> case_id,
                       const std::function<Result<bool>(const RecordSummary&)>& visit);
  // The same with each record's current answers (no field names, stamps or authors), for
  // a search through what the records say: one pass over the table, each record opened
  // once and decoded into one reused message, instead of a lookup and a full Record per
  // row. The views are valid during the call only.
  Status visit_record_values(std::optional<std::string_view> form_id,
                             const std::function<Result<bool>(const RecordSummary&,
                                                              const std::vector<std::string_view>&)>& visit);

  // The records whose id's text or one of whose current answers, folded (text::fold),
  // contains `folded_query` (not empty), of `form_id` only when given, newest first, until
  // `visit` answers false (which must not change the store): what visit_record_values
  // would find answer by answer, from an index kept in this Store's memory only (never on
  // the disk: docs/security.md, "Searching a sealed store"), built by the first search
  // (which opens every record once, as a scan does) unless build_search_index already
  // did, and kept in step by every record write after it. It goes with the Store.
  Status search_records(std::optional<std::string_view> form_id, std::string_view folded_query,
                        const std::function<Result<bool>(const RecordSummary&)>& visit);
  // Builds that index a step at a time: opens at most `max_records` more records (newest
  // first). Returns whether it is complete. Between two steps the store may be used and
  // written as usual.
  Result<bool> build_search_index(std::size_t max_records);
  struct SearchIndexSize {
    std::size_t records = 0;     // records in it: 0 before the first search or step
    std::size_t bytes = 0;       // their folded answers, with a small table each
    bool complete = false;
  };
  SearchIndexSize search_index_size() const;

  // A step of a case (a registration, a referral, ...) and the case's new values, in one
  // transaction: both changes go to the outbox together or not at all.
  Result<RecordId> add_case_step(const forms::FormDefinition& step_form, const forms::Answers& step_answers,
                                 RecordId case_id, const forms::Answers& case_values);
  // Oldest first: this device's own changes, and the current values merged from other
  // devices and the office, each with who made it (grouped by the write they came in).
  Result<std::vector<Revision>> history(RecordId id);
  // Operations after `after_sequence`, oldest first, at most `limit`.
  Result<std::vector<OutboxEntry>> outbox(std::int64_t after_sequence, std::size_t limit);
  Result<StoreStatus> status();
  // Operations in the outbox not yet acknowledged by a server, from the authenticated
  // meta alone (the outbox head's sequence less the acknowledged one): the outbox chain,
  // checked at unlock, holds every sequence in between, and those are never removed
  // before they are acknowledged. Costs the same with 10 or 100,000 waiting (home).
  Result<std::int64_t> pending_operations();

  // --- sync (see sync_client.h) ---
  Result<std::optional<Enrollment>> enrollment();
  Status save_enrollment(const Enrollment& enrollment);
  Result<DeviceKeys> device_keys();
  // Packs outbox operations that are in no changeset yet into new, numbered, hash-chained
  // changesets of at most `max_operations` each (kept sealed in the store), then returns
  // every changeset the server has not acknowledged, in number order.
  Result<std::vector<PendingChangeset>> pending_changesets(std::size_t max_operations);
  // The server has durably merged every changeset up to `high_water`: they and their
  // operations leave the outbox.
  Status acknowledge_changesets(std::uint64_t high_water);
  // The device's owner, who holds the passphrase, sent changesets of this device's chain
  // with a tool of their own (tests/sync-server/forge.h plays that owner) and the server
  // acknowledged them: the next changeset follows `number` and `hash`. invalid_argument
  // while anything packed here is unacknowledged, or for a number behind the chain.
  Status follow_changeset_chain(std::uint64_t number, crypto::ByteView hash);

  // --- cases pulled from the server ---
  // The cases this device holds (records of the internal "case" form).
  Result<std::vector<RecordId>> held_cases();
  Result<std::uint64_t> pull_cursor();
  struct PullReport {
    std::size_t changes_applied = 0;
    std::size_t cases_evicted = 0;
    // Changes stamped later than this device's clock plus kMaxClockAheadMs (common/hlc.h):
    // not applied and not taken into its clock; the cursor stays, so they come again at
    // the next sync and apply once this device's clock is right.
    std::size_t changes_held_back = 0;
  };
  // In one transaction: applies changes made elsewhere (field by field, the greater
  // (HLC, device id) wins, as on the server; nothing goes to the outbox), removes evicted
  // cases and their steps (keeping any record that still has changes to push), and
  // advances the cursor when `cursor` is ahead of it and nothing was held back.
  Result<PullReport> apply_pulled(const std::vector<pb::Operation>& changes, const std::vector<RecordId>& evicted,
                                  std::uint64_t cursor);

  // --- the service provider directory, as last synced down ---
  Result<std::int64_t> providers_version();
  // Replaces the whole directory (the server sends all of it when it changed).
  Status replace_providers(const std::vector<pb::Provider>& providers, std::int64_t version);
  // By id; inactive ones only when asked.
  Result<std::vector<pb::Provider>> providers(bool include_inactive = false);

  // --- published forms, as synced down (field-client/published_forms.h checks them) ---
  // Keeps `versions` (already checked against the org's signature) and, when given, the
  // forms the office's catalogue says are archived, in one transaction. A version already
  // held is kept as it is.
  Status keep_published_forms(const std::vector<pb::FormVersion>& versions,
                              const std::optional<std::vector<std::string>>& archived);
  // Every version held, by form id then version.
  Result<std::vector<pb::FormVersion>> published_forms();
  // The forms the office archived, by id.
  Result<std::vector<std::string>> archived_forms();
  // The same without the passphrase (the CLI makes its form pack before asking for it;
  // forms are kept in clear): the versions, the archived ids and the org's signing key of
  // the enrollment. Nothing is trusted for it: every version is checked against that key
  // (published_forms.h), and the key and the archived ids are authenticated meta, checked
  // at the unlock that saving a record needs. Empty for a store from before version 9.
  struct FormsOnDisk {
    std::optional<crypto::PublicKey> org_sign_key;
    std::vector<pb::FormVersion> versions;
    std::vector<std::string> archived;
  };
  static Result<FormsOnDisk> read_published_forms(const std::filesystem::path& home);

  // --- protection of a lost or seized device ---
  // A second passphrase that, given to open(), silently wipes this store and opens a new,
  // empty one for the same user under it. invalid_argument when it is shorter than
  // kMinDuressLength or is the store's own passphrase.
  static constexpr std::size_t kMinDuressLength = 8;
  Status set_duress_passphrase(std::string_view duress);
  // A sync completed: the office's update number `update_number` (signed with its issue
  // time `issued_at_ms`, both 0 for none) is accepted, and the offline lease (0: none)
  // starts again from the earlier of its issue time and now, so that a bundle carried
  // for a month buys no more than one made today.
  Status record_sync(std::int64_t offline_lease_ms, std::int64_t issued_at_ms = 0, std::uint64_t update_number = 0);
  // The number of the last office update accepted (0: none yet); a device accepts only
  // greater ones (sync_client.h).
  Result<std::uint64_t> accepted_update_number();
  // lease_expired when the device has gone longer than its lease without syncing: then
  // only sync (which renews it) and wipe may go on.
  Status check_offline_lease();
  // Wipes this store as Store::wipe does (told to by the office, for a revoked device).
  // The Store must not be used afterwards, only destroyed.
  Status wipe_self();

  // --- device-local data that never syncs (drafts.h) ---
  // The store's database, for tables that stay on this device, and sealing under its data
  // key: a value sealed with `label` and `row` opens only with the same two.
  sql::Database& local_database();
  crypto::Bytes seal_local(std::string_view label, crypto::ByteView row, crypto::ByteView plain);
  Result<crypto::SecretBytes> open_local(std::string_view label, crypto::ByteView row, crypto::ByteView sealed);
  std::int64_t now_ms() const;  // the store's wall clock

  const DeviceId& device() const { return device_; }
  const std::string& user() const { return user_; }
  // The device's local date, YYYY-MM-DD, for today() in forms.
  std::string today() const;

  // The store's internals (store_internal.h), named here for its own source files.
  struct State;

 private:
  explicit Store(std::unique_ptr<State> state);
  // create() once the wrapping key is derived (the duress unlock reuses its derivation).
  static Result<Store> create_new(const std::filesystem::path& home, const crypto::Bytes& salt,
                                  const crypto::SecretBytes& wrapping_key, std::string_view user,
                                  const StoreOptions& options);
  Result<std::int64_t> append_operation(sql::Transaction& txn, pb::Operation& operation);
  Result<RecordId> add_record_in(sql::Transaction& txn, const forms::FormDefinition& form,
                                 const forms::Answers& answers, std::optional<RecordId> case_id);
  Result<bool> update_record_in(sql::Transaction& txn, RecordId id, const forms::Answers& answers);
  Status write_record(sql::Transaction& txn, const Record& record, bool insert);
  std::unique_ptr<State> state_;
  DeviceId device_;
  std::string user_;
};

}  // namespace amana::field

// The central case store: what the sync server keeps. An interface, so that a PostgreSQL
// store can be added for deployments that outgrow one machine; the merge rules live in
// common/merge.h and every implementation applies them the same way.
//
// Contracts every implementation keeps:
//  1. apply_changeset() merges a changeset and records the device's new high-water mark in
//     one durable transaction: a crash leaves it wholly merged or not at all, and it
//     returns only after the commit is durable (it is then safe to acknowledge).
//  2. A changeset number at or below the high-water mark with the same hash is
//     acknowledged again and changes nothing; with a different hash it is a fork: refused,
//     kept aside, never merged. A number past high-water + 1 is a gap: refused.
//  3. Field values at rest are sealed under the org's data key: a stolen disk or backup
//     without the operator passphrase reveals ids, forms and times, not answers.
//
//  4. in_one_transaction() makes the store calls it runs durable together, in one commit:
//     a push's spent nonce, its changesets and its audit entry cost one disk sync, not one each.
//     Each call inside keeps its own atomicity; "durable when it returns" (1) then holds
//     when in_one_transaction returns.
//
//  5. Reads beside writes: a call that only reads (the users, devices, audit log, directory
//     and counts; records, history and conflicts; what write authority reads; the
//     need-to-know indexes and case_page) does not wait for a merge or any other write,
//     and a write does not wait for it. It sees the store as of a commit: everything
//     committed before it began, nothing of a transaction still open on another thread.
//     Inside in_one_transaction it sees that transaction's own writes (it then runs in it).
//     Several calls in a row may each see a later commit than the one before: a caller
//     needing one snapshot across calls reads through in_one_transaction. (SQLite: WAL
//     reader connections of their own, one per concurrent reader, pooled; the writer is
//     one connection behind a mutex.)
//
// Thread safety: one CentralStore may be used from several threads; implementations
// serialise what must be serialised (a transaction's calls are not interleaved with
// another thread's).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/ids.h"
#include "common/merge.h"
#include "common/status.h"
#include "proto/sync.pb.h"
#include "sync-server/audit_log.h"

namespace amana::server {

enum class Role { assistant, officer, meal, admin };
std::string_view role_name(Role role);
Result<Role> parse_role(std::string_view name);

struct User {
  std::string name;
  Role role = Role::assistant;
  std::string team;
  // A deactivated user keeps their name in records and the audit log, but can no longer
  // be issued a code, enroll a device or be assigned a case.
  bool active = true;
};

struct Device {
  DeviceId id;
  std::string user;
  crypto::PublicKey sign_public_key{};
  crypto::PublicKey box_public_key{};
  std::int64_t enrolled_at_ms = 0;
  std::optional<std::int64_t> revoked_at_ms;
  std::uint64_t high_water = 0;  // greatest changeset number merged
  std::int64_t last_sync_ms = 0; // 0: never
};

enum class ChangesetOutcome { merged, already_applied, gap, fork };

struct ApplyResult {
  ChangesetOutcome outcome = ChangesetOutcome::merged;
  std::uint64_t high_water = 0;
  std::size_t operations = 0;  // merged by this call (0 unless merged)
  std::size_t conflicts = 0;   // new conflicts this call created
};

struct CentralRecord {
  RecordId id;
  std::string form_id;
  std::uint32_t form_version = 0;
  std::string author;
  DeviceId device;                                 // the device that created it
  std::int64_t created_at_ms = 0;
  std::optional<RecordId> case_id;                 // for a step of a case
  std::map<std::string, std::string, std::less<>> values;  // current values
};

// What the server holds about a record besides its values: who made it, with which form,
// for which case. Write authority reads it for every record a changeset touches.
struct RecordOrigin {
  DeviceId device;                  // the device that created it
  std::string form_id;
  std::optional<RecordId> case_id;  // for a step of a case
};

// What decides who may write a case: its current assignee, author and status values.
struct CaseHolding {
  std::string assigned_to;  // empty: never assigned (the author holds it)
  std::string author;
  std::string status;
};

// An operation write authority refused (write_authority.h), kept aside for an officer to
// review. Its record, rule and field names are in clear; the operation (values included)
// is sealed under the org's data key.
struct RefusedWrite {
  std::int64_t id = 0;  // assigned by the store
  std::int64_t received_at_ms = 0;
  DeviceId device;
  std::string user;            // the device's enrolled user
  std::uint64_t changeset = 0; // the changeset number that carried it
  RecordId record;
  std::string rule;            // write_authority.h's name for the rule it broke
  std::vector<std::string> fields;  // the fields it wrote: names only
  std::optional<pb::Operation> operation;  // as the device sent it, when read with operations
};

// The writer id of changes the office makes on the server (assignment, approval): never a
// device's, so such a change is always told apart from a device's.
inline const DeviceId kOrgWriter{};

// One entry of the service provider directory (the referral pathway). Not personal data of
// clients: kept in clear, synced down to every device.
struct Provider {
  std::string id;                     // short, stable: [a-z0-9-]+
  std::string name;
  std::vector<std::string> services;  // service type codes (providers.h)
  std::string location;
  std::string contact;
  std::string hours;
  std::string criteria;               // who is eligible
  bool active = true;                 // inactive providers stay for old referrals, never offered
  std::int64_t updated_at_ms = 0;
  bool operator==(const Provider&) const = default;
};

// One version of a form the office published (sync-server/published_forms.h). Every
// version is kept for ever, never changed (records keep the version they were collected
// with); archiving a form stops it being offered, and keeps its versions. Forms are not
// personal data: kept in clear.
struct PublishedForm {
  std::string form_id;
  std::uint32_t version = 0;
  std::string definition;                     // the form definition JSON (common/form.h)
  std::array<std::uint8_t, 32> digest{};      // BLAKE2b-256 of `definition`
  crypto::Bytes signature;                    // the org's, over form_signed_message()
  std::string source_name;                    // the file it was imported from
  std::array<std::uint8_t, 32> source_digest{};  // BLAKE2b-256 of that file
  std::string source_version;                 // the XLSForm's own `version` setting
  std::string warnings;                       // the import's warnings, in English, one a line
  std::int64_t published_at_ms = 0;
  std::string published_by;
  std::optional<std::int64_t> archived_at_ms;  // the form's (every version), when archived
};

// A form's newest published version and whether it is archived: what a pull compares
// with what a device holds (published_forms.h), read without the definitions.
struct FormCatalogueEntry {
  std::string form_id;
  std::uint32_t newest = 0;
  bool archived = false;
};

// A staff member's console password (staff_accounts.h): only its Argon2id hash is kept,
// with the salt and parameters it was made with, and the count of sign-ins tried since the
// last correct one (counted before the password is checked).
struct StaffCredential {
  std::string user;
  crypto::Bytes salt;
  crypto::Bytes password_hash;
  std::uint64_t kdf_ops = 0;
  std::uint64_t kdf_mem = 0;
  std::int64_t set_at_ms = 0;
  std::int64_t failures = 0;
  std::optional<std::int64_t> locked_at_ms;  // set when the failures reached the limit
};

// A signed-in console session. The browser holds the token; the store keeps its hash only,
// so a copy of central.db signs nobody in.
// A staff member's second factor (staff_accounts.h, migration 17): the TOTP secret, sealed
// under the org's data key in the store, and the last step a code was accepted for.
struct StaffTotp {
  std::string user;
  crypto::SecretBytes secret;                  // opened; kTotpSecretBytes
  std::optional<std::int64_t> confirmed_at_ms; // unset while enrolment awaits its first code
  std::uint64_t last_step = 0;
};

struct StaffSession {
  std::array<std::uint8_t, 32> token_hash{};
  std::string user;
  std::int64_t created_at_ms = 0;
  std::int64_t last_seen_ms = 0;
};

// One of the monthly report's counts kept at merge time (report_counts.h, migration 18):
// in `period` (YYYY-MM; "" for the store's current state, such as the cases open now),
// of `form`'s records, by `breakdown`, for `key` (an answer's code, an area, a number of
// days; "" for a total).
struct CountKey {
  std::string period;
  std::string form;
  std::string breakdown;
  std::string key;
  auto operator<=>(const CountKey&) const = default;
};
using ReportCounts = std::map<CountKey, std::int64_t>;

struct StoreCounts {
  std::int64_t users = 0;
  std::int64_t devices = 0;
  std::int64_t revoked_devices = 0;
  std::int64_t records = 0;
  std::int64_t field_versions = 0;
  std::int64_t conflicts = 0;
  std::int64_t forks = 0;
  std::int64_t providers = 0;
  std::int64_t refused_writes = 0;
};

class CentralStore {
 public:
  virtual ~CentralStore() = default;

  // Runs `work`, whose calls on this store (from this thread) are committed together when
  // it returns ok and rolled back when it returns an error, or the commit's error.
  virtual Status in_one_transaction(const std::function<Status()>& work) = 0;

  // --- org key material (see org_keys.h); stored as given, opaque to the store ---
  virtual Status put_meta(const std::string& key, crypto::ByteView value) = 0;
  virtual Result<std::optional<crypto::Bytes>> meta(const std::string& key) = 0;
  // Field values are sealed with this key from now on; set once the org keys are unlocked.
  // Values an older version of the store sealed one by one are resealed now, in one
  // transaction (corrupt when one does not open).
  virtual Status set_data_key(crypto::SecretBytes key) = 0;

  // --- users ---
  virtual Status add_user(const User& user) = 0;  // already_exists
  virtual Result<User> user(std::string_view name) = 0;  // not_found
  virtual Result<std::vector<User>> users() = 0;  // by name, inactive ones included
  // Replaces the role, team and active flag of the user named user.name. not_found.
  virtual Status update_user(const User& user) = 0;

  // --- enrollment codes: stored as a hash of the token, single use ---
  virtual Status add_enrollment(const std::array<std::uint8_t, 32>& token_hash, const std::string& user,
                                std::int64_t expires_at_ms) = 0;
  // Consumes the code and registers the device, atomically. permission_denied for an
  // unknown, expired or already used code, or one for a user deactivated since it was
  // issued; already_exists for a device id taken.
  virtual Result<User> enroll(const std::array<std::uint8_t, 32>& token_hash, const Device& device,
                              std::int64_t now_ms) = 0;

  // --- devices ---
  virtual Result<Device> device(const DeviceId& id) = 0;  // not_found
  virtual Result<std::vector<Device>> devices() = 0;
  virtual Status revoke(const DeviceId& id, std::int64_t now_ms) = 0;  // not_found
  // Numbers the next update the org signs for this device (DeviceUpdate.update_number):
  // one more than the last it was given, never reused, so that the device can refuse an
  // older one (an old bundle). not_found for an unknown device.
  virtual Result<std::uint64_t> next_update_number(const DeviceId& id) = 0;

  // --- freshness: spent server nonces ---
  // A nonce proves itself (the service checks its MAC and expiry, service.h): issuing one
  // writes nothing, and the store only remembers the nonces spent, until they expire.
  // Records `nonce_id` as spent until `expires_at_ms` and forgets entries expired at
  // `now_ms`; replayed when it is already spent. Called inside the transaction of the
  // request the nonce opens, so it is spent exactly when that request commits.
  virtual Status spend_nonce(crypto::ByteView nonce_id, std::int64_t expires_at_ms, std::int64_t now_ms) = 0;

  // --- merge ---
  // `encoded` is the changeset exactly as the device sent it (its hash is what chains);
  // `changeset` holds what merges: the sync service hands in only the operations write
  // authority admitted, so a changeset with some refused still advances the chain.
  virtual Result<ApplyResult> apply_changeset(const DeviceId& device, const std::string& encoded,
                                              const pb::Changeset& changeset, std::int64_t now_ms) = 0;
  // What apply_changeset would make of it now, changing nothing: merged when it follows the
  // device's chain (and would merge), else already_applied, gap or fork. The service asks
  // before judging, so that a replay is neither judged nor audited again.
  virtual Result<ChangesetOutcome> changeset_outcome(const DeviceId& device, const std::string& encoded,
                                                     const pb::Changeset& changeset) = 0;

  // --- what write authority reads (write_authority.h): no value it does not need ---
  virtual Result<std::optional<RecordOrigin>> record_origin(const RecordId& id) = 0;  // nullopt: none
  // nullopt when the server holds no case with that id. Opens three values, not the case.
  virtual Result<std::optional<CaseHolding>> case_holding(const RecordId& case_id) = 0;
  // Keeps a refused operation aside (sealed), in the caller's transaction.
  virtual Status keep_refused(const RefusedWrite& refused, const pb::Operation& operation) = 0;
  // Oldest first; with the operations opened (needs the data key) when asked.
  virtual Result<std::vector<RefusedWrite>> refused_writes(bool with_operations) = 0;

  // --- the service provider directory ---
  virtual Status add_provider(const Provider& provider) = 0;     // already_exists
  virtual Status update_provider(const Provider& provider) = 0;  // not_found
  virtual Result<std::optional<Provider>> provider(std::string_view id) = 0;
  virtual Result<std::vector<Provider>> providers(bool include_inactive) = 0;  // by id
  // A counter that grows with every change to the directory (devices compare it with the
  // one they hold; clocks cannot be trusted to).
  virtual Result<std::int64_t> providers_revision() = 0;
  // Adds or replaces each provider, all in one transaction. Returns how many were new.
  virtual Result<std::size_t> import_providers(const std::vector<Provider>& providers) = 0;

  // A change the office makes (an assignment, a closure decision): merged like a device's
  // write, stamped by kOrgWriter with an HLC after every version the record holds, having
  // seen the current values (so it is never a conflict). not_found for an unknown record.
  virtual Status write_as_org(const RecordId& record, const std::map<std::string, std::string, std::less<>>& values,
                              const std::string& author, std::int64_t now_ms) = 0;

  // --- the change log devices pull from ---
  // Need-to-know is kept at merge time, ids only (issue 13): a pull reads what it sends and
  // the ids that decide it, never a record it will not send, so its cost follows what the
  // device receives, not the size of the store.
  //
  // The cases whose holder (their assignee, else their author) is one of `holders`, except
  // those transferred away; in id order.
  virtual Result<std::vector<RecordId>> cases_held_by(const std::vector<std::string>& holders) = 0;
  // Those of `ids` that are cases the server holds.
  virtual Result<std::vector<RecordId>> known_cases(const std::vector<RecordId>& ids) = 0;
  // The cases the server believes `device` holds: those it created and those sent to it
  // whole, less those evicted from it; in id order. A pull checks it against the device's
  // digest (held_cases_digest) and replaces it when the device sends its list.
  virtual Result<std::vector<RecordId>> device_cases(const DeviceId& device) = 0;
  virtual Status replace_device_cases(const DeviceId& device, const std::vector<RecordId>& cases) = 0;
  virtual Status update_device_cases(const DeviceId& device, const std::vector<RecordId>& added,
                                     const std::vector<RecordId>& removed) = 0;

  // One page of the change log for a device: every merged operation that belongs to one of
  // `held` (in id order; the case record's own, and its steps') after `after`, less those `except_writer`
  // made, and every one of each case of `whole` (new to the device: sent from the start),
  // in merge order, up to about `max_bytes` of sealed operations (at least one operation or
  // case, so that a page always moves on). `cursor` is where the next page starts: the
  // log's end when `more` is false. A case of `whole` comes complete up to `cursor` or not
  // at all (`whole_sent` lists those that came), so that what follows it is in the pages
  // after.
  struct CasePage {
    std::vector<pb::Operation> operations;
    std::vector<RecordId> whole_sent;
    std::uint64_t cursor = 0;
    bool more = false;
  };
  virtual Result<CasePage> case_page(const std::vector<RecordId>& held, const std::vector<RecordId>& whole,
                                     std::uint64_t after, const DeviceId& except_writer, std::size_t max_bytes) = 0;

  // --- reading ---
  // Conflicts on the record's fields that no officer has resolved yet.
  virtual Result<std::int64_t> open_conflicts(const RecordId& record) = 0;
  struct OpenConflict {
    RecordId record;
    std::string field;
    merge::Version earlier;  // values included
    merge::Version later;
  };
  virtual Result<std::vector<OpenConflict>> open_conflict_list(const std::vector<RecordId>& records) = 0;
  // The records with open conflicts, in id order, after `after` (from the first when
  // nullopt), at most `limit`: one page of what awaits an officer across the store.
  virtual Result<std::vector<RecordId>> records_in_conflict(const std::optional<RecordId>& after,
                                                            std::size_t limit) = 0;
  // Marks the field's open conflicts resolved (the chosen value is written with write_as_org).
  virtual Status resolve_conflicts(const RecordId& record, std::string_view field, std::int64_t now_ms) = 0;
  virtual Result<CentralRecord> record(const RecordId& id) = 0;  // not_found
  virtual Result<std::vector<CentralRecord>> records(std::optional<std::string_view> form_id) = 0;
  virtual Result<std::vector<merge::Version>> field_history(const RecordId& record, std::string_view field) = 0;
  virtual Result<StoreCounts> counts() = 0;

  // --- published forms (published_forms.h) ---
  // Adds a version: already_exists when the form has it. A form archived before is offered
  // again (its archived_at_ms cleared).
  virtual Status add_form_version(const PublishedForm& form) = 0;
  // Every version of `form_id` (of every form when empty), by form id then version.
  virtual Result<std::vector<PublishedForm>> form_versions(std::string_view form_id) = 0;
  // not_found for a form never published.
  virtual Status archive_form(std::string_view form_id, std::int64_t now_ms) = 0;
  // Every published form's newest version, by form id (archived ones flagged).
  virtual Result<std::vector<FormCatalogueEntry>> form_catalogue() = 0;

  // --- streaming reads: exports and the report ---
  // Calls `visit` with every record (all, or one form's), in id order, with its current
  // values, one at a time. Memory stays flat whatever the store's size: the store reads at
  // most kVisitBatch records at once and keeps none after `visit` returns for it. The
  // store's lock is held only while a batch is read, never while `visit` runs, so merges
  // go on during a long export; a record merged meanwhile may or may not be visited (each
  // record visited is whole, as of the batch that read it). Stops at, and returns, the
  // first error `visit` returns.
  static constexpr std::size_t kVisitBatch = 256;
  using RecordVisitor = std::function<Status(const CentralRecord&)>;
  virtual Status visit_records(std::optional<std::string_view> form_id, const RecordVisitor& visit) = 0;

  // --- the office's case list and case files (migration 19) ---
  // What the case list shows of each case, kept at merge time (apply_changeset and
  // write_as_org) so that a page of the list reads one row per case shown and never a
  // record: the status as stored, the risk level and name as the case's steps establish
  // them (common/case_sources.h), its assignee (else its author), when it was opened and
  // how many records are its steps; and (migration 21) the person's sex, age and place as
  // the steps establish them, which duplicate detection compares (case_admin.h
  // duplicate_cases). The name, assignee, sex, age and place are sealed in the row, the
  // assignee's filter is a keyed tag: the table names nobody in clear.
  struct CaseListing {
    RecordId id;
    std::string status;  // as stored
    std::string risk_level;
    std::string name;
    std::string assigned_to;
    std::string sex;
    std::string age;
    std::string location;
    std::int64_t opened_at_ms = 0;
    std::int64_t steps = 0;
  };
  struct CaseListingQuery {
    std::string status;       // empty: any
    std::string risk_level;   // empty: any
    std::string assigned_to;  // empty: any
    std::optional<RecordId> after;  // the page starts after this case
    std::size_t limit = 0;          // 0: every case that matches
    bool names = true;              // false: the sealed values left empty, nothing opened
  };
  // In case id order. A store that held cases before the list was kept builds it once,
  // when its data key is set.
  virtual Result<std::vector<CaseListing>> case_listing(const CaseListingQuery& query) = 0;
  // The records that are steps of `case_id`, in id order, with their values: read through
  // an index of steps by case, whatever the number of records.
  virtual Result<std::vector<CentralRecord>> records_of_case(const RecordId& case_id) = 0;

  // --- the monthly report's counts (report_counts.h, migration 18) ---
  // Kept by apply_changeset and write_as_org in their own transaction, so that they always
  // agree with the records committed. A store that held records before it kept them builds
  // them once, from every record, when its data key is set or at the first call here.
  // Returns the counts of `periods` and of the current state (period ""), none zero.
  virtual Result<ReportCounts> report_counts(const std::vector<std::string>& periods) = 0;

  // --- staff accounts of the office console (staff_accounts.h, migration 16) ---
  virtual Result<std::optional<StaffCredential>> staff_credential(std::string_view user) = 0;
  // Inserts or replaces the user's credential. not_found for an unknown user.
  virtual Status put_staff_credential(const StaffCredential& credential) = 0;
  // One-time invitation codes, stored as a hash like enrollment codes.
  virtual Status add_staff_invitation(const std::array<std::uint8_t, 32>& token_hash, const std::string& user,
                                      std::int64_t expires_at_ms) = 0;
  // Consumes the code and returns its user, atomically. permission_denied for an unknown,
  // expired or already used code, or one whose user was deactivated since.
  virtual Result<std::string> use_staff_invitation(const std::array<std::uint8_t, 32>& token_hash,
                                                   std::int64_t now_ms) = 0;
  virtual Status add_staff_session(const StaffSession& session) = 0;
  virtual Result<std::optional<StaffSession>> staff_session(const std::array<std::uint8_t, 32>& token_hash) = 0;
  virtual Status touch_staff_session(const std::array<std::uint8_t, 32>& token_hash, std::int64_t now_ms) = 0;
  virtual Status end_staff_session(const std::array<std::uint8_t, 32>& token_hash) = 0;
  // Ends every session of `user` (a new password, a deactivation). Returns how many.
  virtual Result<std::int64_t> end_staff_sessions_of(const std::string& user) = 0;

  // Second factors (migration 17). The secret is sealed under the data key, bound to its
  // user, so that it cannot be moved to another account's row.
  virtual Result<std::optional<StaffTotp>> staff_totp(std::string_view user) = 0;
  virtual Status put_staff_totp(const StaffTotp& totp) = 0;  // inserts or replaces; not_found for an unknown user
  // Records `step` as used when it is after the stored one, atomically: false when it is
  // not (the same code used twice, even by two sign-ins at once).
  virtual Result<bool> use_staff_totp_step(std::string_view user, std::uint64_t step) = 0;
  virtual Status remove_staff_totp(std::string_view user) = 0;  // not_found when there is none

  // --- the audit log (audit_log.h) ---
  // Appends `event` as the next entry of the chain, with the head, in one transaction.
  virtual Status append_audit(const AuditEvent& event) = 0;
  virtual Result<std::vector<AuditEntry>> audit_log() = 0;  // in seq order
  virtual Result<AuditHead> audit_head() = 0;
};

// The embedded store: one SQLite file in WAL mode with synchronous=FULL.
Result<std::unique_ptr<CentralStore>> open_sqlite_store(const std::filesystem::path& path, bool create);

}  // namespace amana::server

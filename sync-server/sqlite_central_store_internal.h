// Internals of the embedded central store on SQLite (open_sqlite_store in
// central_store.h), shared by its source files, which split it by aspect:
//   sqlite_central_schema.cc  numbered migrations of central.db
//   sqlite_central_store.cc   meta, users, enrollment, devices, nonces, directory, audit
//   sqlite_central_merge.cc   changesets, the merge of operations, office writes, conflicts
//   sqlite_central_read.cc    records and their values, the case change log, history
//   sqlite_central_visit.cc   records visited in bounded batches (exports, the report)
//   sqlite_central_authority.cc  what write authority reads, and the writes it refused
//   sqlite_central_forms.cc   the versions of published forms
//   sqlite_central_staff.cc   console staff accounts: credentials, invitations, sessions
//   sqlite_central_totp.cc    console staff's second factors, their secrets sealed
//   sqlite_central_scope.cc   need-to-know kept at merge time, and the pages devices pull
//
// One writer connection, serialised by a recursive mutex: merges are short transactions,
// and SQLite allows one writer at a time anyway. A transaction begun inside
// in_one_transaction is a savepoint of it (common/sqlite.h). Every method that writes takes
// the mutex; private helpers REQUIRE it held or a ReadScope open.
//
// Reads beside writes (issue 13): a method that only reads opens a ReadScope instead. On a
// thread inside in_one_transaction it takes the mutex and reads on the writer, so that it
// sees the transaction's own writes; on any other thread it leases a reader connection of
// its own (WAL: readers never wait for the writer, nor it for them) and binds it to the
// thread, so that `db_->` in the helpers it calls reaches that reader.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/sqlite.h"
#include "proto/amana.pb.h"
#include "sync-server/audit_log.h"
#include "sync-server/central_store.h"

namespace amana::server::sqlite_store {

using crypto::Bytes;
using crypto::ByteView;

// The schema's migrations, oldest first (sqlite_central_schema.cc).
std::span<const sql::Migration> migrations();


inline std::int64_t as_int(std::uint64_t value) { return static_cast<std::int64_t>(value); }
inline std::int64_t as_int(HlcTime value) { return static_cast<std::int64_t>(value); }
inline ByteView view(const std::string& s) { return crypto::as_bytes(s); }

std::string join_services(const std::vector<std::string>& services);
std::vector<std::string> split_services(const std::string& joined);
crypto::PublicKey to_key(const Bytes& bytes);

// How schema versions 1 to 5 bound each sealed value to its row; needed only to reseal
// those values (migration 6).
Bytes legacy_value_ad(const RecordId& record, std::string_view field, std::uint64_t hlc, const DeviceId& device);
// Binds an operation's sealed values to its row: its record, its writer and its stamps,
// so that values cannot be moved to another row or matched with other stamps unnoticed.
Bytes values_ad(const RecordId& record, const DeviceId& device, std::string_view stamps);
// The clear half of an operation's writes: [[field, hlc, base_hlc, cleared], ...].
std::string encode_stamps(std::span<const pb::FieldWrite* const> writes);

// One version as the store holds it: its stamps, and where its sealed value lives.
struct HeldVersion {
  std::string field;
  merge::Version version;  // value empty until opened
  std::int64_t seq = 0;    // its row in `writes`
  std::int64_t position = 0;
};

class SqliteCentralStore;

// The case whose listing an operation may change: the case it writes, or the case it is a
// step of; nullopt for a record of no case.
std::optional<RecordId> listed_case_of(const pb::Operation& operation);

// The record ids in the first column of every row `q` gives.
Result<std::vector<RecordId>> collect_ids(sql::Query& q);

// What `db_->` reaches: the reader this thread has bound for the store while a ReadScope
// is open, else the writer.
class Connections {
 public:
  explicit Connections(std::unique_ptr<sql::Database> writer) : writer_(std::move(writer)) {}
  sql::Database* operator->() const;
  sql::Database& operator*() const { return *operator->(); }
  sql::Database& writer() const { return *writer_; }

  // A reader connection from the pool (opened when none is idle), and back.
  Result<std::unique_ptr<sql::Database>> lease();
  void give_back(std::unique_ptr<sql::Database> reader);

 private:
  std::unique_ptr<sql::Database> writer_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<sql::Database>> idle_;
};

class ReadScope {
 public:
  explicit ReadScope(SqliteCentralStore& store);
  ~ReadScope();
  ReadScope(const ReadScope&) = delete;
  ReadScope& operator=(const ReadScope&) = delete;
  // A reader could not be opened (the file gone, descriptors exhausted).
  const Status& status() const { return status_; }

 private:
  SqliteCentralStore& store_;
  std::unique_lock<std::recursive_mutex> lock_;   // on the writer
  std::unique_ptr<sql::Database> reader_;         // else this, bound to the thread
  bool nested_ = false;                            // a scope further out bound it already
  Status status_;
};

class SqliteCentralStore final : public CentralStore {
 public:
  explicit SqliteCentralStore(std::unique_ptr<sql::Database> db) : db_(std::move(db)) {}

  Status in_one_transaction(const std::function<Status()>& work) override;

  Status put_meta(const std::string& key, ByteView value) override;

  Result<std::optional<Bytes>> meta(const std::string& key) override;

  Status set_data_key(crypto::SecretBytes key) override;

  Status add_user(const User& user) override;

  Result<User> user(std::string_view name) override;

  Result<std::vector<User>> users() override;

  Status update_user(const User& user) override;

  Status add_enrollment(const std::array<std::uint8_t, 32>& token_hash, const std::string& user_name,
                        std::int64_t expires_at_ms) override;

  Result<User> enroll(const std::array<std::uint8_t, 32>& token_hash, const Device& device,
                      std::int64_t now_ms) override;

  Result<Device> device(const DeviceId& id) override;

  Result<std::vector<Device>> devices() override;

  Status revoke(const DeviceId& id, std::int64_t now_ms) override;
  Result<std::uint64_t> next_update_number(const DeviceId& id) override;


  Status spend_nonce(ByteView nonce_id, std::int64_t expires_at_ms, std::int64_t now_ms) override;

  Result<ApplyResult> apply_changeset(const DeviceId& device_id, const std::string& encoded,
                                      const pb::Changeset& changeset, std::int64_t now_ms) override;

  Result<ChangesetOutcome> changeset_outcome(const DeviceId& device_id, const std::string& encoded,
                                             const pb::Changeset& changeset) override;

  Result<std::optional<RecordOrigin>> record_origin(const RecordId& id) override;

  Result<std::optional<CaseHolding>> case_holding(const RecordId& case_id) override;

  Status keep_refused(const RefusedWrite& refused, const pb::Operation& operation) override;

  Result<std::vector<RefusedWrite>> refused_writes(bool with_operations) override;

  Result<std::vector<CentralRecord>> records(std::optional<std::string_view> form_id) override;

  Result<std::vector<RecordId>> cases_held_by(const std::vector<std::string>& holders) override;
  Result<std::vector<RecordId>> known_cases(const std::vector<RecordId>& ids) override;
  Result<std::vector<RecordId>> device_cases(const DeviceId& device) override;
  Status replace_device_cases(const DeviceId& device, const std::vector<RecordId>& cases) override;
  Status update_device_cases(const DeviceId& device, const std::vector<RecordId>& added,
                             const std::vector<RecordId>& removed) override;
  Result<CasePage> case_page(const std::vector<RecordId>& held, const std::vector<RecordId>& whole, std::uint64_t after,
                             const DeviceId& except_writer, std::size_t max_bytes) override;

  Result<std::int64_t> open_conflicts(const RecordId& record) override;

  Result<std::vector<OpenConflict>> open_conflict_list(const std::vector<RecordId>& records) override;
  Result<std::optional<StaffTotp>> staff_totp(std::string_view user) override;
  Status put_staff_totp(const StaffTotp& totp) override;
  Result<bool> use_staff_totp_step(std::string_view user, std::uint64_t step) override;
  Status remove_staff_totp(std::string_view user) override;
  Result<std::vector<RecordId>> records_in_conflict(const std::optional<RecordId>& after, std::size_t limit) override;

  Status resolve_conflicts(const RecordId& record, std::string_view field, std::int64_t now_ms) override;

  Result<CentralRecord> record(const RecordId& id) override;

  Status write_as_org(const RecordId& id, const std::map<std::string, std::string, std::less<>>& values,
                      const std::string& author, std::int64_t now_ms) override;

  Result<std::vector<merge::Version>> field_history(const RecordId& record, std::string_view field) override;

  Status append_audit(const AuditEvent& event) override;

  Result<std::vector<AuditEntry>> audit_log() override;

  Result<AuditHead> audit_head() override;

  Result<StoreCounts> counts() override;

  Status visit_records(std::optional<std::string_view> form_id, const RecordVisitor& visit) override;

  Status add_provider(const Provider& provider) override;

  Status update_provider(const Provider& provider) override;

  Result<std::optional<Provider>> provider(std::string_view id) override;

  Result<std::vector<Provider>> providers(bool include_inactive) override;

  Result<std::int64_t> providers_revision() override;

  Result<std::size_t> import_providers(const std::vector<Provider>& list) override;

  // sqlite_central_cases.cc
  Result<std::vector<CaseListing>> case_listing(const CaseListingQuery& query) override;
  Result<std::vector<CentralRecord>> records_of_case(const RecordId& case_id) override;

  // sqlite_central_report.cc
  Result<ReportCounts> report_counts(const std::vector<std::string>& periods) override;

  // sqlite_central_staff.cc
  Result<std::optional<StaffCredential>> staff_credential(std::string_view user) override;
  Status put_staff_credential(const StaffCredential& credential) override;
  Status add_staff_invitation(const std::array<std::uint8_t, 32>& token_hash, const std::string& user,
                              std::int64_t expires_at_ms) override;
  Result<std::string> use_staff_invitation(const std::array<std::uint8_t, 32>& token_hash,
                                           std::int64_t now_ms) override;
  Status add_staff_session(const StaffSession& session) override;
  Result<std::optional<StaffSession>> staff_session(const std::array<std::uint8_t, 32>& token_hash) override;
  Status touch_staff_session(const std::array<std::uint8_t, 32>& token_hash, std::int64_t now_ms) override;
  Status end_staff_session(const std::array<std::uint8_t, 32>& token_hash) override;
  Result<std::int64_t> end_staff_sessions_of(const std::string& user) override;

  // sqlite_central_forms.cc
  Status add_form_version(const PublishedForm& form) override;
  Result<std::vector<PublishedForm>> form_versions(std::string_view form_id) override;
  Status archive_form(std::string_view form_id, std::int64_t now_ms) override;
  Result<std::vector<FormCatalogueEntry>> form_catalogue() override;

 private:
  static constexpr std::string_view kProviderColumns =
      "SELECT id, name, services, location, contact, hours, criteria, active, updated_at_ms FROM providers";

  static Provider read_provider(const sql::Query& q);

  Result<std::optional<Provider>> find_provider(std::string_view id);

  Status write_provider(const Provider& p);

  // Cases travel to the devices that need to know them: log each change to a case or to
  // one of its steps. Other records stay with the device that made them.
  Status log_if_case(const RecordId& record, const DeviceId& writer, const pb::Operation& operation);

  static Bytes change_ad(std::int64_t seq);

  // A case holder's user name as case_scope keeps it: keyed under the data key, so that the
  // table names nobody in clear and cannot be matched against a list of names.
  static constexpr std::size_t kHolderTagBytes = 16;
  Bytes holder_tag(std::string_view user) const;
  // REQUIRES: mutex_ held. Sets the case's row of case_scope from its current values.
  Status refresh_case_scope(const RecordId& case_id);
  // REQUIRES: mutex_ held. Fills case_scope and device_cases from the records a store made
  // before they existed (migration 11), once the data key is known.
  Status build_case_scope_if_pending();
  // REQUIRES: mutex_ held and a transaction.
  Status update_device_cases_locked(const DeviceId& device, const std::vector<RecordId>& added,
                                    const std::vector<RecordId>& removed);
  // REQUIRES: mutex_ held. case_holding's reading.
  Result<std::optional<CaseHolding>> read_holding(const RecordId& case_id);

  // --- the case list (sqlite_central_cases.cc); REQUIRES: mutex_ held ---
  // Sets each case's row of case_listing from its record and steps (once each).
  Status refresh_case_listings(const std::vector<RecordId>& cases);
  Status refresh_case_listing(const RecordId& case_id);
  // Fills case_listing from the cases a store held before it was kept (migration 19).
  Status build_case_listing_if_pending();

  // --- the report's counts (sqlite_central_report.cc); REQUIRES: mutex_ held ---
  // The records a merge is about to touch, as they are before it (nullopt: not held yet).
  using CountedBefore = std::map<RecordId, std::optional<CentralRecord>>;
  Result<CountedBefore> counted_before(const std::vector<RecordId>& touched);
  // REQUIRES: the merge's transaction. Moves the counts from what `before` counted to what
  // the same records (and the steps of cases whose facts changed) count now.
  Status count_changes(const CountedBefore& before);
  Status add_to_report_counts(const ReportCounts& delta);
  Result<bool> report_counts_pending();
  // Fills report_counts from every record of a store that held records before it kept
  // them (migration 18), once the data key is known.
  Status build_report_counts_if_pending();
  // The record with its values, nullopt when not held.
  Result<std::optional<CentralRecord>> load_record(const RecordId& id);

  // Records, with their current values when asked; all of them, one form's, or the one
  // with `only`.
  Result<std::vector<CentralRecord>> load_records(std::optional<std::string_view> form_id, const RecordId* only,
                                                  bool with_values = true);

  void require_data_key() const {
    if (data_key_.empty()) throw std::logic_error("central store used before its data key was set");
  }

  static Bytes author_ad(const RecordId& id);

  // REQUIRES: mutex_ held. A row of SELECT id, form_id, form_version, device_id,
  // created_at_ms, sealed_author, case_id FROM records; its author opened, no values yet.
  Result<CentralRecord> read_record_row(const sql::Query& q);

  // REQUIRES: mutex_ held. The records' values: each field's current value (merge rule 1).
  Status fill_current_values(CentralRecord& record);

  // REQUIRES: mutex_ held. Up to `limit` records after `after` (all from the start when
  // nullopt), one form's or all, in id order, with their values.
  Result<std::vector<CentralRecord>> record_batch(std::optional<std::string_view> form_id,
                                                  const std::optional<RecordId>& after, std::size_t limit);

  // REQUIRES: mutex_ held.
  Result<AuditHead> read_audit_head();

  static constexpr std::string_view kUserColumns = "SELECT name, role, team, active FROM users";

  Result<User> find_user(std::string_view name);

  static Result<User> read_user(const sql::Query& q);

  Result<std::vector<Device>> load_devices(const DeviceId* only);

  // REQUIRES: mutex_ held. Where the changeset with `hash` stands in the device's chain
  // (merged: it follows and would merge); `high_water` is set to the device's mark.
  Result<ChangesetOutcome> classify(const DeviceId& device, const std::array<std::uint8_t, 32>& hash,
                                    const pb::Changeset& changeset, std::uint64_t& high_water);

  static Bytes refused_ad(std::int64_t id, const DeviceId& device, const RecordId& record);

  Status keep_fork(const DeviceId& device, std::uint64_t number, const std::array<std::uint8_t, 32>& hash,
                   const std::string& encoded, std::int64_t now_ms);

  // Returns the number of new conflicts.
  Result<std::size_t> merge_operation(const DeviceId& device, const pb::Operation& operation, std::int64_t now_ms);

  // One row for one operation's writes by `device`: their stamps in clear, their values
  // sealed together.
  Status insert_writes(const RecordId& record, const DeviceId& device, std::span<const pb::FieldWrite* const> writes);

  // The record's versions (all, or one field's), sorted by field then stamp, values not
  // opened: the merge rules look at stamps alone.
  Result<std::vector<HeldVersion>> held_versions(const RecordId& record, const std::string_view* field);

  // Fills in the values of some of one record's versions, opening each row once.
  Status open_values(const RecordId& record, std::span<HeldVersion* const> versions);

  // One field's versions sorted by stamp, values opened when asked.
  Result<std::vector<merge::Version>> load_versions(const RecordId& record, std::string_view field, bool with_values);

  // Values sealed one by one (schema versions 1 to 5, see create_v6) become one row per
  // operation's stamp, in one transaction, once the key to open them is known.
  Status reseal_legacy_values();

  // Its statement is finished on return: a running one would keep the table from being dropped.
  Result<bool> has_table(std::string_view name);

  // REQUIRES: a transaction. Its statement is finished on return, as for has_table.
  Status reseal_legacy_rows();

  friend class ReadScope;
  friend class Connections;
  // Recursive: the calls in_one_transaction runs take it again on the same thread.
  std::recursive_mutex mutex_;
  // The thread inside in_one_transaction, if any: its reads go to the writer.
  std::atomic<std::thread::id> transaction_thread_{};
  Connections db_;
  crypto::SecretBytes data_key_;
};

}  // namespace amana::server::sqlite_store

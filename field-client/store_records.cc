// The device store: records, their history and the outbox (store.h).
#include <algorithm>
#include <cctype>
#include <limits>

#include "common/id_parts.h"
#include "common/message_catalogue.h"
#include "field-client/store_internal.h"
#include "proto/sync.pb.h"

namespace amana::field {
using namespace store_detail;

namespace {

Result<pb::RecordValues> parse_record_values(const SecretBytes& plain) {
  pb::RecordValues values;
  if (!values.ParseFromArray(plain.data(), static_cast<int>(plain.size()))) {
    return corrupt("a stored record does not decode");
  }
  return values;
}

// A record's clear columns, selected as `id, form_id, form_version, created_at_ms,
// updated_hlc, case_id` first in the row.
Result<RecordSummary> summary_of_row(const sql::Query& q) {
  AMANA_ASSIGN_OR_RETURN(RecordId id, RecordId::from_bytes(q.column_blob(0)));
  RecordSummary summary{id, q.column_text(1), static_cast<std::uint32_t>(q.column_int64(2)), q.column_int64(3),
                        HlcTime(static_cast<std::uint64_t>(q.column_int64(4))), std::nullopt};
  if (!q.column_is_null(5)) {
    AMANA_ASSIGN_OR_RETURN(summary.case_id, RecordId::from_bytes(q.column_blob(5)));
  }
  return summary;
}

}  // namespace

Result<std::int64_t> Store::append_operation(sql::Transaction& txn, pb::Operation& operation) {
  const std::string plain = operation.SerializeAsString();
  const Bytes sealed =
      crypto::seal(state_->data_key, crypto::as_bytes(plain),
                   associated_data(kOperationLabel, crypto::as_bytes(operation.record_id())));
  return append_outbox_row(*state_, txn, crypto::as_bytes(operation.record_id()),
                           static_cast<std::int64_t>(operation.hlc()), sealed,
                           {{"hlc_last", number_text(static_cast<std::uint64_t>(state_->clock.last()))}});
}

Status Store::write_record(sql::Transaction& txn, const Record& record, bool insert) {
  pb::RecordValues values;
  values.set_author(record.author);
  for (const auto& [field, stamp] : record.stamps) {
    pb::FieldWrite* write = values.add_values();
    write->set_field(field);
    write->set_hlc(static_cast<std::uint64_t>(stamp.hlc));
    if (stamp.device != device_) write->set_writer(stamp.device.bytes.data(), stamp.device.bytes.size());
    if (auto author = record.authors.find(field); author != record.authors.end()) write->set_author(author->second);
    auto value = record.values.find(field);
    if (value == record.values.end()) write->set_cleared(true);
    else write->set_value(value->second);
  }
  for (const auto& [field, value] : record.values) {
    if (!record.stamps.contains(field)) throw std::logic_error("write_record: answer '" + field + "' has no stamp");
  }
  const std::string plain = values.SerializeAsString();
  AMANA_RETURN_IF_ERROR(put_record_row(*state_, txn, record.summary, Bytes(plain.begin(), plain.end()), insert));
  if (state_->search.started()) {
    std::vector<std::string_view> current;
    current.reserve(record.values.size());
    for (const auto& [field, value] : record.values) current.push_back(value);
    state_->search.put(record.summary, current);
  }
  return Status::success();
}

Result<RecordId> Store::add_record(const forms::FormDefinition& form, const forms::Answers& answers) {
  SearchIndex::WriteGuard search(state_->search);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, state_->db->begin());
  AMANA_ASSIGN_OR_RETURN(RecordId id, add_record_in(txn, form, answers, std::nullopt));
  AMANA_RETURN_IF_ERROR(txn.commit());
  search.committed();
  return id;
}

Result<RecordId> Store::add_record_in(sql::Transaction& txn, const forms::FormDefinition& form,
                                      const forms::Answers& answers, std::optional<RecordId> case_id) {
  const std::int64_t now_ms = state_->wall();
  // The id takes the HLC stamp, which strictly increases on this device, so records made
  // within one millisecond still list in the order they were made.
  const HlcTime stamp = state_->clock.now();
  Record record;
  record.summary = {new_record_id(hlc_millis(stamp), hlc_counter(stamp)), form.id, form.version, now_ms, stamp,
                    case_id};
  record.author = user_;
  record.values = answers;

  pb::Operation operation;
  operation.set_record_id(std::string(record.summary.id.bytes.begin(), record.summary.id.bytes.end()));
  operation.set_kind(pb::Operation::CREATE);
  operation.set_form_id(form.id);
  operation.set_form_version(form.version);
  operation.set_hlc(static_cast<std::uint64_t>(record.summary.updated));
  operation.set_device_id(std::string(device_.bytes.begin(), device_.bytes.end()));
  operation.set_author(user_);
  operation.set_created_at_ms(now_ms);
  if (case_id) operation.set_case_id(std::string(case_id->bytes.begin(), case_id->bytes.end()));
  for (const auto& [field, value] : answers) {
    record.stamps[field] = {record.summary.updated, device_};
    pb::FieldWrite* write = operation.add_writes();
    write->set_field(field);
    write->set_value(value);
    write->set_hlc(operation.hlc());
  }

  AMANA_RETURN_IF_ERROR(write_record(txn, record, /*insert=*/true));
  AMANA_ASSIGN_OR_RETURN(std::int64_t sequence, append_operation(txn, operation));
  (void)sequence;
  return record.summary.id;
}

Result<bool> Store::update_record(RecordId id, const forms::Answers& answers) {
  SearchIndex::WriteGuard search(state_->search);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, state_->db->begin());
  AMANA_ASSIGN_OR_RETURN(bool changed, update_record_in(txn, id, answers));
  if (changed) AMANA_RETURN_IF_ERROR(txn.commit());
  search.committed();
  return changed;
}

Result<bool> Store::update_record_in(sql::Transaction& txn, RecordId id, const forms::Answers& answers) {
  AMANA_ASSIGN_OR_RETURN(Record record, this->record(id));
  std::vector<FieldChange> changes;
  for (const auto& [field, value] : answers) {
    auto old = record.values.find(field);
    if (old == record.values.end() || old->second != value) changes.push_back({field, value, false});
  }
  for (const auto& [field, value] : record.values) {
    if (!answers.contains(field)) changes.push_back({field, "", true});
  }
  if (changes.empty()) return false;

  const HlcTime stamp = state_->clock.now();
  pb::Operation operation;
  operation.set_record_id(std::string(id.bytes.begin(), id.bytes.end()));
  operation.set_kind(pb::Operation::UPDATE);
  operation.set_form_id(record.summary.form_id);
  operation.set_form_version(record.summary.form_version);
  operation.set_hlc(static_cast<std::uint64_t>(stamp));
  operation.set_device_id(std::string(device_.bytes.begin(), device_.bytes.end()));
  operation.set_author(user_);
  operation.set_created_at_ms(record.summary.created_at_ms);
  for (const FieldChange& change : changes) {
    pb::FieldWrite* write = operation.add_writes();
    write->set_field(change.field);
    write->set_value(change.value);
    write->set_hlc(operation.hlc());
    write->set_cleared(change.cleared);
    if (auto seen = record.stamps.find(change.field); seen != record.stamps.end()) {
      write->set_base_hlc(static_cast<std::uint64_t>(seen->second.hlc));
    }
    if (change.cleared) record.values.erase(change.field);
    else record.values[change.field] = change.value;
    record.stamps[change.field] = {stamp, device_};
    record.authors.erase(change.field);  // this device's own value now
  }
  record.summary.updated = stamp;

  if (record.summary.case_id) {
    operation.set_case_id(std::string(record.summary.case_id->bytes.begin(), record.summary.case_id->bytes.end()));
  }
  AMANA_RETURN_IF_ERROR(write_record(txn, record, /*insert=*/false));
  AMANA_ASSIGN_OR_RETURN(std::int64_t sequence, append_operation(txn, operation));
  (void)sequence;
  return true;
}

Result<RecordId> Store::add_case_step(const forms::FormDefinition& step_form, const forms::Answers& step_answers,
                                      RecordId case_id, const forms::Answers& case_values) {
  SearchIndex::WriteGuard search(state_->search);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, state_->db->begin());
  AMANA_ASSIGN_OR_RETURN(RecordId step, add_record_in(txn, step_form, step_answers, case_id));
  AMANA_ASSIGN_OR_RETURN(bool changed, update_record_in(txn, case_id, case_values));
  (void)changed;
  AMANA_RETURN_IF_ERROR(txn.commit());
  search.committed();
  return step;
}

Result<Record> Store::record(RecordId id) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, state_->db->query(
      "SELECT form_id, form_version, created_at_ms, updated_hlc, sealed_values, case_id, version FROM records "
      "WHERE id = ?"));
  q.bind(1, id.view());
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return not_found(Message("store.no_record", {{"id", id.to_string()}}));
  Record record;
  record.summary = {id, q.column_text(0), static_cast<std::uint32_t>(q.column_int64(1)), q.column_int64(2),
                    HlcTime(static_cast<std::uint64_t>(q.column_int64(3))), std::nullopt};
  if (!q.column_is_null(5)) {
    AMANA_ASSIGN_OR_RETURN(record.summary.case_id, RecordId::from_bytes(q.column_blob(5)));
  }
  // Bound to the clear columns and the write number: an older copy put back does not open.
  AMANA_ASSIGN_OR_RETURN(SecretBytes plain,
                         open_record_values(*state_, {record.summary, static_cast<std::uint64_t>(q.column_int64(6))},
                                            q.column_blob(4)));
  AMANA_ASSIGN_OR_RETURN(pb::RecordValues values, parse_record_values(plain));
  record.author = values.author();
  for (const pb::FieldWrite& value : values.values()) {
    merge::Stamp stamp{HlcTime(value.hlc()), device_};  // no writer: this device's own
    if (!value.writer().empty()) {
      AMANA_ASSIGN_OR_RETURN(stamp.device, DeviceId::from_bytes(crypto::as_bytes(value.writer())));
    }
    record.stamps[value.field()] = stamp;
    if (!value.author().empty()) record.authors[value.field()] = value.author();
    if (!value.cleared()) record.values[value.field()] = value.value();
  }
  return record;
}

Result<RecordId> Store::resolve(std::string_view id_or_part) {
  // Ids are in clear: listing them all costs no decryption (common/id_parts.h decides).
  AMANA_ASSIGN_OR_RETURN(sql::Query q, state_->db->query("SELECT id FROM records"));
  std::vector<RecordId> ids;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    AMANA_ASSIGN_OR_RETURN(RecordId id, RecordId::from_bytes(q.column_blob(0)));
    ids.push_back(id);
  }
  return resolve_id<RecordId>(id_or_part, ids, {Message("ids.noun.record"), "field-client records"});
}

Result<std::vector<RecordSummary>> Store::records(std::optional<std::string_view> form_id,
                                                  std::optional<RecordId> case_id) {
  std::vector<RecordSummary> out;
  AMANA_RETURN_IF_ERROR(visit_records(form_id, case_id, [&](const RecordSummary& summary) -> Result<bool> {
    out.push_back(summary);
    return true;
  }));
  return out;
}

Status Store::visit_records(std::optional<std::string_view> form_id, std::optional<RecordId> case_id,
                            const std::function<Result<bool>(const RecordSummary&)>& visit) {
  // One statement per filter, not "(?1 IS NULL OR form_id = ?1)": SQLite plans a statement
  // once, so an OR on a parameter reads every row (and its sealed blob) even to list one
  // case's three steps; a plain equality uses records_by_case or records_by_form.
  std::string sql = "SELECT id, form_id, form_version, created_at_ms, updated_hlc, case_id FROM records";
  if (form_id && case_id) sql += " WHERE form_id = ?1 AND case_id = ?2";
  else if (form_id) sql += " WHERE form_id = ?1";
  else if (case_id) sql += " WHERE case_id = ?2";
  AMANA_ASSIGN_OR_RETURN(sql::Query q, state_->db->query(sql + " ORDER BY id DESC"));
  if (form_id) q.bind(1, *form_id);
  if (case_id) q.bind(2, case_id->view());
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) return Status::success();
    AMANA_ASSIGN_OR_RETURN(RecordSummary summary, summary_of_row(q));
    AMANA_ASSIGN_OR_RETURN(bool more, visit(summary));
    if (!more) return Status::success();
  }
}

Status Store::visit_record_values(
    std::optional<std::string_view> form_id,
    const std::function<Result<bool>(const RecordSummary&, const std::vector<std::string_view>&)>& visit) {
  return visit_values(*state_, form_id, std::nullopt, std::numeric_limits<std::size_t>::max(), visit);
}

Status store_detail::visit_values(
    Store::State& state, std::optional<std::string_view> form_id, std::optional<RecordId> before, std::size_t limit,
    const std::function<Result<bool>(const RecordSummary&, const std::vector<std::string_view>&)>& visit) {
  // One statement per filter, as in visit_records.
  std::string sql = "SELECT id, form_id, form_version, created_at_ms, updated_hlc, case_id, version, sealed_values FROM records";
  if (form_id && before) sql += " WHERE form_id = ?1 AND id < ?2";
  else if (form_id) sql += " WHERE form_id = ?1";
  else if (before) sql += " WHERE id < ?2";
  AMANA_ASSIGN_OR_RETURN(sql::Query q, state.db->query(sql + " ORDER BY id DESC LIMIT ?3"));
  if (form_id) q.bind(1, *form_id);
  if (before) q.bind(2, before->view());
  // A negative LIMIT is none.
  q.bind(3, limit > static_cast<std::size_t>(INT64_MAX) ? std::int64_t{-1} : static_cast<std::int64_t>(limit));
  pb::RecordValues decoded;  // reused: its fields' buffers stay allocated from row to row
  std::vector<std::string_view> values;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) return Status::success();
    AMANA_ASSIGN_OR_RETURN(RecordSummary summary, summary_of_row(q));
    // Bound to the clear columns and the write number, as in record().
    AMANA_ASSIGN_OR_RETURN(SecretBytes plain,
                           open_record_values(state, {summary, static_cast<std::uint64_t>(q.column_int64(6))},
                                              q.column_blob(7)));
    decoded.Clear();
    if (!decoded.ParseFromArray(plain.data(), static_cast<int>(plain.size()))) {
      return corrupt("a stored record does not decode");
    }
    values.clear();
    for (const pb::FieldWrite& write : decoded.values()) {
      if (!write.cleared()) values.push_back(write.value());
    }
    AMANA_ASSIGN_OR_RETURN(bool more, visit(summary, values));
    if (!more) return Status::success();
  }
}

Result<std::vector<OutboxEntry>> Store::outbox(std::int64_t after_sequence, std::size_t limit) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, state_->db->query(
      "SELECT seq, record_id, sealed_operation FROM operations WHERE seq > ? ORDER BY seq LIMIT ?"));
  q.bind(1, after_sequence).bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  std::vector<OutboxEntry> out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    OutboxEntry entry;
    entry.sequence = q.column_int64(0);
    AMANA_ASSIGN_OR_RETURN(SecretBytes plain, crypto::open(state_->data_key, q.column_blob(2),
                                                           associated_data(kOperationLabel, q.column_blob(1)), crypto::Memory::wiped));
    if (!entry.operation.ParseFromArray(plain.data(), static_cast<int>(plain.size()))) {
      return corrupt("operation " + std::to_string(entry.sequence) + " does not decode");
    }
    out.push_back(std::move(entry));
  }
  return out;
}

Result<std::vector<Revision>> Store::history(RecordId id) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, state_->db->query(
      "SELECT seq, sealed_operation FROM operations WHERE record_id = ? ORDER BY seq"));
  q.bind(1, id.view());
  std::vector<Revision> out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    AMANA_ASSIGN_OR_RETURN(SecretBytes plain, crypto::open(state_->data_key, q.column_blob(1),
                                                           associated_data(kOperationLabel, id.view()), crypto::Memory::wiped));
    pb::Operation operation;
    if (!operation.ParseFromArray(plain.data(), static_cast<int>(plain.size()))) {
      return corrupt("an operation of record " + id.to_string() + " does not decode");
    }
    Revision revision{q.column_int64(0), HlcTime(operation.hlc()), operation.author(),
                      operation.kind() == pb::Operation::CREATE, {}, false, {}};
    for (const pb::FieldWrite& write : operation.writes()) {
      revision.changes.push_back({write.field(), write.value(), write.cleared()});
    }
    out.push_back(std::move(revision));
  }
  auto record = this->record(id);
  if (!record.ok()) {
    if (record.status().code() == ErrorCode::not_found && !out.empty()) return out;
    return record.status();
  }
  // Values merged from elsewhere are not in the outbox: their stamps say when and by whom.
  std::map<merge::Stamp, Revision> merged;
  for (const auto& [field, stamp] : record->stamps) {
    if (stamp.device == device_) continue;
    Revision& revision = merged[stamp];
    revision.hlc = stamp.hlc;
    revision.merged = true;
    revision.writer = stamp.device;
    if (auto author = record->authors.find(field); author != record->authors.end()) revision.author = author->second;
    auto value = record->values.find(field);
    revision.changes.push_back({field, value == record->values.end() ? "" : value->second, value == record->values.end()});
  }
  if (out.empty() && !merged.empty()) merged.begin()->second.created = true;  // made elsewhere
  for (auto& [stamp, revision] : merged) out.push_back(std::move(revision));
  std::stable_sort(out.begin(), out.end(), [](const Revision& a, const Revision& b) { return a.hlc < b.hlc; });
  return out;
}

Result<std::int64_t> Store::pending_operations() {
  sql::Database& db = *state_->db;
  AMANA_ASSIGN_OR_RETURN(std::uint64_t acknowledged, require_meta_number(db, "acknowledged_sequence"));
  AMANA_ASSIGN_OR_RETURN(std::optional<std::uint64_t> head, read_meta_number(db, "outbox_head_sequence"));
  // Counting the rows instead (through operations_by_record, to keep clear of the sealed
  // pages) read an index entry per operation waiting: the whole outbox, on every home.
  const std::uint64_t last = head.value_or(acknowledged);
  return last > acknowledged ? static_cast<std::int64_t>(last - acknowledged) : 0;
}

Result<StoreStatus> Store::status() {
  sql::Database& db = *state_->db;
  StoreStatus status;
  status.device = device_;
  status.user = user_;
  {
    AMANA_ASSIGN_OR_RETURN(sql::Query q,
                           db.query("SELECT form_id, count(*) FROM records GROUP BY form_id ORDER BY form_id"));
    while (true) {
      AMANA_ASSIGN_OR_RETURN(bool row, q.step());
      if (!row) break;
      status.records_per_form.emplace_back(q.column_text(0), q.column_int64(1));
    }
  }
  AMANA_ASSIGN_OR_RETURN(status.pending_operations, pending_operations());
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db.query("SELECT coalesce(max(seq), 0) FROM operations"));
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  if (row) status.last_sequence = q.column_int64(0);
  return status;
}

}  // namespace amana::field

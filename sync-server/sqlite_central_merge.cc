// The SQLite central store: changesets (the chain, gaps and forks), the merge of each
// operation into one `writes` row, the office's own writes, conflicts, and resealing the
// values of stores older than schema version 6.
#include <algorithm>
#include <cstdio>
#include <set>

#include "common/case_fields.h"
#include "sync-server/report_counts.h"
#include "sync-server/sqlite_central_store_internal.h"

namespace amana::server::sqlite_store {
namespace {

// A JSON string; field names come from devices, so every character that JSON must escape
// is escaped.
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

Bytes legacy_value_ad(const RecordId& record, std::string_view field, std::uint64_t hlc, const DeviceId& device) {
  std::string label = "amana/server/value/v1|";
  label.append(reinterpret_cast<const char*>(record.bytes.data()), record.bytes.size());
  label += "|" + std::string(field) + "|" + std::to_string(hlc) + "|";
  label.append(reinterpret_cast<const char*>(device.bytes.data()), device.bytes.size());
  return Bytes(label.begin(), label.end());
}

Bytes values_ad(const RecordId& record, const DeviceId& device, std::string_view stamps) {
  std::string label = "amana/server/values/v1|";
  label.append(reinterpret_cast<const char*>(record.bytes.data()), record.bytes.size());
  label.append(reinterpret_cast<const char*>(device.bytes.data()), device.bytes.size());
  label += stamps;
  return Bytes(label.begin(), label.end());
}

// The clear half of an operation's writes: [[field, hlc, base_hlc, cleared], ...]. HLCs
// are written as SQLite keeps integers (signed 64 bits), as the columns before them were.
std::string encode_stamps(std::span<const pb::FieldWrite* const> writes) {
  std::string out = "[";
  for (const pb::FieldWrite* write : writes) {
    if (out.size() > 1) out += ',';
    out += '[';
    append_json_string(out, write->field());
    out += ',' + std::to_string(static_cast<std::int64_t>(write->hlc())) + ',' +
           std::to_string(static_cast<std::int64_t>(write->base_hlc())) + ',' + (write->cleared() ? "1]" : "0]");
  }
  return out + "]";
}

Result<ChangesetOutcome> SqliteCentralStore::classify(const DeviceId& device_id, const std::array<std::uint8_t, 32>& hash,
                                                      const pb::Changeset& changeset, std::uint64_t& high_water) {
  AMANA_ASSIGN_OR_RETURN(sql::Query dq, db_->query("SELECT high_water, last_hash FROM devices WHERE id = ?"));
  dq.bind(1, device_id.view());
  AMANA_ASSIGN_OR_RETURN(bool found, dq.step());
  if (!found) return not_found("no device " + device_id.to_string());
  high_water = static_cast<std::uint64_t>(dq.column_int64(0));
  const Bytes last_hash = dq.column_blob(1);
  const std::uint64_t number = changeset.number();
  if (number <= high_water) {
    AMANA_ASSIGN_OR_RETURN(sql::Query hq, db_->query("SELECT hash FROM changesets WHERE device_id = ? AND number = ?"));
    hq.bind(1, device_id.view()).bind(2, as_int(number));
    AMANA_ASSIGN_OR_RETURN(bool known, hq.step());
    if (known && hq.column_blob(0) == Bytes(hash.begin(), hash.end())) return ChangesetOutcome::already_applied;
    return ChangesetOutcome::fork;
  }
  if (number != high_water + 1) return ChangesetOutcome::gap;
  // The chain: a changeset that does not follow the last one merged was not made by the
  // device as we know it (a clone, or a forgery with a stolen key).
  const ByteView previous = view(changeset.previous_hash());
  if (!std::equal(previous.begin(), previous.end(), last_hash.begin(), last_hash.end())) return ChangesetOutcome::fork;
  return ChangesetOutcome::merged;
}

Result<ChangesetOutcome> SqliteCentralStore::changeset_outcome(const DeviceId& device_id, const std::string& encoded,
                                                               const pb::Changeset& changeset) {
  std::lock_guard lock(mutex_);
  std::uint64_t high_water = 0;
  return classify(device_id, crypto::hash(view(encoded)), changeset, high_water);
}

Result<ApplyResult> SqliteCentralStore::apply_changeset(const DeviceId& device_id, const std::string& encoded,
                                                        const pb::Changeset& changeset, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  require_data_key();
  const auto hash = crypto::hash(view(encoded));
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  ApplyResult result;
  AMANA_ASSIGN_OR_RETURN(result.outcome, classify(device_id, hash, changeset, result.high_water));
  const std::uint64_t number = changeset.number();
  if (result.outcome == ChangesetOutcome::already_applied || result.outcome == ChangesetOutcome::gap) return result;
  if (result.outcome == ChangesetOutcome::fork) {
    AMANA_RETURN_IF_ERROR(keep_fork(device_id, number, hash, encoded, now_ms));
    AMANA_RETURN_IF_ERROR(txn.commit());
    return result;
  }
  std::vector<RecordId> counted, listed;
  for (const pb::Operation& operation : changeset.operations()) {
    if (auto kase = listed_case_of(operation)) listed.push_back(*kase);
    if (!is_counted_form(operation.form_id())) continue;
    AMANA_ASSIGN_OR_RETURN(RecordId record, RecordId::from_bytes(view(operation.record_id())));
    counted.push_back(record);
  }
  AMANA_ASSIGN_OR_RETURN(const CountedBefore before, counted_before(counted));
  for (const pb::Operation& operation : changeset.operations()) {
    AMANA_ASSIGN_OR_RETURN(std::size_t conflicts, merge_operation(device_id, operation, now_ms));
    result.conflicts += conflicts;
  }
  AMANA_RETURN_IF_ERROR(count_changes(before));
  AMANA_RETURN_IF_ERROR(refresh_case_listings(listed));
  AMANA_ASSIGN_OR_RETURN(sql::Query record_changeset,
                         db_->query("INSERT INTO changesets (device_id, number, hash, received_at_ms, operations) "
                                    "VALUES (?, ?, ?, ?, ?)"));
  AMANA_RETURN_IF_ERROR(record_changeset.bind(1, device_id.view())
                            .bind(2, as_int(number))
                            .bind(3, ByteView(hash))
                            .bind(4, now_ms)
                            .bind(5, static_cast<std::int64_t>(changeset.operations_size()))
                            .run());
  AMANA_ASSIGN_OR_RETURN(sql::Query advance,
                         db_->query("UPDATE devices SET high_water = ?, last_hash = ?, last_sync_ms = ? WHERE id = ?"));
  AMANA_RETURN_IF_ERROR(
      advance.bind(1, as_int(number)).bind(2, ByteView(hash)).bind(3, now_ms).bind(4, device_id.view()).run());
  AMANA_RETURN_IF_ERROR(txn.commit());  // durable: synchronous=FULL
  result.outcome = ChangesetOutcome::merged;
  result.high_water = number;
  result.operations = static_cast<std::size_t>(changeset.operations_size());
  return result;
}

Status SqliteCentralStore::resolve_conflicts(const RecordId& record, std::string_view field, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("UPDATE conflicts SET resolved_at_ms = ? WHERE record_id = ? "
                                                  "AND field = ? AND resolved_at_ms IS NULL"));
  AMANA_RETURN_IF_ERROR(q.bind(1, now_ms).bind(2, record.view()).bind(3, field).run());
  if (db_->changes() == 0) {
    return not_found("no open conflict on field '" + std::string(field) + "' of record " + record.to_string());
  }
  return Status();
}

Result<std::vector<RecordId>> SqliteCentralStore::records_in_conflict(const std::optional<RecordId>& after,
                                                                      std::size_t limit) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT DISTINCT record_id FROM conflicts WHERE resolved_at_ms IS NULL "
                                                  "AND record_id > ? ORDER BY record_id LIMIT ?"));
  const RecordId from = after.value_or(RecordId{});
  q.bind(1, from.view()).bind(2, static_cast<std::int64_t>(limit));
  return collect_ids(q);
}

Status SqliteCentralStore::write_as_org(const RecordId& id, const std::map<std::string, std::string, std::less<>>& values,
                                        const std::string& author, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  require_data_key();
  // Its form, creation and case, not its values: the stamps below say what was seen.
  AMANA_ASSIGN_OR_RETURN(auto found, load_records(std::nullopt, &id, false));
  if (found.empty()) return not_found("no record " + id.to_string() + " on the server");
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  // After every version the record holds, and not before the wall clock: the office
  // decides with everything it has seen.
  AMANA_ASSIGN_OR_RETURN(const std::vector<HeldVersion> held, held_versions(id, nullptr));
  HlcTime latest{0};
  for (const HeldVersion& h : held) latest = std::max(latest, h.version.stamp.hlc);
  // Checked, not wrapped: latest + 1 past the greatest stamp would be the smallest one, and
  // the decision would lose to everything. Write authority keeps device stamps within
  // kMaxClockAheadMs of the clock, so only a store that took forged stamps before it did
  // can get here.
  if (latest >= kMaxHlc) {
    return corrupt("record " + id.to_string() + " holds a change stamped at the end of time (a forged clock, merged "
                   "before the server refused such stamps): no office decision can be stamped after it. See its "
                   "history with `sync-server cases history`");
  }
  const std::uint64_t hlc = static_cast<std::uint64_t>(std::max(next_hlc(latest), make_hlc(now_ms, 0)));
  pb::Operation operation;
  operation.set_record_id(id.bytes.data(), id.bytes.size());
  operation.set_kind(pb::Operation::UPDATE);
  operation.set_form_id(found.front().form_id);
  operation.set_form_version(found.front().form_version);
  operation.set_hlc(hlc);
  operation.set_device_id(kOrgWriter.bytes.data(), kOrgWriter.bytes.size());
  operation.set_author(author);
  operation.set_created_at_ms(found.front().created_at_ms);
  if (found.front().case_id) operation.set_case_id(found.front().case_id->bytes.data(), 16);
  for (const auto& [field, value] : values) {
    pb::FieldWrite* write = operation.add_writes();
    write->set_field(field);
    write->set_value(value);
    write->set_cleared(value.empty());
    write->set_hlc(hlc);
    // Having seen the current value: the field's greatest stamp (held sorts by stamp).
    for (const HeldVersion& h : held) {
      if (h.field == field) write->set_base_hlc(static_cast<std::uint64_t>(h.version.stamp.hlc));
    }
  }
  CountedBefore before;
  if (is_counted_form(operation.form_id())) {
    AMANA_ASSIGN_OR_RETURN(before, counted_before({id}));
  }
  AMANA_ASSIGN_OR_RETURN(std::size_t conflicts, merge_operation(kOrgWriter, operation, now_ms));
  (void)conflicts;
  AMANA_RETURN_IF_ERROR(count_changes(before));
  if (auto kase = listed_case_of(operation)) AMANA_RETURN_IF_ERROR(refresh_case_listing(*kase));
  return txn.commit();
}

// Cases travel to the devices that need to know them: log each change to a case or to
// one of its steps. Other records stay with the device that made them.
Status SqliteCentralStore::log_if_case(const RecordId& record, const DeviceId& writer, const pb::Operation& operation) {
  std::optional<RecordId> case_id;
  if (operation.case_id().size() == 16) {
    AMANA_ASSIGN_OR_RETURN(case_id, RecordId::from_bytes(view(operation.case_id())));
  } else if (operation.form_id() == "case") {
    case_id = record;
  }
  if (!case_id) return Status();
  const std::string encoded = operation.SerializeAsString();
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("INSERT INTO change_log (case_id, writer, sealed_operation) "
                                                  "VALUES (?, ?, ?)"));
  AMANA_RETURN_IF_ERROR(q.bind(1, case_id->view()).bind(2, writer.view()).bind(3, ByteView()).run());
  // Sealed under a label that includes its sequence number, known only after the insert.
  const std::int64_t seq = db_->last_insert_rowid();
  AMANA_ASSIGN_OR_RETURN(sql::Query seal, db_->query("UPDATE change_log SET sealed_operation = ? WHERE seq = ?"));
  return seal.bind(1, crypto::seal(data_key_, view(encoded), change_ad(seq))).bind(2, seq).run();
}

Bytes SqliteCentralStore::change_ad(std::int64_t seq) {
  const std::string label = "amana/server/change/v1|" + std::to_string(seq);
  return Bytes(label.begin(), label.end());
}

Status SqliteCentralStore::keep_fork(const DeviceId& device, std::uint64_t number, const std::array<std::uint8_t, 32>& hash,
                                     const std::string& encoded, std::int64_t now_ms) {
  std::string label = "amana/server/fork/v1|" + crypto::to_hex(ByteView(hash));
  const Bytes sealed = crypto::seal(data_key_, view(encoded), crypto::as_bytes(label));
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         db_->query("INSERT INTO forks (device_id, number, hash, received_at_ms, sealed_encoded) "
                                    "VALUES (?, ?, ?, ?, ?)"));
  return q.bind(1, device.view()).bind(2, as_int(number)).bind(3, ByteView(hash)).bind(4, now_ms).bind(5, sealed).run();
}

// Returns the number of new conflicts.
Result<std::size_t> SqliteCentralStore::merge_operation(const DeviceId& device, const pb::Operation& operation, std::int64_t now_ms) {
  AMANA_ASSIGN_OR_RETURN(RecordId record, RecordId::from_bytes(view(operation.record_id())));
  // Whatever arrives first creates the row: a create from this device, or an update of
  // a record another device made, which may arrive before the create itself.
  AMANA_ASSIGN_OR_RETURN(sql::Query insert,
                         db_->query("INSERT OR IGNORE INTO records (id, form_id, form_version, device_id, "
                                    "created_at_ms, sealed_author, case_id) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  if (operation.case_id().size() == 16) insert.bind(7, view(operation.case_id()));
  else insert.bind_null(7);
  AMANA_RETURN_IF_ERROR(insert.bind(1, record.view())
                            .bind(2, operation.form_id())
                            .bind(3, static_cast<std::int64_t>(operation.form_version()))
                            .bind(4, device.view())
                            .bind(5, operation.created_at_ms())
                            .bind(6, crypto::seal(data_key_, view(operation.author()), author_ad(record)))
                            .run());
  // A record this operation just created holds no versions yet: nothing to read back
  // (reading back was a fifth of the merge's instructions, docs/benchmarks.md).
  std::vector<HeldVersion> held;
  const bool created = db_->changes() != 0;
  if (!created) {
    AMANA_ASSIGN_OR_RETURN(held, held_versions(record, nullptr));
  }
  AMANA_RETURN_IF_ERROR(log_if_case(record, device, operation));
  const bool is_case = operation.form_id() == cases::kCaseForm;
  if (is_case && operation.kind() == pb::Operation::CREATE && device != kOrgWriter) {
    // The device that made a case holds it (device_cases, central_store.h).
    AMANA_RETURN_IF_ERROR(update_device_cases_locked(device, {record}, {}));
  }
  // A version already held (same record, field, HLC and device) is a replay and is
  // ignored. Two different writes under one stamp would need one device to reuse an
  // HLC, which only a cloned store does, and the changeset chain refuses a clone's
  // changesets as forks before their writes get here.
  std::vector<const pb::FieldWrite*> fresh;
  for (const pb::FieldWrite& write : operation.writes()) {
    const merge::Stamp stamp{static_cast<HlcTime>(write.hlc()), device};
    const bool replayed =
        std::any_of(held.begin(), held.end(),
                    [&](const HeldVersion& h) { return h.version.stamp == stamp && h.field == write.field(); }) ||
        std::any_of(fresh.begin(), fresh.end(), [&](const pb::FieldWrite* f) {
          return f->hlc() == write.hlc() && f->field() == write.field();
        });
    if (!replayed) fresh.push_back(&write);
  }
  if (fresh.empty()) return std::size_t{0};
  AMANA_RETURN_IF_ERROR(insert_writes(record, device, fresh));
  // Need-to-know follows the case's holder and status, kept now so that pulls read ids.
  if (is_case && (created || std::any_of(fresh.begin(), fresh.end(), [](const pb::FieldWrite* w) {
                    return w->field() == cases::field::kAssignedTo || w->field() == cases::field::kStatus;
                  }))) {
    AMANA_RETURN_IF_ERROR(refresh_case_scope(record));
  }

  // Values are decrypted only when stamps show concurrent writes (rare).
  std::size_t new_conflicts = 0;
  std::set<std::string_view> fields;
  for (const pb::FieldWrite* write : fresh) fields.insert(write->field());
  for (const std::string_view field : fields) {
    std::vector<merge::Version> versions;
    for (const HeldVersion& h : held) {
      if (h.field == field) versions.push_back(h.version);
    }
    for (const pb::FieldWrite* write : fresh) {
      if (write->field() != field) continue;
      merge::Version version;
      version.stamp = {static_cast<HlcTime>(write->hlc()), device};
      version.base = static_cast<HlcTime>(write->base_hlc());
      version.cleared = write->cleared();
      versions.push_back(std::move(version));
    }
    std::sort(versions.begin(), versions.end(),
              [](const merge::Version& a, const merge::Version& b) { return a.stamp < b.stamp; });
    if (!merge::has_concurrent_writes(versions)) continue;
    AMANA_ASSIGN_OR_RETURN(auto with_values, load_versions(record, field, true));
    for (const merge::Conflict& conflict : merge::conflicts(with_values)) {
      AMANA_ASSIGN_OR_RETURN(sql::Query c,
                             db_->query("INSERT OR IGNORE INTO conflicts (record_id, field, earlier_hlc, "
                                        "earlier_device, later_hlc, later_device, detected_at_ms) "
                                        "VALUES (?, ?, ?, ?, ?, ?, ?)"));
      AMANA_RETURN_IF_ERROR(c.bind(1, record.view())
                                .bind(2, field)
                                .bind(3, as_int(conflict.earlier.stamp.hlc))
                                .bind(4, conflict.earlier.stamp.device.view())
                                .bind(5, as_int(conflict.later.stamp.hlc))
                                .bind(6, conflict.later.stamp.device.view())
                                .bind(7, now_ms)
                                .run());
      new_conflicts += static_cast<std::size_t>(db_->changes());
    }
  }
  return new_conflicts;
}

// One row for one operation's writes by `device`: their stamps in clear, their values
// sealed together.
Status SqliteCentralStore::insert_writes(const RecordId& record, const DeviceId& device, std::span<const pb::FieldWrite* const> writes) {
  const std::string stamps = encode_stamps(writes);
  pb::CentralValues values;
  for (const pb::FieldWrite* write : writes) values.add_values(write->value());
  const std::string plain = values.SerializeAsString();
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("INSERT INTO writes (record_id, device_id, stamps, sealed_values) "
                                                  "VALUES (?, ?, ?, ?)"));
  return q.bind(1, record.view())
      .bind(2, device.view())
      .bind(3, stamps)
      .bind(4, crypto::seal(data_key_, view(plain), values_ad(record, device, stamps)))
      .run();
}

// Values sealed one by one (schema versions 1 to 5, see create_v6) become one row per
// operation's stamp, in one transaction, once the key to open them is known.
Status SqliteCentralStore::reseal_legacy_values() {
  AMANA_ASSIGN_OR_RETURN(bool legacy, has_table("legacy_field_versions"));
  if (!legacy) return Status();
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  AMANA_RETURN_IF_ERROR(reseal_legacy_rows());
  AMANA_RETURN_IF_ERROR(db_->exec("DROP TABLE legacy_field_versions"));
  return txn.commit();
}

// Its statement is finished on return: a running one would keep the table from being dropped.
Result<bool> SqliteCentralStore::has_table(std::string_view name) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?"));
  q.bind(1, name);
  return q.step();
}

// REQUIRES: a transaction. Its statement is finished on return, as for has_table.
Status SqliteCentralStore::reseal_legacy_rows() {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT record_id, device_id, hlc, field, base_hlc, cleared, "
                                                  "sealed_value FROM legacy_field_versions "
                                                  "ORDER BY record_id, device_id, hlc, field"));
  std::vector<pb::FieldWrite> group;
  RecordId group_record;
  DeviceId group_device;
  auto flush = [&]() -> Status {
    if (group.empty()) return Status();
    std::vector<const pb::FieldWrite*> writes;
    for (const pb::FieldWrite& write : group) writes.push_back(&write);
    AMANA_RETURN_IF_ERROR(insert_writes(group_record, group_device, writes));
    group.clear();
    return Status();
  };
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    AMANA_ASSIGN_OR_RETURN(RecordId record, RecordId::from_bytes(q.column_blob(0)));
    AMANA_ASSIGN_OR_RETURN(DeviceId device, DeviceId::from_bytes(q.column_blob(1)));
    const auto hlc = static_cast<std::uint64_t>(q.column_int64(2));
    if (!group.empty() && (record != group_record || device != group_device || group.front().hlc() != hlc)) {
      AMANA_RETURN_IF_ERROR(flush());
    }
    group_record = record;
    group_device = device;
    pb::FieldWrite& write = group.emplace_back();
    write.set_field(q.column_text(3));
    write.set_hlc(hlc);
    write.set_base_hlc(static_cast<std::uint64_t>(q.column_int64(4)));
    write.set_cleared(q.column_int64(5) != 0);
    AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes value,
                           crypto::open(data_key_, q.column_blob(6), legacy_value_ad(record, write.field(), hlc, device),
                                        crypto::Memory::wiped));
    write.set_value(std::string(value.as_string()));
  }
  return flush();
}

}  // namespace amana::server::sqlite_store

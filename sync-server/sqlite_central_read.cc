// The SQLite central store: records and their current values, one field's history, open
// conflicts (the change log devices pull is in sqlite_central_scope.cc).
#include <algorithm>
#include <map>
#include <tuple>

#include "sync-server/sqlite_central_store_internal.h"

namespace amana::server::sqlite_store {

Result<std::vector<CentralRecord>> SqliteCentralStore::records(std::optional<std::string_view> form_id) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  return load_records(form_id, nullptr);
}

Result<std::int64_t> SqliteCentralStore::open_conflicts(const RecordId& record) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT count(*) FROM conflicts WHERE record_id = ? AND "
                                                  "resolved_at_ms IS NULL"));
  q.bind(1, record.view());
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  return row ? q.column_int64(0) : 0;
}

Result<std::vector<CentralStore::OpenConflict>> SqliteCentralStore::open_conflict_list(const std::vector<RecordId>& records) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  require_data_key();
  std::vector<OpenConflict> out;
  for (const RecordId& record : records) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT field, earlier_hlc, earlier_device, later_hlc, "
                                                    "later_device FROM conflicts WHERE record_id = ? AND "
                                                    "resolved_at_ms IS NULL ORDER BY field, later_hlc"));
    q.bind(1, record.view());
    std::vector<std::tuple<std::string, merge::Stamp, merge::Stamp>> rows;
    while (true) {
      AMANA_ASSIGN_OR_RETURN(bool row, q.step());
      if (!row) break;
      merge::Stamp earlier{static_cast<HlcTime>(q.column_int64(1)), {}};
      merge::Stamp later{static_cast<HlcTime>(q.column_int64(3)), {}};
      AMANA_ASSIGN_OR_RETURN(earlier.device, DeviceId::from_bytes(q.column_blob(2)));
      AMANA_ASSIGN_OR_RETURN(later.device, DeviceId::from_bytes(q.column_blob(4)));
      rows.emplace_back(q.column_text(0), earlier, later);
    }
    for (const auto& [field, earlier, later] : rows) {
      AMANA_ASSIGN_OR_RETURN(auto versions, load_versions(record, field, true));
      OpenConflict conflict{record, field, {}, {}};
      for (const merge::Version& version : versions) {
        if (version.stamp == earlier) conflict.earlier = version;
        if (version.stamp == later) conflict.later = version;
      }
      out.push_back(std::move(conflict));
    }
  }
  return out;
}

Result<CentralRecord> SqliteCentralStore::record(const RecordId& id) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  AMANA_ASSIGN_OR_RETURN(auto found, load_records(std::nullopt, &id));
  if (found.empty()) return not_found("no record " + id.to_string() + " on the server");
  return found.front();
}

Result<std::vector<merge::Version>> SqliteCentralStore::field_history(const RecordId& record, std::string_view field) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  require_data_key();
  return load_versions(record, field, true);
}

// Records, with their current values when asked; all of them, one form's, or the one
// with `only`.
Result<std::vector<CentralRecord>> SqliteCentralStore::load_records(std::optional<std::string_view> form_id, const RecordId* only,
                                                                    bool with_values) {
  require_data_key();
  // One statement per shape: `(?2 IS NULL OR id = ?2)` cannot use the primary key, and
  // made reading one record a scan of them all.
  constexpr std::string_view kColumns =
      "SELECT id, form_id, form_version, device_id, created_at_ms, sealed_author, case_id FROM records ";
  std::string where = only ? "WHERE id = ?2" : form_id ? "WHERE form_id = ?1" : "";
  if (only && form_id) where += " AND form_id = ?1";
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query(std::string(kColumns) + where + " ORDER BY id"));
  if (form_id) q.bind(1, *form_id);
  if (only) q.bind(2, only->view());
  std::vector<CentralRecord> out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    AMANA_ASSIGN_OR_RETURN(CentralRecord record, read_record_row(q));
    out.push_back(std::move(record));
  }
  if (!with_values) return out;
  for (CentralRecord& record : out) AMANA_RETURN_IF_ERROR(fill_current_values(record));
  return out;
}

// A row of the records table as load_records selects it, its author opened; no values yet.
Result<CentralRecord> SqliteCentralStore::read_record_row(const sql::Query& q) {
  CentralRecord record;
  AMANA_ASSIGN_OR_RETURN(record.id, RecordId::from_bytes(q.column_blob(0)));
  record.form_id = q.column_text(1);
  record.form_version = static_cast<std::uint32_t>(q.column_int64(2));
  AMANA_ASSIGN_OR_RETURN(record.device, DeviceId::from_bytes(q.column_blob(3)));
  record.created_at_ms = q.column_int64(4);
  AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes author, crypto::open(data_key_, q.column_blob(5), author_ad(record.id), crypto::Memory::wiped));
  record.author = std::string(author.as_string());
  if (!q.column_is_null(6)) {
    AMANA_ASSIGN_OR_RETURN(record.case_id, RecordId::from_bytes(q.column_blob(6)));
  }
  return record;
}

Status SqliteCentralStore::fill_current_values(CentralRecord& record) {
  AMANA_ASSIGN_OR_RETURN(std::vector<HeldVersion> held, held_versions(record.id, nullptr));
  // Each field's current value is its last version in stamp order (merge rule 1).
  std::vector<HeldVersion*> current;
  for (std::size_t i = 0; i < held.size(); ++i) {
    const bool last_of_field = i + 1 == held.size() || held[i + 1].field != held[i].field;
    if (last_of_field && !held[i].version.cleared) current.push_back(&held[i]);
  }
  AMANA_RETURN_IF_ERROR(open_values(record.id, current));
  for (HeldVersion* version : current) record.values[version->field] = std::move(version->version.value);
  return Status();
}

Bytes SqliteCentralStore::author_ad(const RecordId& id) {
  std::string label = "amana/server/author/v1|";
  label.append(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size());
  return Bytes(label.begin(), label.end());
}

// The record's versions (all, or one field's), sorted by field then stamp, values not
// opened: the merge rules look at stamps alone.
Result<std::vector<HeldVersion>> SqliteCentralStore::held_versions(const RecordId& record, const std::string_view* field) {
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         db_->query("SELECT field, hlc, device_id, base_hlc, cleared, seq, position "
                                    "FROM field_versions WHERE record_id = ?1 AND (?2 IS NULL OR field = ?2) "
                                    "ORDER BY field, hlc, device_id"));
  q.bind(1, record.view());
  if (field) q.bind(2, *field);
  else q.bind_null(2);
  std::vector<HeldVersion> held;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    HeldVersion h;
    h.field = q.column_text(0);
    h.version.stamp.hlc = static_cast<HlcTime>(q.column_int64(1));
    AMANA_ASSIGN_OR_RETURN(h.version.stamp.device, DeviceId::from_bytes(q.column_blob(2)));
    h.version.base = static_cast<HlcTime>(q.column_int64(3));
    h.version.cleared = q.column_int64(4) != 0;
    h.seq = q.column_int64(5);
    h.position = q.column_int64(6);
    held.push_back(std::move(h));
  }
  return held;
}

// Fills in the values of some of one record's versions, opening each row once.
Status SqliteCentralStore::open_values(const RecordId& record, std::span<HeldVersion* const> versions) {
  std::map<std::int64_t, pb::CentralValues> opened;
  for (HeldVersion* version : versions) {
    auto at = opened.find(version->seq);
    if (at == opened.end()) {
      AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT device_id, stamps, sealed_values FROM writes "
                                                      "WHERE seq = ? AND record_id = ?"));
      q.bind(1, version->seq).bind(2, record.view());
      AMANA_ASSIGN_OR_RETURN(bool row, q.step());
      if (!row) return corrupt("the values of record " + record.to_string() + " are missing");
      AMANA_ASSIGN_OR_RETURN(DeviceId writer, DeviceId::from_bytes(q.column_blob(0)));
      AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes plain,
                             crypto::open(data_key_, q.column_blob(2), values_ad(record, writer, q.column_text(1)),
                                          crypto::Memory::wiped));
      pb::CentralValues values;
      if (!values.ParseFromArray(plain.data(), static_cast<int>(plain.size()))) {
        return corrupt("the values of record " + record.to_string() + " do not decode");
      }
      at = opened.emplace(version->seq, std::move(values)).first;
    }
    if (version->position < 0 || version->position >= at->second.values_size()) {
      return corrupt("the values of record " + record.to_string() + " do not match their stamps");
    }
    version->version.value = at->second.values(static_cast<int>(version->position));
  }
  return Status();
}

// One field's versions sorted by stamp, values opened when asked.
Result<std::vector<merge::Version>> SqliteCentralStore::load_versions(const RecordId& record, std::string_view field, bool with_values) {
  AMANA_ASSIGN_OR_RETURN(std::vector<HeldVersion> held, held_versions(record, &field));
  if (with_values) {
    std::vector<HeldVersion*> all;
    for (HeldVersion& h : held) all.push_back(&h);
    AMANA_RETURN_IF_ERROR(open_values(record, all));
  }
  std::vector<merge::Version> versions;
  for (HeldVersion& h : held) versions.push_back(std::move(h.version));
  return versions;
}

}  // namespace amana::server::sqlite_store

// The SQLite central store: what write authority reads about the records a changeset
// touches (a record's origin, a case's holder) and the operations it refused, kept aside.
#include <nlohmann/json.hpp>

#include "common/case_fields.h"
#include "sync-server/sqlite_central_store_internal.h"

namespace amana::server::sqlite_store {

Result<std::optional<RecordOrigin>> SqliteCentralStore::record_origin(const RecordId& id) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT device_id, form_id, case_id FROM records WHERE id = ?"));
  q.bind(1, id.view());
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row) return std::optional<RecordOrigin>();
  RecordOrigin origin;
  AMANA_ASSIGN_OR_RETURN(origin.device, DeviceId::from_bytes(q.column_blob(0)));
  origin.form_id = q.column_text(1);
  if (!q.column_is_null(2)) {
    AMANA_ASSIGN_OR_RETURN(origin.case_id, RecordId::from_bytes(q.column_blob(2)));
  }
  return std::optional<RecordOrigin>(std::move(origin));
}

Result<std::optional<CaseHolding>> SqliteCentralStore::case_holding(const RecordId& case_id) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  return read_holding(case_id);
}

Result<std::optional<CaseHolding>> SqliteCentralStore::read_holding(const RecordId& case_id) {
  require_data_key();
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT form_id, sealed_author FROM records WHERE id = ?"));
  q.bind(1, case_id.view());
  AMANA_ASSIGN_OR_RETURN(bool row, q.step());
  if (!row || q.column_text(0) != cases::kCaseForm) return std::optional<CaseHolding>();
  CaseHolding holding;
  AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes author, crypto::open(data_key_, q.column_blob(1), author_ad(case_id), crypto::Memory::wiped));
  holding.author = std::string(author.as_string());
  // Each field's current value is its last version in stamp order (merge rule 1): open
  // that one only.
  for (const auto& [field, target] : {std::pair{cases::field::kAssignedTo, &holding.assigned_to},
                                      std::pair{cases::field::kStatus, &holding.status}}) {
    const std::string_view name = field;
    AMANA_ASSIGN_OR_RETURN(std::vector<HeldVersion> held, held_versions(case_id, &name));
    if (held.empty() || held.back().version.cleared) continue;
    HeldVersion* current = &held.back();
    AMANA_RETURN_IF_ERROR(open_values(case_id, std::span<HeldVersion* const>(&current, 1)));
    *target = std::move(current->version.value);
  }
  return std::optional<CaseHolding>(std::move(holding));
}

Bytes SqliteCentralStore::refused_ad(std::int64_t id, const DeviceId& device, const RecordId& record) {
  std::string label = "amana/server/refused/v1|" + std::to_string(id) + "|";
  label.append(reinterpret_cast<const char*>(device.bytes.data()), device.bytes.size());
  label.append(reinterpret_cast<const char*>(record.bytes.data()), record.bytes.size());
  return Bytes(label.begin(), label.end());
}

Status SqliteCentralStore::keep_refused(const RefusedWrite& refused, const pb::Operation& operation) {
  std::lock_guard lock(mutex_);
  require_data_key();
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         db_->query("INSERT INTO refused_writes (received_at_ms, device_id, user, changeset, record_id, "
                                    "rule, fields, sealed_operation) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  AMANA_RETURN_IF_ERROR(q.bind(1, refused.received_at_ms)
                            .bind(2, refused.device.view())
                            .bind(3, refused.user)
                            .bind(4, as_int(refused.changeset))
                            .bind(5, refused.record.view())
                            .bind(6, refused.rule)
                            // Field names come from devices: JSON escapes whatever they hold.
                            .bind(7, nlohmann::json(refused.fields).dump(-1, ' ', false,
                                                                        nlohmann::json::error_handler_t::replace))
                            .bind(8, ByteView())
                            .run());
  // Sealed under a label naming its row, known only after the insert.
  const std::int64_t id = db_->last_insert_rowid();
  AMANA_ASSIGN_OR_RETURN(sql::Query seal, db_->query("UPDATE refused_writes SET sealed_operation = ? WHERE id = ?"));
  AMANA_RETURN_IF_ERROR(seal.bind(1, crypto::seal(data_key_, view(operation.SerializeAsString()),
                                                  refused_ad(id, refused.device, refused.record)))
                            .bind(2, id)
                            .run());
  return txn.commit();
}

Result<std::vector<RefusedWrite>> SqliteCentralStore::refused_writes(bool with_operations) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  if (with_operations) require_data_key();
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT id, received_at_ms, device_id, user, changeset, record_id, "
                                                  "rule, fields, sealed_operation FROM refused_writes ORDER BY id"));
  std::vector<RefusedWrite> out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    RefusedWrite refused;
    refused.id = q.column_int64(0);
    refused.received_at_ms = q.column_int64(1);
    AMANA_ASSIGN_OR_RETURN(refused.device, DeviceId::from_bytes(q.column_blob(2)));
    refused.user = q.column_text(3);
    refused.changeset = static_cast<std::uint64_t>(q.column_int64(4));
    AMANA_ASSIGN_OR_RETURN(refused.record, RecordId::from_bytes(q.column_blob(5)));
    refused.rule = q.column_text(6);
    const auto fields = nlohmann::json::parse(q.column_text(7), nullptr, false);
    if (!fields.is_array()) return corrupt("refused write " + std::to_string(refused.id) + " has damaged field names");
    for (const auto& name : fields) {
      if (name.is_string()) refused.fields.push_back(name.get<std::string>());
    }
    if (with_operations) {
      AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes plain, crypto::open(data_key_, q.column_blob(8),
                                                                     refused_ad(refused.id, refused.device, refused.record),
                                                                     crypto::Memory::wiped));
      pb::Operation operation;
      if (!operation.ParseFromArray(plain.data(), static_cast<int>(plain.size()))) {
        return corrupt("refused write " + std::to_string(refused.id) + " does not decode");
      }
      refused.operation = std::move(operation);
    }
    out.push_back(std::move(refused));
  }
  return out;
}

}  // namespace amana::server::sqlite_store

// The SQLite central store: the office's case list kept at merge time (case_listing,
// migration 19) and a case's steps read through records_by_case, so that a page of the
// list, or one case file, reads what it shows and not every record (issue 13).
#include <algorithm>
#include <set>

#include "common/case_fields.h"
#include "common/case_sources.h"
#include "sync-server/sqlite_central_store_internal.h"

namespace amana::server::sqlite_store {
namespace {

std::string value_of(const forms::Answers& values, std::string_view field) {
  auto found = values.find(field);
  return found == values.end() ? std::string() : found->second;
}

// The step forms that set what the list keeps (the name, the risk level, the person's
// sex, age and place).
bool sets_listed_value(std::string_view form_id) {
  for (std::string_view field : {cases::field::kName, cases::field::kRiskLevel, cases::field::kSex,
                                 cases::field::kAge, cases::field::kLocation}) {
    const cases::OwnedField* owned = cases::find_owned_field(field);
    if (owned == nullptr) continue;
    for (const cases::FieldSource& source : owned->steps) {
      if (!source.empty() && source.form == form_id) return true;
    }
  }
  return false;
}

// The sealed values of a row, in this order (pb::CentralValues).
constexpr int kSealedListingValues = 5;

Bytes listing_ad(const RecordId& case_id) {
  std::string label = "amana/server/listing/v1|";
  label.append(reinterpret_cast<const char*>(case_id.bytes.data()), case_id.bytes.size());
  return Bytes(label.begin(), label.end());
}

}  // namespace

std::optional<RecordId> listed_case_of(const pb::Operation& operation) {
  if (operation.form_id() == cases::kCaseForm) {
    auto id = RecordId::from_bytes(view(operation.record_id()));
    if (id.ok()) return *id;
  } else if (operation.case_id().size() == 16) {
    auto id = RecordId::from_bytes(view(operation.case_id()));
    if (id.ok()) return *id;
  }
  return std::nullopt;
}

Status SqliteCentralStore::refresh_case_listings(const std::vector<RecordId>& cases) {
  std::set<RecordId> done;
  for (const RecordId& case_id : cases) {
    if (!done.insert(case_id).second) continue;
    AMANA_RETURN_IF_ERROR(refresh_case_listing(case_id));
  }
  return Status();
}

Status SqliteCentralStore::refresh_case_listing(const RecordId& case_id) {
  AMANA_ASSIGN_OR_RETURN(std::optional<CentralRecord> kase, load_record(case_id));
  if (!kase || kase->form_id != cases::kCaseForm) return Status();  // a step before its case
  std::vector<RecordId> setting;
  std::int64_t steps = 0;
  {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT id, form_id FROM records WHERE case_id = ? ORDER BY id"));
    q.bind(1, case_id.view());
    while (true) {
      AMANA_ASSIGN_OR_RETURN(bool row, q.step());
      if (!row) break;
      ++steps;
      if (!sets_listed_value(q.column_text(1))) continue;
      AMANA_ASSIGN_OR_RETURN(RecordId step, RecordId::from_bytes(q.column_blob(0)));
      setting.push_back(step);
    }
  }
  std::vector<CentralRecord> step_records;
  for (const RecordId& id : setting) {
    AMANA_ASSIGN_OR_RETURN(std::optional<CentralRecord> step, load_record(id));
    if (step) step_records.push_back(std::move(*step));
  }
  std::vector<cases::StepRecord> read;
  for (const CentralRecord& step : step_records) read.push_back({step.id, step.form_id, &step.values});
  const forms::Answers values = cases::case_values(kase->values, read).values;
  std::string assignee = value_of(kase->values, cases::field::kAssignedTo);
  if (assignee.empty()) assignee = kase->author;
  pb::CentralValues sealed;
  sealed.add_values(value_of(values, cases::field::kName));
  sealed.add_values(assignee);
  for (std::string_view field : {cases::field::kSex, cases::field::kAge, cases::field::kLocation}) {
    sealed.add_values(value_of(values, field));
  }
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         db_->query("INSERT OR REPLACE INTO case_listing (case_id, status, risk_level, holder_tag, "
                                    "opened_at_ms, steps, sealed_names) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  return q.bind(1, case_id.view())
      .bind(2, value_of(values, cases::field::kStatus))
      .bind(3, value_of(values, cases::field::kRiskLevel))
      .bind(4, holder_tag(assignee))
      .bind(5, kase->created_at_ms)
      .bind(6, steps)
      .bind(7, crypto::seal(data_key_, view(sealed.SerializeAsString()), listing_ad(case_id)))
      .run();
}

Status SqliteCentralStore::build_case_listing_if_pending() {
  {  // its statement is finished before the transaction
    AMANA_ASSIGN_OR_RETURN(sql::Query pending, db_->query("SELECT 1 FROM meta WHERE key = 'case_listing_pending'"));
    AMANA_ASSIGN_OR_RETURN(bool row, pending.step());
    if (!row) return Status();
  }
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  std::vector<RecordId> cases;
  {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT id FROM records WHERE form_id = 'case'"));
    while (true) {
      AMANA_ASSIGN_OR_RETURN(bool row, q.step());
      if (!row) break;
      AMANA_ASSIGN_OR_RETURN(RecordId id, RecordId::from_bytes(q.column_blob(0)));
      cases.push_back(id);
    }
  }
  AMANA_RETURN_IF_ERROR(refresh_case_listings(cases));
  AMANA_RETURN_IF_ERROR(db_->exec("DELETE FROM meta WHERE key = 'case_listing_pending'"));
  return txn.commit();
}

Result<std::vector<CentralStore::CaseListing>> SqliteCentralStore::case_listing(const CaseListingQuery& query) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  require_data_key();
  std::string sql =
      "SELECT case_id, status, risk_level, opened_at_ms, steps, sealed_names FROM case_listing WHERE 1";
  if (!query.status.empty()) sql += " AND status = ?1";
  if (!query.risk_level.empty()) sql += " AND risk_level = ?2";
  if (!query.assigned_to.empty()) sql += " AND holder_tag = ?3";
  if (query.after) sql += " AND case_id > ?4";
  sql += " ORDER BY case_id";
  if (query.limit > 0) sql += " LIMIT ?5";
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query(sql));
  if (!query.status.empty()) q.bind(1, query.status);
  if (!query.risk_level.empty()) q.bind(2, query.risk_level);
  if (!query.assigned_to.empty()) q.bind(3, holder_tag(query.assigned_to));
  if (query.after) q.bind(4, query.after->view());
  if (query.limit > 0) q.bind(5, static_cast<std::int64_t>(query.limit));
  std::vector<CaseListing> out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    CaseListing listed;
    AMANA_ASSIGN_OR_RETURN(listed.id, RecordId::from_bytes(q.column_blob(0)));
    listed.status = q.column_text(1);
    listed.risk_level = q.column_text(2);
    listed.opened_at_ms = q.column_int64(3);
    listed.steps = q.column_int64(4);
    if (!query.names) {
      out.push_back(std::move(listed));
      continue;
    }
    AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes plain,
                           crypto::open(data_key_, q.column_blob(5), listing_ad(listed.id), crypto::Memory::wiped));
    pb::CentralValues sealed;
    if (!sealed.ParseFromArray(plain.data(), static_cast<int>(plain.size())) ||
        sealed.values_size() != kSealedListingValues) {
      return corrupt("the case list's row for case " + listed.id.to_string() + " does not decode");
    }
    listed.name = sealed.values(0);
    listed.assigned_to = sealed.values(1);
    listed.sex = sealed.values(2);
    listed.age = sealed.values(3);
    listed.location = sealed.values(4);
    out.push_back(std::move(listed));
  }
  return out;
}

Result<std::vector<CentralRecord>> SqliteCentralStore::records_of_case(const RecordId& case_id) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  require_data_key();
  std::vector<CentralRecord> out;
  {
    AMANA_ASSIGN_OR_RETURN(sql::Query q,
                           db_->query("SELECT id, form_id, form_version, device_id, created_at_ms, sealed_author, "
                                      "case_id FROM records WHERE case_id = ? ORDER BY id"));
    q.bind(1, case_id.view());
    while (true) {
      AMANA_ASSIGN_OR_RETURN(bool row, q.step());
      if (!row) break;
      AMANA_ASSIGN_OR_RETURN(CentralRecord record, read_record_row(q));
      out.push_back(std::move(record));
    }
  }
  for (CentralRecord& record : out) AMANA_RETURN_IF_ERROR(fill_current_values(record));
  return out;
}

}  // namespace amana::server::sqlite_store

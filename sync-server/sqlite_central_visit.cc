// The SQLite central store: records visited in bounded batches, for the exports and the
// report (CentralStore::visit_records). Each batch is one indexed range read after the
// last id seen (records_by_form for one form, the primary key for all), so the walk costs
// the same per record at any store size and holds at most one batch in memory.
#include <string>

#include "sync-server/sqlite_central_store_internal.h"

namespace amana::server::sqlite_store {

Result<std::vector<CentralRecord>> SqliteCentralStore::record_batch(std::optional<std::string_view> form_id,
                                                                    const std::optional<RecordId>& after,
                                                                    std::size_t limit) {
  require_data_key();
  // One statement per shape: with `(?1 IS NULL OR form_id = ?1) AND (?2 IS NULL OR id > ?2)`
  // SQLite used neither index and scanned from the first record for every batch.
  std::string where;
  if (form_id) where = "WHERE form_id = ?1";
  if (after) where += (where.empty() ? "WHERE id > ?2" : " AND id > ?2");
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         db_->query("SELECT id, form_id, form_version, device_id, created_at_ms, sealed_author, "
                                    "case_id FROM records " + where + " ORDER BY id LIMIT ?3"));
  if (form_id) q.bind(1, *form_id);
  if (after) q.bind(2, after->view());
  q.bind(3, static_cast<std::int64_t>(limit));
  std::vector<CentralRecord> batch;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    AMANA_ASSIGN_OR_RETURN(CentralRecord record, read_record_row(q));
    batch.push_back(std::move(record));
  }
  // The statement is done before the values are read: one reader open at a time.
  for (CentralRecord& record : batch) AMANA_RETURN_IF_ERROR(fill_current_values(record));
  return batch;
}

Status SqliteCentralStore::visit_records(std::optional<std::string_view> form_id, const RecordVisitor& visit) {
  std::optional<RecordId> after;
  while (true) {
    std::vector<CentralRecord> batch;
    {
      std::lock_guard lock(mutex_);
      AMANA_ASSIGN_OR_RETURN(batch, record_batch(form_id, after, kVisitBatch));
    }
    for (const CentralRecord& record : batch) AMANA_RETURN_IF_ERROR(visit(record));
    if (batch.size() < kVisitBatch) return Status();
    after = batch.back().id;
  }
}

}  // namespace amana::server::sqlite_store

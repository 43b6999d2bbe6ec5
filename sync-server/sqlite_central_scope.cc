// The SQLite central store: need-to-know kept at merge time (case_scope: who holds each
// case; device_cases: what each device holds) and the pages of the change log a device
// pulls, read through indexes so that a pull's cost follows what it sends.
#include <algorithm>
#include <map>
#include <set>

#include "common/case_fields.h"
#include "common/case_lifecycle.h"
#include "sync-server/sqlite_central_store_internal.h"

namespace amana::server::sqlite_store {
Result<std::vector<RecordId>> collect_ids(sql::Query& q) {
  std::vector<RecordId> out;
  while (true) {
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    AMANA_ASSIGN_OR_RETURN(RecordId id, RecordId::from_bytes(q.column_blob(0)));
    out.push_back(id);
  }
  return out;
}

namespace {

}  // namespace

Bytes SqliteCentralStore::holder_tag(std::string_view user) const {
  require_data_key();
  std::string label = "amana/server/holder/v1|";
  label += user;
  const auto tag = crypto::keyed_hash(data_key_, crypto::as_bytes(label));
  return Bytes(tag.begin(), tag.begin() + kHolderTagBytes);
}

Status SqliteCentralStore::refresh_case_scope(const RecordId& case_id) {
  AMANA_ASSIGN_OR_RETURN(std::optional<CaseHolding> holding, read_holding(case_id));
  if (!holding) return Status();
  const std::string& holder = holding->assigned_to.empty() ? holding->author : holding->assigned_to;
  const auto status = cases::parse_status(holding->status);
  const bool in_scope = !(status.ok() && *status == cases::CaseStatus::transferred);
  // Most changes to a case move neither its holder nor its scope: the row is left as it
  // is then, and so is its index entry.
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("INSERT INTO case_scope (case_id, holder_tag, in_scope) "
                                                  "VALUES (?1, ?2, ?3) ON CONFLICT (case_id) DO UPDATE SET "
                                                  "holder_tag = ?2, in_scope = ?3 WHERE holder_tag IS NOT ?2 OR "
                                                  "in_scope IS NOT ?3"));
  return q.bind(1, case_id.view()).bind(2, holder_tag(holder)).bind(3, std::int64_t{in_scope}).run();
}

Status SqliteCentralStore::build_case_scope_if_pending() {
  {  // its statement is finished before the transaction
    AMANA_ASSIGN_OR_RETURN(sql::Query pending, db_->query("SELECT 1 FROM meta WHERE key = 'case_scope_pending'"));
    AMANA_ASSIGN_OR_RETURN(bool row, pending.step());
    if (!row) return Status();
  }
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  std::vector<RecordId> cases;
  {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT id FROM records WHERE form_id = 'case'"));
    AMANA_ASSIGN_OR_RETURN(cases, collect_ids(q));
  }
  for (const RecordId& id : cases) AMANA_RETURN_IF_ERROR(refresh_case_scope(id));
  {  // a device made the cases it created; what else it holds it will say at its next pull
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("INSERT OR IGNORE INTO device_cases (device_id, case_id) "
                                                    "SELECT device_id, id FROM records WHERE form_id = 'case'"));
    AMANA_RETURN_IF_ERROR(q.run());
  }
  AMANA_RETURN_IF_ERROR(db_->exec("DELETE FROM meta WHERE key = 'case_scope_pending'"));
  return txn.commit();
}

Result<std::vector<RecordId>> SqliteCentralStore::cases_held_by(const std::vector<std::string>& holders) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  std::vector<RecordId> out;
  for (const std::string& holder : holders) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT case_id FROM case_scope WHERE holder_tag = ? AND "
                                                    "in_scope = 1 ORDER BY case_id"));
    q.bind(1, holder_tag(holder));
    AMANA_ASSIGN_OR_RETURN(std::vector<RecordId> held, collect_ids(q));
    out.insert(out.end(), held.begin(), held.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::vector<RecordId>> SqliteCentralStore::known_cases(const std::vector<RecordId>& ids) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  std::vector<RecordId> out;
  for (const RecordId& id : ids) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT 1 FROM records WHERE id = ? AND form_id = 'case'"));
    q.bind(1, id.view());
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (row) out.push_back(id);
  }
  return out;
}

Result<std::vector<RecordId>> SqliteCentralStore::device_cases(const DeviceId& device) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  AMANA_ASSIGN_OR_RETURN(sql::Query q,
                         db_->query("SELECT case_id FROM device_cases WHERE device_id = ? ORDER BY case_id"));
  q.bind(1, device.view());
  return collect_ids(q);
}

Status SqliteCentralStore::replace_device_cases(const DeviceId& device, const std::vector<RecordId>& cases) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  AMANA_ASSIGN_OR_RETURN(sql::Query clear, db_->query("DELETE FROM device_cases WHERE device_id = ?"));
  AMANA_RETURN_IF_ERROR(clear.bind(1, device.view()).run());
  AMANA_RETURN_IF_ERROR(update_device_cases_locked(device, cases, {}));
  return txn.commit();
}

Status SqliteCentralStore::update_device_cases(const DeviceId& device, const std::vector<RecordId>& added,
                                               const std::vector<RecordId>& removed) {
  std::lock_guard lock(mutex_);
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  AMANA_RETURN_IF_ERROR(update_device_cases_locked(device, added, removed));
  return txn.commit();
}

Status SqliteCentralStore::update_device_cases_locked(const DeviceId& device, const std::vector<RecordId>& added,
                                                      const std::vector<RecordId>& removed) {
  for (const RecordId& id : added) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q,
                           db_->query("INSERT OR IGNORE INTO device_cases (device_id, case_id) VALUES (?, ?)"));
    AMANA_RETURN_IF_ERROR(q.bind(1, device.view()).bind(2, id.view()).run());
  }
  for (const RecordId& id : removed) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("DELETE FROM device_cases WHERE device_id = ? AND case_id = ?"));
    AMANA_RETURN_IF_ERROR(q.bind(1, device.view()).bind(2, id.view()).run());
  }
  return Status();
}

Result<CentralStore::CasePage> SqliteCentralStore::case_page(const std::vector<RecordId>& held,
                                                             const std::vector<RecordId>& whole, std::uint64_t after,
                                                             const DeviceId& except_writer, std::size_t max_bytes) {
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  require_data_key();
  CasePage page;
  std::int64_t log_end = 0;
  {
    AMANA_ASSIGN_OR_RETURN(sql::Query end, db_->query("SELECT coalesce(max(seq), 0) FROM change_log"));
    AMANA_ASSIGN_OR_RETURN(bool has_end, end.step());
    if (has_end) log_end = end.column_int64(0);
  }
  const Bytes except(except_writer.bytes.begin(), except_writer.bytes.end());
  struct Entry {
    std::int64_t seq;
    std::int64_t bytes;
  };
  // The held cases' changes after the cursor. Sizes only: nothing is opened before the
  // page is cut. Of two ways, the one with fewer rows to touch: the log after the cursor
  // (at most log_end - after rows, by its primary key), kept when its case is held; or
  // one seek per held case through the (case_id, seq) index. A device syncing often is
  // few changes behind and holds many cases (an officer's team: thousands), so its pull
  // with nothing new reads no row at all instead of a seek per case.
  std::vector<Entry> entries;
  const std::int64_t behind = log_end - as_int(after);
  if (behind <= static_cast<std::int64_t>(held.size())) {
    // `held` is in id order (the caller's contract), so a case is found by binary search.
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT seq, length(sealed_operation), writer, case_id "
                                                    "FROM change_log WHERE seq > ? AND seq <= ?"));
    q.bind(1, as_int(after)).bind(2, log_end);
    while (true) {
      AMANA_ASSIGN_OR_RETURN(bool row, q.step());
      if (!row) break;
      if (q.column_blob(2) == except) continue;  // a device has its own writes already
      AMANA_ASSIGN_OR_RETURN(RecordId case_id, RecordId::from_bytes(q.column_blob(3)));
      if (std::binary_search(held.begin(), held.end(), case_id)) entries.push_back({q.column_int64(0), q.column_int64(1)});
    }
  } else {
    for (const RecordId& case_id : held) {
      AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT seq, length(sealed_operation), writer FROM change_log "
                                                      "WHERE case_id = ? AND seq > ? AND seq <= ?"));
      q.bind(1, case_id.view()).bind(2, as_int(after)).bind(3, log_end);
      while (true) {
        AMANA_ASSIGN_OR_RETURN(bool row, q.step());
        if (!row) break;
        if (q.column_blob(2) == except) continue;
        entries.push_back({q.column_int64(0), q.column_int64(1)});
      }
    }
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.seq < b.seq; });
  const auto budget = static_cast<std::int64_t>(max_bytes);
  std::int64_t used = 0;
  std::int64_t cut = log_end;
  std::vector<std::int64_t> chosen;
  for (const Entry& entry : entries) {
    if (!chosen.empty() && used + entry.bytes > budget) {
      cut = chosen.back();
      page.more = true;
      break;
    }
    used += entry.bytes;
    chosen.push_back(entry.seq);
  }
  // Then whole cases, each up to the page's end, while they fit.
  for (const RecordId& case_id : whole) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT seq, length(sealed_operation) FROM change_log "
                                                    "WHERE case_id = ? AND seq <= ?"));
    q.bind(1, case_id.view()).bind(2, cut);
    std::vector<std::int64_t> seqs;
    std::int64_t bytes = 0;
    while (true) {
      AMANA_ASSIGN_OR_RETURN(bool row, q.step());
      if (!row) break;
      seqs.push_back(q.column_int64(0));
      bytes += q.column_int64(1);
    }
    if (!chosen.empty() && used + bytes > budget) {
      page.more = true;
      break;
    }
    used += bytes;
    chosen.insert(chosen.end(), seqs.begin(), seqs.end());
    page.whole_sent.push_back(case_id);
  }
  std::sort(chosen.begin(), chosen.end());
  page.operations.reserve(chosen.size());
  for (const std::int64_t seq : chosen) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT sealed_operation FROM change_log WHERE seq = ?"));
    q.bind(1, seq);
    AMANA_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) return corrupt("change " + std::to_string(seq) + " left the log while it was read");
    AMANA_ASSIGN_OR_RETURN(crypto::SecretBytes plain, crypto::open(data_key_, q.column_blob(0), change_ad(seq), crypto::Memory::wiped));
    pb::Operation& operation = page.operations.emplace_back();
    if (!operation.ParseFromArray(plain.data(), static_cast<int>(plain.size()))) {
      return corrupt("change " + std::to_string(seq) + " in the log does not decode");
    }
  }
  page.cursor = static_cast<std::uint64_t>(cut);
  return page;
}

}  // namespace amana::server::sqlite_store

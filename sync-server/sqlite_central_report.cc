// The SQLite central store: the monthly report's counts kept at merge time (report_counts.h,
// migration 18). A merge takes away what the records it touches counted before and adds
// what they count after, in its own transaction; a step's counts follow its case, so a
// change to a case's status or a new case recounts its steps.
#include <set>

#include "common/case_fields.h"
#include "sync-server/report_counts.h"
#include "sync-server/sqlite_central_store_internal.h"

namespace amana::server::sqlite_store {

Result<std::optional<CentralRecord>> SqliteCentralStore::load_record(const RecordId& id) {
  AMANA_ASSIGN_OR_RETURN(auto found, load_records(std::nullopt, &id));
  if (found.empty()) return std::optional<CentralRecord>();
  return std::optional<CentralRecord>(std::move(found.front()));
}

Result<SqliteCentralStore::CountedBefore> SqliteCentralStore::counted_before(const std::vector<RecordId>& touched) {
  CountedBefore before;
  for (const RecordId& id : touched) {
    if (before.contains(id)) continue;
    AMANA_ASSIGN_OR_RETURN(before[id], load_record(id));
  }
  return before;
}

Status SqliteCentralStore::count_changes(const CountedBefore& before) {
  // The facts of cases as they are now; a case the merge did not touch had them before too.
  std::map<RecordId, std::optional<CaseCountFacts>> now;
  auto facts_now = [&](const RecordId& case_id) -> Result<std::optional<CaseCountFacts>> {
    auto at = now.find(case_id);
    if (at != now.end()) return at->second;
    AMANA_ASSIGN_OR_RETURN(std::optional<CentralRecord> kase, load_record(case_id));
    std::optional<CaseCountFacts> facts;
    if (kase && kase->form_id == cases::kCaseForm) facts = case_count_facts(*kase);
    now.emplace(case_id, facts);
    return facts;
  };
  auto facts_before = [&](const RecordId& case_id) -> Result<std::optional<CaseCountFacts>> {
    auto at = before.find(case_id);
    if (at == before.end()) return facts_now(case_id);
    if (!at->second || at->second->form_id != cases::kCaseForm) return std::optional<CaseCountFacts>();
    return std::optional<CaseCountFacts>(case_count_facts(*at->second));
  };
  ReportCounts delta;
  auto count = [&](const CentralRecord& record, bool after, int sign) -> Status {
    std::optional<CaseCountFacts> facts;
    if (record.case_id) {
      AMANA_ASSIGN_OR_RETURN(facts, after ? facts_now(*record.case_id) : facts_before(*record.case_id));
    }
    add_record_counts(record, facts, sign, delta);
    return Status();
  };
  std::vector<RecordId> changed_cases;
  for (const auto& [id, old] : before) {
    if (old) AMANA_RETURN_IF_ERROR(count(*old, false, -1));
    AMANA_ASSIGN_OR_RETURN(std::optional<CentralRecord> current, load_record(id));
    if (!current) continue;
    AMANA_RETURN_IF_ERROR(count(*current, true, +1));
    if (current->form_id != cases::kCaseForm) continue;
    now.emplace(id, case_count_facts(*current));
    AMANA_ASSIGN_OR_RETURN(auto was, facts_before(id));
    if (was != now[id]) changed_cases.push_back(id);
  }
  // Steps the merge left alone count again under their case's new facts.
  for (const RecordId& case_id : changed_cases) {
    std::vector<RecordId> steps;
    {
      AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT id, form_id FROM records WHERE case_id = ?"));
      q.bind(1, case_id.view());
      while (true) {
        AMANA_ASSIGN_OR_RETURN(bool row, q.step());
        if (!row) break;
        if (!counts_follow_case(q.column_text(1))) continue;
        AMANA_ASSIGN_OR_RETURN(RecordId step, RecordId::from_bytes(q.column_blob(0)));
        if (!before.contains(step)) steps.push_back(step);
      }
    }
    for (const RecordId& step : steps) {
      AMANA_ASSIGN_OR_RETURN(std::optional<CentralRecord> record, load_record(step));
      if (!record) continue;
      AMANA_RETURN_IF_ERROR(count(*record, false, -1));
      AMANA_RETURN_IF_ERROR(count(*record, true, +1));
    }
  }
  return add_to_report_counts(delta);
}

Status SqliteCentralStore::add_to_report_counts(const ReportCounts& delta) {
  for (const auto& [key, by] : delta) {
    if (by == 0) continue;
    AMANA_ASSIGN_OR_RETURN(sql::Query add, db_->query("INSERT INTO report_counts (period, form, breakdown, key, count) "
                                                      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO UPDATE SET "
                                                      "count = count + ?5"));
    AMANA_RETURN_IF_ERROR(add.bind(1, key.period).bind(2, key.form).bind(3, key.breakdown).bind(4, key.key).bind(5, by).run());
    // A count back to zero leaves no row: the table holds what is counted, no more.
    AMANA_ASSIGN_OR_RETURN(sql::Query drop, db_->query("DELETE FROM report_counts WHERE period = ? AND form = ? AND "
                                                       "breakdown = ? AND key = ? AND count = 0"));
    AMANA_RETURN_IF_ERROR(drop.bind(1, key.period).bind(2, key.form).bind(3, key.breakdown).bind(4, key.key).run());
  }
  return Status();
}

Result<bool> SqliteCentralStore::report_counts_pending() {
  AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT 1 FROM meta WHERE key = 'report_counts_pending'"));
  return q.step();
}

Status SqliteCentralStore::build_report_counts_if_pending() {
  AMANA_ASSIGN_OR_RETURN(bool pending, report_counts_pending());
  if (!pending) return Status();
  AMANA_ASSIGN_OR_RETURN(sql::Transaction txn, db_->begin());
  // The cases first, keeping what their steps count by (as the report's full pass does),
  // then each form's records in batches: memory follows the number of cases.
  ReportCounts counts;
  std::map<RecordId, CaseCountFacts> cases;
  auto walk = [&](std::string_view form_id, const std::function<void(const CentralRecord&)>& each) -> Status {
    std::optional<RecordId> after;
    while (true) {
      AMANA_ASSIGN_OR_RETURN(std::vector<CentralRecord> batch, record_batch(form_id, after, kVisitBatch));
      for (const CentralRecord& record : batch) each(record);
      if (batch.size() < kVisitBatch) return Status();
      after = batch.back().id;
    }
  };
  AMANA_RETURN_IF_ERROR(walk(cases::kCaseForm, [&](const CentralRecord& kase) {
    cases.emplace(kase.id, case_count_facts(kase));
    add_record_counts(kase, std::nullopt, +1, counts);
  }));
  for (std::string_view form_id : {"outreach-identification", "case-closure", "referral", "follow-up", "pdm-survey",
                                   "rapid-protection-assessment"}) {
    AMANA_RETURN_IF_ERROR(walk(form_id, [&](const CentralRecord& record) {
      std::optional<CaseCountFacts> facts;
      if (record.case_id) {
        auto found = cases.find(*record.case_id);
        if (found != cases.end()) facts = found->second;
      }
      add_record_counts(record, facts, +1, counts);
    }));
  }
  AMANA_RETURN_IF_ERROR(db_->exec("DELETE FROM report_counts"));
  AMANA_RETURN_IF_ERROR(add_to_report_counts(counts));
  AMANA_RETURN_IF_ERROR(db_->exec("DELETE FROM meta WHERE key = 'report_counts_pending'"));
  return txn.commit();
}

Result<ReportCounts> SqliteCentralStore::report_counts(const std::vector<std::string>& periods) {
  bool pending = false;
  {
    ReadScope scope(*this);
    AMANA_RETURN_IF_ERROR(scope.status());
    AMANA_ASSIGN_OR_RETURN(pending, report_counts_pending());
  }
  if (pending) {
    std::lock_guard lock(mutex_);
    require_data_key();
    AMANA_RETURN_IF_ERROR(build_report_counts_if_pending());
  }
  ReadScope scope(*this);
  AMANA_RETURN_IF_ERROR(scope.status());
  std::set<std::string> wanted(periods.begin(), periods.end());
  wanted.insert(std::string());
  ReportCounts out;
  for (const std::string& period : wanted) {
    AMANA_ASSIGN_OR_RETURN(sql::Query q, db_->query("SELECT form, breakdown, key, count FROM report_counts "
                                                    "WHERE period = ?"));
    q.bind(1, period);
    while (true) {
      AMANA_ASSIGN_OR_RETURN(bool row, q.step());
      if (!row) break;
      out[CountKey{period, q.column_text(0), q.column_text(1), q.column_text(2)}] = q.column_int64(3);
    }
  }
  return out;
}

}  // namespace amana::server::sqlite_store

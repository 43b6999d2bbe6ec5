// What officers do with cases on the server: see them, assign them to a case worker,
// approve or reject a requested closure, transfer, reopen and resolve conflicts. Each
// decision is a change by the office (CentralStore::write_as_org), checked like a
// device's step: against the case lifecycle, against the forms (case_values.h) for a
// value, and against the role table for who decides and who may hold a case.
//
// Every decision names the officer deciding: permission_denied unless their role may
// decide on cases (access.h). A decision is checked whole before anything is written,
// and written with its audit entry in one transaction: a refused one changes nothing.
//
// Reading never fails on a stored value nothing accepts (a damaged store, an older
// program): an unknown status is carried as it is (CaseView::status empty) so that the
// office sees it, flagged, and corrects it with resolve_conflict.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/answers.h"
#include "common/case_lifecycle.h"
#include "common/case_review.h"
#include "common/status.h"
#include "sync-server/case_values.h"
#include "sync-server/central_store.h"

namespace amana::server {

struct CaseView {
  RecordId id;
  std::optional<cases::CaseStatus> status;  // empty: the stored status is not a known one
  std::string status_text;                  // as stored
  std::string name;
  std::string risk_level;
  std::string assigned_to;  // the case worker responsible: the assignee, else who opened it
  std::int64_t opened_at_ms = 0;
  std::size_t steps = 0;    // records of the case's steps
};

// The last 8 hex digits of a case id: what listings show instead of a name, and what
// find_case accepts back.
std::string case_reference(const RecordId& id);
// "in_progress", or "?asessed (not a known status)".
std::string shown_status(const CaseView& view);

// The case's values as its steps establish them (common/case_sources.h: a follow-up's
// risk, a registration's phone), and the listing's view of it. `steps` are the records of
// the case's steps, in any order.
forms::Answers established_values(const CentralRecord& kase, std::span<const CentralRecord* const> steps);
CaseView case_view(const CentralRecord& kase, std::span<const CentralRecord* const> steps);
// The records of `records` that are steps of a case, by case (pointers into `records`).
using StepsByCase = std::map<RecordId, std::vector<const CentralRecord*>>;
StepsByCase steps_by_case(const std::vector<CentralRecord>& records);

// A row of the case list kept at merge time as the listing shows it.
CaseView view_of(const CentralStore::CaseListing& listed);

// Counting each case's steps reads every record on the server; a device's pull asks only
// which cases exist and who holds them, and must not pay for that (it made every pull
// cost the size of the whole store: docs/benchmarks.md).
enum class StepCounts { counted, skipped };  // skipped: CaseView::steps stays 0
Result<std::vector<CaseView>> list_cases(CentralStore& store, StepCounts steps = StepCounts::counted);

// One page of the case list, in case id order, filtered by what the store keeps for the
// list (the status as stored, the risk level, the assignee: empty for any) and then by
// `keep` when given (a name search): it reads the rows it shows, never a record, whatever
// the number of records (CentralStore::case_listing). Its views are list_cases' (steps
// counted). `next` is where the page after starts, nullopt after the last; when the page
// ends exactly at the last case, the page after is empty.
struct CasePageQuery {
  std::string status;
  std::string risk_level;
  std::string assigned_to;
  std::function<bool(const CaseView&)> keep;
  std::optional<RecordId> after;
  std::size_t limit = 50;
};
struct CaseListPage {
  std::vector<CaseView> cases;
  std::optional<RecordId> next;
};
Result<CaseListPage> list_case_page(CentralStore& store, const CasePageQuery& query);

// What the weekly review looks at, for every case on the server (see common/case_review.h).
Result<std::vector<cases::CaseFacts>> review_facts(CentralStore& store);

// Why the case worker `assignee` cannot hold a case (unknown, deactivated, or of a role
// that receives no cases), or "" when they can.
std::string why_unheld(CentralStore& store, const std::string& assignee);

// A full case id, or 8+ characters from its start or end matching exactly one case
// (common/id_parts.h: not_found, or invalid_argument listing the cases it matches).
Result<RecordId> find_case(CentralStore& store, std::string_view id_or_part);
// The case or one of its steps, by a full id or a part of one (`cases resolve --record`).
Result<RecordId> find_case_record(CentralStore& store, const RecordId& case_id, std::string_view id_or_part);

// not_found for an unknown user; invalid_argument for a case that is not open, for a
// user who is deactivated, and permission_denied for one whose role cannot hold cases (a
// case assigned to them would be held by no device).
Status assign_case(CentralStore& store, const RecordId& case_id, const std::string& user, const std::string& officer,
                   std::int64_t now_ms);

// Approves (the case becomes closed) or rejects (it returns to where it was) a requested
// closure. invalid_argument, naming the allowed steps, when no closure is requested.
Status decide_closure(CentralStore& store, const RecordId& case_id, bool approve, const std::string& officer,
                      std::int64_t now_ms);

// Every change to a case's own fields, in the order the merge ranks them (HLC, then
// writer): the whole history, superseded values included.
struct HistoryEntry {
  std::string field;
  merge::Version version;
};
Result<std::vector<HistoryEntry>> case_history(CentralStore& store, const RecordId& case_id);

// Pairs of cases on the server that are probably the same person, identified twice on
// different devices (common/person_match.h): for an officer to merge or close one. Pairs
// in case id order (the earlier case first, then by the later). It reads the case list
// kept at merge time (one row per case, never a record) and compares only the cases that
// share a word of their names, written the same or sounding alike (the person match
// requires one), so its cost follows the cases and their candidates, not the records.
Result<std::vector<std::pair<CaseView, CaseView>>> duplicate_cases(CentralStore& store);

// Transfer to another organisation (the case leaves every device at their next sync),
// and reopening a closed or transferred case (it goes back to registered: assess again).
Status transfer_case(CentralStore& store, const RecordId& case_id, const std::string& organisation,
                     const std::string& officer, std::int64_t now_ms);
Status reopen_case(CentralStore& store, const RecordId& case_id, const std::string& officer, std::int64_t now_ms);

// Conflicting concurrent edits on the case or its steps, awaiting an officer.
Result<std::vector<CentralStore::OpenConflict>> case_conflicts(CentralStore& store, const RecordId& case_id);

// The officer's decision on a conflict: `value` becomes the field's value (a change by the
// office, which syncs to the devices holding the case) and the conflict is closed.
// `record` is the case or one of its steps. The value must be one the field accepts
// (check_office_value); a status in conflict must be one of the statuses in conflict.
// Without an open conflict on the field, only a stored value nothing accepts may be
// corrected this way (to an open status, for a damaged status); otherwise not_found.
Status resolve_conflict(CentralStore& store, const RecordId& case_id, const RecordId& record, const std::string& field,
                        const std::string& value, const std::string& officer, std::int64_t now_ms);

}  // namespace amana::server

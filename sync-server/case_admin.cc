#include "sync-server/case_admin.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>

#include "common/case_fields.h"
#include "common/case_sources.h"
#include "common/form_pack.h"
#include "common/hlc.h"
#include "common/id_parts.h"
#include "common/message_catalogue.h"
#include "sync-server/access.h"
#include "sync-server/published_forms.h"

namespace amana::server {
namespace {

namespace field = cases::field;

std::string value_of(const forms::Answers& values, std::string_view field) {
  auto found = values.find(field);
  return found == values.end() ? std::string() : found->second;
}

std::string value_of(const CentralRecord& record, std::string_view field) { return value_of(record.values, field); }

Result<CentralRecord> case_record(CentralStore& store, const RecordId& id) {
  AMANA_ASSIGN_OR_RETURN(CentralRecord record, store.record(id));
  if (record.form_id != kCaseFormId) return invalid_argument("record " + id.to_string() + " is not a case");
  return record;
}

// The case's status, for a decision that moves it: a damaged one is named, with the way
// to correct it, rather than reported as a parse error.
Result<cases::CaseStatus> status_of(const CentralRecord& kase) {
  const std::string stored = value_of(kase, field::kStatus);
  auto status = cases::parse_status(stored);
  if (status.ok()) return status;
  return invalid_argument("case " + kase.id.to_string() + " has status '" + stored +
                          "', which is not a known status: correct it first with `sync-server cases resolve " +
                          case_reference(kase.id) + " --field status --value STATUS --by OFFICER`");
}

std::string assignee_of(const CentralRecord& kase) {
  std::string assigned = value_of(kase, field::kAssignedTo);
  return assigned.empty() ? kase.author : assigned;
}

std::string today() { return local_date(system_wall_clock()()); }

// The case and its steps, read through the store's index of steps by case.
Result<std::vector<RecordId>> case_and_steps(CentralStore& store, const RecordId& case_id) {
  AMANA_ASSIGN_OR_RETURN(auto steps, store.records_of_case(case_id));
  std::vector<RecordId> out{case_id};
  for (const CentralRecord& r : steps) out.push_back(r.id);
  return out;
}

}  // namespace

CaseView view_of(const CentralStore::CaseListing& listed) {
  CaseView view;
  view.id = listed.id;
  view.status_text = listed.status;
  if (auto status = cases::parse_status(view.status_text); status.ok()) view.status = *status;
  view.name = listed.name;
  view.risk_level = listed.risk_level;
  view.assigned_to = listed.assigned_to;
  view.opened_at_ms = listed.opened_at_ms;
  view.steps = static_cast<std::size_t>(listed.steps);
  return view;
}

std::string why_unheld(CentralStore& store, const std::string& assignee) {
  auto user = store.user(assignee);
  if (!user.ok()) return "assigned to '" + assignee + "', who is not a user here";
  if (!user->active) return "assigned to " + assignee + ", who is deactivated";
  if (!allowed(user->role, Operation::receive_cases)) {
    return "assigned to " + assignee + ", whose role (" + std::string(role_name(user->role)) + ") cannot hold cases";
  }
  return "";
}

std::string case_reference(const RecordId& id) { return id.to_string().substr(28); }

std::string shown_status(const CaseView& view) {
  if (view.status) return std::string(cases::status_name(*view.status));
  return "?" + view.status_text + " (not a known status)";
}

forms::Answers established_values(const CentralRecord& kase, std::span<const CentralRecord* const> steps) {
  std::vector<cases::StepRecord> read;
  read.reserve(steps.size());
  for (const CentralRecord* step : steps) read.push_back({step->id, step->form_id, &step->values});
  return cases::case_values(kase.values, read).values;
}

CaseView case_view(const CentralRecord& kase, std::span<const CentralRecord* const> steps) {
  const forms::Answers values = established_values(kase, steps);
  CaseView view;
  view.id = kase.id;
  view.status_text = value_of(values, field::kStatus);
  if (auto status = cases::parse_status(view.status_text); status.ok()) view.status = *status;
  view.name = value_of(values, field::kName);
  view.risk_level = value_of(values, field::kRiskLevel);
  view.assigned_to = assignee_of(kase);
  view.opened_at_ms = kase.created_at_ms;
  view.steps = steps.size();
  return view;
}

StepsByCase steps_by_case(const std::vector<CentralRecord>& records) {
  StepsByCase out;
  for (const CentralRecord& record : records) {
    if (record.case_id) out[*record.case_id].push_back(&record);
  }
  return out;
}

Result<std::vector<CaseView>> list_cases(CentralStore& store, StepCounts steps) {
  std::vector<CaseView> out;
  if (steps == StepCounts::counted) {  // what the store keeps for the list: no record read
    AMANA_ASSIGN_OR_RETURN(auto listing, store.case_listing({}));
    for (const CentralStore::CaseListing& listed : listing) out.push_back(view_of(listed));
    return out;
  }
  AMANA_ASSIGN_OR_RETURN(auto records, store.records(kCaseFormId));
  for (const CentralRecord& record : records) out.push_back(case_view(record, {}));
  return out;
}

Result<CaseListPage> list_case_page(CentralStore& store, const CasePageQuery& query) {
  CaseListPage page;
  if (query.limit == 0) return page;
  CentralStore::CaseListingQuery listing{query.status, query.risk_level, query.assigned_to, query.after,
                                         std::max<std::size_t>(query.limit, 64), true};
  while (true) {
    AMANA_ASSIGN_OR_RETURN(auto rows, store.case_listing(listing));
    for (const CentralStore::CaseListing& listed : rows) {
      CaseView view = view_of(listed);
      if (query.keep && !query.keep(view)) continue;
      page.cases.push_back(std::move(view));
      if (page.cases.size() == query.limit) {
        page.next = page.cases.back().id;
        return page;
      }
    }
    if (rows.size() < listing.limit) return page;
    listing.after = rows.back().id;
  }
}

Result<std::vector<HistoryEntry>> case_history(CentralStore& store, const RecordId& case_id) {
  AMANA_ASSIGN_OR_RETURN(CentralRecord record, case_record(store, case_id));
  std::set<std::string> fields;
  for (const auto& [field, value] : record.values) fields.insert(field);
  for (std::string_view always : {field::kStatus, field::kAssignedTo}) fields.insert(std::string(always));
  std::vector<HistoryEntry> out;
  for (const std::string& field : fields) {
    AMANA_ASSIGN_OR_RETURN(auto versions, store.field_history(case_id, field));
    for (merge::Version& version : versions) out.push_back({field, std::move(version)});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const HistoryEntry& a, const HistoryEntry& b) { return a.version.stamp < b.version.stamp; });
  return out;
}

Result<std::vector<cases::CaseFacts>> review_facts(CentralStore& store) {
  // The cases in id order (oldest first), each with its steps: no other record is read.
  AMANA_ASSIGN_OR_RETURN(auto case_records, store.records(kCaseFormId));
  std::map<std::string, std::string> unheld_by_assignee;  // looked up once each
  std::vector<cases::CaseFacts> out;
  for (const CentralRecord& kase : case_records) {
    AMANA_ASSIGN_OR_RETURN(const std::vector<CentralRecord> step_records, store.records_of_case(kase.id));
    std::vector<const CentralRecord*> steps;
    for (const CentralRecord& step : step_records) steps.push_back(&step);
    const forms::Answers values = established_values(kase, steps);
    cases::CaseFacts facts;
    facts.id = kase.id.to_string();
    facts.name = value_of(values, field::kName);
    if (auto status = cases::parse_status(value_of(values, field::kStatus)); status.ok()) {
      facts.status = *status;
    } else {
      facts.unknown_status = value_of(values, field::kStatus);
    }
    facts.risk_level = value_of(values, field::kRiskLevel);
    facts.opened_date = local_date(kase.created_at_ms);
    facts.closure_reason = value_of(values, field::kClosureReason);
    const std::string assignee = assignee_of(kase);
    auto unheld = unheld_by_assignee.find(assignee);
    if (unheld == unheld_by_assignee.end()) unheld = unheld_by_assignee.emplace(assignee, why_unheld(store, assignee)).first;
    facts.unheld = unheld->second;
    AMANA_ASSIGN_OR_RETURN(std::int64_t conflicts, store.open_conflicts(kase.id));
    for (const CentralRecord* step_record : steps) {
      const CentralRecord& step = *step_record;
      AMANA_ASSIGN_OR_RETURN(std::int64_t step_conflicts, store.open_conflicts(step.id));
      conflicts += step_conflicts;
      if (step.form_id == cases::kPlanForm) {
        facts.has_plan = true;
        facts.next_due = value_of(step, "next_follow_up");  // a later follow-up overrides it below
      } else if (step.form_id == cases::kFollowUpForm) {
        facts.next_due = value_of(step, "next_due");
      } else if (step.form_id == cases::kReferralForm) {
        const std::string status = value_of(step, "status");
        const std::string expected = value_of(step, "expected_response_days");
        facts.referrals.push_back({step.id.to_string(), value_of(step, "referral_date"),
                                   status.empty() ? "pending" : status,
                                   expected.empty() ? 7 : std::atoi(expected.c_str())});
      }
    }
    facts.conflicts = static_cast<int>(conflicts);
    out.push_back(std::move(facts));
  }
  return out;
}

Result<RecordId> find_case(CentralStore& store, std::string_view id_or_part) {
  const IdKind kind{Message("ids.noun.case"), "sync-server cases"};
  // A whole id is taken as typed (id_parts.h): the ids of every case are read for a part only.
  if (auto whole = resolve_id<RecordId>(id_or_part, std::span<const RecordId>(), kind); whole.ok()) return whole;
  CentralStore::CaseListingQuery ids_only;
  ids_only.names = false;
  AMANA_ASSIGN_OR_RETURN(auto listing, store.case_listing(ids_only));
  std::vector<RecordId> ids;
  for (const CentralStore::CaseListing& listed : listing) ids.push_back(listed.id);
  return resolve_id<RecordId>(id_or_part, ids, kind);
}

Result<RecordId> find_case_record(CentralStore& store, const RecordId& case_id, std::string_view id_or_part) {
  AMANA_ASSIGN_OR_RETURN(const std::vector<RecordId> ids, case_and_steps(store, case_id));
  return resolve_id<RecordId>(id_or_part, ids,
                              {Message("ids.noun.case_record"), "sync-server cases show " + case_reference(case_id)});
}

namespace {

// Every decision on a case is checked against the role table first; then the decision's
// own checks, its writes and its audit entry go in one transaction, so that a decision
// refused half-way (by a check after a write) leaves nothing behind.
Status decide(CentralStore& store, const std::string& officer, std::string_view action, const RecordId& case_id,
              const std::string& detail, std::int64_t now_ms, const std::function<Status()>& decision) {
  AMANA_RETURN_IF_ERROR(authorize(store, officer, Operation::decide_cases).status());
  return store.in_one_transaction([&]() -> Status {
    AMANA_RETURN_IF_ERROR(decision());
    return store.append_audit({now_ms, officer, std::string(action), case_id.to_string(), detail});
  });
}

}  // namespace

Status assign_case(CentralStore& store, const RecordId& case_id, const std::string& user, const std::string& officer,
                   std::int64_t now_ms) {
  return decide(store, officer, "assign", case_id, "to " + user, now_ms, [&]() -> Status {
    AMANA_ASSIGN_OR_RETURN(CentralRecord record, case_record(store, case_id));
    AMANA_ASSIGN_OR_RETURN(User assignee, store.user(user));
    if (!assignee.active) {
      return invalid_argument(user + " is deactivated: assign the case to an active case worker (see `sync-server "
                                     "users list`)");
    }
    AMANA_RETURN_IF_ERROR(authorize(store, user, Operation::receive_cases).status().with_context(
        "cannot assign the case to " + user + ", no device would hold it"));
    AMANA_ASSIGN_OR_RETURN(cases::CaseStatus status, status_of(record));
    AMANA_RETURN_IF_ERROR(cases::apply(status, cases::CaseEvent::reassign).status());
    return store.write_as_org(case_id, {{std::string(field::kAssignedTo), assignee.name}, {std::string(field::kAssignedBy), officer}}, officer, now_ms);
  });
}

Status decide_closure(CentralStore& store, const RecordId& case_id, bool approve, const std::string& officer,
                      std::int64_t now_ms) {
  return decide(store, officer, approve ? "approve-closure" : "reject-closure", case_id, "", now_ms, [&]() -> Status {
    AMANA_ASSIGN_OR_RETURN(CentralRecord record, case_record(store, case_id));
    AMANA_ASSIGN_OR_RETURN(cases::CaseStatus status, status_of(record));
    std::optional<cases::CaseStatus> before;
    if (auto parsed = cases::parse_status(value_of(record, field::kBeforeClosure)); parsed.ok()) before = *parsed;
    AMANA_ASSIGN_OR_RETURN(
        cases::CaseStatus next,
        cases::apply(status, approve ? cases::CaseEvent::approve_closure : cases::CaseEvent::reject_closure, before));
    return store.write_as_org(case_id,
                              {{std::string(field::kStatus), std::string(cases::status_name(next))},
                               {std::string(field::kClosureDecidedBy), officer},
                               {std::string(field::kClosureDecision),
                                std::string(approve ? cases::kClosureApproved : cases::kClosureRejected)}},
                              officer, now_ms);
  });
}

namespace {

Status move_case(CentralStore& store, const RecordId& case_id, cases::CaseEvent event,
                 std::map<std::string, std::string, std::less<>> extra, const std::string& officer,
                 std::int64_t now_ms) {
  AMANA_ASSIGN_OR_RETURN(CentralRecord record, case_record(store, case_id));
  AMANA_ASSIGN_OR_RETURN(cases::CaseStatus status, status_of(record));
  AMANA_ASSIGN_OR_RETURN(cases::CaseStatus next, cases::apply(status, event));
  extra[std::string(field::kStatus)] = std::string(cases::status_name(next));
  return store.write_as_org(case_id, extra, officer, now_ms);
}

// What resolving `field` of `target` to `kept` may do, given its open conflicts.
Status check_resolution(const forms::FormPack& pack, const CentralRecord& target, const std::string& field,
                        const std::string& kept, const std::vector<CentralStore::OpenConflict>& open) {
  const std::string current = value_of(target, field);
  const bool damaged = !is_known_value(pack, target, field, current, today());
  if (open.empty() && !damaged) {
    return not_found("no open conflict on field '" + field + "' of record " + target.id.to_string() +
                     ", and its value is valid: nothing to resolve (see `sync-server cases conflicts`)");
  }
  if (target.form_id != kCaseFormId || field != cases::field::kStatus) return Status();
  // The status moves only by the cycle's steps: keep a status a device's step produced,
  // or, for a damaged one, put the case back to an open status the cycle goes on from.
  if (!open.empty()) {
    std::set<std::string> in_conflict;
    for (const auto& c : open) in_conflict.insert({c.earlier.value, c.later.value});
    if (in_conflict.count(kept) == 0) {
      std::string list;
      for (const std::string& s : in_conflict) list += (list.empty() ? "'" : " or '") + s + "'";
      return invalid_argument("the status in conflict is " + list + ": keep one of them (other moves are decisions: " +
                              "assign, approve-closure, reject-closure, transfer, reopen)");
    }
    return Status();
  }
  const cases::CaseStatus status = *cases::parse_status(kept);
  if (!cases::is_open(status) || status == cases::CaseStatus::closure_requested) {
    return invalid_argument("a damaged status is corrected to an open status (identified, registered, assessed, "
                            "planned, in_progress); closing and transferring are decisions of their own");
  }
  return Status();
}

}  // namespace

Status transfer_case(CentralStore& store, const RecordId& case_id, const std::string& organisation,
                     const std::string& officer, std::int64_t now_ms) {
  if (organisation.empty()) return invalid_argument("say which organisation takes the case over (--to)");
  return decide(store, officer, "transfer", case_id, "to " + organisation, now_ms, [&] {
    return move_case(store, case_id, cases::CaseEvent::transfer, {{std::string(field::kTransferredTo), organisation}}, officer, now_ms);
  });
}

Status reopen_case(CentralStore& store, const RecordId& case_id, const std::string& officer, std::int64_t now_ms) {
  return decide(store, officer, "reopen", case_id, "", now_ms, [&] {
    return move_case(store, case_id, cases::CaseEvent::reopen, {{std::string(field::kReopenedBy), officer}}, officer, now_ms);
  });
}

Result<std::vector<CentralStore::OpenConflict>> case_conflicts(CentralStore& store, const RecordId& case_id) {
  AMANA_RETURN_IF_ERROR(case_record(store, case_id).status());
  AMANA_ASSIGN_OR_RETURN(const std::vector<RecordId> members, case_and_steps(store, case_id));
  return store.open_conflict_list(members);
}

Status resolve_conflict(CentralStore& store, const RecordId& case_id, const RecordId& record, const std::string& field,
                        const std::string& value, const std::string& officer, std::int64_t now_ms) {
  return decide(store, officer, "resolve-conflict", case_id, "record " + record.to_string() + " field " + field, now_ms,
                [&]() -> Status {
    AMANA_RETURN_IF_ERROR(case_record(store, case_id).status());
    AMANA_ASSIGN_OR_RETURN(const std::vector<RecordId> members, case_and_steps(store, case_id));
    if (std::find(members.begin(), members.end(), record) == members.end()) {
      return invalid_argument("record " + record.to_string() + " is not case " + case_id.to_string() + " or one of its steps");
    }
    AMANA_ASSIGN_OR_RETURN(CentralRecord target, store.record(record));
    // Every version the server keeps: a step collected with a published version (one that
    // added a repeat) is resolved against that version.
    AMANA_ASSIGN_OR_RETURN(forms::FormPack pack, server_form_pack(store));
    AMANA_ASSIGN_OR_RETURN(std::string kept, check_office_value(pack, target, field, value, today()));
    AMANA_ASSIGN_OR_RETURN(auto all_open, store.open_conflict_list({record}));
    std::vector<CentralStore::OpenConflict> open;
    for (auto& c : all_open) {
      if (c.field == field) open.push_back(std::move(c));
    }
    AMANA_RETURN_IF_ERROR(check_resolution(pack, target, field, kept, open));
    AMANA_RETURN_IF_ERROR(store.write_as_org(record, {{field, kept}}, officer, now_ms));
    return open.empty() ? Status() : store.resolve_conflicts(record, field, now_ms);
  });
}

}  // namespace amana::server

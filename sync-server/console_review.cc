// The console's supervision pages: the open conflicts across the store, side by side and a
// page at a time (the officer keeps one version with case/resolve), and the weekly review
// as `sync-server cases review` shows it, closures awaiting approval first.
#include "common/case_review.h"
#include "common/hlc.h"
#include "sync-server/admin.h"
#include "sync-server/case_admin.h"
#include "sync-server/conflict_queue.h"
#include "sync-server/console_internal.h"

namespace amana::server {

using namespace console_detail;

namespace {

constexpr int kOpenDaysLimit = 90;  // as `sync-server cases review` by default

Console::Impl::json version_json(const QueuedVersion& v, Language language) {
  return {{"value", v.value}, {"shown", v.shown}, {"cleared", v.cleared}, {"at", format_time_utc(v.at_ms)},
          {"at_shown", shown_moment(v.at_ms, language)}, {"by", v.by}};
}

}  // namespace

HttpResponse Console::Impl::conflicts() {
  std::optional<RecordId> after;
  if (const std::string from = param("after"); !from.empty()) {
    AMANA_ASSIGN_OR_RETURN_RESPONSE(after, RecordId::parse(from));
  }
  AMANA_ASSIGN_OR_RETURN_RESPONSE(ConflictQueuePage page, conflict_queue(store(), after, kConflictRecordsPerPage, language()));
  AMANA_RETURN_RESPONSE_IF_ERROR(
      audit_view(store(), {session->user.name, "conflicts", "all", page.conflicts.size(), true}, now()));
  json rows = json::array();
  for (const QueuedConflict& q : page.conflicts) {
    rows.push_back({{"case", q.case_id.to_string()},
                    {"name", q.case_name},
                    {"record", q.record.to_string()},
                    {"form", q.form_title},
                    {"field", q.field},
                    {"label", q.label},
                    {"earlier", version_json(q.earlier, language())},
                    {"later", version_json(q.later, language())}});
  }
  return json_response(200, {{"conflicts", rows}, {"next", page.next ? json(page.next->to_string()) : json(nullptr)}});
}

HttpResponse Console::Impl::review() {
  AMANA_ASSIGN_OR_RETURN_RESPONSE(auto facts, review_facts(store()));
  const auto findings = cases::review_cases(facts, {local_date(now()), kOpenDaysLimit});
  AMANA_RETURN_RESPONSE_IF_ERROR(audit_view(store(), {session->user.name, "review", "all", findings.size(), true}, now()));
  const Language lang = language();
  json closures = json::array(), rows = json::array();
  for (const cases::CaseFacts& f : facts) {
    if (f.status != cases::CaseStatus::closure_requested || !f.unknown_status.empty()) continue;
    closures.push_back({{"id", f.id}, {"name", f.name}, {"reason", f.closure_reason}});
  }
  for (const cases::Finding& f : findings) {
    rows.push_back({{"id", f.case_id}, {"name", f.name}, {"what", f.message ? f.message->in(lang) : f.what}});
  }
  return json_response(200, {{"cases", facts.size()}, {"closures", closures}, {"findings", rows},
                             {"open_days_limit", kOpenDaysLimit}});
}

}  // namespace amana::server

// The console's case pages: the dashboard, the case list (filters, search by name in
// either script), the case file, and the officer's decisions on a case.
#include <algorithm>

#include "common/case_lifecycle.h"
#include "common/form_pack.h"
#include "common/hlc.h"
#include "common/name_sound.h"
#include "common/shown_dates.h"
#include "common/text_fold.h"
#include "sync-server/admin.h"
#include "sync-server/case_admin.h"
#include "sync-server/case_file.h"
#include "sync-server/case_values.h"
#include "sync-server/console_internal.h"

namespace amana::server {

using namespace console_detail;

namespace {

constexpr std::int64_t kNotSyncedMs = 7LL * 24 * 60 * 60 * 1000;
constexpr std::size_t kCasesPerPage = 100;

// The words of `query` each found in the name: as written (folded), or sounding alike in
// either script (common/name_sound.h), so that "Mohamed" finds محمد.
bool name_matches(const std::string& name, const std::string& query) {
  const std::string folded_name = text::fold(name);
  const auto name_words = cases::name_words(name);
  for (const std::string& word : cases::name_words(query)) {
    if (folded_name.find(text::fold(word)) != std::string::npos) continue;
    const auto sound = cases::name_sound(word);
    const bool alike = std::any_of(name_words.begin(), name_words.end(), [&](const std::string& w) {
      return cases::sounds_alike(sound, cases::name_sound(w));
    });
    if (!alike) return false;
  }
  return true;
}

// A case's status as a person reads it in `language` (English keeps the codes).
std::string status_shown(const CaseView& view, Language language) {
  return view.status ? cases::status_label(*view.status).in(language) : shown_status(view);
}

}  // namespace

HttpResponse Console::Impl::dashboard() {
  AMANA_ASSIGN_OR_RETURN_RESPONSE(auto devices, store().devices());
  AMANA_ASSIGN_OR_RETURN_RESPONSE(auto lease, offline_lease(store()));
  AMANA_ASSIGN_OR_RETURN_RESPONSE(StoreCounts counts, store().counts());
  AMANA_ASSIGN_OR_RETURN_RESPONSE(auto cases, list_cases(store(), StepCounts::skipped));
  AMANA_ASSIGN_OR_RETURN_RESPONSE(auto facts, review_facts(store()));
  const std::int64_t t = now();
  json not_synced = json::array(), past_lease = json::array(), closures = json::array(), findings = json::array();
  for (const Device& d : devices) {
    if (d.revoked_at_ms) continue;
    const json row = {{"id", d.id.to_string()}, {"user", d.user}, {"last_sync_ms", d.last_sync_ms},
                      {"last_sync_shown", shown_moment(d.last_sync_ms, language())}};
    if (d.last_sync_ms == 0 || t - d.last_sync_ms > kNotSyncedMs) not_synced.push_back(row);
    if (lease && t - std::max(d.last_sync_ms, d.enrolled_at_ms) > lease->count()) past_lease.push_back(row);
  }
  for (const CaseView& v : cases) {
    if (v.status == cases::CaseStatus::closure_requested) {
      closures.push_back({{"id", v.id.to_string()}, {"reference", case_reference(v.id)}, {"assigned_to", v.assigned_to}});
    }
  }
  for (const auto& f : cases::review_cases(facts, {local_date(t), 90})) {
    findings.push_back({{"id", f.case_id},
                        {"reference", f.case_id.size() >= 8 ? f.case_id.substr(f.case_id.size() - 8) : f.case_id},
                        {"what", {{"en", f.message ? f.message->in(Language::en) : f.what},
                                  {"ar", f.message ? f.message->in(Language::ar) : f.what}}}});
  }
  AMANA_RETURN_RESPONSE_IF_ERROR(
      audit_view(store(), {session->user.name, "review", "all", facts.size(), false}, t));
  return json_response(200, {{"not_synced", not_synced},
                             {"past_lease", past_lease},
                             {"open_conflicts", counts.conflicts},
                             {"closures_awaiting", closures},
                             {"findings", findings},
                             {"lease_days", lease ? lease->count() / 86'400'000 : 0}});
}

HttpResponse Console::Impl::case_list() {
  // A page at a time, from the case listing kept at merge time: the list costs the rows it
  // shows, not the size of the store.
  CasePageQuery query;
  query.status = param("status");
  query.risk_level = param("risk");
  query.assigned_to = param("assignee");
  query.limit = kCasesPerPage;
  const std::string q = param("q").substr(0, 200);
  if (!q.empty()) query.keep = [&q](const CaseView& v) { return name_matches(v.name, q); };
  if (const std::string from = param("after"); !from.empty()) {
    AMANA_ASSIGN_OR_RETURN_RESPONSE(query.after, RecordId::parse(from));
  }
  AMANA_ASSIGN_OR_RETURN_RESPONSE(CaseListPage page, list_case_page(store(), query));
  json rows = json::array();
  for (const CaseView& v : page.cases) {
    rows.push_back({{"id", v.id.to_string()},
                    {"reference", case_reference(v.id)},
                    {"name", v.name},
                    {"status", shown_status(v)},
                    {"status_shown", status_shown(v, language())},
                    {"risk", v.risk_level},
                    {"assigned_to", v.assigned_to},
                    {"opened", local_date(v.opened_at_ms)},
                    {"opened_shown", shown_date(local_date(v.opened_at_ms), language())},
                    {"steps", v.steps}});
  }
  AMANA_RETURN_RESPONSE_IF_ERROR(audit_view(store(), {session->user.name, "cases", "all", rows.size(), true}, now()));
  return json_response(200, {{"cases", rows}, {"next", page.next ? json(page.next->to_string()) : json(nullptr)}});
}

HttpResponse Console::Impl::case_file() {
  AMANA_ASSIGN_OR_RETURN_RESPONSE(RecordId id, find_case(store(), query_param(request.target, "id")));
  const Language lang = language();
  AMANA_ASSIGN_OR_RETURN_RESPONSE(CaseFile file, read_case_file(store(), id, lang));
  AMANA_ASSIGN_OR_RETURN_RESPONSE(auto devices, store().devices());
  AMANA_ASSIGN_OR_RETURN_RESPONSE(forms::FormPack pack, forms::FormPack::builtin());
  AMANA_ASSIGN_OR_RETURN_RESPONSE(CentralRecord kase, store().record(id));
  AMANA_RETURN_RESPONSE_IF_ERROR(audit_view(store(), {session->user.name, "case", id.to_string(), 1, true}, now()));
  json out = case_file_json(file);
  out["name"] = file.view.name;
  out["status_shown"] = status_shown(file.view, lang);
  out["opened_shown"] = shown_moment(file.view.opened_at_ms, lang);
  for (json& step : out["steps"]) step["created_shown"] = shown_moment(step["created_at_ms"].get<std::int64_t>(), lang);
  if (out["closure_request"].is_object()) {
    out["closure_request"]["created_shown"] = shown_moment(out["closure_request"]["created_at_ms"].get<std::int64_t>(), lang);
  }
  // A stored value as the page shows it: a choice's or a status's label, in its language.
  auto shown = [&](const CentralRecord& record, const std::string& field, const merge::Version& v) {
    return v.cleared ? std::string() : shown_value(pack, record, field, v.value, lang).shown;
  };
  // Who made each change: the device's user, or the office.
  json history = json::array();
  for (const HistoryEntry& entry : file.history) {
    std::string who = "office";
    if (entry.version.stamp.device != kOrgWriter) {
      who = entry.version.stamp.device.to_string();
      for (const Device& d : devices) {
        if (d.id == entry.version.stamp.device) who = d.user;
      }
    }
    history.push_back({{"field", entry.field},
                       {"label", field_label(pack, kase, entry.field, lang)},
                       {"value", entry.version.value},
                       {"shown", shown(kase, entry.field, entry.version)},
                       {"cleared", entry.version.cleared},
                       {"at", format_hlc(entry.version.stamp.hlc)},
                       {"at_shown", shown_moment(hlc_millis(entry.version.stamp.hlc), lang)},
                       {"by", who}});
  }
  out["history"] = history;
  // Conflicting concurrent edits, side by side, for the officer to choose one.
  AMANA_ASSIGN_OR_RETURN_RESPONSE(auto conflicts, case_conflicts(store(), id));
  json open = json::array();
  for (const auto& conflict : conflicts) {
    AMANA_ASSIGN_OR_RETURN_RESPONSE(CentralRecord target, store().record(conflict.record));
    auto version = [&](const merge::Version& v) {
      std::string who = v.stamp.device == kOrgWriter ? "office" : v.stamp.device.to_string();
      for (const Device& d : devices) {
        if (d.id == v.stamp.device) who = d.user;
      }
      return json{{"value", v.value}, {"shown", shown(target, conflict.field, v)}, {"cleared", v.cleared},
                  {"at", format_hlc(v.stamp.hlc)}, {"at_shown", shown_moment(hlc_millis(v.stamp.hlc), lang)},
                  {"by", who}};
    };
    open.push_back({{"record", conflict.record.to_string()},
                    {"field", conflict.field},
                    {"label", field_label(pack, target, conflict.field, lang)},
                    {"earlier", version(conflict.earlier)},
                    {"later", version(conflict.later)}});
  }
  out["conflicts"] = open;
  return json_response(200, out);
}

HttpResponse Console::Impl::case_decision(std::string_view what) {
  AMANA_ASSIGN_OR_RETURN_RESPONSE(RecordId id, find_case(store(), text_field(body, "id")));
  const std::string& by = session->user.name;
  Status status;
  if (what == "assign") status = assign_case(store(), id, text_field(body, "user"), by, now());
  if (what == "approve") status = decide_closure(store(), id, true, by, now());
  if (what == "reject") status = decide_closure(store(), id, false, by, now());
  if (what == "reopen") status = reopen_case(store(), id, by, now());
  if (what == "transfer") status = transfer_case(store(), id, text_field(body, "organisation"), by, now());
  if (what == "resolve") {
    AMANA_ASSIGN_OR_RETURN_RESPONSE(RecordId record, find_case_record(store(), id, text_field(body, "record")));
    status = resolve_conflict(store(), id, record, text_field(body, "field"), text_field(body, "value"), by, now());
  }
  if (!status.ok()) {
    return error_response(status, status.code() == ErrorCode::invalid_argument ? 409 : 0);
  }
  return json_response(200, {{"ok", true}});
}

}  // namespace amana::server

// The JSON API (ui_api.h): routing, home, the forms and the provider directory.
#include "field-client/ui_api_internal.h"

#include <algorithm>

#include "common/case_review.h"
#include "common/message_catalogue.h"
#include "common/service_types.h"
#include "field-client/render.h"

namespace amana::field::ui {
namespace detail {

ApiReply Handler::route() {
  const std::vector<std::string> parts = split(call_.path);
  const bool get = call_.method == "GET";
  const bool post = call_.method == "POST";
  const std::size_t n = parts.size();
  // parts[0] == "api"
  if (n == 2 && get && parts[1] == "home") return wrap(home());
  if (n == 2 && get && parts[1] == "forms") return wrap(forms_list());
  if (n == 2 && get && parts[1] == "providers") return wrap(providers());
  if (n == 2 && post && parts[1] == "drafts") return wrap(draft_new());
  if (n >= 3 && parts[1] == "drafts") {
    auto id = DraftId::parse(parts[2]);
    if (!id.ok()) return {id.status(), {}};
    if (n == 3 && get) return wrap(draft_show(*id));
    if (n == 3 && post) return draft_update(*id, false);
    if (n == 4 && post && parts[3] == "evaluate") return draft_update(*id, true);
    if (n == 4 && post && parts[3] == "finish") return draft_finish(*id);
    if (n == 4 && post && parts[3] == "discard") return wrap(draft_discard(*id));
  }
  if (n == 2 && get && parts[1] == "records") return wrap(records());
  if (n >= 3 && parts[1] == "records") {
    auto id = RecordId::parse(parts[2]);
    if (!id.ok()) return {id.status(), {}};
    if (n == 3 && get) return wrap(record_show(*id));
    if (n == 4 && post && parts[3] == "evaluate") return wrap(record_evaluate(*id));
    if (n == 4 && post && parts[3] == "edit") return record_edit(*id);
    if (n == 4 && get && parts[3] == "sheet") return wrap(referral_sheet(*id));
  }
  if (n == 2 && get && parts[1] == "cases") return wrap(case_list());
  if (n == 2 && post && parts[1] == "cases") return wrap(case_open());
  if (n >= 3 && parts[1] == "cases") {
    auto id = RecordId::parse(parts[2]);
    if (!id.ok()) return {id.status(), {}};
    if (n == 3 && get) return wrap(case_file(*id));
    if (n == 5 && post && parts[3] == "steps") return wrap(case_step(*id, parts[4]));
  }
  return {not_found(Message("ui.no_such_page")), {}};
}

Result<Json> Handler::home() {
  Json out;
  // What home reads grows with what it shows, not with the store: the outbox count from
  // the authenticated meta, and each case (its record and steps, by index), never the
  // other records (docs/benchmarks.md 5c).
  out["user"] = store_.user();
  AMANA_ASSIGN_OR_RETURN(out["pending_operations"], store_.pending_operations());
  AMANA_ASSIGN_OR_RETURN(auto facts, book_.review_facts());
  std::vector<const cases::CaseFacts*> due_cases;
  for (const cases::CaseFacts& f : facts) {
    if (cases::is_open(f.status) && !f.next_due.empty()) due_cases.push_back(&f);
  }
  std::sort(due_cases.begin(), due_cases.end(),
            [](const cases::CaseFacts* a, const cases::CaseFacts* b) { return a->next_due < b->next_due; });
  Json due = Json::array();
  for (const cases::CaseFacts* f : due_cases) {
    due.push_back({{"case", f->id}, {"short", short_id(f->id)}, {"name", f->name},
                   {"due", shown_date(f->next_due, language())}, {"overdue", f->next_due < options_.today}});
  }
  out["followups_due"] = due;
  Json review = Json::array();
  for (const cases::Finding& f : cases::review_cases(facts, {options_.today, 90})) {
    review.push_back({{"case", f.case_id}, {"short", short_id(f.case_id)}, {"name", f.name},
                      {"what", f.message ? f.message->in(language()) : f.what}});
  }
  out["review"] = review;
  AMANA_ASSIGN_OR_RETURN(auto drafts, drafts_.list());
  out["drafts"] = Json::array();
  for (const Draft& d : drafts) out["drafts"].push_back(draft_json(d, pack_, language()));
  auto lease = store_.check_offline_lease();
  if (!lease.ok()) out["lease"] = lease.message_in(language());
  AMANA_ASSIGN_OR_RETURN(std::optional<Enrollment> enrollment, store_.enrollment());
  out["enrolled"] = enrollment.has_value();
  return out;
}

Result<Json> Handler::forms_list() {
  Json out = Json::array();
  for (const forms::FormDefinition& f : pack_.forms()) {
    // Case steps are recorded from their case, and the case form is internal.
    if (f.id == kCaseFormId) continue;
    bool step = false;
    for (std::string_view s : cases::kStepForms) step = step || f.id == s;
    if (step) continue;
    out.push_back({{"id", f.id}, {"title", f.title.in(language())}});
  }
  return out;
}

Result<Json> Handler::providers() {
  AMANA_ASSIGN_OR_RETURN(auto list, store_.providers(false));
  const std::string service = query("service");
  Json out = Json::array();
  for (const pb::Provider& p : list) {
    if (!service.empty() && !offers(p, service)) continue;
    Json services = Json::array();
    for (const std::string& code : p.services()) services.push_back(services::label(code).in(language()));
    out.push_back({{"id", p.id()}, {"name", p.name()}, {"location", p.location()}, {"contact", p.contact()},
                   {"services", services}});
  }
  return out;
}

}  // namespace detail

Api::Api(Store& store, const forms::FormPack& pack) : store_(store), pack_(pack) {}

ApiReply Api::call(const ApiCall& call) { return detail::Handler(store_, pack_, call).route(); }

}  // namespace amana::field::ui

// The JSON API (ui_api.h): cases, their file and their next steps.
#include "field-client/ui_api_internal.h"

#include <algorithm>
#include <set>

#include "common/case_fields.h"
#include "common/case_sources.h"
#include "common/message_catalogue.h"
#include "common/name_sound.h"
#include "common/text_fold.h"
#include "field-client/render.h"

namespace amana::field::ui::detail {

namespace {

// Each query word sounds like a word of the name, or is part of one (folded).
bool name_matches(const std::string& name, const std::string& query) {
  const std::vector<std::string> words = cases::name_words(name);
  const std::string folded_name = text::fold(name);
  for (const std::string& q : cases::name_words(query)) {
    const cases::NameSound sound = cases::name_sound(q);
    bool found = folded_name.find(text::fold(q)) != std::string::npos;
    for (std::size_t i = 0; !found && i < words.size(); ++i) found = cases::sounds_alike(sound, cases::name_sound(words[i]));
    if (!found) return false;
  }
  return true;
}

}  // namespace

Result<Json> Handler::case_list() {
  const std::string q = trimmed(query("q"));
  const std::string status = query("status");
  AMANA_ASSIGN_OR_RETURN(auto facts, book_.review_facts());
  Json out = Json::array();
  for (const cases::CaseFacts& f : facts) {
    if (out.size() >= kListLimit) break;
    if (!status.empty() && cases::status_name(f.status) != status) continue;
    if (!q.empty() && !name_matches(f.name, q) && f.id.find(q) == std::string::npos) continue;
    out.push_back({{"id", f.id}, {"short", short_id(f.id)}, {"name", f.name},
                   {"status", cases::status_name(f.status)}, {"status_label", cases::status_label(f.status).in(language())},
                   {"risk", f.risk_level}, {"opened", shown_date(f.opened_date, language())},
                   {"next_due", shown_date(f.next_due, language())}});
  }
  return out;
}

Result<Json> Handler::case_open() {
  CaseOpening opening;
  opening.person.name = trimmed(body_string(call_.body, "name"));
  opening.person.sex = body_string(call_.body, "sex");
  opening.person.location = trimmed(body_string(call_.body, "location"));
  if (const std::string age = text::ascii_digits(trimmed(body_string(call_.body, "age"))); !age.empty()) {
    if (age.size() > 3 || !std::all_of(age.begin(), age.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return invalid_argument(Message("ui.bad_age"));
    }
    opening.person.age = std::stoi(age);
  }
  if (const std::string from = body_string(call_.body, "from"); !from.empty()) {
    AMANA_ASSIGN_OR_RETURN(opening.from_identification, store_.resolve(from));
  }
  opening.not_a_duplicate = call_.body.value("not_a_duplicate", false);
  AMANA_ASSIGN_OR_RETURN(RecordId id, book_.open(opening));
  return Json{{"case", id.to_string()}};
}

// A case value is shown as the step question that sets it (the registration's "Full
// name" for the case's name); the case form itself is internal and has no labels.
const Field* Handler::case_value_field(std::string_view name) const {
  if (const cases::OwnedField* owned = cases::find_owned_field(name)) {
    for (const cases::FieldSource& source : owned->steps) {
      if (source.empty()) continue;
      if (auto form = pack_.find(source.form); form.ok()) {
        if (const Field* f = (*form)->find_field(source.form_field)) return f;
      }
    }
  }
  return nullptr;
}

// The case's values in the order their questions are asked, step after step (the
// registration's, then the assessment's, ...), so the file reads like the forms; then what
// only the opening identification gave, then anything else.
std::vector<std::string> Handler::case_value_order(const Answers& values) const {
  std::vector<std::string> order;
  std::set<std::string, std::less<>> placed;
  // The status is shown above; the status before a closure request and the source
  // identification are bookkeeping, not something the case worker reads.
  for (std::string_view hidden : {cases::field::kStatus, cases::field::kBeforeClosure, cases::field::kSourceRecord}) {
    placed.insert(std::string(hidden));
  }
  auto place = [&](std::string_view name) {
    if (values.contains(name) && placed.insert(std::string(name)).second) order.emplace_back(name);
  };
  for (std::string_view step : cases::kStepForms) {
    auto form = pack_.find(step);
    if (!form.ok()) continue;
    for (const Field& question : (*form)->fields) {
      for (const cases::OwnedField& owned : cases::owned_fields()) {
        for (const cases::FieldSource& source : owned.steps) {
          if (source.form == step && source.form_field == question.name) place(owned.field);
        }
      }
    }
  }
  for (const cases::OwnedField& owned : cases::owned_fields()) place(owned.field);
  for (const auto& [name, value] : values) place(name);
  return order;
}

Result<Json> Handler::case_file(RecordId id) {
  AMANA_ASSIGN_OR_RETURN(CaseSummary summary, book_.summary(id));
  Json out{{"id", id.to_string()}, {"short", short_id(id.to_string())}, {"name", summary.name},
           {"status", cases::status_name(summary.status)},
           {"status_label", cases::status_label(summary.status).in(language())},
           {"risk", summary.risk_level}, {"opened", shown_time(summary.opened_at_ms, language())}};
  Json values = Json::array();
  for (const std::string& name : case_value_order(summary.values)) {
    const Field* f = case_value_field(name);
    values.push_back({{"name", name}, {"label", f ? f->label.in(language()) : name},
                      {"value", shown_value(f, summary.values.at(name), language())}});
  }
  out["values"] = values;
  AMANA_ASSIGN_OR_RETURN(auto steps, store_.records(std::nullopt, id));
  Json timeline = Json::array();
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    Json step = summary_json(*it);
    if (it->form_id == cases::kReferralForm) {
      AMANA_ASSIGN_OR_RETURN(Record r, store_.record(it->id));
      step["referral_status"] = value_of(r.values, "status");
      step["provider"] = value_of(r.values, "provider_id");
    }
    timeline.push_back(std::move(step));
  }
  out["timeline"] = timeline;
  Json next = Json::array();
  for (CaseEvent event : cases::allowed_events(summary.status)) {
    if (!book_.step_form(event).ok()) continue;  // decided at the office
    const Message label = event == CaseEvent::request_closure ? Message("case.event.close") : cases::event_label(event);
    next.push_back({{"verb", step_verb(event)}, {"label", label.in(language())}});
  }
  out["next_steps"] = next;
  AMANA_ASSIGN_OR_RETURN(auto drafts, drafts_.list());
  out["drafts"] = Json::array();
  for (const Draft& d : drafts) {
    if (d.case_id == id) out["drafts"].push_back(draft_json(d, pack_, language()));
  }
  return out;
}

Result<Json> Handler::case_step(RecordId id, const std::string& verb) {
  AMANA_ASSIGN_OR_RETURN(CaseEvent event, parse_step_verb(verb));
  AMANA_ASSIGN_OR_RETURN(const forms::FormDefinition* form, book_.step_form(event));
  // What is known before the first question is checked before it is asked.
  AMANA_RETURN_IF_ERROR(book_.check_step_can_start(id, event));
  AMANA_ASSIGN_OR_RETURN(Answers prefill, book_.step_prefill(id, event));
  AMANA_ASSIGN_OR_RETURN(Draft draft, new_draft(*form, id, verb, std::move(prefill)));
  return Json{{"draft", draft.id.to_string()}};
}

}  // namespace amana::field::ui::detail

// The JSON API (ui_api.h): drafts, from a new one to the record (or case step) made from it.
#include "field-client/ui_api_internal.h"

#include "common/message_catalogue.h"
#include "field-client/render.h"

namespace amana::field::ui::detail {

Json draft_json(const Draft& draft, const forms::FormPack& pack, Language language) {
  auto form = pack.find(draft.form_id);
  Json out = {{"id", draft.id.to_string()},
              {"short", short_id(draft.id.to_string())},
              {"form", draft.form_id},
              {"title", form.ok() ? (*form)->title.in(language) : draft.form_id},
              {"answered", draft.answers.size()},
              {"updated", shown_time(draft.updated_at_ms, language)},
              {"refused", draft.reason == DraftReason::refused}};
  if (draft.case_id) out["case"] = draft.case_id->to_string();
  if (!draft.step.empty()) out["step"] = draft.step;
  return out;
}

Result<Draft> Handler::new_draft(const forms::FormDefinition& form, std::optional<RecordId> case_id, std::string step,
                        Answers prefill) {
  Draft draft{{}, form.id, form.version, case_id, std::move(step), std::move(prefill), {}, DraftReason::interrupted, 0};
  AMANA_RETURN_IF_ERROR(drafts_.save(draft));
  return draft;
}

Result<Json> Handler::draft_new() {
  AMANA_ASSIGN_OR_RETURN(const forms::FormDefinition* form, pack_.find(body_string(call_.body, "form")));
  AMANA_ASSIGN_OR_RETURN(Draft draft, new_draft(*form, std::nullopt, {}, {}));
  return Json{{"draft", draft.id.to_string()}};
}

Result<Handler::Opened> Handler::open_draft(DraftId id) {
  Opened o;
  AMANA_ASSIGN_OR_RETURN(o.draft, drafts_.load(id));
  auto form = pack_.find(o.draft.form_id);
  if (!form.ok()) {
    return not_found(Message("drafts.form_gone", {{"draft", short_id(id.to_string())}, {"form", o.draft.form_id}}));
  }
  o.form = *form;
  if (o.draft.case_id) {
    AMANA_ASSIGN_OR_RETURN(CaseEvent event, parse_step_verb(o.draft.step));
    o.rules = StepRules{&book_, *o.draft.case_id, event};
  }
  return o;
}

Json Handler::view_of(const Opened& o, const Answers& raw, const FieldNames& passed, Answers* valid,
                      FieldNames* notes) {
  Json view = form_view(*o.form, raw, passed, options_, o.rules ? &*o.rules : nullptr, valid, notes);
  view["draft"] = draft_json(o.draft, pack_, language());
  return view;
}

Result<Json> Handler::draft_show(DraftId id) {
  AMANA_ASSIGN_OR_RETURN(Opened o, open_draft(id));
  FieldNames notes = o.draft.cleared;
  Json view = view_of(o, o.draft.answers, o.draft.passed, nullptr, &notes);
  view["passed"] = o.draft.passed;
  return view;
}

ApiReply Handler::draft_update(DraftId id, bool evaluate_only) {
  auto opened = open_draft(id);
  if (!opened.ok()) return {opened.status(), {}};
  auto given = answers_of(call_.body);
  if (!given.ok()) return {given.status(), {}};
  Answers raw = std::move(given->first);
  // A new or removed instance, and instances up to a computed count, only where it is kept.
  std::vector<Removed> removed;
  if (Status changed = change_instances(*opened->form, raw, call_.body, options_, !evaluate_only, &removed);
      !changed.ok()) {
    return {changed, {}};
  }
  Answers valid;
  FieldNames notes = notes_of(call_.body);
  Json view = view_of(*opened, raw, given->second, &valid, &notes);
  note_removed(view, removed, language());
  if (!evaluate_only) {
    opened->draft.answers = valid;
    opened->draft.passed = given->second;
    opened->draft.cleared = notes;
    if (Status saved = drafts_.save(opened->draft); !saved.ok()) return {saved, {}};
  }
  return {Status::success(), view};
}

ApiReply Handler::draft_finish(DraftId id) {
  auto opened = open_draft(id);
  if (!opened.ok()) return {opened.status(), {}};
  auto given = answers_of(call_.body);
  if (!given.ok()) return {given.status(), {}};
  // Every question counts as passed now: a required one left empty says so.
  FieldNames notes = notes_of(call_.body);
  FieldNames first_notes = notes;
  const FieldNames all = all_questions(view_of(*opened, given->first, given->second, nullptr, &first_notes));
  Answers valid;
  Json view = view_of(*opened, given->first, all, &valid, &notes);
  Draft& draft = opened->draft;
  draft.answers = valid;
  draft.passed = given->second;
  draft.cleared = notes;
  if (!view["complete"].get<bool>()) {
    draft.reason = DraftReason::refused;
    (void)drafts_.save(draft);
    return {invalid_argument(Message("ui.form_has_errors")), Json{{"view", view}}};
  }
  Result<RecordId> saved = opened->rules ? book_.record_step(*draft.case_id, opened->rules->event, valid)
                                         : save_record(*opened->form, valid);
  if (!saved.ok()) {
    draft.reason = DraftReason::refused;
    (void)drafts_.save(draft);
    return {saved.status(), Json{{"view", view}}};
  }
  if (Status gone = drafts_.discard(draft.id); !gone.ok()) return {gone, {}};
  Json out{{"record", saved->to_string()}};
  if (draft.case_id) out["case"] = draft.case_id->to_string();
  return {Status::success(), out};
}

Result<RecordId> Handler::save_record(const forms::FormDefinition& form, const Answers& answers) {
  FieldNames given;
  for (const auto& [name, value] : answers) given.insert(name);
  AMANA_ASSIGN_OR_RETURN(Answers checked, forms::validate_submission(form, answers, given, options_));
  return store_.add_record(form, checked);
}

FieldNames Handler::all_questions(const Json& view) {
  FieldNames all;
  for (const Json& q : view["questions"]) all.insert(q["name"].get<std::string>());
  return all;
}

Result<Json> Handler::draft_discard(DraftId id) {
  AMANA_RETURN_IF_ERROR(drafts_.discard(id));
  return Json{{"discarded", id.to_string()}};
}

}  // namespace amana::field::ui::detail

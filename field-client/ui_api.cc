#include "field-client/ui_api.h"

#include <algorithm>

#include "common/case_fields.h"
#include "common/case_review.h"
#include "common/case_sources.h"
#include "common/message_catalogue.h"
#include "common/name_sound.h"
#include "common/service_types.h"
#include "common/text_fold.h"
#include "field-client/drafted_form.h"
#include "field-client/drafts.h"
#include "field-client/render.h"

namespace amana::field::ui {
namespace {

using cases::CaseEvent;
using forms::Answers;
using forms::Field;
using forms::FieldType;

std::string value_of(const Answers& values, std::string_view name) {
  auto it = values.find(name);
  return it == values.end() ? std::string() : it->second;
}

std::string trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1));
}

Json choices_json(std::span<const forms::Choice> choices, Language language) {
  Json out = Json::array();
  for (const forms::Choice& c : choices) out.push_back({{"name", c.name}, {"label", c.label.in(language)}});
  return out;
}

// The body's "answers" as raw answers and "passed" as names, bounded.
Result<std::pair<Answers, FieldNames>> answers_of(const Json& body) {
  Answers raw;
  FieldNames passed;
  if (body.contains("answers")) {
    const Json& answers = body["answers"];
    if (!answers.is_object()) return invalid_argument(Message("ui.bad_request", {{"detail", "answers must be an object"}}));
    for (auto it = answers.begin(); it != answers.end(); ++it) {
      if (it.value().is_null()) continue;
      if (!it.value().is_string()) {
        return invalid_argument(Message("ui.bad_request", {{"detail", "answer '" + it.key() + "' must be text"}}));
      }
      const std::string& text = it.value().get_ref<const std::string&>();
      if (text.size() > kMaxAnswerBytes) {
        return invalid_argument(Message("ui.bad_request", {{"detail", "answer '" + it.key() + "' is too long"}}));
      }
      raw[it.key()] = text;
    }
  }
  if (body.contains("passed")) {
    if (!body["passed"].is_array()) return invalid_argument(Message("ui.bad_request", {{"detail", "passed must be a list"}}));
    for (const Json& name : body["passed"]) {
      if (name.is_string()) passed.insert(name.get<std::string>());
    }
  }
  return std::pair{std::move(raw), std::move(passed)};
}

std::string body_string(const Json& body, const char* key) {
  if (!body.contains(key) || !body[key].is_string()) return {};
  return body[key].get<std::string>();
}

Json draft_json(const Draft& draft, const forms::FormPack& pack, Language language) {
  auto form = pack.find(draft.form_id);
  Json out = {{"id", draft.id.to_string()},
              {"short", short_id(draft.id.to_string())},
              {"form", draft.form_id},
              {"title", form.ok() ? (*form)->title.in(language) : draft.form_id},
              {"answered", draft.answers.size()},
              {"updated", format_local_time(draft.updated_at_ms)},
              {"refused", draft.reason == DraftReason::refused}};
  if (draft.case_id) out["case"] = draft.case_id->to_string();
  if (!draft.step.empty()) out["step"] = draft.step;
  return out;
}

// A canonical answer as a person reads it: a choice by its label.
std::string shown_value(const Field* field, const std::string& value, Language language) {
  if (field == nullptr) return value;
  if (field->type == FieldType::select_one) {
    if (const forms::Choice* c = field->find_choice(value)) return c->label.in(language);
  }
  if (field->type == FieldType::select_multiple) {
    std::string out;
    std::size_t start = 0;
    while (start < value.size()) {
      std::size_t end = value.find(' ', start);
      if (end == std::string::npos) end = value.size();
      const std::string name = value.substr(start, end - start);
      const forms::Choice* c = field->find_choice(name);
      out += (out.empty() ? "" : language == Language::ar ? "، " : ", ") + (c ? c->label.in(language) : name);
      start = end + 1;
    }
    return out;
  }
  if (field->type == FieldType::boolean) {
    return Message(value == "true" ? MessageKey("ui.yes") : MessageKey("ui.no")).in(language);
  }
  return value;
}

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

class Handler {
 public:
  Handler(Store& store, const forms::FormPack& pack, const ApiCall& call)
      : store_(store), pack_(pack), call_(call), options_{call.language, store.today()},
        book_(store, pack, options_), drafts_(store) {}

  ApiReply route() {
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

 private:
  static std::vector<std::string> split(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t start = 1;
    while (start <= path.size()) {
      std::size_t end = path.find('/', start);
      if (end == std::string::npos) end = path.size();
      if (end > start) parts.push_back(path.substr(start, end - start));
      start = end + 1;
    }
    return parts;
  }
  static ApiReply wrap(Result<Json> result) {
    if (!result.ok()) return {result.status(), {}};
    return {Status::success(), std::move(*result)};
  }
  Language language() const { return call_.language; }
  std::string query(std::string_view name) const {
    auto it = call_.query.find(name);
    return it == call_.query.end() ? std::string() : it->second;
  }

  Result<Json> home() {
    Json out;
    AMANA_ASSIGN_OR_RETURN(StoreStatus status, store_.status());
    out["user"] = store_.user();
    out["pending_operations"] = status.pending_operations;
    AMANA_ASSIGN_OR_RETURN(auto facts, book_.review_facts());
    Json due = Json::array();
    for (const cases::CaseFacts& f : facts) {
      if (!cases::is_open(f.status) || f.next_due.empty()) continue;
      due.push_back({{"case", f.id}, {"short", short_id(f.id)}, {"name", f.name}, {"due", f.next_due},
                     {"overdue", f.next_due < options_.today}});
    }
    std::sort(due.begin(), due.end(), [](const Json& a, const Json& b) { return a["due"] < b["due"]; });
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

  Result<Json> forms_list() {
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

  Result<Json> providers() {
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

  // --- drafts ---
  Result<Draft> new_draft(const forms::FormDefinition& form, std::optional<RecordId> case_id, std::string step,
                          Answers prefill) {
    Draft draft{{}, form.id, form.version, case_id, std::move(step), std::move(prefill), {}, DraftReason::interrupted, 0};
    AMANA_RETURN_IF_ERROR(drafts_.save(draft));
    return draft;
  }

  Result<Json> draft_new() {
    AMANA_ASSIGN_OR_RETURN(const forms::FormDefinition* form, pack_.find(body_string(call_.body, "form")));
    AMANA_ASSIGN_OR_RETURN(Draft draft, new_draft(*form, std::nullopt, {}, {}));
    return Json{{"draft", draft.id.to_string()}};
  }

  struct Opened {
    Draft draft;
    const forms::FormDefinition* form = nullptr;
    std::optional<StepRules> rules;
  };
  Result<Opened> open_draft(DraftId id) {
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

  Json view_of(const Opened& o, const Answers& raw, const FieldNames& passed, Answers* valid = nullptr) {
    Json view = form_view(*o.form, raw, passed, options_, o.rules ? &*o.rules : nullptr, valid);
    view["draft"] = draft_json(o.draft, pack_, language());
    return view;
  }

  Result<Json> draft_show(DraftId id) {
    AMANA_ASSIGN_OR_RETURN(Opened o, open_draft(id));
    Json view = view_of(o, o.draft.answers, o.draft.passed);
    view["passed"] = o.draft.passed;
    return view;
  }

  ApiReply draft_update(DraftId id, bool evaluate_only) {
    auto opened = open_draft(id);
    if (!opened.ok()) return {opened.status(), {}};
    auto given = answers_of(call_.body);
    if (!given.ok()) return {given.status(), {}};
    Answers valid;
    Json view = view_of(*opened, given->first, given->second, &valid);
    if (!evaluate_only) {
      opened->draft.answers = valid;
      opened->draft.passed = given->second;
      if (Status saved = drafts_.save(opened->draft); !saved.ok()) return {saved, {}};
    }
    return {Status::success(), view};
  }

  ApiReply draft_finish(DraftId id) {
    auto opened = open_draft(id);
    if (!opened.ok()) return {opened.status(), {}};
    auto given = answers_of(call_.body);
    if (!given.ok()) return {given.status(), {}};
    // Every question counts as passed now: a required one left empty says so.
    FieldNames all;
    for (const Field& f : opened->form->fields) all.insert(f.name);
    Answers valid;
    Json view = view_of(*opened, given->first, all, &valid);
    Draft& draft = opened->draft;
    draft.answers = valid;
    draft.passed = given->second;
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

  Result<RecordId> save_record(const forms::FormDefinition& form, const Answers& answers) {
    FieldNames given;
    for (const auto& [name, value] : answers) given.insert(name);
    AMANA_ASSIGN_OR_RETURN(Answers checked, forms::validate_submission(form, answers, given, options_));
    return store_.add_record(form, checked);
  }

  Result<Json> draft_discard(DraftId id) {
    AMANA_RETURN_IF_ERROR(drafts_.discard(id));
    return Json{{"discarded", id.to_string()}};
  }

  // --- records ---
  Json summary_json(const RecordSummary& r) {
    auto form = pack_.find(r.form_id);
    Json out{{"id", r.id.to_string()},
             {"short", short_id(r.id.to_string())},
             {"form", r.form_id},
             {"title", form.ok() ? (*form)->title.in(language()) : r.form_id},
             {"created", format_local_time(r.created_at_ms)}};
    if (r.case_id) out["case"] = r.case_id->to_string();
    return out;
  }

  Result<Json> records() {
    const std::string form = query("form");
    const std::string q = text::fold(trimmed(query("q")));
    AMANA_ASSIGN_OR_RETURN(auto list, store_.records(form.empty() ? std::nullopt : std::optional<std::string_view>(form)));
    Json out = Json::array();
    for (const RecordSummary& r : list) {
      if (r.form_id == kCaseFormId) continue;  // cases have their own screen
      if (out.size() >= kListLimit) break;
      if (!q.empty()) {
        const bool id_match = r.id.to_string().find(q) != std::string::npos;
        bool found = id_match;
        if (!found) {
          AMANA_ASSIGN_OR_RETURN(Record record, store_.record(r.id));
          for (const auto& [name, value] : record.values) found = found || text::fold(value).find(q) != std::string::npos;
        }
        if (!found) continue;
      }
      out.push_back(summary_json(r));
    }
    return out;
  }

  Result<Json> record_show(RecordId id) {
    AMANA_ASSIGN_OR_RETURN(Record record, store_.record(id));
    auto form = pack_.find(record.summary.form_id);
    const forms::FormDefinition* definition = form.ok() ? *form : nullptr;
    Json out = summary_json(record.summary);
    out["author"] = record.author;
    out["editable"] = definition != nullptr && record.summary.form_id != kCaseFormId;
    Json values = Json::array();
    auto label = [&](const std::string& name) {
      const Field* f = definition ? definition->find_field(name) : nullptr;
      return f ? f->label.in(language()) : name;
    };
    auto field = [&](const std::string& name) { return definition ? definition->find_field(name) : nullptr; };
    if (definition) {
      for (const Field& f : definition->fields) {
        if (auto it = record.values.find(f.name); it != record.values.end()) {
          values.push_back({{"name", f.name}, {"label", f.label.in(language())},
                            {"value", shown_value(&f, it->second, language())}, {"raw", it->second}});
        }
      }
    } else {
      for (const auto& [name, value] : record.values) values.push_back({{"name", name}, {"label", name}, {"value", value}, {"raw", value}});
    }
    out["values"] = values;
    AMANA_ASSIGN_OR_RETURN(auto revisions, store_.history(id));
    Json history = Json::array();
    for (const Revision& r : revisions) {
      Json changes = Json::array();
      for (const FieldChange& c : r.changes) {
        changes.push_back({{"field", c.field}, {"label", label(c.field)}, {"cleared", c.cleared},
                           {"value", c.cleared ? "" : shown_value(field(c.field), c.value, language())}});
      }
      history.push_back({{"when", format_local_time(hlc_millis(r.hlc))}, {"author", r.author}, {"created", r.created},
                         {"merged", r.merged}, {"changes", changes}});
    }
    out["history"] = history;
    return out;
  }

  Result<std::pair<Record, const forms::FormDefinition*>> editable(RecordId id) {
    AMANA_ASSIGN_OR_RETURN(Record record, store_.record(id));
    if (record.summary.form_id == kCaseFormId) {
      return invalid_argument(Message("cli.case_not_edited", {{"id", short_id(id.to_string())}}));
    }
    AMANA_ASSIGN_OR_RETURN(const forms::FormDefinition* form, pack_.find(record.summary.form_id));
    return std::pair{std::move(record), form};
  }

  Result<Json> record_evaluate(RecordId id) {
    AMANA_ASSIGN_OR_RETURN(auto found, editable(id));
    const auto& [record, form] = found;
    Json view;
    if (call_.body.contains("answers")) {
      AMANA_ASSIGN_OR_RETURN(auto given, answers_of(call_.body));
      view = form_view(*form, given.first, given.second, options_, nullptr);
    } else {
      FieldNames all;
      for (const Field& f : form->fields) all.insert(f.name);
      view = form_view(*form, record.values, all, options_, nullptr);
      view["passed"] = all;
    }
    view["record"] = summary_json(record.summary);
    return view;
  }

  ApiReply record_edit(RecordId id) {
    auto found = editable(id);
    if (!found.ok()) return {found.status(), {}};
    const forms::FormDefinition& form = *found->second;
    auto given = answers_of(call_.body);
    if (!given.ok()) return {given.status(), {}};
    FieldNames all;
    for (const Field& f : form.fields) all.insert(f.name);
    Answers valid;
    Json view = form_view(form, given->first, all, options_, nullptr, &valid);
    if (!view["complete"].get<bool>()) return {invalid_argument(Message("ui.form_has_errors")), Json{{"view", view}}};
    FieldNames set;
    for (const auto& [name, value] : valid) set.insert(name);
    auto checked = forms::validate_submission(form, valid, set, options_);
    if (!checked.ok()) return {checked.status(), Json{{"view", view}}};
    auto changed = store_.update_record(id, *checked);
    if (!changed.ok()) return {changed.status(), {}};
    return {Status::success(), Json{{"record", id.to_string()}, {"changed", *changed}}};
  }

  // The referral as the provider gets it: what CaseBook::referral_document allows (the
  // client's identity only with their consent to share it), with the provider's details.
  Result<Json> referral_sheet(RecordId id) {
    AMANA_ASSIGN_OR_RETURN(std::string text, book_.referral_document(id));
    Json document = Json::parse(text, nullptr, false);
    if (document.is_discarded()) return corrupt("the referral document is not JSON");
    const std::string provider_id = document.value("provider_id", std::string());
    AMANA_ASSIGN_OR_RETURN(auto providers, store_.providers(true));
    for (const pb::Provider& p : providers) {
      if (p.id() == provider_id) {
        document["provider"] = {{"name", p.name()}, {"location", p.location()}, {"contact", p.contact()},
                                {"hours", p.hours()}};
      }
    }
    if (document.contains("service_type")) {
      document["service_label"] = services::label(document["service_type"].get<std::string>()).in(language());
    }
    document["withheld"] = document["client"].contains("identifying_data");
    return document;
  }

  // --- cases ---
  Result<Json> case_list() {
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
                     {"risk", f.risk_level}, {"opened", f.opened_date}, {"next_due", f.next_due}});
    }
    return out;
  }

  Result<Json> case_open() {
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
  const Field* case_value_field(std::string_view name) const {
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

  Result<Json> case_file(RecordId id) {
    AMANA_ASSIGN_OR_RETURN(CaseSummary summary, book_.summary(id));
    Json out{{"id", id.to_string()}, {"short", short_id(id.to_string())}, {"name", summary.name},
             {"status", cases::status_name(summary.status)},
             {"status_label", cases::status_label(summary.status).in(language())},
             {"risk", summary.risk_level}, {"opened", format_local_time(summary.opened_at_ms)}};
    Json values = Json::array();
    for (const auto& [name, value] : summary.values) {
      // The status is shown above; the status before a closure request and the source
      // identification are bookkeeping, not something the case worker reads.
      if (name == cases::field::kStatus || name == cases::field::kBeforeClosure || name == cases::field::kSourceRecord) continue;
      const Field* f = case_value_field(name);
      values.push_back({{"name", name}, {"label", f ? f->label.in(language()) : name},
                        {"value", shown_value(f, value, language())}});
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

  Result<Json> case_step(RecordId id, const std::string& verb) {
    AMANA_ASSIGN_OR_RETURN(CaseEvent event, parse_step_verb(verb));
    AMANA_ASSIGN_OR_RETURN(const forms::FormDefinition* form, book_.step_form(event));
    // What is known before the first question is checked before it is asked.
    AMANA_RETURN_IF_ERROR(book_.check_step_can_start(id, event));
    AMANA_ASSIGN_OR_RETURN(Answers prefill, book_.step_prefill(id, event));
    AMANA_ASSIGN_OR_RETURN(Draft draft, new_draft(*form, id, verb, std::move(prefill)));
    return Json{{"draft", draft.id.to_string()}};
  }

  Store& store_;
  const forms::FormPack& pack_;
  const ApiCall& call_;
  forms::ValidationOptions options_;
  CaseBook book_;
  Drafts drafts_;
};

}  // namespace

Json form_view(const forms::FormDefinition& form, const Answers& raw, const FieldNames& passed,
               const forms::ValidationOptions& options, const StepRules* step, Answers* valid) {
  const Language language = options.language;
  // Typed answers first, for relevance: a question further on may depend on one typed later.
  Answers typed;
  for (const auto& [name, value] : raw) {
    const Field* field = form.find_field(name);
    if (field == nullptr || field->type == FieldType::note) continue;
    if (auto canonical = forms::canonicalize(*field, trimmed(value)); canonical.ok() && !canonical->empty()) {
      typed[name] = *canonical;
    }
  }
  Answers accepted;
  Json questions = Json::array();
  bool complete = true;
  for (const Field& field : form.fields) {
    if (!forms::is_relevant(form, field, typed, options.today)) {
      typed.erase(field.name);  // cleared, as ODK does, for the questions after it
      continue;
    }
    const bool required = forms::is_required(form, field, typed, options.today);
    Json q{{"name", field.name},
           {"type", forms::field_type_name(field.type)},
           {"label", field.label.in(language)},
           {"required", required},
           {"passed", passed.count(field.name) != 0}};
    if (!field.hint.empty()) q["hint"] = field.hint.in(language);
    if (field.numeric_text) q["numeric"] = true;
    if (field.type == FieldType::select_one || field.type == FieldType::select_multiple) {
      q["choices"] = choices_json(field.offered_choices(), language);
    }
    if (auto d = forms::default_answer(field, options.today)) q["default"] = *d;
    if (field.type == FieldType::note) {
      questions.push_back(std::move(q));
      continue;
    }
    Answers others = typed;
    others.erase(field.name);
    if (step != nullptr && field.type == FieldType::text) {
      const auto suggestions = step->book->step_suggestions(step->event, field, others);
      if (!suggestions.empty()) q["suggestions"] = choices_json(suggestions, language);
    }
    const auto it = raw.find(field.name);
    const std::string given = it == raw.end() ? std::string() : trimmed(it->second);
    if (it != raw.end()) q["raw"] = it->second;
    if (given.empty()) {
      if (required) {
        complete = false;
        if (passed.count(field.name) != 0) q["error"] = Message("interview.required").in(language);
      }
    } else {
      auto checked = forms::check_answer(form, field, given, others, options);
      Status status = checked.status();
      if (checked.ok() && step != nullptr) {
        status = step->book->check_step_answer(step->case_id, step->event, field, *checked, others);
      }
      if (status.ok()) {
        q["value"] = *checked;
        accepted[field.name] = *checked;
      } else {
        complete = false;
        q["error"] = status.message_in(language);
      }
    }
    questions.push_back(std::move(q));
  }
  if (valid != nullptr) *valid = accepted;
  return Json{{"form", {{"id", form.id}, {"title", form.title.in(language)}}},
              {"questions", questions},
              {"complete", complete}};
}

std::string step_verb(CaseEvent event) {
  return event == CaseEvent::request_closure ? "close" : std::string(cases::event_name(event));
}

Result<CaseEvent> parse_step_verb(std::string_view verb) {
  for (CaseEvent event : {CaseEvent::reg, CaseEvent::assess, CaseEvent::plan, CaseEvent::refer, CaseEvent::follow_up,
                          CaseEvent::request_closure}) {
    if (step_verb(event) == verb) return event;
  }
  return invalid_argument(Message("ui.not_a_step", {{"step", std::string(verb)}}));
}

Api::Api(Store& store, const forms::FormPack& pack) : store_(store), pack_(pack) {}

ApiReply Api::call(const ApiCall& call) { return Handler(store_, pack_, call).route(); }

}  // namespace amana::field::ui

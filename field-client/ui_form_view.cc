// The form as the engine sees it while a person types (form_view, ui_api.h), and what
// the API's source files share to read a call and show a value.
#include "field-client/ui_api_internal.h"

#include "common/message_catalogue.h"

namespace amana::field::ui {
namespace detail {

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
  if (field->type == FieldType::date || field->type == FieldType::datetime) return shown_date(value, language);
  if (field->type == FieldType::boolean) {
    return Message(value == "true" ? MessageKey("ui.yes") : MessageKey("ui.no")).in(language);
  }
  return value;
}

namespace {

bool is_metadata(FieldType type) {
  return type == FieldType::start || type == FieldType::end || type == FieldType::today || type == FieldType::deviceid;
}

// Where the question sits: "group", the label of the innermost group that has one (the
// page's heading), and "page", the outermost group with "appearance": "field-list", whose
// questions the page shows together.
void place_in_groups(const forms::FormDefinition& form, const Field& field, Language language, Json& q) {
  for (const forms::Group* group : form.groups_of(field)) {
    if (!group->label.empty()) q["group"] = group->label.in(language);
    if (group->field_list && !q.contains("page")) q["page"] = group->name;
  }
}

}  // namespace

}  // namespace detail

using namespace detail;

Json form_view(const forms::FormDefinition& form, const Answers& raw, const FieldNames& passed,
               const forms::ValidationOptions& options, const StepRules* step, Answers* valid) {
  const Language language = options.language;
  // Typed answers first, for relevance: a question further on may depend on one typed later.
  Answers typed;
  for (const auto& [name, value] : raw) {
    const Field* field = form.find_field(name);
    if (field == nullptr || field->type == FieldType::note) continue;
    if (!field->asked()) continue;  // computed below, never taken from the page
    if (auto canonical = forms::canonicalize(*field, trimmed(value)); canonical.ok() && !canonical->empty()) {
      typed[name] = *canonical;
    }
  }
  // Calculations (the registration's age from the date of birth) as the answers stand, so
  // the page shows them as the person types; relevance and choice filters may use them.
  forms::recompute(form, typed, options);
  const std::string text_code = forms::text_language(options);
  Answers accepted;
  Json questions = Json::array();
  bool complete = true;
  for (const Field& field : form.fields) {
    if (!forms::is_relevant(form, field, typed, options.today)) {
      typed.erase(field.name);  // cleared, as ODK does, for the questions after it
      continue;
    }
    if (is_metadata(field.type)) continue;  // the device fills them; nothing to show
    const bool required = field.asked() && forms::is_required(form, field, typed, options.today);
    Json q{{"name", field.name},
           {"type", forms::field_type_name(field.type)},
           {"label", forms::render_text(form, field.label, typed, text_code)},
           {"required", required},
           {"passed", passed.count(field.name) != 0}};
    if (!field.hint.empty()) q["hint"] = forms::render_text(form, field.hint, typed, text_code);
    if (field.numeric_text) q["numeric"] = true;
    place_in_groups(form, field, language, q);
    if (field.type == FieldType::select_one || field.type == FieldType::select_multiple) {
      Json choices = Json::array();
      for (const forms::Choice* c : forms::available_choices(form, field, typed, options.today)) {
        choices.push_back({{"name", c->name}, {"label", c->label.in(language)}});
      }
      q["choices"] = std::move(choices);
    }
    if (!field.asked() && field.type != FieldType::note) {
      // Shown with its value, never asked: it changes as the answers it is computed from do.
      q["read_only"] = true;
      if (auto v = typed.find(field.name); v != typed.end()) {
        q["value"] = v->second;
        q["shown"] = shown_value(&field, v->second, language);
      }
      questions.push_back(std::move(q));
      continue;
    }
    if (auto d = forms::default_answer(form, field, typed, options)) q["default"] = *d;
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

}  // namespace amana::field::ui

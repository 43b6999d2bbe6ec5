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

namespace {

using forms::Group;
using forms::Scope;

// The view built in form order, a repeat's instances one after the other where the repeat
// is (each instance's questions after the repeat's own page), nested repeats within.
class ViewWalk {
 public:
  ViewWalk(const forms::FormDefinition& form, Answers raw, const FieldNames& passed,
           const forms::ValidationOptions& options, const StepRules* step, FieldNames notes)
      : form_(form), raw_(std::move(raw)), passed_(passed), options_(options), step_(step),
        language_(options.language), text_code_(forms::text_language(options)), notes_(std::move(notes)) {
    // Typed answers first, for relevance: a question further on may depend on one typed later.
    typed_ = typed_answers(form_, raw_, options_);
  }

  Json run(Answers* valid, FieldNames* notes) {
    range(0, form_.fields.size(), {});
    if (valid != nullptr) *valid = accepted_;
    if (notes != nullptr) *notes = notes_;
    Json answers = Json::object();
    for (const auto& [key, value] : raw_) answers[key] = value;
    return Json{{"form", {{"id", form_.id}, {"title", form_.title.in(language_)}}},
                {"questions", questions_},
                {"answers", answers},
                {"cleared", notes_},
                {"complete", complete_}};
  }

 private:
  static bool holds(const std::vector<const Group*>& chain, std::size_t depth, const Group* group) {
    return chain.size() > depth && chain[depth] == group;
  }

  void range(std::size_t begin, std::size_t end, const Scope& scope) {
    for (std::size_t k = begin; k < end;) {
      const auto chain = form_.repeats_of(form_.fields[k]);
      if (chain.size() <= scope.size()) {
        field(form_.fields[k], scope);
        ++k;
        continue;
      }
      const Group* repeat = chain[scope.size()];
      std::size_t e = k;
      while (e < end && holds(form_.repeats_of(form_.fields[e]), scope.size(), repeat)) ++e;
      list(*repeat, k, e, scope);
      k = e;
    }
  }

  // A repeat in `parent`: its own page (the instances, add, remove), then each instance.
  void list(const Group& repeat, std::size_t begin, std::size_t end, const Scope& parent) {
    if (!forms::is_group_relevant(form_, repeat, typed_, options_.today, parent)) return;
    const std::string name = list_key(repeat, parent);
    const auto all = forms::instances(form_, repeat, typed_, parent);
    const auto expected = expected_instances(form_, repeat, typed_, options_, parent);
    Json item{{"name", name},
              {"type", "repeat"},
              {"repeat", repeat.name},
              {"label", repeat.label.empty() ? repeat.name : repeat.label.in(language_)},
              {"required", false},
              {"passed", passed_.count(name) != 0},
              {"can_add", all.size() < (expected ? *expected : forms::kMaxInstances)},
              {"can_remove", !expected || all.size() > *expected}};
    if (expected) item["count"] = *expected;
    if (!parent.empty()) {
      item["instance"] = label_of(parent);
      item["instance_key"] = forms::repeat_keys::compose(forms::repeat_keys::Key{parent, ""});
    }
    if (expected && all.size() != *expected) {
      complete_ = false;
      // In plain words, under the list's name; a list longer than its count says so at
      // once (the person chooses which entry goes), a shorter one once passed.
      const std::string named = (parent.empty() ? std::string() : label_of(parent) + " › ") +
                                (repeat.label.empty() ? repeat.name : repeat.label.in(language_));
      const std::string said = Message(all.size() > *expected ? MessageKey("ui.repeat_over_count")
                                                              : MessageKey("ui.repeat_under_count"),
                                       {{"repeat", named},
                                        {"count", static_cast<std::int64_t>(*expected)},
                                        {"given", static_cast<std::int64_t>(all.size())}})
                                   .in(language_);
      if (all.size() > *expected) item["notice"] = said;
      if (passed_.count(name) != 0) item["error"] = said;
    }
    const std::size_t at = questions_.size();
    questions_.push_back(std::move(item));
    Json shown = Json::array();
    const std::string outer = parent.empty() ? std::string() : label_of(parent) + " › ";
    const std::string repeat_label = repeat.label.empty() ? repeat.name : repeat.label.in(language_);
    for (const Scope& instance : all) {
      const std::string marker = forms::repeat_keys::compose(forms::repeat_keys::Key{instance, ""});
      accepted_[marker] = typed_[marker];
      // Named once here, by its place in the list: each of its questions reuses the name.
      labels_[marker] = outer + Message("ui.instance", {{"repeat", repeat_label},
                                                        {"position", static_cast<std::int64_t>(shown.size()) + 1}})
                                    .in(language_);
      const std::size_t first = questions_.size();
      range(begin, end, instance);
      // A short summary: the first two answers given in the instance itself.
      std::string summary;
      int taken = 0;
      bool wrong = false;
      for (std::size_t j = first; j < questions_.size(); ++j) {
        const Json& q = questions_[j];
        wrong = wrong || (q.contains("error") && q.value("instance_key", "") == marker);
        if (taken == 2 || q.value("instance_key", "") != marker || !q.contains("value") || q.value("read_only", false)) {
          continue;
        }
        const Field* f = form_.find_field(q.value("field", ""));
        summary += (summary.empty() ? "" : " · ") + shown_value(f, q["value"].get<std::string>(), language_);
        ++taken;
      }
      shown.push_back({{"key", marker},
                       {"position", shown.size() + 1},
                       {"label", labels_[marker]},
                       {"summary", summary},
                       {"answered", taken > 0},
                       {"first", first < questions_.size() ? questions_[first].value("name", "") : ""},
                       {"has_error", wrong}});
    }
    questions_[at]["instances"] = std::move(shown);
  }

  void field(const Field& field, const Scope& scope) {
    const std::string key = forms::answer_key(field, scope);
    if (!forms::is_relevant(form_, field, typed_, options_.today, scope)) {
      typed_.erase(key);  // cleared, as ODK does, for the questions after it
      return;
    }
    if (is_metadata(field.type)) return;  // the device fills them; nothing to show
    const bool required = field.asked() && forms::is_required(form_, field, typed_, options_.today, scope);
    Json q{{"name", key},
           {"field", field.name},
           {"type", forms::field_type_name(field.type)},
           {"label", forms::render_text(form_, field.label, typed_, text_code_, scope)},
           {"required", required},
           {"passed", passed_.count(key) != 0}};
    if (!field.hint.empty()) q["hint"] = forms::render_text(form_, field.hint, typed_, text_code_, scope);
    if (field.numeric_text) q["numeric"] = true;
    place_in_groups(form_, field, language_, q);
    if (!scope.empty()) {
      const std::string marker = forms::repeat_keys::compose(forms::repeat_keys::Key{scope, ""});
      q["instance"] = label_of(scope);
      q["instance_key"] = marker;
      if (q.contains("page")) q["page"] = marker + "/" + q["page"].get<std::string>();
    }
    std::vector<const forms::Choice*> offered;
    if (field.type == FieldType::select_one || field.type == FieldType::select_multiple) {
      offered = forms::available_choices(form_, field, typed_, options_.today, scope);
      Json choices = Json::array();
      for (const forms::Choice* c : offered) choices.push_back({{"name", c->name}, {"label", c->label.in(language_)}});
      q["choices"] = std::move(choices);
    }
    if (!field.asked() && field.type != FieldType::note) {
      // Shown with its value, never asked: it changes as the answers it is computed from do.
      q["read_only"] = true;
      if (auto v = typed_.find(key); v != typed_.end()) {
        q["value"] = v->second;
        q["shown"] = shown_value(&field, v->second, language_);
      }
      questions_.push_back(std::move(q));
      return;
    }
    if (auto d = forms::default_answer(form_, field, typed_, options_, scope)) q["default"] = *d;
    if (field.type == FieldType::note) {
      questions_.push_back(std::move(q));
      return;
    }
    if (field.choice_filter) clear_if_not_offered(field, key, offered);
    // The other answers, for its constraint: its own taken out of typed_ for the while (a
    // copy per question would cost the square of a long roster's answers).
    std::optional<std::string> own;
    if (auto mine = typed_.find(key); mine != typed_.end()) {
      own = std::move(mine->second);
      typed_.erase(mine);
    }
    const Answers& others = typed_;
    if (step_ != nullptr && field.type == FieldType::text) {
      const auto suggestions = step_->book->step_suggestions(step_->event, field, others);
      if (!suggestions.empty()) q["suggestions"] = choices_json(suggestions, language_);
    }
    const auto it = raw_.find(key);
    const std::string given = it == raw_.end() ? std::string() : trimmed(it->second);
    if (it != raw_.end()) q["raw"] = it->second;
    if (!given.empty()) notes_.erase(key);  // answered again: the note has done its work
    if (notes_.count(key) != 0) q["note"] = Message("ui.choice_cleared").in(language_);
    if (given.empty()) {
      if (required) {
        complete_ = false;
        if (passed_.count(key) != 0 && notes_.count(key) == 0) {
          set_error(q, scope, scope.empty() ? Message("interview.required").in(language_)
                                            : Message("ui.answer_required").in(language_));
        }
      }
    } else {
      auto checked = forms::check_answer(form_, field, given, others, options_, scope);
      Status status = checked.status();
      if (checked.ok() && step_ != nullptr) {
        status = step_->book->check_step_answer(step_->case_id, step_->event, field, *checked, others);
      }
      if (status.ok()) {
        q["value"] = *checked;
        accepted_[key] = *checked;
      } else {
        complete_ = false;
        std::string problem;
        for (const Message& line : status.lines()) problem += (problem.empty() ? "" : "\n") + plain_problem(line, language_);
        set_error(q, scope, status.lines().empty() ? status.message_in(language_) : problem);
      }
    }
    if (own) typed_[key] = std::move(*own);
    questions_.push_back(std::move(q));
  }

  // A cascading select: an answer given before an earlier answer changed (the state) that
  // the choice filter no longer offers (the old state's locality) is cleared here, with a
  // note that stays beside the question until it is answered again.
  void clear_if_not_offered(const Field& field, const std::string& key, const std::vector<const forms::Choice*>& offered) {
    const auto it = raw_.find(key);
    if (it == raw_.end()) return;
    auto canonical = forms::canonicalize(field, trimmed(it->second));
    if (!canonical.ok() || canonical->empty()) return;  // not a choice at all: its error says so
    auto is_offered = [&](std::string_view name) {
      return std::any_of(offered.begin(), offered.end(), [&](const forms::Choice* c) { return c->name == name; });
    };
    std::string kept;
    bool dropped = false;
    std::size_t start = 0;
    while (start <= canonical->size()) {
      std::size_t end = field.type == FieldType::select_multiple ? canonical->find(' ', start) : std::string::npos;
      if (end == std::string::npos) end = canonical->size();
      const std::string name = canonical->substr(start, end - start);
      if (!name.empty()) {
        if (is_offered(name)) kept += (kept.empty() ? "" : " ") + name;
        else dropped = true;
      }
      start = end + 1;
    }
    if (!dropped) return;
    if (kept.empty()) {
      raw_.erase(it);
      typed_.erase(key);
      notes_.insert(key);
    } else {
      it->second = kept;
      typed_[key] = kept;
    }
  }

  // A question's error as a person reads it: at the top level what is wrong; in an entry,
  // the entry's name and the question's label first ("Household members #2 · At school —
  // an answer is required"), with the three parts apart ("error_at") for the page to
  // isolate each for bidi. Never a field's name.
  void set_error(Json& q, const Scope& scope, std::string problem) {
    if (scope.empty()) {
      q["error"] = std::move(problem);
      return;
    }
    const std::string entry = label_of(scope);
    const std::string question = q.value("label", "");
    q["error"] = Message("ui.in_entry", {{"entry", entry}, {"question", question}, {"problem", problem}}).in(language_);
    q["error_at"] = {{"entry", entry}, {"question", question}, {"problem", std::move(problem)}};
  }

  // The name of an instance the walk is in ("Household members #2"), set by list().
  std::string label_of(const Scope& scope) {
    const std::string marker = forms::repeat_keys::compose(forms::repeat_keys::Key{scope, ""});
    auto it = labels_.find(marker);
    return it != labels_.end() ? it->second : instance_label(form_, scope, typed_, language_);
  }

  const forms::FormDefinition& form_;
  std::map<std::string, std::string, std::less<>> labels_;
  Answers raw_;
  const FieldNames& passed_;
  const forms::ValidationOptions& options_;
  const StepRules* step_;
  const Language language_;
  const std::string text_code_;
  FieldNames notes_;
  Answers typed_;
  Answers accepted_;
  Json questions_ = Json::array();
  bool complete_ = true;
};

}  // namespace

}  // namespace detail

using namespace detail;

Json form_view(const forms::FormDefinition& form, const Answers& raw, const FieldNames& passed,
               const forms::ValidationOptions& options, const StepRules* step, Answers* valid, FieldNames* notes) {
  ViewWalk walk(form, raw, passed, options, step, notes != nullptr ? *notes : FieldNames{});
  return walk.run(valid, notes);
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

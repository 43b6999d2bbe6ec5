#include <algorithm>
#include <cmath>

#include "common/answers.h"
#include "common/answers_internal.h"

namespace amana::forms {

namespace detail {

expr::Value typed_value(const Field& field, const std::string& canonical) {
  if (canonical.empty()) return expr::Value();
  switch (field.type) {
    case FieldType::integer:
    case FieldType::decimal: return expr::Value(expr::Value(canonical).to_number());
    case FieldType::boolean: return expr::Value(canonical == "true");
    default: return expr::Value(canonical);
  }
}

}  // namespace detail

std::string text_language(const ValidationOptions& options) {
  if (!options.form_language.empty()) return options.form_language;
  return std::string(language_code(options.language));
}

bool is_group_relevant(const FormDefinition& form, const Group& group, const Answers& answers,
                       const std::string& today, const Scope& scope) {
  for (const Group* at = &group; at != nullptr; at = at->parent ? &form.groups[*at->parent] : nullptr) {
    if (!at->relevant) continue;
    // Decided in the instances enclosing the group: a repeat's, once for all its instances.
    const Scope enclosing(scope.begin(), scope.begin() + static_cast<std::ptrdiff_t>(
                                                           std::min(scope.size(), form.repeats_of(*at).size())));
    if (!at->relevant->evaluate(make_context(form, answers, "", today, enclosing)).to_bool()) return false;
  }
  return true;
}

bool is_relevant(const FormDefinition& form, const Field& field, const Answers& answers,
                 const std::string& today, const Scope& scope) {
  if (field.group && !is_group_relevant(form, form.groups[*field.group], answers, today, scope)) return false;
  if (!field.relevant) return true;
  return field.relevant->evaluate(make_context(form, answers, "", today, scope)).to_bool();
}

std::optional<std::string> default_answer(const FormDefinition& form, const Field& field, const Answers& answers,
                                          const ValidationOptions& options, const Scope& scope) {
  if (!field.default_expression) return default_answer(field, options.today);
  const expr::Value value = field.default_expression->evaluate(make_context(form, answers, "", options, scope));
  if (value.is_number() && std::isnan(value.to_number())) return std::nullopt;
  const std::string text = value.to_string();
  if (text.empty()) return std::nullopt;
  auto canonical = canonicalize(field, text);
  if (!canonical.ok()) return std::nullopt;
  return std::move(canonical).value();
}

std::vector<const Choice*> available_choices(const FormDefinition& form, const Field& field,
                                             const Answers& answers, const std::string& today,
                                             const Scope& scope) {
  std::vector<const Choice*> available;
  const std::span<const Choice> offered = field.offered_choices();
  for (const Choice& choice : offered) {
    if (field.choice_filter) {
      expr::Context context = make_context(form, answers, "", today, scope);
      context.column = [&choice](std::string_view column) -> std::optional<expr::Value> {
        if (column == "name") return expr::Value(choice.name);
        if (column == "label") return expr::Value(choice.label.en);
        if (auto it = choice.columns.find(column); it != choice.columns.end()) return expr::Value(it->second);
        return std::nullopt;
      };
      if (!field.choice_filter->evaluate(context).to_bool()) continue;
    }
    available.push_back(&choice);
  }
  return available;
}

std::string render_text(const FormDefinition& form, const LocalizedText& text, const Answers& answers,
                        std::string_view code, const Scope& scope) {
  const std::string& source = text.in(code);
  if (source.find("${") == std::string::npos) return source;
  std::string out;
  std::size_t at = 0;
  while (at < source.size()) {
    const std::size_t open = source.find("${", at);
    const std::size_t close = open == std::string::npos ? open : source.find('}', open + 2);
    if (close == std::string::npos) {
      out += source.substr(at);
      break;
    }
    out += source.substr(at, open - at);
    const std::string name = source.substr(open + 2, close - open - 2);
    const Field* field = form.find_field(name);
    const std::string* answer = field != nullptr ? detail::answer_in(form, answers, *field, scope) : nullptr;
    if (answer != nullptr) {
      if (field->type == FieldType::select_one || field->type == FieldType::select_multiple) {
        std::string shown;
        const std::string_view names = *answer;
        for (std::size_t from = 0; from < names.size();) {
          std::size_t to = names.find(' ', from);
          if (to == std::string_view::npos) to = names.size();
          const std::string_view item = names.substr(from, to - from);
          from = to + 1;
          if (item.empty()) continue;
          const Choice* choice = field->find_choice(item);
          shown += (shown.empty() ? "" : ", ") + (choice ? choice->label.in(code) : std::string(item));
        }
        out += shown;
      } else {
        out += *answer;
      }
    }
    at = close + 1;
  }
  return out;
}

bool is_required(const FormDefinition& form, const Field& field, const Answers& answers,
                 const std::string& today, const Scope& scope) {
  if (field.required) return true;
  if (!field.required_if) return false;
  return field.required_if->evaluate(make_context(form, answers, "", today, scope)).to_bool();
}

std::optional<std::string> default_answer(const Field& field, const std::string& today) {
  if (!field.default_value) return std::nullopt;
  if (field.type == FieldType::date && *field.default_value == "today") return today;
  return field.default_value;
}

}  // namespace amana::forms

#include <cmath>

#include "common/answers.h"
#include "common/answers_internal.h"
#include "common/message_catalogue.h"

namespace amana::forms {
namespace {

using detail::field_error;
using detail::kMaxTextBytes;
using detail::trim;

Status required_error(const Field& field) {
  if (!field.required_message.empty()) {
    return field_error(field, "answer.required_message", {{"message", field.required_message}});
  }
  return field_error(field, "answer.required");
}

// What decides whether the field is asked, as the not-relevant error shows it.
std::string relevance_source(const FormDefinition& form, const Field& field) {
  std::vector<std::string> parts;
  for (const Group* group : form.groups_of(field)) {
    if (group->relevant) parts.push_back(group->relevant->source());
  }
  if (field.relevant) parts.push_back(field.relevant->source());
  if (parts.size() == 1) return parts.front();
  std::string joined;
  for (const std::string& part : parts) joined += (joined.empty() ? "(" : " and (") + part + ")";
  return joined;
}

// The field with only the choices its filter offers now (retired ones kept, so that an old
// answer still reads).
Field filtered(const FormDefinition& form, const Field& field, const Answers& answers, const std::string& today) {
  Field copy = field;
  copy.choices.clear();
  for (const Choice* choice : available_choices(form, field, answers, today)) copy.choices.push_back(*choice);
  for (const Choice& choice : field.choices) {
    if (choice.retired) copy.choices.push_back(choice);
  }
  return copy;
}

// A computed field's value now; nullopt leaves it unanswered.
std::optional<std::string> computed_value(const FormDefinition& form, const Field& field, const Answers& answers,
                                          const std::optional<std::string>& previous,
                                          const ValidationOptions& options) {
  const bool kept = previous && !previous->empty();
  switch (field.type) {
    case FieldType::start:
      if (kept) return previous;
      return options.now.empty() ? std::nullopt : std::optional<std::string>(options.now);
    case FieldType::end: return options.now.empty() ? previous : std::optional<std::string>(options.now);
    case FieldType::today: return kept ? previous : std::optional<std::string>(options.today);
    case FieldType::deviceid:
      if (kept) return previous;
      return options.device_id.empty() ? std::nullopt : std::optional<std::string>(options.device_id);
    default: break;
  }
  if (!field.calculation) return previous;
  const expr::Value value = field.calculation->evaluate(make_context(form, answers, previous.value_or(""), options));
  if (value.is_number() && std::isnan(value.to_number())) return std::nullopt;
  const std::string text = value.to_string();
  if (text.empty()) return std::nullopt;
  if (field.type == FieldType::calculate) return text.substr(0, kMaxTextBytes);
  auto canonical = canonicalize(field, text);
  if (!canonical.ok()) return std::nullopt;
  return std::move(canonical).value();
}

// Whether the answer satisfies the field's constraint; an absent constraint always does.
bool satisfies_constraint(const FormDefinition& form, const Field& field, const std::string& canonical,
                          const Answers& answers, const std::string& today) {
  if (!field.constraint) return true;
  return field.constraint->evaluate(make_context(form, answers, canonical, today)).to_bool();
}

Status constraint_error(const Field& field) {
  if (!field.constraint_message.empty()) {
    return field_error(field, "answer.constraint_message", {{"message", field.constraint_message}});
  }
  return field_error(field, "answer.constraint_failed", {{"constraint", field.constraint->source()}});
}

}  // namespace

void recompute(const FormDefinition& form, Answers& answers, const ValidationOptions& options) {
  for (std::size_t index : form.evaluation_order) {
    const Field& field = form.fields[index];
    if (!is_relevant(form, field, answers, options.today)) {
      answers.erase(field.name);
      continue;
    }
    if (!field.computed()) continue;
    auto existing = answers.find(field.name);
    std::optional<std::string> previous;
    if (existing != answers.end()) previous = existing->second;
    if (auto value = computed_value(form, field, answers, previous, options)) answers[field.name] = *value;
    else answers.erase(field.name);
  }
}

Result<std::string> check_answer(const FormDefinition& form, const Field& field, std::string_view raw,
                                 const Answers& answers, const ValidationOptions& options) {
  std::string canonical;
  if (field.choice_filter) {
    AMANA_ASSIGN_OR_RETURN(canonical, canonicalize(filtered(form, field, answers, options.today), raw));
  } else {
    AMANA_ASSIGN_OR_RETURN(canonical, canonicalize(field, raw));
  }
  if (!satisfies_constraint(form, field, canonical, answers, options.today)) return constraint_error(field);
  return canonical;
}

Result<Answers> validate_submission(const FormDefinition& form, const Answers& given,
                                    const std::set<std::string, std::less<>>& explicitly_set,
                                    const ValidationOptions& options) {
  (void)options.language;  // messages are rendered where they are shown (Status::message_in)
  std::vector<Message> errors;
  for (const auto& [name, value] : given) {
    if (form.find_field(name) == nullptr) {
      errors.push_back(Message("answer.unknown_field", {{"field", name}, {"form", form.id}}));
    }
  }

  // Walk the form as a collector would: relevance and requiredness from earlier answers,
  // each field after what its value depends on (evaluation_order).
  Answers answers;
  std::vector<std::optional<Status>> field_errors(form.fields.size());
  for (std::size_t index : form.evaluation_order) {
    const Field& field = form.fields[index];
    auto given_answer = given.find(field.name);
    bool answered = given_answer != given.end() && !trim(given_answer->second).empty();
    const bool set = answered && explicitly_set.count(field.name) != 0;
    std::optional<Status>& error = field_errors[index];
    if (field.type == FieldType::note) {
      if (answered) error = field_error(field, "answer.note");
      continue;
    }
    if (!is_relevant(form, field, answers, options.today)) {
      if (set) error = field_error(field, "answer.not_relevant", {{"condition", relevance_source(form, field)}});
      continue;
    }
    if (field.computed()) {
      std::optional<std::string> previous;
      if (answered) previous = std::string(trim(given_answer->second));
      auto value = computed_value(form, field, answers, previous, options);
      // Submitting back what the engine computes (a record validated before) is no
      // answer; a calculation given another value is refused. Metadata is the device's
      // own and is filled whatever was given.
      if (set && field.calculation && value != previous) {
        error = field_error(field, "answer.computed");
        continue;
      }
      if (value) answers[field.name] = *value;
      continue;
    }
    if (field.read_only && set) {
      error = field_error(field, "answer.read_only");
      continue;
    }
    if (answered) {
      auto canonical = field.choice_filter
                           ? canonicalize(filtered(form, field, answers, options.today), given_answer->second)
                           : canonicalize(field, given_answer->second);
      if (!canonical.ok()) {
        error = canonical.status();
        continue;
      }
      answers[field.name] = std::move(canonical).value();
    } else if (auto fallback = default_answer(form, field, answers, options)) {
      answers[field.name] = *fallback;
    } else if (!field.read_only && is_required(form, field, answers, options.today)) {
      error = required_error(field);
    }
  }
  // Constraints may compare with any answer (end date after start date), so they run on
  // the complete submission.
  for (const Field& field : form.fields) {
    std::optional<Status>& error = field_errors[static_cast<std::size_t>(&field - form.fields.data())];
    auto answer = answers.find(field.name);
    if (!error && answer != answers.end() &&
        !satisfies_constraint(form, field, answer->second, answers, options.today)) {
      error = constraint_error(field);
    }
  }
  for (const std::optional<Status>& error : field_errors) {
    if (error) errors.insert(errors.end(), error->lines().begin(), error->lines().end());
  }
  if (errors.empty()) return answers;
  return Status(ErrorCode::invalid_argument, std::move(errors));
}

}  // namespace amana::forms

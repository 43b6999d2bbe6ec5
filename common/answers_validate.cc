#include <algorithm>
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
Field filtered(const FormDefinition& form, const Field& field, const Answers& answers, const std::string& today,
               const Scope& scope) {
  Field copy = field;
  copy.choices.clear();
  for (const Choice* choice : available_choices(form, field, answers, today, scope)) copy.choices.push_back(*choice);
  for (const Choice& choice : field.choices) {
    if (choice.retired) copy.choices.push_back(choice);
  }
  return copy;
}

// A computed field's value now; nullopt leaves it unanswered.
std::optional<std::string> computed_value(const FormDefinition& form, const Field& field, const Answers& answers,
                                          const std::optional<std::string>& previous,
                                          const ValidationOptions& options, const Scope& scope) {
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
  const expr::Value value = field.calculation->evaluate(make_context(form, answers, previous.value_or(""), options, scope));
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
                          const Answers& answers, const std::string& today, const Scope& scope) {
  if (!field.constraint) return true;
  return field.constraint->evaluate(make_context(form, answers, canonical, today, scope)).to_bool();
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
    for (const Scope& scope : scopes_of(form, field, answers)) {
      const std::string key = answer_key(field, scope);
      if (!is_relevant(form, field, answers, options.today, scope)) {
        answers.erase(key);
        continue;
      }
      if (!field.computed()) continue;
      auto existing = answers.find(key);
      std::optional<std::string> previous;
      if (existing != answers.end()) previous = existing->second;
      if (auto value = computed_value(form, field, answers, previous, options, scope)) answers[key] = *value;
      else answers.erase(key);
    }
  }
}

Result<std::string> check_answer(const FormDefinition& form, const Field& field, std::string_view raw,
                                 const Answers& answers, const ValidationOptions& options, const Scope& scope) {
  std::string canonical;
  if (field.choice_filter) {
    AMANA_ASSIGN_OR_RETURN(canonical, canonicalize(filtered(form, field, answers, options.today, scope), raw));
  } else {
    AMANA_ASSIGN_OR_RETURN(canonical, canonicalize(field, raw));
  }
  if (!satisfies_constraint(form, field, canonical, answers, options.today, scope)) return constraint_error(field);
  return canonical;
}

Result<Answers> validate_submission(const FormDefinition& form, const Answers& given,
                                    const std::set<std::string, std::less<>>& explicitly_set,
                                    const ValidationOptions& options) {
  (void)options.language;  // messages are rendered where they are shown (Status::message_in)
  // The keys first: unknown fields, malformed instance keys, the live instances' markers
  // (what every instance's scope is read from), and no more instances than may be checked.
  Answers answers;
  std::vector<Message> errors = detail::check_keys(form, given, explicitly_set, answers);
  if (auto too_many = detail::too_many_instances(form, answers)) return *too_many;
  const detail::Positions positions(form, answers);

  // Walk the form as a collector would: relevance and requiredness from earlier answers,
  // each field after what its value depends on (evaluation_order), in each instance.
  std::vector<std::vector<Message>> field_errors(form.fields.size());
  std::set<std::string, std::less<>> failed;  // keys of the answers refused
  auto report = [&](std::size_t index, const Scope& scope, const Status& status) {
    failed.insert(answer_key(form.fields[index], scope));
    for (const Message& line : status.lines()) field_errors[index].push_back(positions.about(scope, line));
  };
  for (std::size_t index : form.evaluation_order) {
    const Field& field = form.fields[index];
    for (const Scope& scope : scopes_of(form, field, answers)) {
      const std::string key = answer_key(field, scope);
      auto given_answer = given.find(key);
      const bool answered = given_answer != given.end() && !trim(given_answer->second).empty();
      const bool set = answered && explicitly_set.count(key) != 0;
      if (field.type == FieldType::note) {
        if (answered) report(index, scope, field_error(field, "answer.note"));
        continue;
      }
      if (!is_relevant(form, field, answers, options.today, scope)) {
        if (set) {
          report(index, scope, field_error(field, "answer.not_relevant", {{"condition", relevance_source(form, field)}}));
        }
        continue;
      }
      if (field.computed()) {
        std::optional<std::string> previous;
        if (answered) previous = std::string(trim(given_answer->second));
        auto value = computed_value(form, field, answers, previous, options, scope);
        // Submitting back what the engine computes (a record validated before) is no
        // answer; a calculation given another value is refused. Metadata is the device's
        // own and is filled whatever was given.
        if (set && field.calculation && value != previous) {
          report(index, scope, field_error(field, "answer.computed"));
          continue;
        }
        if (value) answers[key] = *value;
        continue;
      }
      if (field.read_only && set) {
        report(index, scope, field_error(field, "answer.read_only"));
        continue;
      }
      if (answered) {
        auto canonical = field.choice_filter
                             ? canonicalize(filtered(form, field, answers, options.today, scope), given_answer->second)
                             : canonicalize(field, given_answer->second);
        if (!canonical.ok()) {
          report(index, scope, canonical.status());
          continue;
        }
        answers[key] = std::move(canonical).value();
      } else if (auto fallback = default_answer(form, field, answers, options, scope)) {
        answers[key] = *fallback;
      } else if (!field.read_only && is_required(form, field, answers, options.today, scope)) {
        report(index, scope, required_error(field));
      }
    }
  }
  // Constraints may compare with any answer (end date after start date), so they run on
  // the complete submission.
  for (std::size_t index = 0; index < form.fields.size(); ++index) {
    const Field& field = form.fields[index];
    if (!field.constraint) continue;
    for (const Scope& scope : scopes_of(form, field, answers)) {
      auto answer = answers.find(answer_key(field, scope));
      if (answer == answers.end() || failed.count(answer->first) != 0) continue;
      if (!satisfies_constraint(form, field, answer->second, answers, options.today, scope)) {
        report(index, scope, constraint_error(field));
      }
    }
  }
  for (auto& [index, message] : detail::repeat_count_errors(form, answers, options, positions)) {
    field_errors[index].insert(field_errors[index].begin(), std::move(message));
  }
  for (std::vector<Message>& lines : field_errors) errors.insert(errors.end(), lines.begin(), lines.end());
  if (errors.empty()) return answers;
  return Status(ErrorCode::invalid_argument, std::move(errors));
}

}  // namespace amana::forms

// What validate_submission checks of repeats beyond each instance's fields: that every key
// is one the form has, how many instances there are, and which instance an error is about.
#include <algorithm>
#include <cmath>

#include "common/answers.h"
#include "common/answers_internal.h"
#include "common/message_catalogue.h"

namespace amana::forms::detail {
namespace {

// Every scope `group`'s instances are in: {{}} for a top-level repeat, every live instance
// of the repeats enclosing it otherwise.
std::vector<Scope> enclosing_scopes(const FormDefinition& form, const Group& group, const Answers& answers) {
  std::vector<Scope> scopes{{}};
  for (const Group* outer : form.repeats_of(group)) {
    std::vector<Scope> inner;
    for (const Scope& scope : scopes) {
      for (Scope& instance : instances(form, *outer, answers, scope)) inner.push_back(std::move(instance));
    }
    scopes = std::move(inner);
  }
  return scopes;
}

std::string marker_key(const Scope& scope) { return repeat_keys::compose(repeat_keys::Key{scope, ""}); }

}  // namespace

std::vector<Message> check_keys(const FormDefinition& form, const Answers& given,
                                const std::set<std::string, std::less<>>& explicitly_set, Answers& answers) {
  std::vector<Message> errors;
  auto unknown = [&](const std::string& key) {
    errors.push_back(Message("answer.unknown_field", {{"field", key}, {"form", form.id}}));
  };
  std::vector<std::pair<std::string, repeat_keys::Key>> instance_fields;
  for (const auto& [key, value] : given) {
    if (key.find('/') == std::string::npos) {
      const Field* field = form.find_field(key);
      if (field == nullptr || !form.repeats_of(*field).empty()) unknown(key);
      continue;
    }
    auto parsed = repeat_keys::parse(key);
    if (!parsed || parsed->path.empty() || !is_repeat_path(form, parsed->path)) {
      unknown(key);
      continue;
    }
    if (parsed->is_marker()) {
      const std::string position(trim(value));
      if (position.empty()) continue;  // a removed instance
      if (!is_instance_position(position)) {
        errors.push_back(Message("answer.instance_position", {{"field", key}, {"value", position}}));
        continue;
      }
      answers[key] = position;
      continue;
    }
    const Field* field = form.find_field(parsed->field);
    const auto holders = field ? form.repeats_of(*field) : std::vector<const Group*>{};
    if (holders.size() != parsed->path.size() || holders.back()->name != parsed->path.back().repeat) {
      unknown(key);
      continue;
    }
    instance_fields.emplace_back(key, std::move(*parsed));
  }
  // An instance's fields without its live marker are dropped, as a removed instance's are;
  // setting one is refused, since the answer would be lost.
  for (const auto& [key, parsed] : instance_fields) {
    if (explicitly_set.count(key) == 0 || trim(given.find(key)->second).empty()) continue;
    for (std::size_t depth = 1; depth <= parsed.path.size(); ++depth) {
      const Scope scope(parsed.path.begin(), parsed.path.begin() + static_cast<std::ptrdiff_t>(depth));
      if (answers.count(marker_key(scope)) == 0) {
        errors.push_back(Message("answer.no_instance", {{"field", key}}));
        break;
      }
    }
  }
  return errors;
}

std::optional<Status> too_many_instances(const FormDefinition& form, const Answers& answers) {
  for (const Group& group : form.groups) {
    if (!group.repeat) continue;
    for (const Scope& scope : enclosing_scopes(form, group, answers)) {
      const std::size_t count = instances(form, group, answers, scope).size();
      if (count > kMaxInstances) {
        return invalid_argument(Message("answer.too_many_instances",
                                        {{"repeat", group.name},
                                         {"count", static_cast<std::int64_t>(count)},
                                         {"limit", static_cast<std::int64_t>(kMaxInstances)}}));
      }
    }
  }
  return std::nullopt;
}

Positions::Positions(const FormDefinition& form, const Answers& answers) {
  for (const Group& group : form.groups) {
    if (!group.repeat) continue;
    for (const Scope& scope : enclosing_scopes(form, group, answers)) {
      std::int64_t position = 0;
      for (const Scope& instance : instances(form, group, answers, scope)) positions_[marker_key(instance)] = ++position;
    }
  }
}

Message Positions::about(const Scope& scope, const Message& line) const {
  Message about = line;
  for (std::size_t depth = scope.size(); depth > 0; --depth) {
    const Scope instance(scope.begin(), scope.begin() + static_cast<std::ptrdiff_t>(depth));
    const auto position = positions_.find(marker_key(instance));
    about = Message("answer.in_instance", {{"repeat", scope[depth - 1].repeat},
                                           {"position", position == positions_.end() ? 0 : position->second},
                                           {"problem", about}});
  }
  return about;
}

std::vector<std::pair<std::size_t, Message>> repeat_count_errors(const FormDefinition& form, const Answers& answers,
                                                                 const ValidationOptions& options,
                                                                 const Positions& positions) {
  std::vector<std::pair<std::size_t, Message>> errors;
  for (const Group& group : form.groups) {
    if (!group.repeat_count) continue;
    std::optional<std::size_t> first;
    for (std::size_t k = 0; k < form.fields.size() && !first; ++k) {
      const auto holders = form.groups_of(form.fields[k]);
      if (std::find(holders.begin(), holders.end(), &group) != holders.end()) first = k;
    }
    if (!first) continue;
    for (const Scope& scope : enclosing_scopes(form, group, answers)) {
      if (!is_group_relevant(form, group, answers, options.today, scope)) continue;
      // As ODK: a count that is not a number (an unanswered household size) is no instance.
      const double count = group.repeat_count->evaluate(make_context(form, answers, "", options, scope)).to_number();
      const double expected = std::isfinite(count) && count > 0 ? std::floor(count) : 0;
      if (expected > static_cast<double>(kMaxInstances)) {
        errors.emplace_back(*first, positions.about(scope, Message("answer.repeat_count_too_large",
                                                                   {{"repeat", group.name},
                                                                    {"count", static_cast<std::int64_t>(
                                                                                  std::min(expected, 1e15))},
                                                                    {"limit", static_cast<std::int64_t>(kMaxInstances)}})));
        continue;
      }
      const std::size_t given = instances(form, group, answers, scope).size();
      if (static_cast<double>(given) != expected) {
        errors.emplace_back(*first, positions.about(scope, Message("answer.repeat_count",
                                                                   {{"repeat", group.name},
                                                                    {"count", static_cast<std::int64_t>(expected)},
                                                                    {"given", static_cast<std::int64_t>(given)}})));
      }
    }
  }
  return errors;
}

}  // namespace amana::forms::detail

namespace amana::forms {

bool is_repeat_path(const FormDefinition& form, const Scope& scope) {
  for (std::size_t i = 0; i < scope.size(); ++i) {
    const Group* group = form.find_group(scope[i].repeat);
    if (group == nullptr || !group->repeat) return false;
    const auto outer = form.repeats_of(*group);
    if (outer.size() != i || (i > 0 && outer.back()->name != scope[i - 1].repeat)) return false;
  }
  return true;
}

bool is_instance_position(std::string_view text) {
  return !text.empty() && text.size() <= 18 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace amana::forms

// The JSON API (ui_api.h): the instances of a repeat as the screens change them. Adding
// one, removing one and creating them up to a computed count are done here, on the answers
// the page sent, before the forms engine's view is made of them; the page never decides an
// instance's key, position or whether the repeat has room for another.
#include <algorithm>
#include <cmath>

#include "common/message_catalogue.h"
#include "field-client/ui_api_internal.h"

namespace amana::field::ui::detail {
namespace {

using forms::Group;
using forms::Scope;
namespace rk = forms::repeat_keys;

// Every scope `group`'s instances are in: {{}} for a top-level repeat, every live instance
// of the repeats enclosing it otherwise.
std::vector<Scope> enclosing_scopes(const forms::FormDefinition& form, const Group& group, const Answers& answers) {
  std::vector<Scope> scopes{{}};
  for (const Group* outer : form.repeats_of(group)) {
    std::vector<Scope> inner;
    for (const Scope& scope : scopes) {
      for (Scope& instance : forms::instances(form, *outer, answers, scope)) inner.push_back(std::move(instance));
    }
    scopes = std::move(inner);
  }
  return scopes;
}

std::string repeat_name(const Group& group, Language language) {
  return group.label.empty() ? group.name : group.label.in(language);
}

struct Place {
  const Group* group = nullptr;
  Scope parent;
};

// The repeat a list key names ("members", "members/<id>/children") with its live parent.
Result<Place> place_of(const forms::FormDefinition& form, const Answers& raw, std::string_view list) {
  const auto slash = list.rfind('/');
  const std::string name(slash == std::string_view::npos ? list : list.substr(slash + 1));
  Place place;
  place.group = form.find_group(name);
  if (place.group == nullptr || !place.group->repeat) {
    return invalid_argument(Message("ui.not_a_repeat", {{"repeat", std::string(list)}}));
  }
  if (slash != std::string_view::npos) {
    auto parsed = rk::parse(list.substr(0, slash));
    if (!parsed || !parsed->is_marker() || !forms::is_repeat_path(form, parsed->path)) {
      return invalid_argument(Message("ui.not_a_repeat", {{"repeat", std::string(list)}}));
    }
    place.parent = parsed->path;
    auto marker = raw.find(list.substr(0, slash));
    if (marker == raw.end() || trimmed(marker->second).empty()) {
      return not_found(Message("ui.no_such_instance", {{"instance", std::string(list.substr(0, slash))}}));
    }
  }
  const auto outer = form.repeats_of(*place.group);
  if (outer.size() != place.parent.size() || (!outer.empty() && outer.back()->name != place.parent.back().repeat)) {
    return invalid_argument(Message("ui.not_a_repeat", {{"repeat", std::string(list)}}));
  }
  return place;
}

// Adds one instance of `place` after the last (its position one more than the greatest).
void add_one(Answers& raw, const Place& place) {
  const std::string prefix = list_key(*place.group, place.parent) + "/";
  std::int64_t greatest = 0;
  for (auto it = raw.lower_bound(prefix); it != raw.end() && it->first.starts_with(prefix); ++it) {
    const std::string_view rest = std::string_view(it->first).substr(prefix.size());
    const std::string value = trimmed(it->second);
    if (rk::is_instance_id(rest) && forms::is_instance_position(value)) greatest = std::max<std::int64_t>(greatest, std::stoll(value));
  }
  Scope scope = place.parent;
  scope.push_back({place.group->name, rk::new_instance_id()});
  raw[rk::compose(rk::Key{scope, ""})] = std::to_string(greatest + 1);
}

}  // namespace

Answers typed_answers(const forms::FormDefinition& form, const Answers& raw, const forms::ValidationOptions& options) {
  Answers typed;
  for (const auto& [key, value] : raw) {
    auto parsed = rk::parse(key);
    if (!parsed) continue;
    if (parsed->is_marker()) {
      const std::string position = trimmed(value);
      if (forms::is_repeat_path(form, parsed->path) && forms::is_instance_position(position)) typed[key] = position;
      continue;
    }
    const Field* field = form.find_field(parsed->field);
    if (field == nullptr || field->type == FieldType::note || !field->asked()) continue;  // computed, not taken
    if (form.repeats_of(*field).size() != parsed->path.size()) continue;
    if (auto canonical = forms::canonicalize(*field, trimmed(value)); canonical.ok() && !canonical->empty()) {
      typed[key] = *canonical;
    }
  }
  // Calculations as the answers stand, so the page shows them as the person types.
  forms::recompute(form, typed, options);
  return typed;
}

std::string list_key(const Group& repeat, const Scope& parent) {
  if (parent.empty()) return repeat.name;
  return rk::compose(rk::Key{parent, ""}) + "/" + repeat.name;
}

std::optional<std::size_t> expected_instances(const forms::FormDefinition& form, const Group& repeat,
                                              const Answers& typed, const forms::ValidationOptions& options,
                                              const Scope& parent) {
  if (!repeat.repeat_count) return std::nullopt;
  // As ODK: a count that is not a number (an unanswered household size) is no instance.
  const double count = repeat.repeat_count->evaluate(forms::make_context(form, typed, "", options, parent)).to_number();
  const double expected = std::isfinite(count) && count > 0 ? std::floor(count) : 0;
  return static_cast<std::size_t>(std::min(expected, static_cast<double>(forms::kMaxInstances)));
}

std::string instance_label(const forms::FormDefinition& form, const Scope& scope, const Answers& typed,
                           Language language) {
  std::string out;
  for (std::size_t depth = 1; depth <= scope.size(); ++depth) {
    const Scope here(scope.begin(), scope.begin() + static_cast<std::ptrdiff_t>(depth));
    const Group* group = form.find_group(here.back().repeat);
    if (group == nullptr) continue;
    const Scope parent(here.begin(), here.end() - 1);
    const auto all = forms::instances(form, *group, typed, parent);
    const auto at = std::find(all.begin(), all.end(), here);
    const std::int64_t position = at == all.end() ? 0 : static_cast<std::int64_t>(at - all.begin()) + 1;
    if (!out.empty()) out += " › ";
    out += Message("ui.instance", {{"repeat", repeat_name(*group, language)}, {"position", position}}).in(language);
  }
  return out;
}

Message in_instance(const forms::FormDefinition& form, const Scope& scope, const Answers& typed, Message line) {
  for (std::size_t depth = scope.size(); depth > 0; --depth) {
    const Scope here(scope.begin(), scope.begin() + static_cast<std::ptrdiff_t>(depth));
    const Group* group = form.find_group(here.back().repeat);
    std::int64_t position = 0;
    if (group != nullptr) {
      const Scope parent(here.begin(), here.end() - 1);
      const auto all = forms::instances(form, *group, typed, parent);
      const auto at = std::find(all.begin(), all.end(), here);
      if (at != all.end()) position = static_cast<std::int64_t>(at - all.begin()) + 1;
    }
    line = Message("answer.in_instance", {{"repeat", here.back().repeat}, {"position", position}, {"problem", line}});
  }
  return line;
}

Status add_instance(const forms::FormDefinition& form, Answers& raw, std::string_view list,
                    const forms::ValidationOptions& options) {
  AMANA_ASSIGN_OR_RETURN(Place place, place_of(form, raw, list));
  const Answers typed = typed_answers(form, raw, options);
  const std::size_t live = forms::instances(form, *place.group, typed, place.parent).size();
  const auto expected = expected_instances(form, *place.group, typed, options, place.parent);
  const std::size_t room = expected ? *expected : forms::kMaxInstances;
  if (live >= room) {
    return invalid_argument(Message("ui.repeat_full", {{"repeat", repeat_name(*place.group, options.language)},
                                                       {"count", static_cast<std::int64_t>(live)}}));
  }
  add_one(raw, place);
  return Status::success();
}

Status remove_instance(const forms::FormDefinition& form, Answers& raw, std::string_view marker,
                       const forms::ValidationOptions& options) {
  auto parsed = rk::parse(marker);
  auto given = raw.find(marker);
  if (!parsed || !parsed->is_marker() || !forms::is_repeat_path(form, parsed->path) || given == raw.end() ||
      trimmed(given->second).empty()) {
    return not_found(Message("ui.no_such_instance", {{"instance", std::string(marker)}}));
  }
  const Group& group = *form.find_group(parsed->path.back().repeat);
  const Scope parent(parsed->path.begin(), parsed->path.end() - 1);
  const Answers typed = typed_answers(form, raw, options);
  const auto expected = expected_instances(form, group, typed, options, parent);
  if (expected && forms::instances(form, group, typed, parent).size() <= *expected) {
    return invalid_argument(Message("ui.repeat_at_count", {{"repeat", repeat_name(group, options.language)},
                                                           {"count", static_cast<std::int64_t>(*expected)}}));
  }
  std::erase_if(raw, [&](const auto& entry) { return rk::is_within(entry.first, parsed->path); });
  return Status::success();
}

void grow_to_counts(const forms::FormDefinition& form, Answers& raw, const forms::ValidationOptions& options) {
  for (const Group& group : form.groups) {  // parents before children: outer instances first
    if (!group.repeat || !group.repeat_count) continue;
    const Answers typed = typed_answers(form, raw, options);
    for (const Scope& parent : enclosing_scopes(form, group, typed)) {
      if (!forms::is_group_relevant(form, group, typed, options.today, parent)) continue;
      const auto expected = expected_instances(form, group, typed, options, parent);
      std::size_t live = forms::instances(form, group, typed, parent).size();
      for (; expected && live < *expected; ++live) add_one(raw, Place{&group, parent});
    }
  }
}

Status change_instances(const forms::FormDefinition& form, Answers& raw, const Json& body,
                        const forms::ValidationOptions& options, bool grow) {
  if (const std::string add = body_string(body, "add"); !add.empty()) {
    AMANA_RETURN_IF_ERROR(add_instance(form, raw, add, options));
  }
  if (const std::string remove = body_string(body, "remove"); !remove.empty()) {
    AMANA_RETURN_IF_ERROR(remove_instance(form, raw, remove, options));
  }
  if (grow || (body.contains("grow") && body["grow"].is_boolean() && body["grow"].get<bool>())) grow_to_counts(form, raw, options);
  return Status::success();
}

FieldNames notes_of(const Json& body) {
  FieldNames out;
  if (body.contains("cleared") && body["cleared"].is_array()) {
    for (const Json& name : body["cleared"]) {
      if (name.is_string() && out.size() < 10000) out.insert(name.get<std::string>());
    }
  }
  return out;
}

}  // namespace amana::field::ui::detail

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
    if (!out.empty()) out += " › ";
    if (at == all.end()) {  // removed (a record's history names it): no number, not "#0"
      out += Message("ui.removed_instance", {{"repeat", repeat_name(*group, language)}}).in(language);
      continue;
    }
    const std::int64_t position = static_cast<std::int64_t>(at - all.begin()) + 1;
    out += Message("ui.instance", {{"repeat", repeat_name(*group, language)}, {"position", position}}).in(language);
  }
  return out;
}

std::string plain_problem(const Message& line, Language language) {
  constexpr std::string_view kNamed = "{field} ({label}): ";
  const std::string text = line.in(language);
  if (!line.key().text(language).starts_with(kNamed)) return text;
  std::string field;
  std::string label;
  for (const MessageArg& arg : line.args()) {
    if (arg.name == "field") field = arg.value.in(language);
    if (arg.name == "label") label = arg.value.in(language);
  }
  const std::string named = field + " (" + label + "): ";
  return text.starts_with(named) ? text.substr(named.size()) : text;
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

namespace {

// Whether anything was answered in the instance at `path` (its own and its nested
// instances' answers; the markers of nested instances are not answers).
bool has_answers(const Answers& raw, const Scope& path) {
  const std::string prefix = rk::compose(rk::Key{path, ""}) + "/";
  for (auto it = raw.lower_bound(prefix); it != raw.end() && it->first.starts_with(prefix); ++it) {
    auto parsed = rk::parse(it->first);
    if (parsed && !parsed->is_marker() && !trimmed(it->second).empty()) return true;
  }
  return false;
}

LocalizedText repeat_text(const Group& group) {
  return group.label.empty() ? LocalizedText{group.name, group.name} : group.label;
}

}  // namespace

void fit_to_counts(const forms::FormDefinition& form, Answers& raw, const forms::ValidationOptions& options,
                   std::vector<Removed>* removed) {
  for (const Group& group : form.groups) {  // parents before children: outer instances first
    if (!group.repeat || !group.repeat_count) continue;
    const Answers typed = typed_answers(form, raw, options);
    for (const Scope& parent : enclosing_scopes(form, group, typed)) {
      if (!forms::is_group_relevant(form, group, typed, options.today, parent)) continue;
      const auto expected = expected_instances(form, group, typed, options, parent);
      if (!expected) continue;
      const auto all = forms::instances(form, group, typed, parent);
      std::size_t live = all.size();
      for (; live < *expected; ++live) add_one(raw, Place{&group, parent});
      // Past the count: the empty ones go, the last first; named as they were numbered.
      std::vector<LocalizedText> gone;
      for (auto it = all.rbegin(); it != all.rend() && live > *expected; ++it) {
        if (has_answers(raw, *it)) continue;
        gone.insert(gone.begin(), LocalizedText{instance_label(form, *it, typed, Language::en),
                                                instance_label(form, *it, typed, Language::ar)});
        std::erase_if(raw, [&](const auto& entry) { return rk::is_within(entry.first, *it); });
        --live;
      }
      if (!gone.empty() && removed != nullptr) {
        LocalizedText repeat = repeat_text(group);
        if (!parent.empty()) {
          repeat = {instance_label(form, parent, typed, Language::en) + " › " + repeat.in(Language::en),
                    instance_label(form, parent, typed, Language::ar) + " › " + repeat.in(Language::ar)};
        }
        removed->push_back({list_key(group, parent),
                            Message("ui.entries_removed", {{"repeat", repeat},
                                                           {"count", static_cast<std::int64_t>(*expected)},
                                                           {"entries", join_list(gone)}})});
      }
    }
  }
}

Status change_instances(const forms::FormDefinition& form, Answers& raw, const Json& body,
                        const forms::ValidationOptions& options, bool grow, std::vector<Removed>* removed) {
  if (const std::string add = body_string(body, "add"); !add.empty()) {
    AMANA_RETURN_IF_ERROR(add_instance(form, raw, add, options));
  }
  if (const std::string remove = body_string(body, "remove"); !remove.empty()) {
    AMANA_RETURN_IF_ERROR(remove_instance(form, raw, remove, options));
  }
  if (grow || (body.contains("grow") && body["grow"].is_boolean() && body["grow"].get<bool>())) {
    fit_to_counts(form, raw, options, removed);
  }
  return Status::success();
}

void note_removed(Json& view, const std::vector<Removed>& removed, Language language) {
  for (const Removed& r : removed) {
    for (Json& q : view["questions"]) {
      if (q.value("name", "") == r.list) q["removed"] = r.note.in(language);
    }
  }
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

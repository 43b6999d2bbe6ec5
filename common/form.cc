#include "common/form.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "common/form_internal.h"
#include "common/message_catalogue.h"
#include "common/repeat_keys.h"

namespace amana::forms {
namespace {

using detail::check_keys;
using detail::check_references;
using detail::evaluation_order;
using detail::is_form_id;
using detail::is_metadata;
using detail::parse_field;
using detail::get_expression;
using detail::get_string;
using detail::get_text;
using detail::is_identifier;
using detail::json;

// A definition may later arrive from the server; these bound what one may cost to load.
// As forms::kMaxPublishedFormBytes (form_pack.h, which says why 4 MiB), which it must not be under.
constexpr std::size_t kMaxDefinitionBytes = 4u << 20;
constexpr std::size_t kMaxFields = 1000;

constexpr std::size_t kMaxGroups = 200;
constexpr int kMaxGroupDepth = 8;

// A repeat's count: a whole number, or an expression (`${hh_size}`).
Result<expr::Expression> parse_repeat_count(const json& object, const std::string& where) {
  const json& count = object["repeat_count"];
  if (count.is_number_unsigned()) {
    if (count.get<std::uint64_t>() > kMaxInstances) {
      return invalid_argument(where + ": repeat_count " + count.dump() + " is more than the " +
                              std::to_string(kMaxInstances) + " instances a repeat may have");
    }
    return expr::Expression::parse(count.dump());
  }
  if (!count.is_string()) {
    return invalid_argument(where + ": 'repeat_count' must be a whole number or an expression such as \"${hh_size}\"");
  }
  return get_expression(object, "repeat_count", where);
}

Result<Group> parse_group(const json& object, std::optional<std::size_t> parent, const std::string& at) {
  Group group;
  group.parent = parent;
  group.repeat = object["type"] == "repeat";
  AMANA_ASSIGN_OR_RETURN(group.name, get_string(object, "name", at));
  if (!is_identifier(group.name)) {
    return invalid_argument(at + ": name '" + group.name + "' must be a letter or '_' followed by letters, digits or '_'");
  }
  if (group.repeat && group.name.size() > 64) {  // exports name a file and a sheet after it (repeat_keys::table_path)
    return invalid_argument(at + ": a repeat's name '" + group.name + "' must be at most 64 characters");
  }
  const std::string where = std::string(group.repeat ? "repeat" : "group") + " '" + group.name + "'";
  if (group.repeat) {
    AMANA_RETURN_IF_ERROR(
        check_keys(object, {"name", "type", "label", "relevant", "appearance", "fields", "repeat_count", "disclosure"},
                   where));
    if (object.contains("repeat_count")) {
      AMANA_ASSIGN_OR_RETURN(group.repeat_count, parse_repeat_count(object, where));
    }
    if (object.contains("disclosure")) {
      AMANA_ASSIGN_OR_RETURN(std::string disclosure, get_string(object, "disclosure", where));
      if (disclosure == "drop") group.disclosure = RepeatDisclosure::dropped;
      else if (disclosure != "unlinked") {
        return invalid_argument(where + ": unknown disclosure '" + disclosure +
                                "' for a repeat (known: unlinked, drop: see docs/meal.md \"Repeats\")");
      }
    }
  } else {
    AMANA_RETURN_IF_ERROR(check_keys(object, {"name", "type", "label", "relevant", "appearance", "fields"}, where));
  }
  if (object.contains("label")) {
    AMANA_ASSIGN_OR_RETURN(group.label, get_text(object["label"], where + ": label"));
  }
  if (object.contains("relevant")) {
    AMANA_ASSIGN_OR_RETURN(group.relevant, get_expression(object, "relevant", where));
  }
  if (object.contains("appearance")) {
    if (object["appearance"] != "field-list") {
      return invalid_argument(where + ": the only appearance of a group is \"field-list\" (its questions on one page)");
    }
    group.field_list = true;
  }
  return group;
}

// Fields, groups and repeats of one level, appended in order: the fields flat, each
// knowing its innermost group. `repeats` is how many repeats hold this level.
Status parse_items(const json& items, std::optional<std::size_t> parent, int depth, std::size_t repeats,
                   FormDefinition& form, std::set<std::string, std::less<>>& names, const std::string& where) {
  // At the top level `where` is empty: the caller puts the form's name in front.
  const std::string at_level = where.empty() ? "" : where + ": ";
  if (!items.is_array() || items.empty()) return invalid_argument(at_level + "'fields' must be a non-empty array");
  for (const json& item : items) {
    if (form.fields.size() >= kMaxFields) {
      return invalid_argument(at_level + "more than " + std::to_string(kMaxFields) + " fields");
    }
    if (item.is_object() && item.contains("type") && (item["type"] == "group" || item["type"] == "repeat")) {
      const bool repeat = item["type"] == "repeat";
      const std::string at = std::string(repeat ? "repeat" : "group") + " " + std::to_string(form.groups.size() + 1);
      if (repeat && repeats >= repeat_keys::kMaxDepth) {
        return invalid_argument(at + ": repeats nested deeper than " + std::to_string(repeat_keys::kMaxDepth));
      }
      if (depth >= kMaxGroupDepth) return invalid_argument(at + ": groups nested deeper than " + std::to_string(kMaxGroupDepth));
      if (form.groups.size() >= kMaxGroups) return invalid_argument(at + ": more than " + std::to_string(kMaxGroups) + " groups");
      AMANA_ASSIGN_OR_RETURN(Group group, parse_group(item, parent, at));
      if (!names.insert(group.name).second) return invalid_argument("'" + group.name + "' appears twice");
      const std::string inside = std::string(repeat ? "repeat" : "group") + " '" + group.name + "'";
      if (!item.contains("fields")) return invalid_argument(inside + ": 'fields' is missing");
      const std::size_t index = form.groups.size();
      form.groups.push_back(std::move(group));
      AMANA_RETURN_IF_ERROR(parse_items(item["fields"], index, depth + 1, repeats + (repeat ? 1 : 0), form, names, inside));
      continue;
    }
    auto field = parse_field(item, form.fields.size());
    if (!field.ok()) return field.status();
    if (!names.insert(field->name).second) return invalid_argument("field '" + field->name + "' appears twice");
    field->group = parent;
    form.fields.push_back(std::move(field).value());
  }
  return Status();
}

// The further languages the form is written in, in the order first met.
std::vector<std::string> languages_of(const FormDefinition& form) {
  std::vector<std::string> languages;
  auto note = [&](const LocalizedText& text) {
    for (const auto& [code, translation] : text.more) {
      if (std::find(languages.begin(), languages.end(), code) == languages.end()) languages.push_back(code);
    }
  };
  note(form.title);
  for (const Group& group : form.groups) note(group.label);
  for (const Field& field : form.fields) {
    note(field.label);
    note(field.hint);
    for (const Choice& choice : field.choices) note(choice.label);
  }
  return languages;
}

}  // namespace

Result<Language> parse_language(std::string_view code) {
  if (code == "en") return Language::en;
  if (code == "ar") return Language::ar;
  return invalid_argument(Message("form.unknown_language", {{"language", std::string(code)}}));
}

namespace {
constexpr std::pair<FieldType, std::string_view> kTypeNames[] = {
    {FieldType::text, "text"},
    {FieldType::integer, "integer"},
    {FieldType::decimal, "decimal"},
    {FieldType::date, "date"},
    {FieldType::datetime, "datetime"},
    {FieldType::select_one, "select_one"},
    {FieldType::select_multiple, "select_multiple"},
    {FieldType::boolean, "boolean"},
    {FieldType::geopoint, "geopoint"},
    {FieldType::note, "note"},
    {FieldType::calculate, "calculate"},
    {FieldType::start, "start"},
    {FieldType::end, "end"},
    {FieldType::today, "today"},
    {FieldType::deviceid, "deviceid"},
};
}  // namespace

std::string_view field_type_name(FieldType type) {
  for (const auto& [candidate, name] : kTypeNames) {
    if (candidate == type) return name;
  }
  return "unknown";
}

Result<FieldType> parse_field_type(std::string_view name) {
  for (const auto& [type, candidate] : kTypeNames) {
    if (candidate == name) return type;
  }
  std::string names;
  for (const auto& [type, candidate] : kTypeNames) names += (names.empty() ? "" : ", ") + std::string(candidate);
  return invalid_argument("unknown field type '" + std::string(name) + "' (known: " + names + ")");
}

const Choice* Field::find_choice(std::string_view choice_name) const {
  for (const Choice& choice : choices) {
    if (choice.name == choice_name) return &choice;
  }
  for (const Choice& choice : choices) {
    if (!choice.former_name.empty() && choice.former_name == choice_name) return &choice;
  }
  return nullptr;
}

std::span<const Choice> Field::offered_choices() const {
  std::size_t offered = 0;
  while (offered < choices.size() && !choices[offered].retired) ++offered;
  return {choices.data(), offered};
}

bool Field::computed() const {
  return calculation.has_value() || type == FieldType::calculate || is_metadata(type);
}

bool Field::asked() const { return type != FieldType::note && !computed() && !read_only; }

std::vector<const Group*> FormDefinition::groups_of(const Field& field) const {
  std::vector<const Group*> chain;
  for (std::optional<std::size_t> at = field.group; at && *at < groups.size(); at = groups[*at].parent) {
    chain.insert(chain.begin(), &groups[*at]);
  }
  return chain;
}

std::vector<const Group*> FormDefinition::repeats_of(const Field& field) const {
  std::vector<const Group*> chain = groups_of(field);
  std::erase_if(chain, [](const Group* group) { return !group->repeat; });
  return chain;
}

std::vector<const Group*> FormDefinition::repeats_of(const Group& group) const {
  std::vector<const Group*> chain;
  for (std::optional<std::size_t> at = group.parent; at && *at < groups.size(); at = groups[*at].parent) {
    if (groups[*at].repeat) chain.insert(chain.begin(), &groups[*at]);
  }
  return chain;
}

const Group* FormDefinition::find_group(std::string_view name) const {
  for (const Group& group : groups) {
    if (group.name == name) return &group;
  }
  return nullptr;
}

const Field* FormDefinition::find_field(std::string_view name) const {
  for (const Field& field : fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

Result<FormDefinition> parse_form_definition(std::string_view text) {
  if (text.size() > kMaxDefinitionBytes) {
    return invalid_argument("form definition is larger than " + std::to_string(kMaxDefinitionBytes) + " bytes");
  }
  json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return invalid_argument("form definition is not valid JSON");
  if (!document.is_object()) return invalid_argument("form definition must be a JSON object");
  AMANA_RETURN_IF_ERROR(check_keys(document, {"id", "version", "title", "fields", "dated_by"}, "form"));

  FormDefinition form;
  AMANA_ASSIGN_OR_RETURN(form.id, get_string(document, "id", "form"));
  if (!is_form_id(form.id)) {
    return invalid_argument("form id '" + form.id + "' must be lower-case letters, digits and '-'");
  }
  std::string where = "form '" + form.id + "'";
  if (!document.contains("version") || !document["version"].is_number_unsigned() ||
      document["version"].get<std::uint64_t>() == 0 ||
      document["version"].get<std::uint64_t>() > UINT32_MAX) {
    return invalid_argument(where + ": 'version' must be a positive whole number");
  }
  form.version = document["version"].get<std::uint32_t>();
  if (!document.contains("title")) return invalid_argument(where + ": 'title' is missing");
  AMANA_ASSIGN_OR_RETURN(form.title, get_text(document["title"], where + ": title"));

  if (!document.contains("fields")) return invalid_argument(where + ": 'fields' must be a non-empty array");
  std::set<std::string, std::less<>> names;
  auto items = parse_items(document["fields"], std::nullopt, 0, 0, form, names, "");
  if (!items.ok()) return items.with_context(where);
  auto references = check_references(form);
  if (!references.ok()) return references.with_context(where);
  auto order = evaluation_order(form);
  if (!order.ok()) return order.status().with_context(where);
  form.evaluation_order = std::move(order).value();
  form.languages = languages_of(form);
  if (document.contains("dated_by")) {
    AMANA_ASSIGN_OR_RETURN(form.dated_by, get_string(document, "dated_by", where));
    const Field* dated = form.find_field(form.dated_by);
    if (dated == nullptr || dated->type != FieldType::date) {
      return invalid_argument(where + ": 'dated_by' must name a date field of the form, not '" + form.dated_by + "'");
    }
  }
  return form;
}

}  // namespace amana::forms

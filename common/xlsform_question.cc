// The rules of one survey row (xlsform_internal.h): a question's columns checked and
// converted to a field of the definition, each problem placed at its row and column.
#include <algorithm>

#include "common/answers.h"
#include "common/message_catalogue.h"
#include "common/xlsform_internal.h"

namespace amana::xlsform::detail {
namespace {

using nlohmann::json;
using xlsx::Row;

// Rows that ask nothing. The first four Amana fills itself as metadata fields; the rest
// it records its own way (who, which device) or cannot yet (audit).
constexpr std::string_view kMetadata[] = {"start", "end", "today", "deviceid", "subscriberid", "simserial",
                                          "phonenumber", "username", "email", "audit", "start-geopoint"};
constexpr std::string_view kKeptMetadata[] = {"start", "end", "today", "deviceid"};

}  // namespace

bool is_metadata_type(std::string_view base) {
  return std::find(std::begin(kMetadata), std::end(kMetadata), base) != std::end(kMetadata);
}

bool is_kept_metadata(std::string_view base) {
  return std::find(std::begin(kKeptMetadata), std::end(kKeptMetadata), base) != std::end(kKeptMetadata);
}

bool is_identifier(std::string_view name) {
  auto start = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  auto rest = [&](char c) { return start(c) || (c >= '0' && c <= '9'); };
  return !name.empty() && name.size() <= 128 && start(name[0]) && std::all_of(name.begin() + 1, name.end(), rest);
}

std::optional<bool> yes_no(std::string_view value) {
  const std::string v = lower(value);
  if (v.empty() || v == "no" || v == "false" || v == "false()" || v == "0") return false;
  if (v == "yes" || v == "true" || v == "true()" || v == "1") return true;
  return std::nullopt;
}

json text_json(const LocalizedText& text) {
  if (text.ar.empty() && text.more.empty()) return text.en;
  json out{{"en", text.en}};
  if (!text.ar.empty()) out["ar"] = text.ar;
  for (const auto& [language, translation] : text.more) out[language] = translation;
  return out;
}

Message from_status(const Status& status) {
  if (status.lines().size() == 1 && status.message() == status.lines().front().in(Language::en)) {
    return status.lines().front();
  }
  return Message("xlsform.bad_expression", {{"reason", status.message()}});
}

std::string Converter::check_name(const Table& table, const Row& row, const std::string& name, SeenNames& seen,
                                  bool repeat) {
  if (name.empty()) {
    problems_.error(table.at(row, "name", Message("xlsform.no_name")));
    return "";
  }
  if (!is_identifier(name)) {
    problems_.error(table.at(row, "name", Message("xlsform.bad_name", {{"name", name}})));
    return "";
  }
  auto [it, inserted] = seen.emplace(name, SeenName{row.number, parent_, repeat});
  if (inserted) return name;
  const auto first = static_cast<std::int64_t>(it->second.row);
  // pyxform refuses a name twice in one group, and a repeat's name twice anywhere; in two
  // groups ODK tells the questions apart by their group, Amana by their name.
  if (repeat || it->second.repeat) {
    problems_.error(table.at(row, "name", Message("xlsform.duplicate_repeat", {{"name", name}, {"first", first}})));
    return "";
  }
  if (it->second.parent == parent_) {
    problems_.error(table.at(row, "name", Message("xlsform.duplicate_name", {{"name", name}, {"first", first}})));
    return "";
  }
  for (int n = 2; n < 100; ++n) {
    const std::string stored = name + "_" + std::to_string(n);
    if (!is_identifier(stored) || declared_.count(stored) != 0) continue;
    if (!seen.emplace(stored, SeenName{row.number, parent_, repeat}).second) continue;
    problems_.warning(table.at(row, "name", Message("xlsform.duplicate_name_renamed",
                                                    {{"name", name}, {"first", first}, {"stored", stored}})));
    return stored;
  }
  problems_.error(table.at(row, "name", Message("xlsform.duplicate_name", {{"name", name}, {"first", first}})));
  return "";
}

json Converter::group(const Table& table, const Row& row, const std::string& name, bool repeat) {
  json group{{"name", name}, {"type", "group"}, {"fields", json::array()}};
  const LocalizedText label = table.text(row, "label");
  if (!label.en.empty()) group["label"] = text_json(label);
  // A group's relevant applies to everything in it: ODK skips a non-relevant group whole.
  if (auto relevant = expression(table, row, "relevant", false)) group["relevant"] = relevant->source();
  const std::string appearance = table.get(row, "appearance");
  if (appearance == "field-list") {
    group["appearance"] = "field-list";
  } else if (!appearance.empty()) {
    problems_.gathered_warning(table.name(), "appearance:" + appearance, row.number,
                               Message("xlsform.ignored_appearance", {{"appearance", appearance}}));
  }
  for (const char* key : {"required", "constraint", "calculation", "choice_filter", "default"}) {
    ignore_if_set(table, row, key, "a group has no value of its own");
  }
  if (!repeat) {
    ignore_if_set(table, row, "disclosure", "a group has no value of its own; a repeat's disclosure is read");
  }
  return group;
}

json Converter::repeat(const Table& table, const Row& row, const std::string& name) {
  json definition = group(table, row, name, true);
  definition["type"] = "repeat";
  const std::string count = table.get(row, "repeat_count");
  if (!count.empty() && std::all_of(count.begin(), count.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      count.size() <= 6) {
    definition["repeat_count"] = std::stoi(count);
  } else if (auto expression = this->expression(table, row, "repeat_count", false)) {
    definition["repeat_count"] = expression->source();
  }
  // How the repeat's table appears in a de-identified dataset (docs/meal.md "Repeats").
  if (const std::string disclosure = table.get(row, "disclosure"); disclosure == "unlinked" || disclosure == "drop") {
    definition["disclosure"] = disclosure;
  } else if (!disclosure.empty()) {
    problems_.error(table.at(row, "disclosure", Message("xlsform.bad_repeat_disclosure", {{"value", disclosure}})));
  }
  return definition;
}

void Converter::choices(const Table& table, const Row& row, const std::string& amana_type, const std::string& type,
                        json& field) {
  const std::string list = trim(type.substr(type.find(' ') == std::string::npos ? type.size() : type.find(' ')));
  if (list.empty()) {
    problems_.error(table.at(row, "type", Message("xlsform.no_list", {{"type", amana_type}})));
  } else if (!has_choices_) {
    problems_.error(table.at(row, "type", Message("xlsform.no_choices_sheet", {{"list", list}})));
  } else if (auto choices = lists_.find(list); choices == lists_.end()) {
    problems_.error(table.at(row, "type", Message("xlsform.unknown_list", {{"list", list}})));
  } else {
    for (const Message& error : choices->second.errors) problems_.error(error);
    choices->second.errors.clear();  // reported once, at the first question using the list
    if (choices->second.items.empty()) {
      problems_.error(table.at(row, "type", Message("xlsform.list_empty",
                                                    {{"list", list}, {"row", static_cast<std::int64_t>(choices->second.row)}})));
      return;
    }
    field["choices"] = choices->second.items;
    // Cascading selects: the filter names the list's columns bare (`state = ${state}`).
    auto filter = expression(table, row, "choice_filter", false, expr::Syntax::choice_filter);
    if (filter) {
      // A question written bare in a filter (`district = gov`, no column `gov`): read as ${gov}.
      const bool unknown = std::any_of(filter->columns().begin(), filter->columns().end(), [&](const std::string& c) {
        return c != "name" && c != "label" && choices->second.columns.count(c) == 0;
      });
      if (unknown) {
        const std::set<std::string>& known = choices->second.columns;
        if (auto fixed = with_bare_names(table, row, "choice_filter", filter->source(), false, &known)) {
          auto retried = expr::Expression::parse(*fixed, expr::Syntax::choice_filter);
          if (retried.ok()) {
            with_bare_names(table, row, "choice_filter", filter->source(), true, &known);
            check_references(table, row, "choice_filter", *retried, false);
            filter = std::move(retried).value();
          }
        }
      }
    }
    if (filter) {
      for (const std::string& column : filter->columns()) {
        if (column != "name" && column != "label" && choices->second.columns.count(column) == 0) {
          problems_.error(table.at(row, "choice_filter", Message("xlsform.unknown_choice_column",
                                                                 {{"column", column}, {"list", list}})));
        }
      }
      field["choice_filter"] = filter->source();
    }
  }
}

std::optional<json> Converter::add_other(const Table& table, const Row& row, json& field,
                                         SeenNames& seen) {
  const std::string name = field["name"];
  if (field.contains("choice_filter")) {
    problems_.error(table.at(row, "type", Message("xlsform.not_supported_because",
                                                  {{"feature", "or_other"}, {"reason", "with a choice_filter"}})));
    return std::nullopt;
  }
  json& choices = field["choices"];
  const bool has_other = std::any_of(choices.begin(), choices.end(),
                                     [](const json& choice) { return choice["name"] == "other"; });
  if (!has_other) choices.push_back({{"name", "other"}, {"label", {{"en", "Other"}, {"ar", "غير ذلك"}}}});
  const std::string specify = check_name(table, row, name + "_other", seen);
  if (specify.empty()) return std::nullopt;
  problems_.warning(table.at_row(row.number, Message("xlsform.or_other_added", {{"name", name}, {"other", specify}})));
  json text{{"name", specify},
            {"type", "text"},
            {"label", {{"en", "Specify other."}, {"ar", "حدّد غير ذلك."}}},
            {"relevant", "selected(${" + name + "}, 'other')"}};
  if (field.contains("sensitive")) text["sensitive"] = field["sensitive"];
  return text;
}

std::optional<json> Converter::question(const Table& table, const Row& row, const std::string& amana_type,
                                        const std::string& type, const std::string& name) {
  const std::size_t errors_before = error_count();
  json field{{"name", name}, {"type", amana_type}};
  const bool hidden = amana_type == "calculate" || is_kept_metadata(amana_type);
  LocalizedText label = table.text(row, "label");
  if (!label.en.empty()) {
    field["label"] = text_json(label);
  } else if (!hidden) {
    problems_.warning(table.at(row, "label", Message("xlsform.label_from_name", {{"name", name}})));
    label.en = name;
    field["label"] = text_json(label);
  }
  const LocalizedText hint = table.text(row, "hint");
  if (!hint.en.empty()) field["hint"] = text_json(hint);

  if (type == "acknowledge") {
    field["choices"] = json::array({{{"name", "OK"}, {"label", {{"en", "OK"}, {"ar", "موافق"}}}}});
    problems_.gathered_warning(table.name(), "acknowledge", row.number, Message("xlsform.acknowledge_as_choice"));
  } else if (amana_type == "select_one" || amana_type == "select_multiple") {
    choices(table, row, amana_type, type, field);
  } else {
    refuse_if_set(table, row, "choice_filter", "choice_filter on a question that is not a select");
  }
  if (auto calculation = expression(table, row, "calculation", true)) {
    if (amana_type == "note") {
      // ODK gives a note with a calculation the value (pyxform binds it as a string, shown
      // read-only): a read-only text question with the calculation, which others may use.
      field["type"] = "text";
      field["read_only"] = true;
      field["calculation"] = calculation->source();
      problems_.warning(table.at(row, "calculation", Message("xlsform.note_calculation_read", {{"name", name}})));
    } else if (is_kept_metadata(amana_type)) {
      ignore_if_set(table, row, "calculation", "this type has no calculation");
    } else {
      field["calculation"] = calculation->source();
    }
  } else if (amana_type == "calculate" && error_count() == errors_before) {
    problems_.error(table.at(row, "calculation", Message("xlsform.no_calculation")));
  }
  refuse_if_set(table, row, "trigger", "trigger");
  if (const std::string read_only = table.get(row, "read_only"); !read_only.empty()) {
    if (auto flag = yes_no(read_only)) {
      if (*flag && !hidden && amana_type != "note") field["read_only"] = true;
    } else {
      problems_.error(table.at(row, "read_only", Message("xlsform.not_supported_because",
                                                         {{"feature", "read_only"},
                                                          {"reason", "only yes or no, not an expression"}})));
    }
  }
  ignore_if_set(table, row, "repeat_count", "it is for a repeat");
  ignore_if_set(table, row, "media", "media files are not sent to devices yet");
  ignore_if_set(table, row, "guidance_hint", "guidance hints are not shown yet");
  ignore_if_set(table, row, "parameters", "no type Amana reads takes parameters");

  const bool note = amana_type == "note";
  if (relevant_as_choice_filter(table, row, type, field)) {
    // read as the choice_filter, with a warning
  } else if (auto relevant = expression(table, row, "relevant", false)) {
    field["relevant"] = relevant->source();
  }
  const std::string required = table.get(row, "required");
  if (!required.empty()) {
    auto flag = yes_no(required);
    // pyxform reads yes, no, true and false in three cases (and true(), false(), 1, 0 as
    // XPath); T, F, Y, N and other cases are what the author plainly meant.
    constexpr std::string_view kPyxform[] = {"yes", "Yes", "YES", "true", "True", "TRUE", "true()", "1",
                                             "no",  "No",  "NO",  "false", "False", "FALSE", "false()", "0"};
    const std::string loose = lower(required);
    if (!flag && (loose == "t" || loose == "y")) flag = true;
    if (!flag && (loose == "f" || loose == "n")) flag = false;
    if (flag && std::find(std::begin(kPyxform), std::end(kPyxform), required) == std::end(kPyxform)) {
      problems_.gathered_warning(table.name(), "yes_no:" + required, row.number,
                                 Message("xlsform.yes_no_read", {{"column", "required"},
                                                                 {"value", required},
                                                                 {"meaning", *flag ? "yes" : "no"}}));
    }
    if ((note || hidden) && flag != false) {
      ignore_if_set(table, row, "required", "a note or a calculation takes no answer");
    } else if (flag) {
      if (*flag) field["required"] = true;
    } else if (auto condition = expression(table, row, "required", false)) {
      field["required"] = condition->source();
    }
  }
  if (const LocalizedText message = table.text(row, "required_message"); !message.en.empty()) {
    if (field.contains("required")) field["required_message"] = text_json(message);
    else ignore_if_set(table, row, "required_message", "the question is not required");
  }
  if (note || hidden) {
    ignore_if_set(table, row, "constraint", "a note or a calculation takes no answer");
    ignore_if_set(table, row, "constraint_message", "a note or a calculation takes no answer");
  } else if (auto constraint = expression(table, row, "constraint", true)) {
    field["constraint"] = constraint->source();
    const LocalizedText message = table.text(row, "constraint_message");
    if (!message.en.empty()) field["constraint_message"] = text_json(message);
  } else if (!table.text(row, "constraint_message").en.empty()) {
    problems_.gathered_warning(table.name(), "constraint_message", row.number,
                               Message("xlsform.ignored_value", {{"column", "constraint_message"},
                                                                 {"reason", "there is no constraint"}}));
  }
  appearance(table, row, amana_type, field);
  if (const std::string sensitive = table.get(row, "sensitive"); !sensitive.empty()) {
    if (auto flag = yes_no(sensitive)) field["sensitive"] = *flag;
    else problems_.error(table.at(row, "sensitive", Message("xlsform.bad_yes_no", {{"value", sensitive}})));
  }
  if (const std::string disclosure = table.get(row, "disclosure"); !disclosure.empty()) {
    field["disclosure"] = disclosure;
  }
  if (hidden) {
    ignore_if_set(table, row, "default", "it is never asked");
  } else {
    default_value(table, row, amana_type, note, field);
  }
  if (field.contains("calculation") && field.contains("default_expression")) field.erase("default_expression");
  if (error_count() != errors_before) return std::nullopt;
  // The field alone, checked by the loader, so that what it refuses (a disclosure the
  // type cannot have) is placed at this row.
  auto checked = probe_field(field);
  if (!checked.ok()) {
    // The probe is a form of its own: its name is no business of the form's author.
    const std::string reason = checked.status().message();
    const std::string probe = "form 'probe': field '" + name + "': ";
    problems_.error(table.at_row(row.number, reason.starts_with(probe)
                                                 ? Message("xlsform.bad_expression", {{"reason", reason.substr(probe.size())}})
                                                 : from_status(checked.status())));
    return std::nullopt;
  }
  return field;
}

bool Converter::relevant_as_choice_filter(const Table& table, const Row& row, const std::string& type, json& field) {
  // `name != ${TopIncomeSources}` in the relevant of a select of the same list: "offer the
  // other sources". As a relevant, `name` is a path to nothing (pyxform passes it through,
  // ODK compares an empty value), so the question would show whenever the other is answered
  // and offer every choice; the only reading that uses the choices is a choice filter.
  const std::string source = table.get(row, "relevant");
  if (source.empty() || !field.contains("choices") || field.contains("choice_filter")) return false;
  if (expr::Expression::parse(source).ok()) return false;
  auto filter = expr::Expression::parse(source, expr::Syntax::choice_filter);
  if (!filter.ok() || filter->columns().empty()) return false;
  const std::string list = trim(type.substr(type.find(' ') == std::string::npos ? type.size() : type.find(' ')));
  auto choices = lists_.find(list);
  for (const std::string& column : filter->columns()) {
    if (declared_.count(column) != 0) return false;  // a question written bare: not a filter
    if (column != "name" && column != "label" &&
        (choices == lists_.end() || choices->second.columns.count(column) == 0)) {
      return false;
    }
  }
  for (const std::string& name : filter->references()) {
    // A choice filter looks only at earlier answers: otherwise left to the relevant's rules.
    auto it = declared_.find(name);
    if (it != declared_.end() && it->second.row >= row.number) return false;
  }
  const std::size_t errors = error_count();
  check_references(table, row, "relevant", *filter, false);
  if (error_count() != errors) return true;  // refused, at the relevant
  problems_.warning(table.at(row, "relevant", Message("xlsform.relevant_as_choice_filter",
                                                      {{"relevant", source}, {"column", filter->columns().front()}})));
  field["choice_filter"] = filter->source();
  return true;
}

void Converter::refuse_if_set(const Table& table, const Row& row, std::string_view key, std::string_view feature) {
  if (!table.get(row, key).empty()) {
    problems_.error(table.at(row, key, Message("xlsform.not_supported", {{"feature", std::string(feature)}})));
  }
}

void Converter::ignore_if_set(const Table& table, const Row& row, std::string_view key, const char* reason) {
  if (!table.get(row, key).empty()) {
    problems_.gathered_warning(table.name(), "ignored:" + std::string(key), row.number,
                               Message("xlsform.ignored_value", {{"column", std::string(key)}, {"reason", reason}}));
  }
}

void Converter::appearance(const Table& table, const Row& row, const std::string& amana_type, json& field) {
  const std::string appearance = table.get(row, "appearance");
  if (appearance.empty()) return;
  if (appearance == "numbers" && amana_type == "text") {
    field["appearance"] = "numbers";
    return;
  }
  problems_.gathered_warning(table.name(), "appearance:" + appearance, row.number,
                             Message("xlsform.ignored_appearance", {{"appearance", appearance}}));
}

void Converter::default_value(const Table& table, const Row& row, const std::string& amana_type, bool note, json& field) {
  const std::string value = table.get(row, "default");
  if (value.empty()) return;
  if (note) {
    ignore_if_set(table, row, "default", "a note takes no answer");
    return;
  }
  if (amana_type == "date" && (value == "today()" || value == "today")) {
    field["default"] = "today";
    return;
  }
  if (value.find("${") != std::string::npos || value.find('(') != std::string::npos) {
    // A dynamic default: evaluated when the question is reached, from earlier answers.
    if (auto parsed = expression(table, row, "default", false)) field["default_expression"] = parsed->source();
    return;
  }
  // The default as the collector would type it, in the stored form of its type.
  auto form = probe_field(field);
  if (!form.ok()) return;  // reported by the caller's check
  auto canonical = forms::canonicalize(form->fields.front(), value);
  if (!canonical.ok()) {
    problems_.error(table.at(row, "default", Message("xlsform.bad_default",
                                                     {{"value", value}, {"reason", from_status(canonical.status())}})));
    return;
  }
  field["default"] = *canonical;
}

// The field as a form of its own, without its expressions (their references are checked
// against the whole survey).
Result<forms::FormDefinition> Converter::probe_field(json field) {
  for (const char* key : {"relevant", "constraint", "constraint_message", "calculation", "default_expression",
                          "choice_filter"}) {
    field.erase(key);
  }
  // Labels and hints may show other answers (${x}), which a form of one field lacks.
  for (const char* key : {"label", "hint"}) {
    if (field.contains(key) && field[key].dump().find("${") != std::string::npos) field[key] = field["name"];
  }
  // A calculate without its calculation would be refused: any will do for the probe.
  if (field["type"] == "calculate") field["calculation"] = "''";
  if (field.contains("required") && field["required"].is_string()) field.erase("required");
  json probe{{"id", "probe"}, {"version", 1}, {"title", "probe"}, {"fields", json::array({std::move(field)})}};
  return forms::parse_form_definition(probe.dump());
}

}  // namespace amana::xlsform::detail

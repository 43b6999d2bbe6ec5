#include "common/xlsform.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "common/answers.h"
#include "common/form_pack.h"
#include "common/message_catalogue.h"
#include "common/xlsform_internal.h"

namespace amana::xlsform {
namespace {

using detail::Problems;
using detail::Table;
using detail::lower;
using detail::trim;
using nlohmann::json;
using xlsx::Row;

constexpr std::size_t kMaxQuestions = 1000;  // what parse_form_definition accepts
constexpr std::size_t kMaxChoicesPerList = 500;

const std::vector<std::string_view> kSurveyKeys = {
    "type", "name", "label", "hint", "required", "required_message", "relevant", "constraint", "constraint_message",
    "appearance", "choice_filter", "default", "calculation", "read_only", "repeat_count", "media", "guidance_hint",
    "parameters", "trigger", "sensitive", "disclosure", "note"};
const std::vector<std::string_view> kChoiceKeys = {"list_name", "name", "value", "label", "media"};
const std::vector<std::string_view> kSettingsKeys = {
    "form_id", "form_title", "version", "default_language", "instance_name", "public_key", "submission_url",
    "style", "allow_choice_duplicates", "name", "id_string", "namespaces", "auto_send", "auto_delete"};

// Question types as pyxform spells them, and what Amana collects them as.
constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
    {"text", "text"},         {"string", "text"},       {"integer", "integer"},   {"int", "integer"},
    {"decimal", "decimal"},   {"date", "date"},         {"datetime", "datetime"}, {"geopoint", "geopoint"},
    {"note", "note"},         {"select_one", "select_one"}, {"select_multiple", "select_multiple"},
};
// Rows that ask nothing: Amana records when, where and by which device a record is made.
constexpr std::string_view kMetadata[] = {"start", "end", "today", "deviceid", "subscriberid", "simserial",
                                          "phonenumber", "username", "email", "audit", "start-geopoint"};
// Types Amana cannot collect yet: refused by name rather than collected differently.
constexpr std::string_view kUnsupported[] = {
    "calculate", "hidden", "time", "image", "audio", "video", "file", "barcode", "geotrace", "geoshape",
    "range", "rank", "acknowledge", "trigger", "xml-external", "csv-external", "background-audio",
    "background-geopoint", "select_one_from_file", "select_multiple_from_file", "begin repeat", "end repeat",
    "select_one_external", "osm", "signature"};

bool is_identifier(std::string_view name) {
  auto start = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  auto rest = [&](char c) { return start(c) || (c >= '0' && c <= '9'); };
  return !name.empty() && name.size() <= 64 && start(name[0]) && std::all_of(name.begin() + 1, name.end(), rest);
}

std::string identifier_suggestion(std::string_view name) {
  std::string out = "c_";
  for (char c : name) out += (std::isalnum(static_cast<unsigned char>(c)) != 0) ? c : '_';
  return out.substr(0, 64);
}

// "select one  list" -> "select_one list"; "begin_group" -> "begin group".
std::string normalise_type(std::string_view written) {
  std::string type = lower(trim(written));
  std::string collapsed;
  for (char c : type) {
    if ((c == ' ' || c == '\t') && (collapsed.empty() || collapsed.back() == ' ')) continue;
    collapsed += c == '\t' ? ' ' : c;
  }
  for (std::string_view word : {"begin", "end"}) {
    for (std::string_view what : {"group", "repeat"}) {
      if (collapsed == std::string(word) + "_" + std::string(what)) return std::string(word) + " " + std::string(what);
    }
  }
  for (std::string_view select : {"select one", "select multiple"}) {
    if (collapsed.starts_with(select)) collapsed[select.find(' ')] = '_';
  }
  if (collapsed == "datetime" || collapsed == "date time") return "datetime";
  return collapsed;
}

enum class NameKind { question, note, group, metadata, unsupported };

struct Declared {
  std::uint32_t row = 0;
  NameKind kind = NameKind::question;
  std::string type;
  std::size_t order = 0;  // position among the questions converted
};

struct Choices {
  std::uint32_t row = 0;  // first row of the list
  json items = json::array();
  std::map<std::string, std::pair<std::uint32_t, std::string>> names;  // name -> first row, label
  std::vector<Message> errors;
};

std::optional<bool> yes_no(std::string_view value) {
  const std::string v = lower(value);
  if (v.empty() || v == "no" || v == "false" || v == "false()" || v == "0") return false;
  if (v == "yes" || v == "true" || v == "true()" || v == "1") return true;
  return std::nullopt;
}

json text_json(const LocalizedText& text) {
  if (text.ar.empty()) return text.en;
  return json{{"en", text.en}, {"ar", text.ar}};
}

const xlsx::Sheet* find_sheet(const xlsx::Workbook& workbook, std::string_view name) {
  for (const xlsx::Sheet& sheet : workbook.sheets) {
    if (lower(trim(sheet.name)) == name) return &sheet;
  }
  return nullptr;
}

Message from_status(const Status& status) {
  if (status.lines().size() == 1 && status.message() == status.lines().front().in(Language::en)) {
    return status.lines().front();
  }
  return Message("xlsform.bad_expression", {{"reason", status.message()}});
}

class Converter {
 public:
  Converter(const xlsx::Workbook& workbook, std::string_view file_name, std::uint32_t version,
            const ImportLimits& limits)
      : workbook_(workbook), file_name_(file_name), version_(version), problems_(limits),
        builtin_ids_(limits.builtin_ids) {}

  Result<Conversion> run() {
    const xlsx::Sheet* survey_sheet = find_sheet(workbook_, "survey");
    if (survey_sheet == nullptr) {
      std::string sheets;
      for (const std::string& name : workbook_.sheet_names) sheets += (sheets.empty() ? "" : ", ") + name;
      return invalid_argument(Message("xlsform.no_survey", {{"sheets", sheets.empty() ? "-" : sheets}}));
    }
    json definition = read_settings();
    if (const xlsx::Sheet* choices = find_sheet(workbook_, "choices")) read_choices(*choices);
    json fields = read_survey(*survey_sheet);
    if (problems_.has_errors()) return problems_.status();
    definition["version"] = version_;
    definition["fields"] = std::move(fields);
    Conversion conversion;
    conversion.definition_json = definition.dump(2);
    auto form = forms::parse_form_definition(conversion.definition_json);
    if (!form.ok()) {
      // Everything the loader checks is checked above with its row; this is the net.
      return invalid_argument(Message("xlsform.at_sheet", {{"sheet", "survey"}, {"problem", from_status(form.status())}}));
    }
    conversion.form = std::move(form).value();
    conversion.source_version = source_version_;
    conversion.warnings = problems_.take_warnings();
    return conversion;
  }

 private:
  json read_settings() {
    json definition;
    std::string id, given_id;
    LocalizedText title;
    if (const xlsx::Sheet* sheet = find_sheet(workbook_, "settings")) {
      // The default language decides what an untagged `label` column is written in.
      Problems scratch{ImportLimits{}};
      Table probe(*sheet, kSettingsKeys, "", scratch);
      if (!probe.rows().empty()) default_language_ = probe.get(probe.rows().front(), "default_language");
      Table settings(*sheet, kSettingsKeys, default_language_, problems_);
      if (!settings.rows().empty()) {
        const Row& row = settings.rows().front();
        given_id = settings.get(row, "form_id");
        if (given_id.empty()) given_id = settings.get(row, "id_string");
        title = settings.text(row, "form_title");
        source_version_ = settings.get(row, "version");
        for (std::string_view ignored : {"instance_name", "public_key", "submission_url", "style", "auto_send",
                                         "auto_delete"}) {
          if (!settings.get(row, ignored).empty()) {
            const char* reason = ignored == "public_key" ? "Amana seals every record for the office itself"
                                 : ignored == "submission_url" ? "devices sync with their own server"
                                                              : "it only changes how the form looks or is sent";
            problems_.warning(settings.at(row, ignored, Message("xlsform.ignored_setting",
                                                                {{"setting", std::string(ignored)}, {"reason", reason}})));
          }
        }
        if (!given_id.empty()) {
          id = lower(given_id);
          std::replace(id.begin(), id.end(), '_', '-');
          const bool valid = id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
                               return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                             });
          if (!valid) {
            problems_.error(settings.at(row, "form_id", Message("xlsform.bad_form_id", {{"id", given_id}})));
          } else if (id != given_id) {
            problems_.warning(settings.at(row, "form_id", Message("xlsform.form_id_changed",
                                                                  {{"given", given_id}, {"id", id}})));
          }
          check_builtin(id, [&](Message m) { return settings.at(row, "form_id", std::move(m)); });
        }
      }
    }
    if (id.empty()) {
      std::string stem(file_name_);
      if (const auto slash = stem.find_last_of('/'); slash != std::string::npos) stem = stem.substr(slash + 1);
      if (const auto dot = stem.rfind('.'); dot != std::string::npos && dot > 0) stem = stem.substr(0, dot);
      for (char c : lower(stem)) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (keep) id += c;
        else if (!id.empty() && id.back() != '-') id += '-';
      }
      while (!id.empty() && id.back() == '-') id.pop_back();
      id = id.substr(0, 64);
      if (id.empty()) id = "form";
      problems_.warning(Message("xlsform.at_sheet", {{"sheet", "settings"},
                                                     {"problem", Message("xlsform.form_id_from_file", {{"id", id}})}}));
      check_builtin(id, [](Message m) { return Message("xlsform.at_sheet", {{"sheet", "settings"}, {"problem", m}}); });
    }
    if (title.en.empty()) title.en = given_id.empty() ? id : given_id;
    definition["id"] = id;
    definition["title"] = text_json(title);
    return definition;
  }

  template <class Where>
  void check_builtin(const std::string& id, Where where) {
    if (builtin_ids_) return;  // formsdist (issue 15): the server publishes their versions
    static const auto builtin = forms::FormPack::builtin();
    if (builtin.ok() && builtin->find(id).ok()) problems_.error(where(Message("xlsform.builtin_id", {{"id", id}})));
  }

  void read_choices(const xlsx::Sheet& sheet) {
    Table table(sheet, kChoiceKeys, default_language_, problems_);
    note_blank_rows(table);
    const char* name_key = table.has("name") ? "name" : "value";
    for (const Row& row : table.rows()) {
      if (table.blank(row)) continue;
      const std::string list = table.get(row, "list_name");
      const std::string name = table.get(row, name_key);
      if (list.empty()) {
        problems_.error(table.at(row, "list_name", Message("xlsform.choice_no_list")));
        continue;
      }
      Choices& choices = lists_[list];
      if (choices.row == 0) choices.row = row.number;
      for (const char* key : {"list_name", name_key}) {
        if (table.untrimmed(row, key)) {
          problems_.gathered_warning(sheet.name, std::string("trim:") + key, row.number,
                                     Message("xlsform.trimmed", {{"value", std::string(key)}}));
        }
      }
      if (name.empty()) {
        choices.errors.push_back(table.at(row, name_key, Message("xlsform.choice_no_name")));
        continue;
      }
      if (!is_identifier(name)) {
        choices.errors.push_back(table.at(row, name_key, Message("xlsform.bad_choice_name",
                                                                 {{"name", name}, {"suggestion", identifier_suggestion(name)}})));
        continue;
      }
      LocalizedText label = table.text(row, "label");
      if (label.en.empty()) {
        problems_.gathered_warning(sheet.name, "choice-label:" + name, row.number,
                                   Message("xlsform.label_from_name", {{"name", name}}));
        label.en = name;
      }
      if (!table.get(row, "media").empty()) {
        problems_.gathered_warning(sheet.name, "media", row.number,
                                   Message("xlsform.ignored_value", {{"column", "media"},
                                                                     {"reason", "media files are not sent to devices yet"}}));
      }
      auto [it, inserted] = choices.names.emplace(name, std::make_pair(row.number, label.en));
      if (!inserted) {
        // Nine of twenty real forms repeat a choice within a list; the value stored is the
        // same either way, so the first is kept.
        const MessageKey key = it->second.second == label.en ? MessageKey("xlsform.duplicate_choice")
                                                               : MessageKey("xlsform.duplicate_choice_label");
        problems_.warning(table.at_row(
            row.number, Message(key, {{"name", name}, {"list", list}, {"first", static_cast<std::int64_t>(it->second.first)}})));
        continue;
      }
      if (choices.items.size() >= kMaxChoicesPerList) {
        choices.errors.push_back(table.at_row(row.number, Message("xlsform.too_many_choices",
                                                                  {{"list", list},
                                                                   {"limit", static_cast<std::int64_t>(kMaxChoicesPerList)}})));
        continue;
      }
      choices.items.push_back({{"name", name}, {"label", text_json(label)}});
    }
    has_choices_ = true;
  }

  void note_blank_rows(const Table& table) {
    std::vector<std::uint32_t> blank;
    std::uint32_t previous = table.sheet().rows.empty() ? 0 : table.sheet().rows.front().number;
    for (const Row& row : table.rows()) {
      for (std::uint32_t missing = previous + 1; missing < row.number && blank.size() < 100; ++missing) {
        blank.push_back(missing);
      }
      if (table.blank(row)) blank.push_back(row.number);
      previous = row.number;
    }
    if (!blank.empty()) {
      problems_.warning(table.at_sheet(Message("xlsform.blank_rows", {{"rows", detail::row_list(blank)}})));
    }
  }

  // Every name the survey declares, first, so that a reference to a later question can
  // be told apart from one to no question at all.
  void declare_names(const Table& table) {
    for (const Row& row : table.rows()) {
      const std::string name = table.get(row, "name");
      if (name.empty()) continue;
      const std::string type = normalise_type(table.get(row, "type"));
      const std::string base = type.substr(0, type.find(' '));
      Declared declared{row.number, NameKind::question, type, 0};
      if (type == "begin group" || type == "begin repeat") declared.kind = NameKind::group;
      else if (type == "note") declared.kind = NameKind::note;
      else if (std::find(std::begin(kMetadata), std::end(kMetadata), base) != std::end(kMetadata))
        declared.kind = NameKind::metadata;
      declared_.emplace(name, declared);  // a duplicate is reported when its row is read
    }
  }

  // Checks a ${reference} of the expression in `key`: it must name a question with a
  // value, asked before this one unless `any_order`.
  void check_references(const Table& table, const Row& row, std::string_view key, const expr::Expression& expression,
                        bool any_order) {
    for (const std::string& name : expression.references()) {
      const std::string ref = "${" + name + "}";
      auto it = declared_.find(name);
      if (it == declared_.end()) {
        problems_.error(table.at(row, key, Message("xlsform.unknown_reference", {{"ref", ref}})));
      } else if (it->second.kind == NameKind::group) {
        problems_.error(table.at(row, key, Message("xlsform.reference_to_group", {{"ref", ref}})));
      } else if (it->second.kind == NameKind::note) {
        problems_.error(table.at(row, key, Message("xlsform.reference_to_note", {{"ref", ref}})));
      } else if (it->second.kind == NameKind::metadata) {
        problems_.error(table.at(row, key, Message("xlsform.reference_to_metadata",
                                                   {{"ref", ref}, {"type", it->second.type}})));
      } else if (!any_order && it->second.row >= row.number) {
        problems_.error(table.at(row, key, Message("xlsform.reference_later",
                                                   {{"ref", ref},
                                                    {"row", static_cast<std::int64_t>(it->second.row)},
                                                    {"column", std::string(key)}})));
      }
    }
  }

  std::optional<expr::Expression> expression(const Table& table, const Row& row, std::string_view key,
                                             bool any_order) {
    const std::string source = table.get(row, key);
    if (source.empty()) return std::nullopt;
    auto parsed = expr::Expression::parse(source);
    if (!parsed.ok()) {
      problems_.error(table.at(row, key, from_status(parsed.status())));
      return std::nullopt;
    }
    check_references(table, row, key, *parsed, any_order);
    return std::move(parsed).value();
  }

  struct Group {
    std::string name;
    std::uint32_t row = 0;
    std::string relevant;  // "" when always relevant
  };

  json read_survey(const xlsx::Sheet& sheet) {
    Table table(sheet, kSurveyKeys, default_language_, problems_);
    if (!table.has("type")) {
      problems_.error(table.at_sheet(Message("xlsform.no_header", {{"sheet", sheet.name}, {"column", "type"}})));
      return json::array();
    }
    note_blank_rows(table);
    declare_names(table);
    json fields = json::array();
    std::vector<Group> groups;
    std::map<std::string, std::uint32_t> seen;  // name -> row
    for (const Row& row : table.rows()) {
      if (table.blank(row)) continue;
      for (const char* key : {"type", "name"}) {
        if (table.untrimmed(row, key)) {
          problems_.gathered_warning(sheet.name, std::string("trim:") + key, row.number,
                                     Message("xlsform.trimmed", {{"value", std::string(key)}}));
        }
      }
      const std::string type = normalise_type(table.get(row, "type"));
      const std::string name = table.get(row, "name");
      if (type.empty()) {
        problems_.error(table.at(row, "type", Message("xlsform.no_type", {{"column", table.get(row, "name").empty()
                                                                                     ? "label" : "name"}})));
        continue;
      }
      const std::string base = type.substr(0, type.find(' '));
      if (type == "end repeat") continue;  // its begin repeat is refused
      if (type == "end group") {
        if (groups.empty()) {
          problems_.error(table.at(row, "type", Message("xlsform.unmatched_end", {{"type", type}, {"kind", "group"}})));
        } else {
          groups.pop_back();
        }
        continue;
      }
      if (std::find(std::begin(kUnsupported), std::end(kUnsupported), type) != std::end(kUnsupported) ||
          std::find(std::begin(kUnsupported), std::end(kUnsupported), base) != std::end(kUnsupported)) {
        problems_.error(table.at(row, "type", Message("xlsform.not_supported", {{"feature", type}})));
        continue;
      }
      if (std::find(std::begin(kMetadata), std::end(kMetadata), base) != std::end(kMetadata)) {
        problems_.gathered_warning(sheet.name, "metadata:" + base, row.number,
                                   Message("xlsform.metadata_skipped", {{"type", base}}));
        continue;
      }
      if (type.ends_with(" or_other")) {
        problems_.error(table.at(row, "type", Message("xlsform.not_supported", {{"feature", "or_other"}})));
        continue;
      }
      if (!check_name(table, row, name, seen)) continue;
      if (type == "begin group") {
        auto relevant = expression(table, row, "relevant", false);
        groups.push_back({name, row.number, relevant ? relevant->source() : ""});
        problems_.warning(table.at_row(row.number, Message("xlsform.group_flattened", {{"name", name}})));
        continue;
      }
      const auto known = std::find_if(std::begin(kTypes), std::end(kTypes),
                                      [&](const auto& entry) { return entry.first == base; });
      if (known == std::end(kTypes)) {
        std::string types;
        for (const auto& [spelling, amana_type] : kTypes) types += (types.empty() ? "" : ", ") + std::string(spelling);
        problems_.error(table.at(row, "type", Message("xlsform.unknown_type", {{"type", type}, {"types", types}})));
        continue;
      }
      if (fields.size() >= kMaxQuestions) {
        problems_.error(table.at_row(row.number, Message("xlsform.too_many_questions",
                                                         {{"limit", static_cast<std::int64_t>(kMaxQuestions)}})));
        break;
      }
      if (auto field = question(table, row, std::string(known->second), type, name, groups)) {
        fields.push_back(std::move(*field));
      }
    }
    for (const Group& group : groups) {
      problems_.error(table.at_row(group.row, Message("xlsform.unclosed_group", {{"name", group.name}})));
    }
    if (fields.empty() && !problems_.has_errors()) problems_.error(table.at_sheet(Message("xlsform.no_questions")));
    return fields;
  }

  bool check_name(const Table& table, const Row& row, const std::string& name,
                  std::map<std::string, std::uint32_t>& seen) {
    if (name.empty()) {
      problems_.error(table.at(row, "name", Message("xlsform.no_name")));
      return false;
    }
    if (!is_identifier(name)) {
      problems_.error(table.at(row, "name", Message("xlsform.bad_name", {{"name", name}})));
      return false;
    }
    auto [it, inserted] = seen.emplace(name, row.number);
    if (!inserted) {
      problems_.error(table.at(row, "name", Message("xlsform.duplicate_name",
                                                    {{"name", name}, {"first", static_cast<std::int64_t>(it->second)}})));
      return false;
    }
    return true;
  }

  void refuse_if_set(const Table& table, const Row& row, std::string_view key, std::string_view feature) {
    if (!table.get(row, key).empty()) {
      problems_.error(table.at(row, key, Message("xlsform.not_supported", {{"feature", std::string(feature)}})));
    }
  }

  void ignore_if_set(const Table& table, const Row& row, std::string_view key, const char* reason) {
    if (!table.get(row, key).empty()) {
      problems_.gathered_warning(table.name(), "ignored:" + std::string(key), row.number,
                                 Message("xlsform.ignored_value", {{"column", std::string(key)}, {"reason", reason}}));
    }
  }

  std::optional<json> question(const Table& table, const Row& row, const std::string& amana_type,
                               const std::string& type, const std::string& name, const std::vector<Group>& groups) {
    const std::size_t errors_before = error_count();
    json field{{"name", name}, {"type", amana_type}};
    LocalizedText label = table.text(row, "label");
    if (label.en.empty()) {
      problems_.warning(table.at(row, "label", Message("xlsform.label_from_name", {{"name", name}})));
      label.en = name;
    }
    field["label"] = text_json(label);
    const LocalizedText hint = table.text(row, "hint");
    if (!hint.en.empty()) field["hint"] = text_json(hint);

    if (amana_type == "select_one" || amana_type == "select_multiple") {
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
        field["choices"] = choices->second.items;
      }
    }
    refuse_if_set(table, row, "choice_filter", "choice_filter");
    refuse_if_set(table, row, "calculation", "calculation");
    refuse_if_set(table, row, "trigger", "trigger");
    if (const std::string read_only = table.get(row, "read_only"); !read_only.empty() && yes_no(read_only) != false) {
      problems_.error(table.at(row, "read_only", Message("xlsform.not_supported", {{"feature", "read_only"}})));
    }
    ignore_if_set(table, row, "repeat_count", "it is for a repeat");
    ignore_if_set(table, row, "media", "media files are not sent to devices yet");
    ignore_if_set(table, row, "guidance_hint", "guidance hints are not shown yet");
    ignore_if_set(table, row, "parameters", "no type Amana reads takes parameters");
    ignore_if_set(table, row, "required_message", "Amana says the question is required in the collector's language");

    const bool note = amana_type == "note";
    // A group's relevant applies to everything in it: ODK skips a non-relevant group whole.
    std::vector<std::string> conditions;
    for (const Group& group : groups) {
      if (!group.relevant.empty()) conditions.push_back(group.relevant);
    }
    if (auto relevant = expression(table, row, "relevant", false)) conditions.push_back(relevant->source());
    if (conditions.size() == 1) {
      field["relevant"] = conditions.front();
    } else if (!conditions.empty()) {
      std::string combined;
      for (const std::string& condition : conditions) combined += (combined.empty() ? "(" : " and (") + condition + ")";
      field["relevant"] = combined;
    }
    const std::string required = table.get(row, "required");
    if (!required.empty()) {
      const auto flag = yes_no(required);
      if (note && flag != false) {
        problems_.error(table.at(row, "required", Message("xlsform.note_with_answer", {{"column", "required"}})));
      } else if (flag) {
        if (*flag) field["required"] = true;
      } else if (auto condition = expression(table, row, "required", false)) {
        field["required"] = condition->source();
      }
    }
    if (auto constraint = expression(table, row, "constraint", true)) {
      if (note) {
        problems_.error(table.at(row, "constraint", Message("xlsform.note_with_answer", {{"column", "constraint"}})));
      }
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
    default_value(table, row, amana_type, note, field);
    if (error_count() != errors_before) return std::nullopt;
    // The field alone, checked by the loader, so that what it refuses (a disclosure the
    // type cannot have) is placed at this row.
    auto checked = probe_field(field);
    if (!checked.ok()) {
      problems_.error(table.at_row(row.number, from_status(checked.status())));
      return std::nullopt;
    }
    return field;
  }

  void appearance(const Table& table, const Row& row, const std::string& amana_type, json& field) {
    const std::string appearance = table.get(row, "appearance");
    if (appearance.empty()) return;
    if (appearance == "numbers" && amana_type == "text") {
      field["appearance"] = "numbers";
      return;
    }
    problems_.gathered_warning(table.name(), "appearance:" + appearance, row.number,
                               Message("xlsform.ignored_appearance", {{"appearance", appearance}}));
  }

  void default_value(const Table& table, const Row& row, const std::string& amana_type, bool note, json& field) {
    const std::string value = table.get(row, "default");
    if (value.empty()) return;
    if (note) {
      problems_.error(table.at(row, "default", Message("xlsform.note_with_answer", {{"column", "default"}})));
      return;
    }
    if (amana_type == "date" && (value == "today()" || value == "today")) {
      field["default"] = "today";
      return;
    }
    if (value.find("${") != std::string::npos || value.find('(') != std::string::npos) {
      problems_.error(table.at(row, "default", Message("xlsform.not_supported",
                                                       {{"feature", "a default computed by an expression"}})));
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

  std::size_t error_count() const { return problems_.error_count(); }

  // The field as a form of its own, without its expressions (their references are checked
  // against the whole survey above).
  static Result<forms::FormDefinition> probe_field(json field) {
    for (const char* key : {"relevant", "constraint", "constraint_message"}) field.erase(key);
    if (field.contains("required") && field["required"].is_string()) field.erase("required");
    json probe{{"id", "probe"}, {"version", 1}, {"title", "probe"}, {"fields", json::array({std::move(field)})}};
    return forms::parse_form_definition(probe.dump());
  }

  const xlsx::Workbook& workbook_;
  std::string file_name_;
  std::uint32_t version_;
  Problems problems_;
  bool builtin_ids_ = false;
  std::string default_language_;
  std::string source_version_;
  bool has_choices_ = false;
  std::map<std::string, Choices, std::less<>> lists_;
  std::map<std::string, Declared, std::less<>> declared_;
};

}  // namespace

Result<Conversion> convert_workbook(const xlsx::Workbook& workbook, std::string_view file_name, std::uint32_t version,
                                    const ImportLimits& limits) {
  return Converter(workbook, file_name, version, limits).run();
}

Result<Conversion> convert_xlsform(std::string_view bytes, std::string_view file_name, std::uint32_t version,
                                   const ImportLimits& limits) {
  // The old binary format (an OLE2 compound file) and CSV are told apart by their
  // content, not their name: a renamed file is still refused with the right advice.
  static constexpr std::string_view kOle2 = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
  if (bytes.starts_with(kOle2) || lower(file_name).ends_with(".xls")) {
    return invalid_argument(Message("xlsform.xls_refused", {{"file", std::string(file_name)}}));
  }
  if (!bytes.starts_with("PK")) {
    if (lower(file_name).ends_with(".csv") || bytes.find(',') != std::string_view::npos) {
      return invalid_argument(Message("xlsform.csv_refused", {{"file", std::string(file_name)}}));
    }
    return invalid_argument(Message("xlsx.not_zip"));
  }
  if (bytes.size() > limits.max_file_bytes) {
    return invalid_argument(Message("file.too_large", {{"path", std::string(file_name)},
                                                       {"limit", static_cast<std::int64_t>(limits.max_file_bytes)}}));
  }
  auto workbook = xlsx::read_xlsx(bytes, limits.workbook, [](std::string_view name) {
    const std::string sheet = lower(trim(name));
    return sheet == "survey" || sheet == "choices" || sheet == "settings";
  });
  if (!workbook.ok()) return workbook.status().with_context(file_name);
  return convert_workbook(*workbook, file_name, version, limits);
}

}  // namespace amana::xlsform

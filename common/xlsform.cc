#include "common/xlsform.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "common/answers.h"
#include "common/form_internal.h"
#include "common/form_pack.h"
#include "common/message_catalogue.h"
#include "common/xlsform_internal.h"

namespace amana::xlsform {
namespace detail {
namespace {

using nlohmann::json;
using xlsx::Row;

constexpr std::size_t kMaxQuestions = 1000;  // what parse_form_definition accepts
constexpr std::size_t kMaxGroupDepth = 8;

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
    {"calculate", "calculate"}, {"start", "start"},     {"end", "end"},           {"today", "today"},
    {"deviceid", "deviceid"},
    // Older spellings pyxform still reads: the same questions under their earlier names.
    {"gps", "geopoint"},       {"imei", "deviceid"},
    // ODK's acknowledge is a question with the one answer OK; Amana asks it as a select_one.
    {"acknowledge", "select_one"},
};
// Types Amana cannot collect yet: refused by name rather than collected differently.
constexpr std::string_view kUnsupported[] = {
    "hidden", "time", "image", "audio", "video", "file", "barcode", "geotrace", "geoshape",
    "range", "rank", "trigger", "xml-external", "csv-external", "background-audio",
    "background-geopoint", "select_one_from_file", "select_multiple_from_file", "select_one_external", "osm",
    "signature"};

// A choice name with its whitespace and control characters made '_': the suggestion a
// refusal makes.
std::string choice_suggestion(std::string_view name) {
  std::string out;
  for (char c : name) out += static_cast<unsigned char>(c) <= 0x20 || c == 0x7F ? '_' : c;
  if (!forms::detail::is_choice_name(out)) {  // a Unicode space, or too long
    out.clear();
    for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' ? c : '_';
  }
  return out.empty() ? "c_1" : out.substr(0, 64);
}

// "select one  list" -> "select_one list"; "begin_group" -> "begin group". The type's
// words are read in any case; a list's name is kept as written (pyxform matches it to the
// choices sheet's list_name exactly: "select_one RQ_result_list").
std::string normalise_type(std::string_view written) {
  std::vector<std::string> words;
  std::string current;
  for (char c : trim(written)) {
    if (c == ' ' || c == '\t') {
      if (!current.empty()) words.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  if (words.empty()) return "";
  words[0] = lower(words[0]);
  const bool keyword_pair = words[0] == "select" || words[0] == "begin" || words[0] == "end" || words[0] == "date";
  if (keyword_pair && words.size() > 1) words[1] = lower(words[1]);
  if (words.size() > 2 && lower(words.back()) == "or_other") words.back() = "or_other";
  std::string collapsed;
  for (const std::string& w : words) collapsed += (collapsed.empty() ? "" : " ") + w;
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

const xlsx::Sheet* find_sheet(const xlsx::Workbook& workbook, std::string_view name) {
  for (const xlsx::Sheet& sheet : workbook.sheets) {
    if (lower(trim(sheet.name)) == name) return &sheet;
  }
  return nullptr;
}

}  // namespace

Result<Conversion> Converter::run() {
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
  // Compact: what is signed, stored and sent to every device. Indented, a form's
  // definition is about twice as large (REACH's Lebanon MSNA: 1,770,628 bytes against
  // 810,850), which only a reader of `forms show --json | jq .` needs.
  conversion.definition_json = definition.dump();
  auto form = forms::parse_form_definition(conversion.definition_json);
  if (!form.ok()) {
    // Everything the loader checks is checked above with its row, but for what only the
    // whole form shows (a cycle of calculations, which names its fields, through repeats
    // too): reported at the row of its first field.
    const std::string message = form.status().message();
    const std::string cycle = "calculation cycle: ";
    if (const auto at = message.find(cycle); at != std::string::npos) {
      const std::size_t from = at + cycle.size();
      const auto first = declared_.find(message.substr(from, message.find(' ', from) - from));
      if (first != declared_.end()) {
        return invalid_argument(Message("xlsform.at_row", {{"sheet", survey_sheet->name},
                                                           {"row", static_cast<std::int64_t>(first->second.row)},
                                                           {"problem", from_status(form.status())}}));
      }
    }
    return invalid_argument(Message("xlsform.at_sheet", {{"sheet", "survey"}, {"problem", from_status(form.status())}}));
  }
  conversion.form = std::move(form).value();
  conversion.source_version = source_version_;
  conversion.warnings = problems_.take_warnings();
  return conversion;
}

json Converter::read_settings() {
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
void Converter::check_builtin(const std::string& id, Where where) {
  if (builtin_ids_) return;  // the server publishes new versions of the built-in forms
  static const auto builtin = forms::FormPack::builtin();
  if (builtin.ok() && builtin->find(id).ok()) problems_.error(where(Message("xlsform.builtin_id", {{"id", id}})));
}

void Converter::read_choices(const xlsx::Sheet& sheet) {
  Table table(sheet, kChoiceKeys, default_language_, problems_, /*keep_other_columns=*/true);
  note_blank_rows(table);
  const char* name_key = table.has("name") ? "name" : "value";
  for (const Row& row : table.rows()) {
    if (table.blank(row)) continue;
    const std::string list = table.get(row, "list_name");
    const std::string name = table.get(row, name_key);
    if (list.empty()) {
      // pyxform leaves such a row out (a translation written a row too low, say).
      problems_.warning(table.at(row, "list_name", Message("xlsform.choice_no_list")));
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
    if (!forms::detail::is_choice_name(name)) {
      choices.errors.push_back(table.at(row, name_key, Message("xlsform.bad_choice_value",
                                                               {{"name", name}, {"suggestion", choice_suggestion(name)}})));
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
    if (choices.items.size() >= forms::kMaxChoicesPerField) {
      if (choices.overflowed) continue;
      choices.overflowed = true;
      choices.errors.push_back(table.at_row(row.number, Message("xlsform.too_many_choices",
                                                                {{"list", list},
                                                                 {"limit", static_cast<std::int64_t>(forms::kMaxChoicesPerField)}})));
      continue;
    }
    json item{{"name", name}, {"label", text_json(label)}};
    // Other columns (state, locality, ...) are what a choice_filter selects by.
    json columns = json::object();
    for (const auto& [column, value] : table.other_columns(row)) {
      if (value.empty() || !is_identifier(column) || column == "name" || column == "label") continue;
      if (columns.size() < 20) columns[column] = value;
      choices.columns.insert(column);
    }
    if (!columns.empty()) item["columns"] = std::move(columns);
    choices.items.push_back(std::move(item));
  }
  has_choices_ = true;
}

void Converter::note_blank_rows(const Table& table) {
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
void Converter::declare_names(const Table& table) {
  for (const Row& row : table.rows()) {
    const std::string name = table.get(row, "name");
    if (name.empty()) continue;
    const std::string type = normalise_type(table.get(row, "type"));
    // An end row often repeats its group's name (`end group | household`): no declaration.
    if (type.empty() || type == "end group" || type == "end repeat") continue;
    const std::string base = type.substr(0, type.find(' '));
    Declared declared{row.number, NameKind::question, type};
    if (type == "begin group") declared.kind = NameKind::group;
    else if (type == "begin repeat") declared.kind = NameKind::repeat;
    // A note with a calculation has its value in ODK: it is published as a read-only question.
    else if (type == "note" && table.get(row, "calculation").empty()) declared.kind = NameKind::note;
    else if (is_metadata_type(base) && !is_kept_metadata(base)) declared.kind = NameKind::metadata;
    // A duplicate is reported when its row is read; a reference to it is ambiguous.
    auto [it, inserted] = declared_.emplace(name, declared);
    if (!inserted && it->second.again == 0) it->second.again = row.number;
  }
}

// A group open while its rows are read: its definition, and the questions and groups
// inside it so far.
struct OpenGroup {
  std::string name;
  std::uint32_t row = 0;
  json definition;
  bool repeat = false;
};

json Converter::read_survey(const xlsx::Sheet& sheet) {
  Table table(sheet, kSurveyKeys, default_language_, problems_);
  if (!table.has("type")) {
    problems_.error(table.at_sheet(Message("xlsform.no_header", {{"sheet", sheet.name}, {"column", "type"}})));
    return json::array();
  }
  note_blank_rows(table);
  declare_names(table);
  json fields = json::array();
  std::vector<OpenGroup> groups;
  std::size_t questions = 0;
  auto items = [&]() -> json& { return groups.empty() ? fields : groups.back().definition["fields"]; };
  SeenNames seen;
  for (const Row& row : table.rows()) {
    if (table.blank(row)) continue;
    for (const char* key : {"type", "name"}) {
      if (table.untrimmed(row, key)) {
        problems_.gathered_warning(sheet.name, std::string("trim:") + key, row.number,
                                   Message("xlsform.trimmed", {{"value", std::string(key)}}));
      }
    }
    const std::string type = normalise_type(table.get(row, "type"));
    std::string name = table.get(row, "name");
    parent_ = groups.empty() ? 0 : groups.back().row;
    if (type.empty()) {
      problems_.error(table.at(row, "type", Message("xlsform.no_type", {{"column", table.get(row, "name").empty()
                                                                                   ? "label" : "name"}})));
      continue;
    }
    const std::string base = type.substr(0, type.find(' '));
    if (type == "end group" || type == "end repeat") {
      const bool repeat = type == "end repeat";
      if (groups.empty() || groups.back().repeat != repeat) {
        problems_.error(table.at(row, "type", Message("xlsform.unmatched_end",
                                                      {{"type", type}, {"kind", repeat ? "repeat" : "group"}})));
        continue;
      }
      OpenGroup closed = std::move(groups.back());
      groups.pop_back();
      if (closed.definition["fields"].empty()) {
        problems_.warning(table.at_row(closed.row, Message("xlsform.empty_group", {{"name", closed.name}})));
      } else {
        items().push_back(std::move(closed.definition));
      }
      continue;
    }
    if ((base == "select_one" || base == "select_multiple") && type.find(" ${") != std::string::npos) {
      // pyxform's choices from the answers of a repeat (`select_one ${member_name}`).
      problems_.error(table.at(row, "type", Message("xlsform.not_supported",
                                                    {{"feature", type + " (choices from a repeat's answers)"}})));
      continue;
    }
    if (std::find(std::begin(kUnsupported), std::end(kUnsupported), type) != std::end(kUnsupported) ||
        std::find(std::begin(kUnsupported), std::end(kUnsupported), base) != std::end(kUnsupported)) {
      if (base.ends_with("_from_file")) {
        const std::string asked = base.substr(0, base.size() - std::string_view("_from_file").size());
        problems_.error(table.at(row, "type", Message("xlsform.from_file_not_supported",
                                                      {{"type", base},
                                                       {"file", trim(type.substr(base.size()))},
                                                       {"asked", asked}})));
      } else {
        problems_.error(table.at(row, "type", Message("xlsform.not_supported", {{"feature", type}})));
      }
      continue;
    }
    if (is_metadata_type(base) && !is_kept_metadata(base)) {
      problems_.gathered_warning(sheet.name, "metadata:" + base, row.number,
                                 Message("xlsform.metadata_skipped", {{"type", base}}));
      continue;
    }
    if (name.empty() && type == "note") {
      name = "generated_note_name_" + std::to_string(row.number);  // as pyxform names it
      problems_.warning(table.at(row, "name", Message("xlsform.note_name_generated", {{"name", name}})));
    }
    name = check_name(table, row, name, seen, type == "begin repeat");
    if (name.empty()) continue;
    if (type == "begin group") {
      if (groups.size() >= kMaxGroupDepth) {
        problems_.error(table.at(row, "type", Message("xlsform.not_supported_because",
                                                      {{"feature", "begin group"},
                                                       {"reason", "groups nested deeper than 8"}})));
        continue;
      }
      groups.push_back({name, row.number, group(table, row, name), false});
      continue;
    }
    if (type == "begin repeat") {
      const auto repeats = std::count_if(groups.begin(), groups.end(), [](const OpenGroup& g) { return g.repeat; });
      if (groups.size() >= kMaxGroupDepth || static_cast<std::size_t>(repeats) >= forms::repeat_keys::kMaxDepth) {
        problems_.error(table.at(row, "type", Message("xlsform.not_supported_because",
                                                      {{"feature", "begin repeat"},
                                                       {"reason", "repeats nested deeper than 2, or groups than 8"}})));
        continue;
      }
      if (name.size() > 64) {
        problems_.error(table.at(row, "name", Message("xlsform.not_supported_because",
                                                      {{"feature", "a repeat name longer than 64 characters"},
                                                       {"reason", "exports name a file and a sheet after it"}})));
        continue;
      }
      groups.push_back({name, row.number, repeat(table, row, name), true});
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
    if (questions >= kMaxQuestions) {
      problems_.error(table.at_row(row.number, Message("xlsform.too_many_questions",
                                                       {{"limit", static_cast<std::int64_t>(kMaxQuestions)}})));
      break;
    }
    const bool or_other = type.ends_with(" or_other");
    const std::string asked = or_other ? type.substr(0, type.size() - std::string_view(" or_other").size()) : type;
    if (auto field = question(table, row, std::string(known->second), asked, name)) {
      if (or_other) {
        if (auto specify = add_other(table, row, *field, seen)) {
          items().push_back(std::move(*field));
          items().push_back(std::move(*specify));
          questions += 2;
        }
        continue;
      }
      items().push_back(std::move(*field));
      ++questions;
    }
  }
  for (const OpenGroup& group : groups) {
    problems_.error(table.at_row(group.row, Message("xlsform.unclosed_group", {{"name", group.name}})));
  }
  if (fields.empty() && !problems_.has_errors()) problems_.error(table.at_sheet(Message("xlsform.no_questions")));
  return fields;
}

}  // namespace detail

Result<Conversion> convert_workbook(const xlsx::Workbook& workbook, std::string_view file_name, std::uint32_t version,
                                    const ImportLimits& limits) {
  return detail::Converter(workbook, file_name, version, limits).run();
}

Result<Conversion> convert_xlsform(std::string_view bytes, std::string_view file_name, std::uint32_t version,
                                   const ImportLimits& limits) {
  // The old binary format (an OLE2 compound file) and CSV are told apart by their
  // content, not their name: a renamed file is still refused with the right advice.
  static constexpr std::string_view kOle2 = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
  if (bytes.starts_with(kOle2) || detail::lower(file_name).ends_with(".xls")) {
    return invalid_argument(Message("xlsform.xls_refused", {{"file", std::string(file_name)}}));
  }
  if (!bytes.starts_with("PK")) {
    if (detail::lower(file_name).ends_with(".csv") || bytes.find(',') != std::string_view::npos) {
      return invalid_argument(Message("xlsform.csv_refused", {{"file", std::string(file_name)}}));
    }
    return invalid_argument(Message("xlsx.not_zip"));
  }
  if (bytes.size() > limits.max_file_bytes) {
    return invalid_argument(Message("file.too_large", {{"path", std::string(file_name)},
                                                       {"limit", static_cast<std::int64_t>(limits.max_file_bytes)}}));
  }
  auto workbook = xlsx::read_xlsx(bytes, limits.workbook, [](std::string_view name) {
    const std::string sheet = detail::lower(detail::trim(name));
    return sheet == "survey" || sheet == "choices" || sheet == "settings";
  });
  if (!workbook.ok()) return workbook.status().with_context(file_name);
  return convert_workbook(*workbook, file_name, version, limits);
}

}  // namespace amana::xlsform

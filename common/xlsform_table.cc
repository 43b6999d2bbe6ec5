#include <algorithm>

#include "common/message_catalogue.h"
#include "common/xlsform_internal.h"

namespace amana::xlsform::detail {
namespace {

// Header spellings of one key, as pyxform, ODK and Kobo's builders write them (lower case).
constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
    {"jr:constraintmsg", "constraint_message"},
    {"constraint message", "constraint_message"},
    {"constraint_msg", "constraint_message"},
    {"jr:requiredmsg", "required_message"},
    {"required message", "required_message"},
    {"required_msg", "required_message"},
    {"readonly", "read_only"},
    {"read only", "read_only"},
    {"jr:count", "repeat_count"},
    {"repeat count", "repeat_count"},
    {"list name", "list_name"},
    {"choice filter", "choice_filter"},
    {"guidance hint", "guidance_hint"},
    {"calculate", "calculation"},
    {"form title", "form_title"},
    {"form id", "form_id"},
    {"default language", "default_language"},
    {"image", "media"},
    {"audio", "media"},
    {"video", "media"},
    {"big-image", "media"},
};

constexpr std::string_view kTranslatable[] = {"label",      "hint",  "constraint_message", "required_message",
                                              "guidance_hint", "media", "form_title"};

bool translatable(std::string_view key) {
  return std::find(std::begin(kTranslatable), std::end(kTranslatable), key) != std::end(kTranslatable);
}

std::string canonical_key(std::string key) {
  for (const auto& [alias, canonical] : kAliases) {
    if (key == alias) return std::string(canonical);
  }
  return key;
}

// "Arabic (ar)" -> "ar", "English" -> "en", "fr" -> "fr", "French" -> "french".
std::string language_code(std::string_view written) {
  const std::string name = lower(trim(written));
  const auto open = name.rfind('(');
  const auto close = name.rfind(')');
  if (open != std::string::npos && close != std::string::npos && close > open + 1) {
    return trim(name.substr(open + 1, close - open - 1));
  }
  if (name == "english") return "en";
  if (name == "arabic" || name == "العربية" || name == "عربي") return "ar";
  return name;
}

}  // namespace

std::string trim(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Column parse_header(std::string_view written) {
  Column column;
  column.header = trim(written);
  std::string rest = lower(column.header);
  std::string original = column.header;
  for (std::string_view prefix : {"bind::", "bind:", "control::", "control:", "body::"}) {
    if (rest.starts_with(prefix)) {
      rest = rest.substr(prefix.size());
      original = original.substr(prefix.size());
      break;
    }
  }
  std::string key = rest;
  std::string language;
  if (const auto split = rest.find("::"); split != std::string::npos) {
    key = rest.substr(0, split);
    language = original.substr(split + 2);
    if (key == "media") {  // media::image::English
      const auto again = language.find("::");
      language = again == std::string::npos ? "" : language.substr(again + 2);
    }
  } else if (const auto colon = rest.rfind(':'); colon != std::string::npos) {
    // `label:French`, and `jr:constraintMsg:English` (one colon before the language).
    const std::string before = canonical_key(rest.substr(0, colon));
    if (translatable(before)) {
      key = rest.substr(0, colon);
      language = original.substr(colon + 1);
    }
  }
  column.key = canonical_key(trim(key));
  if (!language.empty()) {
    column.language_name = trim(language);
    column.language = language_code(language);
  }
  return column;
}

void Problems::error(Message message) {
  if (errors_.size() < limits_.max_errors) errors_.push_back(std::move(message));
  else ++more_errors_;
}

void Problems::warning(Message message) {
  if (warnings_.size() < limits_.max_warnings) warnings_.push_back(std::move(message));
  else ++more_warnings_;
}

void Problems::gathered_warning(const std::string& sheet, const std::string& kind, std::uint32_t row,
                                Message message) {
  auto it = std::find_if(gathered_.begin(), gathered_.end(), [&](const auto& entry) { return entry.first == kind; });
  if (it == gathered_.end()) {
    gathered_.push_back({kind, Gathered{sheet, {}, std::move(message)}});
    it = gathered_.end() - 1;
  }
  it->second.rows.push_back(row);
}

Status Problems::status() const {
  std::vector<Message> lines = errors_;
  if (more_errors_ > 0) {
    lines.push_back(Message("xlsform.too_many_errors", {{"count", static_cast<std::int64_t>(more_errors_)}}));
  }
  return Status(ErrorCode::invalid_argument, std::move(lines));
}

std::vector<Message> Problems::take_warnings() {
  for (auto& [kind, gathered] : gathered_) {
    warning(Message("xlsform.at_row",
                    {{"sheet", gathered.sheet}, {"row", row_list(gathered.rows)}, {"problem", *gathered.message}}));
  }
  gathered_.clear();
  std::vector<Message> out = std::move(warnings_);
  if (more_warnings_ > 0) {
    out.push_back(Message("xlsform.more_warnings", {{"count", static_cast<std::int64_t>(more_warnings_)}}));
  }
  warnings_.clear();
  more_warnings_ = 0;
  return out;
}

std::string row_list(const std::vector<std::uint32_t>& rows) {
  std::string out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i == 12) return out + ", ...";
    out += (i == 0 ? "" : ", ") + std::to_string(rows[i]);
  }
  return out;
}

// A language as a definition keys it: a code, or the name in lower case with only
// [a-z0-9_-] kept ("french"); "" when nothing is left ("Français" is kept as "franais").
std::string language_key(const std::string& code) {
  std::string key;
  for (char c : code) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-') key += c;
    else if (c == ' ' && !key.empty() && key.back() != '_') key += '_';
  }
  while (!key.empty() && (key.front() < 'a' || key.front() > 'z')) key.erase(key.begin());
  return key.substr(0, 32);
}

Table::Table(const xlsx::Sheet& sheet, const std::vector<std::string_view>& known, std::string_view default_language,
             Problems& problems, bool keep_other_columns)
    : sheet_(sheet) {
  if (sheet.rows.empty()) return;
  const std::string default_code = default_language.empty() ? "" : language_code(default_language);
  const xlsx::Row& header = sheet.rows.front();
  for (std::size_t i = 0; i < header.cells.size(); ++i) {
    if (trim(header.cells[i]).empty()) continue;
    Column column = parse_header(header.cells[i]);
    column.index = i;
    if (column.language.empty() && !default_code.empty() && translatable(column.key)) {
      column.language = default_code;
      column.language_name = std::string(default_language);
    }
    if (std::find(known.begin(), known.end(), column.key) == known.end()) {
      if (keep_other_columns && column.language.empty()) {
        other_columns_.push_back(std::move(column));
        continue;
      }
      problems.warning(at_row(header.number, Message("xlsform.ignored_column",
                                                     {{"header", column.header}, {"reason", "Amana does not use it"}})));
      continue;
    }
    columns_.push_back(std::move(column));
  }
  // English first, then a column without a language, then another language; Arabic into
  // its own slot. Languages with no slot are reported once.
  std::map<std::string, std::string> dropped;  // language -> its name as written
  for (const Column& column : columns_) {
    if (!translatable(column.key)) continue;
    texts_[column.key];
  }
  for (auto& [key, slots] : texts_) {
    std::vector<const Column*> english, plain, other, arabic;
    for (const Column& column : columns_) {
      if (column.key != key) continue;
      if (column.language == "en") english.push_back(&column);
      else if (column.language.empty()) plain.push_back(&column);
      else if (column.language == "ar") arabic.push_back(&column);
      else other.push_back(&column);
    }
    for (const auto* list : {&english, &plain}) {
      for (const Column* column : *list) slots.english.push_back(column->index);
    }
    if (slots.english.empty() && !other.empty() && key == "label") {
      problems.warning(at_sheet(Message("xlsform.language_as_default", {{"language", other.front()->language_name}})));
    }
    for (const Column* column : other) {
      if (key == "media") continue;
      if (slots.english.empty()) slots.english.push_back(column->index);
      const std::string language = language_key(column->language);
      const bool taken = std::any_of(slots.more.begin(), slots.more.end(),
                                     [&](const auto& entry) { return entry.first == language; });
      if (language.empty() || language == "en" || language == "ar" || taken) {
        dropped.emplace(column->language, column->language_name);
      } else {
        slots.more.emplace_back(language, column->index);
      }
    }
    if (!arabic.empty()) {
      slots.arabic = arabic.front()->index;
      slots.english.push_back(arabic.front()->index);  // the fallback when a row has no other text
    }
  }
  for (const auto& [code, name] : dropped) {
    problems.warning(at_sheet(Message("xlsform.language_dropped", {{"language", name}})));
  }
}

bool Table::has(std::string_view key) const { return column(key) != nullptr; }

std::span<const xlsx::Row> Table::rows() const {
  if (sheet_.rows.empty()) return {};
  return std::span<const xlsx::Row>(sheet_.rows).subspan(1);
}

const Column* Table::column(std::string_view key) const {
  for (const Column& column : columns_) {
    if (column.key == key) return &column;
  }
  return nullptr;
}

const std::string& Table::cell(const xlsx::Row& row, std::size_t index) const {
  static const std::string empty;
  return index < row.cells.size() ? row.cells[index] : empty;
}

std::string Table::get(const xlsx::Row& row, std::string_view key) const {
  const Column* found = column(key);
  return found == nullptr ? "" : trim(cell(row, found->index));
}

bool Table::untrimmed(const xlsx::Row& row, std::string_view key) const {
  const Column* found = column(key);
  return found != nullptr && trim(cell(row, found->index)) != cell(row, found->index);
}

LocalizedText Table::text(const xlsx::Row& row, std::string_view key) const {
  LocalizedText text;
  auto slots = texts_.find(key);
  if (slots == texts_.end()) return text;
  for (std::size_t index : slots->second.english) {
    text.en = trim(cell(row, index));
    if (!text.en.empty()) break;
  }
  if (slots->second.arabic) text.ar = trim(cell(row, *slots->second.arabic));
  if (text.ar == text.en) text.ar.clear();
  for (const auto& [language, index] : slots->second.more) {
    std::string translation = trim(cell(row, index));
    if (!translation.empty() && !text.en.empty()) text.more.emplace_back(language, std::move(translation));
  }
  return text;
}

std::vector<std::pair<std::string, std::string>> Table::other_columns(const xlsx::Row& row) const {
  std::vector<std::pair<std::string, std::string>> values;
  // As written: a choice_filter names them in XPath, where `Gov` is not `gov`.
  for (const Column& column : other_columns_) values.emplace_back(column.header, trim(cell(row, column.index)));
  return values;
}

bool Table::blank(const xlsx::Row& row) const {
  return std::all_of(columns_.begin(), columns_.end(),
                     [&](const Column& column) { return trim(cell(row, column.index)).empty(); });
}

Message Table::at(const xlsx::Row& row, std::string_view key, Message problem) const {
  const Column* found = column(key);
  if (found == nullptr) return at_row(row.number, std::move(problem));
  return Message("xlsform.at_cell", {{"sheet", sheet_.name},
                                     {"row", static_cast<std::int64_t>(row.number)},
                                     {"column", xlsx::column_letters(found->index)},
                                     {"header", found->header},
                                     {"problem", problem}});
}

Message Table::at_row(std::uint32_t row, Message problem) const {
  return Message("xlsform.at_row",
                 {{"sheet", sheet_.name}, {"row", static_cast<std::int64_t>(row)}, {"problem", problem}});
}

Message Table::at_sheet(Message problem) const {
  return Message("xlsform.at_sheet", {{"sheet", sheet_.name}, {"problem", problem}});
}

}  // namespace amana::xlsform::detail

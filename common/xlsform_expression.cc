// The expressions of a survey row (xlsform_internal.h): parsed, their ${references}
// checked against the survey, and the slips real forms carry read as their author meant
// (a question written without ${}, typographic quotes, a choice name without quotes).
#include <algorithm>

#include "common/message_catalogue.h"
#include "common/xlsform_internal.h"

namespace amana::xlsform::detail {
namespace {

// ‘ ’ → ', “ ” → ", a no-break space → a space.
std::string plain_punctuation(std::string_view text) {
  constexpr std::pair<std::string_view, char> kPlain[] = {
      {"\u2018", '\''}, {"\u2019", '\''}, {"\u201C", '"'}, {"\u201D", '"'}, {"\u00A0", ' '}};
  std::string out;
  while (!text.empty()) {
    bool replaced = false;
    for (const auto& [fancy, plain] : kPlain) {
      if (text.starts_with(fancy)) {
        out += plain;
        text.remove_prefix(fancy.size());
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      out += text.front();
      text.remove_prefix(1);
    }
  }
  return out;
}

}  // namespace

using xlsx::Row;

// Checks a ${reference} of the expression in `key`: it must name a question with a
// value, asked before this one unless `any_order`.
void Converter::check_references(const Table& table, const Row& row, std::string_view key, const expr::Expression& expression,
                      bool any_order) {
  for (const std::string& name : expression.references()) {
    const std::string ref = "${" + name + "}";
    auto it = declared_.find(name);
    if (it == declared_.end()) {
      problems_.error(table.at(row, key, Message("xlsform.unknown_reference", {{"ref", ref}})));
    } else if (it->second.again != 0) {
      problems_.error(table.at(row, key, Message("xlsform.ambiguous_reference",
                                                 {{"ref", ref},
                                                  {"first", static_cast<std::int64_t>(it->second.row)},
                                                  {"second", static_cast<std::int64_t>(it->second.again)}})));
    } else if (it->second.kind == NameKind::repeat) {
      // count(${members}) and indexed-repeat(${age}, ${members}, 1) name a repeat; as a value it has none.
      const auto& values = expression.value_references();
      if (std::find(values.begin(), values.end(), name) != values.end()) {
        problems_.error(table.at(row, key, Message("xlsform.reference_to_repeat", {{"ref", ref}})));
      }
    } else if (it->second.kind == NameKind::group) {
      problems_.error(table.at(row, key, Message("xlsform.reference_to_group", {{"ref", ref}})));
    } else if (it->second.kind == NameKind::note) {
      problems_.error(table.at(row, key, Message("xlsform.reference_to_note", {{"ref", ref}})));
    } else if (it->second.kind == NameKind::metadata) {
      problems_.error(table.at(row, key, Message("xlsform.reference_to_metadata",
                                                 {{"ref", ref}, {"type", it->second.type}})));
    } else if (!any_order && it->second.row >= row.number && (key == "relevant" || key == "required")) {
      // Decided again as answers change, and checked on the whole record in dependency
      // order (forms::evaluation_order; a cycle is refused): ODK reads these the same way.
      problems_.warning(table.at(row, key, Message("xlsform.reference_later_read",
                                                   {{"ref", ref},
                                                    {"row", static_cast<std::int64_t>(it->second.row)},
                                                    {"column", std::string(key)}})));
    } else if (!any_order && it->second.row >= row.number) {
      problems_.error(table.at(row, key, Message("xlsform.reference_later",
                                                 {{"ref", ref},
                                                  {"row", static_cast<std::int64_t>(it->second.row)},
                                                  {"column", std::string(key)}})));
    }
  }
}

std::optional<expr::Expression> Converter::expression(const Table& table, const Row& row, std::string_view key,
                                                      bool any_order, expr::Syntax syntax) {
  std::string source = table.get(row, key);
  if (source.empty()) return std::nullopt;
  if (const std::size_t at = source.find("pulldata("); at != std::string::npos) {
    // pulldata('sampleList', ...) reads sampleList.csv, attached to the form in ODK.
    std::string file = source.substr(at + 9, source.find_first_of(",)", at) - at - 9);
    file = trim(file);
    if (file.size() >= 2 && (file.front() == '\'' || file.front() == '"')) file = file.substr(1, file.size() - 2);
    problems_.error(table.at(row, key, Message("xlsform.pulldata_not_supported", {{"file", file + ".csv"}})));
    return std::nullopt;
  }
  auto parsed = expr::Expression::parse(source, syntax);
  if (!parsed.ok() && syntax == expr::Syntax::standard) {
    // A question written without ${} (`know_birth_date='yes'`): ODK reads a path that is
    // always empty, but what the author meant is plain when the name is a question's.
    if (auto fixed = with_bare_names(table, row, key, plain_punctuation(source), false)) {
      auto retried = expr::Expression::parse(*fixed, syntax);
      if (retried.ok()) {
        with_bare_names(table, row, key, plain_punctuation(source), true);
        if (plain_punctuation(source) != source) {
          problems_.gathered_warning(table.name(), "typographic:" + std::string(key), row.number,
                                     Message("xlsform.typographic_punctuation", {{"column", std::string(key)}}));
        }
        source = *fixed;
        parsed = std::move(retried);
      }
    }
  }
  if (!parsed.ok()) {
    // A spreadsheet's autocorrect turns quotes into ‘ ’ “ ” and spaces into no-break
    // spaces; ODK refuses those, but what the author meant is plain.
    const std::string plain = plain_punctuation(source);
    auto retried = plain == source ? Result<expr::Expression>(parsed.status()) : expr::Expression::parse(plain, syntax);
    if (!retried.ok()) {
      // Past the punctuation, what else is wrong (pulldata() after a no-break space).
      problems_.error(table.at(row, key, from_status(retried.status())));
      return std::nullopt;
    }
    problems_.gathered_warning(table.name(), "typographic:" + std::string(key), row.number,
                               Message("xlsform.typographic_punctuation", {{"column", std::string(key)}}));
    parsed = std::move(retried);
  }
  if (key == "calculation" && parsed->source().find("random(") != std::string::npos &&
      !parsed->source().starts_with("once(")) {
    problems_.error(table.at(row, key, Message("xlsform.not_supported_because",
                                               {{"feature", "random() outside once()"},
                                                {"reason", "its value would change each time the record is checked; "
                                                           "write once(...) around the calculation"}})));
    return std::nullopt;
  }
  check_references(table, row, key, *parsed, any_order);
  return std::move(parsed).value();
}

std::optional<std::string> Converter::with_bare_names(const Table& table, const Row& row, std::string_view key,
                                                     std::string_view source, bool warn,
                                                     const std::set<std::string>* columns) {
  auto name_char = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  };
  std::string out;
  bool replaced = false;
  std::size_t i = 0;
  while (i < source.size()) {
    const char c = source[i];
    if (c == '\'' || c == '"') {  // a string: copied as it is (XPath strings have no escapes)
      const std::size_t close = source.find(c, i + 1);
      const std::size_t end = close == std::string_view::npos ? source.size() : close + 1;
      out += source.substr(i, end - i);
      i = end;
      continue;
    }
    if (c == '$' && i + 1 < source.size() && source[i + 1] == '{') {  // already ${name}
      const std::size_t close = source.find('}', i);
      const std::size_t end = close == std::string_view::npos ? source.size() : close + 1;
      out += source.substr(i, end - i);
      i = end;
      continue;
    }
    if (!name_char(c) || (c >= '0' && c <= '9')) {
      out += c;
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < source.size() && name_char(source[end])) ++end;
    const std::string_view word = source.substr(i, end - i);
    std::size_t after = end;
    while (after < source.size() && source[after] == ' ') ++after;
    // Part of a function's name or a path (format-date(, jr:choice-name, /data/x, ../x):
    // left as written.
    const char before = i == 0 ? ' ' : source[i - 1];
    const bool joined = name_char(before) || before == '-' || before == ':' || before == '/' || before == '.' || before == '@' ||
                        (end < source.size() && (source[end] == '-' || source[end] == ':' || source[end] == '.' ||
                                                 source[end] == '/'));
    const bool call = after < source.size() && source[after] == '(';
    const bool keyword = word == "and" || word == "or" || word == "div" || word == "mod" ||
                         (columns != nullptr && (word == "name" || word == "label" || columns->count(std::string(word)) != 0));
    auto declared = declared_.find(word);
    if (!joined && !call && !keyword && declared != declared_.end() && declared->second.kind == NameKind::question &&
        declared->second.again == 0) {
      if (warn) {
        problems_.warning(table.at(row, key, Message("xlsform.bare_name_read",
                                                     {{"column", std::string(key)},
                                                      {"name", std::string(word)},
                                                      {"ref", "${" + std::string(word) + "}"},
                                                      {"row", static_cast<std::int64_t>(declared->second.row)}})));
      }
      out += "${" + std::string(word) + "}";
      replaced = true;
    } else if (auto select = !joined && !call && !keyword && columns == nullptr && declared == declared_.end()
                                 ? compared_choice(source, i, end)
                                 : std::nullopt) {
      // `${country} = Ethiopia`: a choice name of the question compared with, unquoted.
      if (warn) {
        problems_.warning(table.at(row, key, Message("xlsform.bare_choice_read",
                                                     {{"column", std::string(key)},
                                                      {"word", std::string(word)},
                                                      {"ref", "${" + select->first + "}"},
                                                      {"list", select->second}})));
      }
      out += "'" + std::string(word) + "'";
      replaced = true;
    } else {
      out += word;
    }
    i = end;
  }
  if (!replaced) return std::nullopt;
  return out;
}

std::optional<std::pair<std::string, std::string>> Converter::compared_choice(std::string_view source,
                                                                          std::size_t begin, std::size_t end) const {
  auto name_char = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  };
  // The operand on the other side of an = or != next to the word: ${q}, or q written bare.
  auto operand_before = [&](std::size_t at) -> std::string {
    while (at > 0 && source[at - 1] == ' ') --at;
    if (at == 0 || source[at - 1] != '=') return "";
    --at;
    if (at > 0 && (source[at - 1] == '<' || source[at - 1] == '>' || source[at - 1] == '=')) return "";
    if (at > 0 && source[at - 1] == '!') --at;
    while (at > 0 && source[at - 1] == ' ') --at;
    const bool braced = at > 0 && source[at - 1] == '}';
    if (braced) --at;
    std::size_t start = at;
    while (start > 0 && name_char(source[start - 1])) --start;
    if (braced && (start < 2 || source.substr(start - 2, 2) != "${")) return "";
    if (!braced && start > 0 && (source[start - 1] == '$' || source[start - 1] == '.' || source[start - 1] == '/')) return "";
    return std::string(source.substr(start, at - start));
  };
  auto operand_after = [&](std::size_t at) -> std::string {
    while (at < source.size() && source[at] == ' ') ++at;
    if (at < source.size() && source[at] == '!') ++at;
    if (at >= source.size() || source[at] != '=' || (at + 1 < source.size() && source[at + 1] == '=')) return "";
    ++at;
    while (at < source.size() && source[at] == ' ') ++at;
    const bool braced = source.substr(at, 2) == "${";
    if (braced) at += 2;
    std::size_t stop = at;
    while (stop < source.size() && name_char(source[stop])) ++stop;
    if (braced && (stop >= source.size() || source[stop] != '}')) return "";
    if (!braced && stop < source.size() && source[stop] == '(') return "";
    return std::string(source.substr(at, stop - at));
  };
  const std::string word(source.substr(begin, end - begin));
  for (const std::string& question : {operand_before(begin), operand_after(end)}) {
    auto declared = declared_.find(question);
    if (question.empty() || declared == declared_.end() || declared->second.kind != NameKind::question ||
        declared->second.again != 0) {
      continue;
    }
    const std::string& type = declared->second.type;  // "select_one LIST[ or_other]"
    if (!type.starts_with("select_one ") && !type.starts_with("select_multiple ")) continue;
    std::string list = trim(type.substr(type.find(' ')));
    if (list.ends_with(" or_other")) list = trim(list.substr(0, list.size() - std::string_view(" or_other").size()));
    auto choices = lists_.find(list);
    if (choices != lists_.end() && choices->second.names.count(word) != 0) return std::make_pair(question, list);
  }
  return std::nullopt;
}

}  // namespace amana::xlsform::detail

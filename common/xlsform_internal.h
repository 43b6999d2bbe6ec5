// Internals of the XLSForm import (xlsform.h), shared by its source files:
//   xlsform_table.cc     a sheet as a table: its header row read with every variant in use
//                        (`label::Arabic (ar)`, `label:French`, `bind::relevant`,
//                        `jr:constraintMsg`), the texts of a row by language, and the
//                        problems found, each placed at its sheet, row and column
//   xlsform.cc           the sheets walked: settings, choices, and the survey's rows with
//                        their groups, into a definition
//   xlsform_expression.cc a row's expressions: parsed, references checked, slips read
//   xlsform_question.cc  the rules of one survey row: a question's columns checked and
//                        converted (types, defaults, calculations, choice filters,
//                        appearances, a repeat's count and disclosure, what is refused)
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/expr.h"
#include "common/message.h"
#include "common/xlsform.h"
#include "common/xlsx_reader.h"

namespace amana::xlsform::detail {

std::string trim(std::string_view text);
std::string lower(std::string_view text);

// Errors and warnings, in the order found, bounded (ImportLimits). Warnings of one kind
// that recur (an appearance on many rows) are gathered into one line naming the rows.
class Problems {
 public:
  explicit Problems(const ImportLimits& limits) : limits_(limits) {}
  void error(Message message);
  void warning(Message message);
  // One warning per `kind` at the end, "survey sheet, rows 3, 7, 9: <message>".
  void gathered_warning(const std::string& sheet, const std::string& kind, std::uint32_t row, Message message);
  bool has_errors() const { return !errors_.empty(); }
  std::size_t error_count() const { return errors_.size() + more_errors_; }
  // The errors as one invalid_argument Status. REQUIRES: has_errors().
  Status status() const;
  std::vector<Message> take_warnings();

 private:
  ImportLimits limits_;
  std::vector<Message> errors_;
  std::size_t more_errors_ = 0;
  std::vector<Message> warnings_;
  std::size_t more_warnings_ = 0;
  struct Gathered {
    std::string sheet;
    std::vector<std::uint32_t> rows;
    std::optional<Message> message;
  };
  std::vector<std::pair<std::string, Gathered>> gathered_;  // in order of first appearance
};

// "3, 7, 9", at most a dozen then "...".
std::string row_list(const std::vector<std::uint32_t>& rows);

struct Column {
  std::size_t index = 0;
  std::string header;    // as written, for messages
  std::string key;       // canonical: "label", "relevant", "constraint_message", "media", ...
  std::string language;  // "en", "ar", "fr", ... ; "" for a column without a language
  std::string language_name;  // as written ("Arabic (ar)"), for messages
};

// The slots a translatable key's columns fill in a definition: English (the fallback),
// Arabic, and every other language by its key ("fr").
struct TextColumns {
  std::vector<std::size_t> english;  // in order of preference; the first non-empty is used
  std::optional<std::size_t> arabic;
  std::vector<std::pair<std::string, std::size_t>> more;
};

class Table {
 public:
  // Reads the header (the sheet's first row). `known` are the canonical keys the sheet
  // uses; other columns are reported once as not read, with `ignored_reason`.
  // With `keep_other_columns`, columns outside `known` are kept, unreported, for
  // other_columns() (a choices sheet's state, locality, ... for choice filters).
  Table(const xlsx::Sheet& sheet, const std::vector<std::string_view>& known, std::string_view default_language,
        Problems& problems, bool keep_other_columns = false);

  const std::string& name() const { return sheet_.name; }
  const xlsx::Sheet& sheet() const { return sheet_; }
  bool has(std::string_view key) const;
  // The rows after the header, with their numbers.
  std::span<const xlsx::Row> rows() const;

  // The cell of `key` (the first column with it, any language) trimmed; "" when absent.
  std::string get(const xlsx::Row& row, std::string_view key) const;
  // Whether the cell had spaces around it (reported as a warning by the caller).
  bool untrimmed(const xlsx::Row& row, std::string_view key) const;
  // The text of a translatable key in English (falling back), Arabic and the other languages.
  LocalizedText text(const xlsx::Row& row, std::string_view key) const;
  // The row's cells in the columns kept by keep_other_columns: (header as written, value).
  std::vector<std::pair<std::string, std::string>> other_columns(const xlsx::Row& row) const;
  // Whether any cell of the row, in a column this table reads, is non-empty.
  bool blank(const xlsx::Row& row) const;

  // Where a problem is: "survey sheet, row 12, column C (relevant): <problem>".
  Message at(const xlsx::Row& row, std::string_view key, Message problem) const;
  Message at_row(std::uint32_t row, Message problem) const;
  Message at_sheet(Message problem) const;

 private:
  const Column* column(std::string_view key) const;
  const std::string& cell(const xlsx::Row& row, std::size_t index) const;

  const xlsx::Sheet& sheet_;
  std::vector<Column> columns_;
  std::vector<Column> other_columns_;
  std::map<std::string, TextColumns, std::less<>> texts_;
};

// The canonical key and language of a header as written, e.g. "jr:constraintMsg::Arabic
// (ar)" -> {"constraint_message", "ar", "Arabic (ar)"}; "bind::relevant" -> {"relevant"}.
Column parse_header(std::string_view header);

bool is_identifier(std::string_view name);
// yes/no, true/false, 1/0, TRUE(); "" is no; nullopt when it is none of these.
std::optional<bool> yes_no(std::string_view value);
nlohmann::json text_json(const LocalizedText& text);
// A Status from a library as one Message: its own when it has one, else its English text.
Message from_status(const Status& status);

// Rows that ask nothing: their type, and whether Amana fills it itself (start, end, today,
// deviceid become metadata fields) or skips it.
bool is_metadata_type(std::string_view base);
bool is_kept_metadata(std::string_view base);

enum class NameKind { question, note, group, repeat, metadata, unsupported };

struct Declared {
  std::uint32_t row = 0;
  NameKind kind = NameKind::question;
  std::string type;
  std::uint32_t again = 0;  // the row of a second question of this name (in another group), 0 if none
};

// A name as the survey used it: where, and in which group (the row of the innermost open
// group, 0 outside any), since ODK lets two groups each have a question of one name.
struct SeenName {
  std::uint32_t row = 0;
  std::uint32_t parent = 0;
  bool repeat = false;
};
using SeenNames = std::map<std::string, SeenName, std::less<>>;

struct Choices {
  std::uint32_t row = 0;  // first row of the list
  nlohmann::json items = nlohmann::json::array();
  std::map<std::string, std::pair<std::uint32_t, std::string>> names;  // name -> first row, label
  std::set<std::string> columns;  // the extra columns some choice of the list has
  std::vector<Message> errors;
  bool overflowed = false;  // more than the limit: reported once
};

// The workbook converted, sheet by sheet (xlsform.cc), row by row (xlsform_question.cc).
class Converter {
 public:
  Converter(const xlsx::Workbook& workbook, std::string_view file_name, std::uint32_t version,
            const ImportLimits& limits)
      : workbook_(workbook), file_name_(file_name), version_(version), problems_(limits),
        builtin_ids_(limits.builtin_ids) {}

  Result<Conversion> run();

 private:
  // xlsform.cc
  nlohmann::json read_settings();
  template <class Where>
  void check_builtin(const std::string& id, Where where);
  void read_choices(const xlsx::Sheet& sheet);
  void note_blank_rows(const Table& table);
  void declare_names(const Table& table);
  nlohmann::json read_survey(const xlsx::Sheet& sheet);

  // xlsform_question.cc
  // The name the row's question is stored under ("" when refused): its own, or, when a
  // question of another group has it, the first free NAME_2, NAME_3, ... with a warning.
  std::string check_name(const Table& table, const xlsx::Row& row, const std::string& name, SeenNames& seen,
                         bool repeat = false);
  // A name written bare in an expression that is exactly a question of the form
  // (`know_birth_date='yes'`) read as ${name}, and a word that is no question but a choice
  // name of the select it is compared with (`${country} = Ethiopia`) read as 'Ethiopia',
  // each with a warning; nullopt if there is none.
  // `columns`: in a choice_filter, the list's columns, which a bare name means first.
  std::optional<std::string> with_bare_names(const Table& table, const xlsx::Row& row, std::string_view key,
                                             std::string_view source, bool warn,
                                             const std::set<std::string>* columns = nullptr);
  // Whether the bare word at [begin, end) of `source` is compared (=, !=) with a select
  // question (${q} or q) whose list has a choice of that name: the question and its list.
  std::optional<std::pair<std::string, std::string>> compared_choice(std::string_view source, std::size_t begin,
                                                                     std::size_t end) const;
  void check_references(const Table& table, const xlsx::Row& row, std::string_view key,
                        const expr::Expression& expression, bool any_order);
  std::optional<expr::Expression> expression(const Table& table, const xlsx::Row& row, std::string_view key,
                                             bool any_order, expr::Syntax syntax = expr::Syntax::standard);
  // A relevant that compares the choices' columns (`name != ${other}`), on a select
  // without a choice_filter: read as its choice_filter, with a warning. True when read so
  // (or refused at its references).
  bool relevant_as_choice_filter(const Table& table, const xlsx::Row& row, const std::string& type,
                                 nlohmann::json& field);
  void refuse_if_set(const Table& table, const xlsx::Row& row, std::string_view key, std::string_view feature);
  void ignore_if_set(const Table& table, const xlsx::Row& row, std::string_view key, const char* reason);
  // A group's own columns: its label, relevant and appearance.
  nlohmann::json group(const Table& table, const xlsx::Row& row, const std::string& name, bool repeat = false);
  // A repeat's: a group's, and its repeat_count (a whole number or an expression).
  nlohmann::json repeat(const Table& table, const xlsx::Row& row, const std::string& name);
  // `select_one list or_other`, as pyxform reads it: the answer 'other' added to the
  // question's choices and the text question NAME_other asked when it is chosen.
  std::optional<nlohmann::json> add_other(const Table& table, const xlsx::Row& row, nlohmann::json& field,
                                          SeenNames& seen);
  std::optional<nlohmann::json> question(const Table& table, const xlsx::Row& row, const std::string& amana_type,
                                         const std::string& type, const std::string& name);
  void choices(const Table& table, const xlsx::Row& row, const std::string& amana_type, const std::string& type,
               nlohmann::json& field);
  void appearance(const Table& table, const xlsx::Row& row, const std::string& amana_type, nlohmann::json& field);
  void default_value(const Table& table, const xlsx::Row& row, const std::string& amana_type, bool note,
                     nlohmann::json& field);
  std::size_t error_count() const { return problems_.error_count(); }
  // The field as a form of its own, without its expressions (their references are checked
  // against the whole survey).
  static Result<forms::FormDefinition> probe_field(nlohmann::json field);

  const xlsx::Workbook& workbook_;
  std::string file_name_;
  std::uint32_t version_;
  Problems problems_;
  bool builtin_ids_ = false;  // ImportLimits::builtin_ids
  std::string default_language_;
  std::string source_version_;
  bool has_choices_ = false;
  std::map<std::string, Choices, std::less<>> lists_;
  std::map<std::string, Declared, std::less<>> declared_;
  std::uint32_t parent_ = 0;  // the row of the group the survey row being read is in (SeenName)
};

}  // namespace amana::xlsform::detail

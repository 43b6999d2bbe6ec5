// Internals of the XLSForm import (xlsform.h), shared by its two source files:
//   xlsform_table.cc  a sheet as a table: its header row read with every variant in use
//                     (`label::Arabic (ar)`, `label:French`, `bind::relevant`,
//                     `jr:constraintMsg`), the texts of a row by language, and the
//                     problems found, each placed at its sheet, row and column
//   xlsform.cc        the survey, choices and settings sheets converted to a definition
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

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

// The slots a translatable key's columns fill in a definition: English (the fallback)
// and Arabic, and the columns whose texts are not published.
struct TextColumns {
  std::vector<std::size_t> english;  // in order of preference; the first non-empty is used
  std::optional<std::size_t> arabic;
};

class Table {
 public:
  // Reads the header (the sheet's first row). `known` are the canonical keys the sheet
  // uses; other columns are reported once as not read, with `ignored_reason`.
  Table(const xlsx::Sheet& sheet, const std::vector<std::string_view>& known, std::string_view default_language,
        Problems& problems);

  const std::string& name() const { return sheet_.name; }
  const xlsx::Sheet& sheet() const { return sheet_; }
  bool has(std::string_view key) const;
  // The rows after the header, with their numbers.
  std::span<const xlsx::Row> rows() const;

  // The cell of `key` (the first column with it, any language) trimmed; "" when absent.
  std::string get(const xlsx::Row& row, std::string_view key) const;
  // Whether the cell had spaces around it (reported as a warning by the caller).
  bool untrimmed(const xlsx::Row& row, std::string_view key) const;
  // The text of a translatable key in English (falling back) and Arabic.
  LocalizedText text(const xlsx::Row& row, std::string_view key) const;
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
  std::map<std::string, TextColumns, std::less<>> texts_;
};

// The canonical key and language of a header as written, e.g. "jr:constraintMsg::Arabic
// (ar)" -> {"constraint_message", "ar", "Arabic (ar)"}; "bind::relevant" -> {"relevant"}.
Column parse_header(std::string_view header);

}  // namespace amana::xlsform::detail

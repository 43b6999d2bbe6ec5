// Reading the cells of an XLSX workbook (Office Open XML spreadsheet) that someone hands
// us, e.g. an XLSForm. Only what a form needs: each sheet's cells as text, by row and
// column. No formulas are evaluated (a formula cell gives its cached value), no styles,
// no dates (a date cell is its serial number, as Excel stores it).
//
// The zip is read by libzip and the XML by expat: no hand-written parser of either. The
// file comes from outside, so every size is bounded (XlsxLimits) before it is spent: the
// number of zip entries, each part's uncompressed size (counted as it inflates, so a zip
// whose headers lie about its sizes is stopped all the same), their sum, shared strings,
// rows, columns, cells and each cell's text. An XML part with a DOCTYPE is refused, so
// no entity can expand or reach outside the file.
//
// Thread safety: read_xlsx is a pure function of its input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace amana::xlsx {

struct XlsxLimits {
  std::size_t max_entries = 1000;              // parts in the zip; Excel writes about a dozen
  std::size_t max_part_bytes = 32u << 20;      // one part inflated
  std::size_t max_total_bytes = 96u << 20;     // every part read, inflated
  std::size_t max_shared_strings = 200'000;
  std::size_t max_rows = 20'000;               // per sheet; a big form has a few thousand
  std::size_t max_columns = 256;               // per sheet
  std::size_t max_cells = 1'000'000;           // in every sheet read
  std::size_t max_cell_bytes = 32u << 10;      // one cell's text
  std::size_t max_sheets = 100;
};

struct Row {
  std::uint32_t number = 0;        // 1-based, as Excel shows it
  std::vector<std::string> cells;  // cells[0] is column A; missing cells are ""
};

struct Sheet {
  std::string name;
  std::vector<Row> rows;  // rows with at least one cell, in increasing number
};

struct Workbook {
  std::vector<std::string> sheet_names;  // every sheet, in workbook order
  std::vector<Sheet> sheets;             // the sheets that were read, in workbook order
  const Sheet* find(std::string_view name) const;  // exact name
};

// "A", "B", ... "Z", "AA": the letters of a 0-based column index.
std::string column_letters(std::size_t index);

// Reads the workbook in `bytes`. Only the sheets for which `wanted(name)` is true are
// read (all when it is empty). Errors are invalid_argument and say what is wrong with the
// file in terms its author can act on ("not a zip archive", "the sheet 'survey' has more
// than 20000 rows"); a part missing or malformed names the part.
Result<Workbook> read_xlsx(std::string_view bytes, const XlsxLimits& limits = {},
                           const std::function<bool(std::string_view)>& wanted = {});

}  // namespace amana::xlsx

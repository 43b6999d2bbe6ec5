// CSV as spreadsheets write it (RFC 4180): comma-separated, fields optionally quoted with
// '"', a doubled quote inside a quoted field, CRLF or LF line ends, a UTF-8 BOM ignored.
// Used to import lists office staff keep in Excel (the service provider directory) and,
// later, to export datasets.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace amana::csv {

using Row = std::vector<std::string>;

struct Limits {
  std::size_t max_rows = 10'000;
  std::size_t max_fields = 64;
  std::size_t max_field_bytes = 64 * 1024;
};

// Every row, the header included. invalid_argument naming the line for an unterminated
// quote, a quote inside an unquoted field, or a limit exceeded.
Result<std::vector<Row>> parse(std::string_view text, const Limits& limits = {});

// One row, quoting the fields that need it, ending in CRLF.
std::string format_row(const Row& row);

}  // namespace amana::csv

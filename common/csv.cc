#include "common/csv.h"

namespace amana::csv {

Result<std::vector<Row>> parse(std::string_view text, const Limits& limits) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<Row> rows;
  Row row;
  std::string field;
  std::size_t line = 1;
  std::size_t i = 0;
  bool field_started = false;
  auto where = [&] { return "line " + std::to_string(line) + ": "; };
  auto end_field = [&]() -> Status {
    if (field.size() > limits.max_field_bytes) {
      return invalid_argument(where() + "a field is longer than " + std::to_string(limits.max_field_bytes) + " bytes");
    }
    if (row.size() == limits.max_fields) {
      return invalid_argument(where() + "more than " + std::to_string(limits.max_fields) + " columns");
    }
    row.push_back(std::move(field));
    field.clear();
    field_started = false;
    return Status();
  };
  auto end_row = [&]() -> Status {
    AMANA_RETURN_IF_ERROR(end_field());
    // A blank line (one empty field) is skipped, as spreadsheets leave them at the end.
    if (!(row.size() == 1 && row[0].empty())) {
      if (rows.size() == limits.max_rows) {
        return invalid_argument("more than " + std::to_string(limits.max_rows) + " rows");
      }
      rows.push_back(std::move(row));
    }
    row.clear();
    ++line;
    return Status();
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"' && !field_started) {
      // A quoted field: runs to the closing quote; "" is a quote.
      const std::size_t start_line = line;
      ++i;
      field_started = true;
      while (true) {
        if (i >= text.size()) {
          return invalid_argument("line " + std::to_string(start_line) + ": a quoted field is never closed");
        }
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (text[i] == '\n') ++line;
        field += text[i++];
        if (field.size() > limits.max_field_bytes) {
          return invalid_argument(where() + "a field is longer than " + std::to_string(limits.max_field_bytes) +
                                  " bytes");
        }
      }
      if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        return invalid_argument(where() + "text after a closing quote; quote the whole field");
      }
      continue;
    }
    if (c == ',') {
      AMANA_RETURN_IF_ERROR(end_field());
      ++i;
    } else if (c == '\r' || c == '\n') {
      AMANA_RETURN_IF_ERROR(end_row());
      i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
    } else if (c == '"') {
      return invalid_argument(where() + "a quote inside an unquoted field; quote the whole field and double the quote");
    } else {
      field += c;
      field_started = true;
      ++i;
      if (field.size() > limits.max_field_bytes) {
        return invalid_argument(where() + "a field is longer than " + std::to_string(limits.max_field_bytes) + " bytes");
      }
    }
  }
  if (field_started || !row.empty()) AMANA_RETURN_IF_ERROR(end_row());
  return rows;
}

std::string format_row(const Row& row) {
  std::string out;
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i > 0) out += ',';
    const std::string& field = row[i];
    // A field that starts with a byte-order mark is quoted: unquoted at the start of a
    // file, the parser would take its first three bytes for the file's BOM and drop them.
    if (field.find_first_of(",\"\r\n") == std::string::npos && !field.starts_with("\xEF\xBB\xBF")) {
      out += field;
      continue;
    }
    out += '"';
    for (char c : field) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out + "\r\n";
}

}  // namespace amana::csv

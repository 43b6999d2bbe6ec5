// An XLSForm workbook someone hands the office (common/xlsform.h): the zip, its XML parts
// and the conversion of its sheets, with small bounds so that the fuzzer reaches each of
// them rather than spending its time inflating.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/form.h"
#include "common/xlsform.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace amana;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  xlsform::ImportLimits limits;
  limits.workbook.max_part_bytes = 1 << 20;
  limits.workbook.max_total_bytes = 4 << 20;
  limits.workbook.max_rows = 2000;
  limits.workbook.max_cells = 20'000;
  auto workbook = xlsx::read_xlsx(bytes, limits.workbook);
  if (workbook.ok()) {
    std::size_t rows = 0;
    for (const xlsx::Sheet& sheet : workbook->sheets) {
      if (sheet.rows.size() > limits.workbook.max_rows) __builtin_trap();
      rows += sheet.rows.size();
      for (const xlsx::Row& row : sheet.rows) {
        if (row.cells.size() > limits.workbook.max_columns) __builtin_trap();
      }
    }
    if (rows > limits.workbook.max_cells) __builtin_trap();
  }
  auto conversion = xlsform::convert_xlsform(bytes, "fuzz.xlsx", 1, limits);
  // What converts is a definition the loader accepts as it is stored.
  if (conversion.ok() && !forms::parse_form_definition(conversion->definition_json).ok()) __builtin_trap();
  return 0;
}

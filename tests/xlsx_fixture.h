// XLSX workbooks written by a real writer (libxlsxwriter) for the XLSForm tests: every
// fixture is made by the test that reads it, never fetched.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace amana::testing {

struct SheetRows {
  std::string name;
  std::vector<std::vector<std::string>> rows;  // rows[0] is row 1; "" leaves the cell empty
};

enum class StringStorage { shared, inline_strings };

// Writes the workbook to `path` and returns its bytes. `inline_strings` writes each text
// in its cell (libxlsxwriter's constant-memory mode) instead of the shared string table.
std::string write_xlsx(const std::filesystem::path& path, const std::vector<SheetRows>& sheets,
                       StringStorage storage = StringStorage::shared);

}  // namespace amana::testing

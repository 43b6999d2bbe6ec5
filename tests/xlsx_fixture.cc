#include "tests/xlsx_fixture.h"

#include <xlsxwriter.h>

#include <stdexcept>

#include "tests/support.h"

namespace amana::testing {

std::string write_xlsx(const std::filesystem::path& path, const std::vector<SheetRows>& sheets,
                       StringStorage storage) {
  std::string tmpdir = path.parent_path().string();
  lxw_workbook_options options{};
  options.constant_memory = storage == StringStorage::inline_strings ? LXW_TRUE : LXW_FALSE;
  options.tmpdir = tmpdir.data();
  lxw_workbook* workbook = workbook_new_opt(path.c_str(), &options);
  if (workbook == nullptr) throw std::runtime_error("cannot create " + path.string());
  for (const SheetRows& sheet : sheets) {
    lxw_worksheet* worksheet = workbook_add_worksheet(workbook, sheet.name.c_str());
    for (std::size_t r = 0; r < sheet.rows.size(); ++r) {
      for (std::size_t c = 0; c < sheet.rows[r].size(); ++c) {
        if (sheet.rows[r][c].empty()) continue;
        worksheet_write_string(worksheet, static_cast<lxw_row_t>(r), static_cast<lxw_col_t>(c),
                               sheet.rows[r][c].c_str(), nullptr);
      }
    }
  }
  if (workbook_close(workbook) != LXW_NO_ERROR) throw std::runtime_error("cannot write " + path.string());
  return read_file(path);
}

}  // namespace amana::testing

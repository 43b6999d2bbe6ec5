// A dataset as files: CSV, JSON lines or XLSX, and its codebook (dataset.h).
#include <cstdlib>
#include <map>

#include <nlohmann/json.hpp>
#include <xlsxwriter.h>

#include "common/csv.h"
#include "common/files.h"
#include "sync-server/dataset.h"

namespace amana::server {
namespace {

constexpr const char* kCodebookHeadings[] = {"variable", "label_en", "label_ar", "type", "choices", "disclosure"};

// libxlsxwriter opens its file and its temporary parts by name: both go into a private
// directory beside the target (PrivateDirectory), so that no part of an identified
// workbook passes through the system's temporary directory, and the finished workbook is
// moved into place like every other file.
Status write_xlsx(const Dataset& dataset, const std::filesystem::path& path, ExistingFile existing) {
  constexpr std::size_t kMaxRows = 1'048'575;  // Excel's limit, less the header
  if (dataset.rows.size() > kMaxRows) {
    return invalid_argument("the dataset has " + std::to_string(dataset.rows.size()) +
                            " rows, more than a spreadsheet holds: export it as csv or jsonl, or a shorter period");
  }
  std::map<std::string, std::string, std::less<>> type_of;
  for (const auto& entry : dataset.codebook) type_of[entry[0]] = entry[3];
  AMANA_ASSIGN_OR_RETURN(PrivateDirectory parts, PrivateDirectory::beside(path));
  const std::filesystem::path made = parts.path() / "workbook.xlsx";
  std::string tmpdir = parts.path().string();
  lxw_workbook_options options{};
  options.tmpdir = tmpdir.data();
  lxw_workbook* workbook = workbook_new_opt(made.c_str(), &options);
  if (workbook == nullptr) return io_error("cannot write " + path.string());
  lxw_format* bold = workbook_add_format(workbook);
  format_set_bold(bold);
  lxw_worksheet* data = workbook_add_worksheet(workbook, "data");
  lxw_worksheet* codebook = workbook_add_worksheet(workbook, "codebook");
  lxw_error failure = LXW_NO_ERROR;
  auto check = [&](lxw_error e) {
    if (failure == LXW_NO_ERROR) failure = e;
  };
  for (std::size_t c = 0; c < dataset.columns.size(); ++c) {
    check(worksheet_write_string(data, 0, static_cast<lxw_col_t>(c), dataset.columns[c].c_str(), bold));
  }
  for (std::size_t r = 0; r < dataset.rows.size(); ++r) {
    const auto& row = dataset.rows[r];
    for (std::size_t c = 0; c < row.size() && c < dataset.columns.size(); ++c) {
      if (row[c].empty()) continue;
      const auto row_index = static_cast<lxw_row_t>(r + 1);
      const auto col_index = static_cast<lxw_col_t>(c);
      const std::string& type = type_of[dataset.columns[c]];
      char* end = nullptr;
      const double number = std::strtod(row[c].c_str(), &end);
      const bool numeric = (type == "integer" || type == "decimal" || type == "0/1") &&
                           end == row[c].c_str() + row[c].size();
      check(numeric ? worksheet_write_number(data, row_index, col_index, number, nullptr)
                    : worksheet_write_string(data, row_index, col_index, row[c].c_str(), nullptr));
    }
  }
  for (lxw_col_t c = 0; c < std::size(kCodebookHeadings); ++c) {
    check(worksheet_write_string(codebook, 0, c, kCodebookHeadings[c], bold));
  }
  for (std::size_t r = 0; r < dataset.codebook.size(); ++r) {
    for (std::size_t c = 0; c < dataset.codebook[r].size(); ++c) {
      check(worksheet_write_string(codebook, static_cast<lxw_row_t>(r + 1), static_cast<lxw_col_t>(c),
                                   dataset.codebook[r][c].c_str(), nullptr));
    }
  }
  check(workbook_close(workbook));  // writes the file and frees the workbook, whatever happened above
  if (failure != LXW_NO_ERROR) return io_error("cannot write " + path.string() + ": " + lxw_strerror(failure));
  return move_into_place(made, path, existing);  // `parts` and what is left in it go when it does
}

}  // namespace

std::string to_csv(const Dataset& dataset) {
  std::string out = csv::format_row(dataset.columns);
  for (const auto& row : dataset.rows) out += csv::format_row(row);
  return out;
}

std::string to_jsonl(const Dataset& dataset) {
  std::string out;
  for (const auto& row : dataset.rows) {
    nlohmann::json object = nlohmann::json::object();
    for (std::size_t i = 0; i < dataset.columns.size() && i < row.size(); ++i) object[dataset.columns[i]] = row[i];
    out += object.dump() + "\n";
  }
  return out;
}

std::string codebook_csv(const Dataset& dataset) {
  std::string out = csv::format_row(std::vector<std::string>(std::begin(kCodebookHeadings), std::end(kCodebookHeadings)));
  for (const auto& row : dataset.codebook) out += csv::format_row(row);
  return out;
}

Status write_dataset(const Dataset& dataset, DatasetFormat format, const std::filesystem::path& path,
                     ExistingFile existing) {
  const std::filesystem::path codebook = path.string() + ".codebook.csv";
  if (existing == ExistingFile::refuse) {
    for (const auto& target : {path, codebook}) {
      std::error_code ec;
      if (std::filesystem::exists(std::filesystem::symlink_status(target, ec))) {
        return Status(ErrorCode::already_exists, target.string() + " already exists: choose another name, or add "
                                                                   "--force to replace it");
      }
    }
  }
  if (format == DatasetFormat::xlsx) {
    AMANA_RETURN_IF_ERROR(write_xlsx(dataset, path, existing));
  } else {
    AMANA_RETURN_IF_ERROR(write_file_atomically(path, format == DatasetFormat::jsonl ? to_jsonl(dataset) : to_csv(dataset),
                                                existing));
  }
  return write_file_atomically(codebook, codebook_csv(dataset), existing);
}

}  // namespace amana::server

// A dataset as files: CSV, JSON lines or XLSX, and its codebook (dataset.h), written as
// the rows come.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <utility>

#include <nlohmann/json.hpp>
#include <xlsxwriter.h>

#include "common/csv.h"
#include "common/files.h"
#include "common/repeat_keys.h"
#include "sync-server/dataset.h"

namespace amana::server {
namespace {

constexpr const char* kCodebookHeadings[] = {"variable", "label_en", "label_ar", "type",
                                             "choices", "choices_ar", "disclosure"};

std::string jsonl_row(const std::vector<std::string>& columns, const std::vector<std::string>& cells) {
  nlohmann::json object = nlohmann::json::object();
  for (std::size_t i = 0; i < columns.size() && i < cells.size(); ++i) object[columns[i]] = cells[i];
  return object.dump() + "\n";
}

// How an XLSX cell is written, from the codebook's type of its column.
enum class CellType { text, number, boolean, date };

CellType cell_type(const std::string& type) {
  if (type == "integer" || type == "decimal" || type == "0/1") return CellType::number;
  if (type == "boolean") return CellType::boolean;
  if (type == "date") return CellType::date;  // only an identified export keeps exact dates
  return CellType::text;
}

// Every codebook row: the dataset's columns, then each repeat table's, named
// `repeat/column` so that a table's `instance` is told from another's; the table's own row
// (how its rows relate to the records) is named after the repeat.
std::vector<std::vector<std::string>> codebook_rows(const DatasetLayout& layout) {
  std::vector<std::vector<std::string>> rows = layout.codebook;
  for (const RepeatLayout& repeat : layout.repeats) {
    for (std::vector<std::string> entry : repeat.codebook) {
      entry[0] = entry[0].empty() ? repeat.name : repeat.name + "/" + entry[0];
      rows.push_back(std::move(entry));
    }
  }
  return rows;
}

std::string text_row(DatasetFormat format, const std::vector<std::string>& columns,
                     const std::vector<std::string>& cells) {
  return format == DatasetFormat::jsonl ? jsonl_row(columns, cells) : csv::format_row(cells);
}

std::string text_heading(DatasetFormat format, const std::vector<std::string>& columns) {
  return format == DatasetFormat::jsonl ? std::string() : csv::format_row(columns);
}

}  // namespace

std::string codebook_csv(const DatasetLayout& layout) {
  std::string out = csv::format_row(std::vector<std::string>(std::begin(kCodebookHeadings), std::end(kCodebookHeadings)));
  for (const auto& row : codebook_rows(layout)) out += csv::format_row(row);
  return out;
}

Status DatasetText::begin(const DatasetLayout& layout) {
  layout_ = layout;
  codebook_ = codebook_csv(layout);
  data_ = text_heading(format_, layout.columns);
  for (const RepeatLayout& repeat : layout.repeats) {
    repeats_.push_back({repeat.name, text_heading(format_, repeat.columns), 0});
  }
  return Status();
}

Status DatasetText::row(const std::vector<std::string>& cells) {
  data_ += text_row(format_, layout_.columns, cells);
  return Status();
}

Status DatasetText::repeat_row(std::size_t repeat, const std::vector<std::string>& cells) {
  repeats_.at(repeat).data += text_row(format_, layout_.repeats.at(repeat).columns, cells);
  ++repeats_.at(repeat).rows;
  return Status();
}

// libxlsxwriter opens its file and its temporary parts by name: both go into a private
// directory beside the target (PrivateDirectory), so that no part of an identified
// workbook passes through the system's temporary directory, and the finished workbook is
// moved into place like every other file. Constant-memory mode writes each row out when
// the next begins, so the workbook's memory does not grow with its rows.
struct DatasetFiles::Xlsx {
  explicit Xlsx(PrivateDirectory directory) : parts(std::move(directory)) {}
  ~Xlsx() {
    if (workbook != nullptr) workbook_close(workbook);
  }
  void check(lxw_error e) {
    if (failure == LXW_NO_ERROR) failure = e;
  }
  // The dataset's sheet, then each repeat's: libxlsxwriter keeps each sheet's rows apart,
  // so a record's row and its instances' rows may be written in turn.
  struct Sheet {
    lxw_worksheet* worksheet = nullptr;
    std::vector<CellType> types;
    std::uint64_t rows = 0;
  };
  Status add_sheet(const std::string& name, const std::vector<std::string>& columns,
                   const std::vector<std::vector<std::string>>& codebook, lxw_format* bold);
  Status write(Sheet& sheet, const std::vector<std::string>& cells);
  PrivateDirectory parts;
  std::string tmpdir;
  lxw_workbook* workbook = nullptr;
  lxw_format* date = nullptr;
  std::vector<Sheet> sheets;
  lxw_error failure = LXW_NO_ERROR;
};

Status DatasetFiles::Xlsx::add_sheet(const std::string& name, const std::vector<std::string>& columns,
                                     const std::vector<std::vector<std::string>>& codebook, lxw_format* bold) {
  // A repeat named like another sheet, or longer than a sheet name may be, gets a number.
  std::string sheet_name = name;
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (workbook_validate_sheet_name(workbook, sheet_name.c_str()) != LXW_NO_ERROR || lower == "codebook") {
    sheet_name = "repeat " + std::to_string(sheets.size());
  }
  Sheet sheet;
  sheet.worksheet = workbook_add_worksheet(workbook, sheet_name.c_str());
  if (sheet.worksheet == nullptr) return io_error("cannot add the sheet " + sheet_name + " to the workbook");
  std::map<std::string, std::string, std::less<>> type_of;
  for (const auto& entry : codebook) type_of[entry[0]] = entry[3];
  for (std::size_t c = 0; c < columns.size(); ++c) {
    sheet.types.push_back(cell_type(type_of[columns[c]]));
    check(worksheet_write_string(sheet.worksheet, 0, static_cast<lxw_col_t>(c), columns[c].c_str(), bold));
  }
  sheets.push_back(std::move(sheet));
  return Status();
}

Result<std::unique_ptr<DatasetFiles>> DatasetFiles::open(DatasetFormat format, const std::filesystem::path& path,
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
  std::unique_ptr<DatasetFiles> files(new DatasetFiles(format, path, existing));
  if (format != DatasetFormat::xlsx) {
    AMANA_ASSIGN_OR_RETURN(AtomicFile text, AtomicFile::create(path, existing));
    files->text_.emplace(std::move(text));
    return files;
  }
  AMANA_ASSIGN_OR_RETURN(PrivateDirectory parts, PrivateDirectory::beside(path));
  files->xlsx_ = std::make_unique<Xlsx>(std::move(parts));
  Xlsx& x = *files->xlsx_;
  x.tmpdir = x.parts.path().string();
  lxw_workbook_options options{};
  options.tmpdir = x.tmpdir.data();
  options.constant_memory = LXW_TRUE;
  x.workbook = workbook_new_opt((x.parts.path() / "workbook.xlsx").c_str(), &options);
  if (x.workbook == nullptr) return io_error("cannot write " + path.string());
  x.date = workbook_add_format(x.workbook);
  format_set_num_format(x.date, "yyyy-mm-dd");
  return files;
}

DatasetFiles::DatasetFiles(DatasetFormat format, std::filesystem::path path, ExistingFile existing)
    : format_(format), path_(std::move(path)), existing_(existing) {}

DatasetFiles::~DatasetFiles() = default;

Status DatasetFiles::begin(const DatasetLayout& layout) {
  layout_ = layout;
  if (text_) {
    for (const RepeatLayout& repeat : layout.repeats) {
      const auto where = forms::repeat_keys::table_path(path_, repeat.name);
      if (!where) return invalid_argument("the repeat '" + repeat.name + "' has a name no file may take: rename it");
      AMANA_ASSIGN_OR_RETURN(AtomicFile file, AtomicFile::create(*where, existing_));
      AMANA_RETURN_IF_ERROR(file.append(text_heading(format_, repeat.columns)));
      repeat_text_.push_back(std::move(file));
    }
    return text_->append(text_heading(format_, layout.columns));
  }
  Xlsx& x = *xlsx_;
  lxw_format* bold = workbook_add_format(x.workbook);
  format_set_bold(bold);
  AMANA_RETURN_IF_ERROR(x.add_sheet("data", layout.columns, layout.codebook, bold));
  for (const RepeatLayout& repeat : layout.repeats) {
    AMANA_RETURN_IF_ERROR(x.add_sheet(repeat.name, repeat.columns, repeat.codebook, bold));
  }
  lxw_worksheet* codebook = workbook_add_worksheet(x.workbook, "codebook");
  for (lxw_col_t c = 0; c < std::size(kCodebookHeadings); ++c) {
    x.check(worksheet_write_string(codebook, 0, c, kCodebookHeadings[c], bold));
  }
  const auto entries = codebook_rows(layout);
  for (std::size_t r = 0; r < entries.size(); ++r) {
    for (std::size_t c = 0; c < entries[r].size(); ++c) {
      x.check(worksheet_write_string(codebook, static_cast<lxw_row_t>(r + 1), static_cast<lxw_col_t>(c),
                                     entries[r][c].c_str(), nullptr));
    }
  }
  return Status();
}

Status DatasetFiles::row(const std::vector<std::string>& cells) {
  ++rows_;
  if (text_) return text_->append(text_row(format_, layout_.columns, cells));
  return xlsx_->write(xlsx_->sheets.front(), cells);
}

Status DatasetFiles::repeat_row(std::size_t repeat, const std::vector<std::string>& cells) {
  if (xlsx_) return xlsx_->write(xlsx_->sheets.at(repeat + 1), cells);
  return repeat_text_.at(repeat).append(text_row(format_, layout_.repeats.at(repeat).columns, cells));
}

Status DatasetFiles::Xlsx::write(Sheet& sheet, const std::vector<std::string>& cells) {
  constexpr std::uint64_t kMaxRows = 1'048'575;  // Excel's limit, less the header
  if (++sheet.rows > kMaxRows) {
    return invalid_argument("the dataset has more than " + std::to_string(kMaxRows) +
                            " rows in a sheet, more than a spreadsheet holds: export it as csv or jsonl, or a shorter "
                            "period");
  }
  const auto row_index = static_cast<lxw_row_t>(sheet.rows);
  lxw_worksheet* data = sheet.worksheet;
  for (std::size_t c = 0; c < cells.size() && c < sheet.types.size(); ++c) {
    const std::string& cell = cells[c];
    if (cell.empty()) continue;
    const auto col_index = static_cast<lxw_col_t>(c);
    char* end = nullptr;
    switch (sheet.types[c]) {
      case CellType::number: {
        const double number = std::strtod(cell.c_str(), &end);
        if (end == cell.c_str() + cell.size()) {
          check(worksheet_write_number(data, row_index, col_index, number, nullptr));
          continue;
        }
        break;
      }
      case CellType::boolean:
        if (cell == "true" || cell == "false") {
          check(worksheet_write_boolean(data, row_index, col_index, cell == "true", nullptr));
          continue;
        }
        break;
      case CellType::date:
        if (cell.size() >= 10 && cell[4] == '-' && cell[7] == '-') {
          lxw_datetime when{std::atoi(cell.substr(0, 4).c_str()), std::atoi(cell.substr(5, 2).c_str()),
                            std::atoi(cell.substr(8, 2).c_str()), 0, 0, 0};
          check(worksheet_write_datetime(data, row_index, col_index, &when, date));
          continue;
        }
        break;
      case CellType::text: break;
    }
    check(worksheet_write_string(data, row_index, col_index, cell.c_str(), nullptr));
  }
  return Status();
}

Status DatasetFiles::finish() {
  const std::filesystem::path codebook = path_.string() + ".codebook.csv";
  if (text_) {
    for (AtomicFile& repeat : repeat_text_) AMANA_RETURN_IF_ERROR(repeat.commit());
    repeat_text_.clear();
    AMANA_RETURN_IF_ERROR(text_->commit());
    text_.reset();
  } else {
    Xlsx& x = *xlsx_;
    x.check(workbook_close(std::exchange(x.workbook, nullptr)));  // writes the file, frees the workbook
    if (x.failure != LXW_NO_ERROR) return io_error("cannot write " + path_.string() + ": " + lxw_strerror(x.failure));
    AMANA_RETURN_IF_ERROR(move_into_place(x.parts.path() / "workbook.xlsx", path_, existing_));
    xlsx_.reset();  // the private directory and what is left in it go with it
  }
  return write_file_atomically(codebook, codebook_csv(layout_), existing_);
}

}  // namespace amana::server

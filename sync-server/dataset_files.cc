// A dataset as files: CSV, JSON lines or XLSX, and its codebook (dataset.h), written as
// the rows come.
#include <cstdlib>
#include <map>
#include <utility>

#include <nlohmann/json.hpp>
#include <xlsxwriter.h>

#include "common/csv.h"
#include "common/files.h"
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

}  // namespace

std::string codebook_csv(const DatasetLayout& layout) {
  std::string out = csv::format_row(std::vector<std::string>(std::begin(kCodebookHeadings), std::end(kCodebookHeadings)));
  for (const auto& row : layout.codebook) out += csv::format_row(row);
  return out;
}

Status DatasetText::begin(const DatasetLayout& layout) {
  columns_ = layout.columns;
  codebook_ = codebook_csv(layout);
  if (format_ != DatasetFormat::jsonl) data_ = csv::format_row(layout.columns);
  return Status();
}

Status DatasetText::row(const std::vector<std::string>& cells) {
  data_ += format_ == DatasetFormat::jsonl ? jsonl_row(columns_, cells) : csv::format_row(cells);
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
  PrivateDirectory parts;
  std::string tmpdir;
  lxw_workbook* workbook = nullptr;
  lxw_worksheet* data = nullptr;
  lxw_format* date = nullptr;
  std::vector<CellType> types;
  lxw_error failure = LXW_NO_ERROR;
};

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
    return format_ == DatasetFormat::jsonl ? Status() : text_->append(csv::format_row(layout.columns));
  }
  Xlsx& x = *xlsx_;
  lxw_format* bold = workbook_add_format(x.workbook);
  format_set_bold(bold);
  x.data = workbook_add_worksheet(x.workbook, "data");
  lxw_worksheet* codebook = workbook_add_worksheet(x.workbook, "codebook");
  std::map<std::string, std::string, std::less<>> type_of;
  for (const auto& entry : layout.codebook) type_of[entry[0]] = entry[3];
  for (std::size_t c = 0; c < layout.columns.size(); ++c) {
    x.types.push_back(cell_type(type_of[layout.columns[c]]));
    x.check(worksheet_write_string(x.data, 0, static_cast<lxw_col_t>(c), layout.columns[c].c_str(), bold));
  }
  for (lxw_col_t c = 0; c < std::size(kCodebookHeadings); ++c) {
    x.check(worksheet_write_string(codebook, 0, c, kCodebookHeadings[c], bold));
  }
  for (std::size_t r = 0; r < layout.codebook.size(); ++r) {
    for (std::size_t c = 0; c < layout.codebook[r].size(); ++c) {
      x.check(worksheet_write_string(codebook, static_cast<lxw_row_t>(r + 1), static_cast<lxw_col_t>(c),
                                     layout.codebook[r][c].c_str(), nullptr));
    }
  }
  return Status();
}

Status DatasetFiles::row(const std::vector<std::string>& cells) {
  ++rows_;
  if (text_) {
    return text_->append(format_ == DatasetFormat::jsonl ? jsonl_row(layout_.columns, cells) : csv::format_row(cells));
  }
  constexpr std::uint64_t kMaxRows = 1'048'575;  // Excel's limit, less the header
  if (rows_ > kMaxRows) {
    return invalid_argument("the dataset has more than " + std::to_string(kMaxRows) +
                            " rows, more than a spreadsheet holds: export it as csv or jsonl, or a shorter period");
  }
  Xlsx& x = *xlsx_;
  const auto row_index = static_cast<lxw_row_t>(rows_);
  for (std::size_t c = 0; c < cells.size() && c < x.types.size(); ++c) {
    const std::string& cell = cells[c];
    if (cell.empty()) continue;
    const auto col_index = static_cast<lxw_col_t>(c);
    char* end = nullptr;
    switch (x.types[c]) {
      case CellType::number: {
        const double number = std::strtod(cell.c_str(), &end);
        if (end == cell.c_str() + cell.size()) {
          x.check(worksheet_write_number(x.data, row_index, col_index, number, nullptr));
          continue;
        }
        break;
      }
      case CellType::boolean:
        if (cell == "true" || cell == "false") {
          x.check(worksheet_write_boolean(x.data, row_index, col_index, cell == "true", nullptr));
          continue;
        }
        break;
      case CellType::date:
        if (cell.size() >= 10 && cell[4] == '-' && cell[7] == '-') {
          lxw_datetime when{std::atoi(cell.substr(0, 4).c_str()), std::atoi(cell.substr(5, 2).c_str()),
                            std::atoi(cell.substr(8, 2).c_str()), 0, 0, 0};
          x.check(worksheet_write_datetime(x.data, row_index, col_index, &when, x.date));
          continue;
        }
        break;
      case CellType::text: break;
    }
    x.check(worksheet_write_string(x.data, row_index, col_index, cell.c_str(), nullptr));
  }
  return Status();
}

Status DatasetFiles::finish() {
  const std::filesystem::path codebook = path_.string() + ".codebook.csv";
  if (text_) {
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

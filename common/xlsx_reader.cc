#include "common/xlsx_reader.h"

#include <expat.h>
#include <zip.h>

#include <algorithm>
#include <map>
#include <memory>

#include "common/message_catalogue.h"

namespace amana::xlsx {
namespace {

using Attributes = std::map<std::string, std::string, std::less<>>;

std::string_view local_name(std::string_view qualified) {
  // Parsed with namespaces, names arrive as "uri\x01local"; prefixes do not matter.
  const auto separator = qualified.rfind('\x01');
  return separator == std::string_view::npos ? qualified : qualified.substr(separator + 1);
}

// A SAX reader over one part: the callbacks see local names, and may stop the parse with
// an error of their own.
class XmlReader {
 public:
  virtual ~XmlReader() = default;
  virtual Status start(std::string_view name, const Attributes& attributes) = 0;
  virtual Status end(std::string_view name) = 0;
  virtual Status text(std::string_view) { return Status(); }
};

struct ParseState {
  XML_Parser parser;
  XmlReader* reader;
  Status status;
  bool doctype = false;
};

void stop(ParseState& state, Status status) {
  if (state.status.ok()) state.status = std::move(status);
  XML_StopParser(state.parser, XML_FALSE);
}

Status parse_xml(const std::string& part, std::string_view xml, XmlReader& reader) {
  std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(XML_ParserCreateNS(nullptr, '\x01'),
                                                                      &XML_ParserFree);
  if (!parser) throw std::bad_alloc();
  ParseState state{parser.get(), &reader, Status()};
  XML_SetUserData(parser.get(), &state);
  XML_SetStartDoctypeDeclHandler(parser.get(), [](void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    auto& s = *static_cast<ParseState*>(data);
    s.doctype = true;
    XML_StopParser(s.parser, XML_FALSE);
  });
  XML_SetElementHandler(
      parser.get(),
      [](void* data, const XML_Char* name, const XML_Char** attrs) {
        auto& s = *static_cast<ParseState*>(data);
        Attributes attributes;
        for (int i = 0; attrs[i] != nullptr && attrs[i + 1] != nullptr; i += 2) {
          attributes.emplace(std::string(local_name(attrs[i])), attrs[i + 1]);
        }
        Status status = s.reader->start(local_name(name), attributes);
        if (!status.ok()) stop(s, std::move(status));
      },
      [](void* data, const XML_Char* name) {
        auto& s = *static_cast<ParseState*>(data);
        Status status = s.reader->end(local_name(name));
        if (!status.ok()) stop(s, std::move(status));
      });
  XML_SetCharacterDataHandler(parser.get(), [](void* data, const XML_Char* text, int length) {
    auto& s = *static_cast<ParseState*>(data);
    Status status = s.reader->text(std::string_view(text, static_cast<std::size_t>(length)));
    if (!status.ok()) stop(s, std::move(status));
  });
  // Parts are bounded well below INT_MAX (XlsxLimits::max_part_bytes).
  const XML_Status result = XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), XML_TRUE);
  if (state.doctype) return invalid_argument(Message("xlsx.doctype", {{"part", part}}));
  if (!state.status.ok()) return state.status;
  if (result != XML_STATUS_OK) {
    return invalid_argument(Message(
        "xlsx.bad_xml", {{"part", part},
                         {"line", static_cast<std::int64_t>(XML_GetCurrentLineNumber(parser.get()))},
                         {"reason", XML_ErrorString(XML_GetErrorCode(parser.get()))}}));
  }
  return Status();
}

// The zip, with the bounds on what reading it may inflate.
class Archive {
 public:
  static Result<Archive> open(std::string_view bytes, const XlsxLimits& limits) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (source == nullptr) throw std::bad_alloc();
    zip_t* archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
    zip_error_fini(&error);
    if (archive == nullptr) {
      zip_source_free(source);
      return invalid_argument(Message("xlsx.not_zip"));
    }
    Archive opened(archive, limits);
    if (zip_get_num_entries(archive, 0) > static_cast<zip_int64_t>(limits.max_entries)) {
      return invalid_argument(Message("xlsx.too_many_entries", {{"limit", static_cast<std::int64_t>(limits.max_entries)}}));
    }
    return opened;
  }

  bool has(const std::string& name) const { return locate(name) >= 0; }

  // The part inflated, counting the bytes as they come rather than trusting the sizes the
  // zip declares.
  Result<std::string> read(const std::string& name) {
    const zip_int64_t index = locate(name);
    if (index < 0) return invalid_argument(Message("xlsx.part_missing", {{"part", name}}));
    std::unique_ptr<zip_file_t, decltype(&zip_fclose)> file(zip_fopen_index(archive_.get(), index, 0), &zip_fclose);
    if (!file) {
      return invalid_argument(
          Message("xlsx.part_unreadable", {{"part", name}, {"reason", zip_strerror(archive_.get())}}));
    }
    std::string contents;
    char buffer[1 << 16];
    for (;;) {
      const zip_int64_t got = zip_fread(file.get(), buffer, sizeof buffer);
      if (got < 0) {
        return invalid_argument(
            Message("xlsx.part_unreadable", {{"part", name}, {"reason", zip_file_strerror(file.get())}}));
      }
      if (got == 0) break;
      contents.append(buffer, static_cast<std::size_t>(got));
      total_ += static_cast<std::size_t>(got);
      if (contents.size() > limits_.max_part_bytes) {
        return invalid_argument(Message(
            "xlsx.part_too_large", {{"part", name}, {"limit", static_cast<std::int64_t>(limits_.max_part_bytes)}}));
      }
      if (total_ > limits_.max_total_bytes) {
        return invalid_argument(
            Message("xlsx.total_too_large", {{"limit", static_cast<std::int64_t>(limits_.max_total_bytes)}}));
      }
    }
    return contents;
  }

 private:
  Archive(zip_t* archive, const XlsxLimits& limits) : archive_(archive, &zip_discard), limits_(limits) {}

  zip_int64_t locate(const std::string& name) const {
    const zip_int64_t exact = zip_name_locate(archive_.get(), name.c_str(), 0);
    return exact >= 0 ? exact : zip_name_locate(archive_.get(), name.c_str(), ZIP_FL_NOCASE);
  }

  std::unique_ptr<zip_t, decltype(&zip_discard)> archive_;
  XlsxLimits limits_;
  std::size_t total_ = 0;
};

struct SheetEntry {
  std::string name;
  std::string relation;
};

class WorkbookReader final : public XmlReader {
 public:
  explicit WorkbookReader(std::size_t max_sheets) : max_sheets_(max_sheets) {}
  std::vector<SheetEntry> sheets;

  Status start(std::string_view name, const Attributes& attributes) override {
    if (name != "sheet") return Status();
    if (sheets.size() >= max_sheets_) {
      return invalid_argument(Message("xlsx.too_many_sheets", {{"limit", static_cast<std::int64_t>(max_sheets_)}}));
    }
    auto sheet_name = attributes.find("name");
    auto id = attributes.find("id");
    sheets.push_back({sheet_name == attributes.end() ? "" : sheet_name->second,
                      id == attributes.end() ? "" : id->second});
    return Status();
  }
  Status end(std::string_view) override { return Status(); }

 private:
  std::size_t max_sheets_;
};

class RelationsReader final : public XmlReader {
 public:
  std::map<std::string, std::string> targets;  // id -> target
  std::string shared_strings;

  Status start(std::string_view name, const Attributes& attributes) override {
    if (name != "Relationship") return Status();
    auto id = attributes.find("Id");
    auto target = attributes.find("Target");
    auto type = attributes.find("Type");
    if (id == attributes.end() || target == attributes.end()) return Status();
    targets[id->second] = target->second;
    if (type != attributes.end() && type->second.ends_with("/sharedStrings")) shared_strings = target->second;
    return Status();
  }
  Status end(std::string_view) override { return Status(); }
};

// Text runs of <si> items: <t> directly or inside <r>, not the phonetic <rPh> guides.
class SharedStringsReader final : public XmlReader {
 public:
  explicit SharedStringsReader(const XlsxLimits& limits) : limits_(limits) {}
  std::vector<std::string> strings;

  Status start(std::string_view name, const Attributes&) override {
    if (name == "si") {
      if (strings.size() >= limits_.max_shared_strings) {
        return invalid_argument(
            Message("xlsx.too_many_strings", {{"limit", static_cast<std::int64_t>(limits_.max_shared_strings)}}));
      }
      strings.emplace_back();
      in_item_ = true;
    } else if (name == "rPh") {
      ++phonetic_;
    } else if (name == "t" && in_item_ && phonetic_ == 0) {
      in_text_ = true;
    }
    return Status();
  }
  Status end(std::string_view name) override {
    if (name == "si") in_item_ = false;
    else if (name == "rPh") --phonetic_;
    else if (name == "t") in_text_ = false;
    return Status();
  }
  Status text(std::string_view text) override {
    if (!in_text_) return Status();
    // A shared string becomes a cell's text: bounded as a cell is.
    if (strings.back().size() + text.size() > limits_.max_cell_bytes) {
      return invalid_argument(Message("xlsx.cell_too_long", {{"sheet", "sharedStrings"},
                                                              {"cell", static_cast<std::int64_t>(strings.size())},
                                                              {"limit", static_cast<std::int64_t>(limits_.max_cell_bytes)}}));
    }
    strings.back().append(text);
    return Status();
  }

 private:
  const XlsxLimits& limits_;
  bool in_item_ = false;
  bool in_text_ = false;
  int phonetic_ = 0;
};

// "BC12" -> column 54 (0-based), row 12. False when malformed.
bool parse_reference(std::string_view reference, std::size_t& column, std::uint32_t& row) {
  std::size_t i = 0;
  std::size_t col = 0;
  while (i < reference.size() && reference[i] >= 'A' && reference[i] <= 'Z') {
    col = col * 26 + static_cast<std::size_t>(reference[i] - 'A' + 1);
    if (++i > 3) return false;  // XFD, the last column Excel has, is three letters
  }
  if (i == 0 || i == reference.size()) return false;
  std::uint64_t number = 0;
  for (; i < reference.size(); ++i) {
    if (reference[i] < '0' || reference[i] > '9') return false;
    number = number * 10 + static_cast<std::uint64_t>(reference[i] - '0');
    if (number > 10'000'000) return false;
  }
  if (number == 0) return false;
  column = col - 1;
  row = static_cast<std::uint32_t>(number);
  return true;
}

class SheetReader final : public XmlReader {
 public:
  SheetReader(Sheet& sheet, const std::vector<std::string>& strings, const XlsxLimits& limits, std::size_t& cells)
      : sheet_(sheet), strings_(strings), limits_(limits), cells_(cells) {}

  Status start(std::string_view name, const Attributes& attributes) override {
    if (name == "row") {
      AMANA_RETURN_IF_ERROR(count_cell());
      auto r = attributes.find("r");
      row_ = r != attributes.end() ? parse_row(r->second) : row_ + 1;
      if (row_ == 0) return invalid_argument(Message("xlsx.bad_cell", {{"sheet", sheet_.name}, {"cell", r->second}}));
      column_ = 0;
    } else if (name == "c") {
      AMANA_RETURN_IF_ERROR(count_cell());
      auto r = attributes.find("r");
      if (r != attributes.end()) {
        std::uint32_t row = 0;
        if (!parse_reference(r->second, column_, row)) {
          return invalid_argument(Message("xlsx.bad_cell", {{"sheet", sheet_.name}, {"cell", r->second}}));
        }
        row_ = row;
      }
      auto t = attributes.find("t");
      type_ = t == attributes.end() ? "n" : t->second;
      value_.clear();
      has_value_ = false;
    } else if (name == "v" || (name == "t" && type_ == "inlineStr")) {
      in_value_ = true;
      has_value_ = true;
    } else if (name == "rPh") {
      ++phonetic_;
    }
    return Status();
  }

  Status end(std::string_view name) override {
    if (name == "v" || name == "t") {
      in_value_ = false;
    } else if (name == "rPh") {
      --phonetic_;
    } else if (name == "c") {
      AMANA_RETURN_IF_ERROR(store_cell());
      ++column_;
    }
    return Status();
  }

  Status text(std::string_view text) override {
    if (!in_value_ || phonetic_ > 0) return Status();
    if (value_.size() + text.size() > limits_.max_cell_bytes) {
      return invalid_argument(Message("xlsx.cell_too_long", {{"sheet", sheet_.name},
                                                              {"cell", cell_name()},
                                                              {"limit", static_cast<std::int64_t>(limits_.max_cell_bytes)}}));
    }
    value_.append(text);
    return Status();
  }

 private:
  static std::uint32_t parse_row(const std::string& text) {
    std::uint64_t number = 0;
    if (text.empty() || text.size() > 8) return 0;
    for (char c : text) {
      if (c < '0' || c > '9') return 0;
      number = number * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return static_cast<std::uint32_t>(number);
  }

  std::string cell_name() const { return column_letters(column_) + std::to_string(row_); }

  Status count_cell() {
    if (++cells_ > limits_.max_cells) {
      return invalid_argument(Message("xlsx.too_many_cells", {{"limit", static_cast<std::int64_t>(limits_.max_cells)}}));
    }
    return Status();
  }

  Status store_cell() {
    if (!has_value_) return Status();
    std::string value;
    if (type_ == "s") {
      std::size_t index = 0;
      bool numeric = !value_.empty() && value_.size() < 10 &&
                     std::all_of(value_.begin(), value_.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (numeric) index = std::stoul(value_);
      if (!numeric || index >= strings_.size()) {
        return invalid_argument(
            Message("xlsx.bad_shared_string", {{"sheet", sheet_.name}, {"cell", cell_name()}, {"index", value_}}));
      }
      value = strings_[index];
    } else if (type_ == "b") {
      value = value_ == "1" ? "true" : "false";
    } else {
      value = value_;
    }
    if (value.empty()) return Status();
    // Styled empty cells may lie anywhere; only a cell with text must fall within the bounds.
    if (column_ >= limits_.max_columns) {
      return invalid_argument(Message("xlsx.column_too_far", {{"sheet", sheet_.name},
                                                               {"cell", cell_name()},
                                                               {"column", column_letters(limits_.max_columns - 1)}}));
    }
    if (sheet_.rows.empty() || sheet_.rows.back().number != row_) {
      if (!sheet_.rows.empty() && sheet_.rows.back().number > row_) {
        return invalid_argument(Message("xlsx.bad_cell", {{"sheet", sheet_.name}, {"cell", cell_name()}}));
      }
      if (sheet_.rows.size() >= limits_.max_rows) {
        return invalid_argument(Message("xlsx.too_many_rows", {{"sheet", sheet_.name},
                                                                {"limit", static_cast<std::int64_t>(limits_.max_rows)}}));
      }
      sheet_.rows.push_back({row_, {}});
    }
    auto& cells = sheet_.rows.back().cells;
    if (cells.size() <= column_) cells.resize(column_ + 1);
    cells[column_] = std::move(value);
    return Status();
  }

  Sheet& sheet_;
  const std::vector<std::string>& strings_;
  const XlsxLimits& limits_;
  std::size_t& cells_;
  std::uint32_t row_ = 0;
  std::size_t column_ = 0;
  std::string type_;
  std::string value_;
  bool has_value_ = false;
  bool in_value_ = false;
  int phonetic_ = 0;
};

// A relationship's target, relative to xl/ unless absolute, as a part name in the zip.
std::string part_name(std::string_view target) {
  std::string path = target.starts_with('/') ? std::string(target.substr(1)) : "xl/" + std::string(target);
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    std::string segment = path.substr(start, slash - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = slash + 1;
  }
  std::string joined;
  for (const std::string& segment : segments) joined += (joined.empty() ? "" : "/") + segment;
  return joined;
}

}  // namespace

const Sheet* Workbook::find(std::string_view name) const {
  for (const Sheet& sheet : sheets) {
    if (sheet.name == name) return &sheet;
  }
  return nullptr;
}

std::string column_letters(std::size_t index) {
  std::string letters;
  for (std::size_t n = index + 1; n > 0; n = (n - 1) / 26) letters.insert(letters.begin(), char('A' + (n - 1) % 26));
  return letters;
}

Result<Workbook> read_xlsx(std::string_view bytes, const XlsxLimits& limits,
                           const std::function<bool(std::string_view)>& wanted) {
  AMANA_ASSIGN_OR_RETURN(Archive archive, Archive::open(bytes, limits));

  AMANA_ASSIGN_OR_RETURN(std::string workbook_xml, archive.read("xl/workbook.xml"));
  WorkbookReader workbook_reader(limits.max_sheets);
  AMANA_RETURN_IF_ERROR(parse_xml("xl/workbook.xml", workbook_xml, workbook_reader));

  AMANA_ASSIGN_OR_RETURN(std::string relations_xml, archive.read("xl/_rels/workbook.xml.rels"));
  RelationsReader relations;
  AMANA_RETURN_IF_ERROR(parse_xml("xl/_rels/workbook.xml.rels", relations_xml, relations));

  std::vector<std::string> strings;
  const std::string strings_part =
      relations.shared_strings.empty() ? "xl/sharedStrings.xml" : part_name(relations.shared_strings);
  if (archive.has(strings_part)) {
    AMANA_ASSIGN_OR_RETURN(std::string strings_xml, archive.read(strings_part));
    SharedStringsReader reader(limits);
    AMANA_RETURN_IF_ERROR(parse_xml(strings_part, strings_xml, reader));
    strings = std::move(reader.strings);
  }

  Workbook workbook;
  std::size_t cells = 0;
  for (const SheetEntry& entry : workbook_reader.sheets) {
    workbook.sheet_names.push_back(entry.name);
    if (wanted && !wanted(entry.name)) continue;
    auto target = relations.targets.find(entry.relation);
    if (target == relations.targets.end()) {
      return invalid_argument(Message("xlsx.part_missing", {{"part", "sheet '" + entry.name + "'"}}));
    }
    const std::string part = part_name(target->second);
    AMANA_ASSIGN_OR_RETURN(std::string sheet_xml, archive.read(part));
    Sheet sheet{entry.name, {}};
    SheetReader reader(sheet, strings, limits, cells);
    AMANA_RETURN_IF_ERROR(parse_xml(part, sheet_xml, reader));
    workbook.sheets.push_back(std::move(sheet));
  }
  return workbook;
}

}  // namespace amana::xlsx

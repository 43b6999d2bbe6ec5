#include "common/xlsx_reader.h"

#include <doctest/doctest.h>
#include <zip.h>

#include "tests/support.h"
#include "tests/xlsx_fixture.h"

namespace amana::xlsx {
namespace {

using testing::SheetRows;
using testing::StringStorage;
using testing::TempDir;
using testing::contains;

// A zip made entry by entry, for workbooks no spreadsheet program would write.
std::string make_zip(const TempDir& dir, const std::vector<std::pair<std::string, std::string>>& entries) {
  const auto path = dir.path() / "crafted.zip";
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  REQUIRE(archive != nullptr);
  for (const auto& [name, contents] : entries) {
    zip_source_t* source = zip_source_buffer(archive, contents.data(), contents.size(), 0);
    REQUIRE(source != nullptr);
    REQUIRE(zip_file_add(archive, name.c_str(), source, ZIP_FL_OVERWRITE) >= 0);
  }
  REQUIRE(zip_close(archive) == 0);
  return testing::read_file(path);
}

const std::string kWorkbook =
    R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
    R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)"
    R"(<sheets><sheet name="survey" sheetId="1" r:id="rId1"/></sheets></workbook>)";
const std::string kRelations =
    R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" )"
    R"(Target="worksheets/sheet1.xml"/></Relationships>)";

std::string sheet_xml(const std::string& rows) {
  return R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)" + rows +
         "</sheetData></worksheet>";
}

std::string crafted(const TempDir& dir, const std::string& sheet) {
  return make_zip(dir, {{"xl/workbook.xml", kWorkbook},
                        {"xl/_rels/workbook.xml.rels", kRelations},
                        {"xl/worksheets/sheet1.xml", sheet}});
}

}  // namespace

TEST_CASE("xlsx reader: shared and inline strings, row numbers and columns read as written") {
  TempDir dir;
  const std::vector<SheetRows> sheets = {
      {"survey", {{"type", "name", "label::Arabic (ar)"}, {"text", "", "الاسم"}, {}, {"", "", "", "far"}}},
      {"other", {{"ignored"}}}};
  for (StringStorage storage : {StringStorage::shared, StringStorage::inline_strings}) {
    const std::string bytes = testing::write_xlsx(dir.path() / "book.xlsx", sheets, storage);
    auto workbook = read_xlsx(bytes, {}, [](std::string_view name) { return name == "survey"; });
    REQUIRE_MESSAGE(workbook.ok(), workbook.status().message());
    CHECK(workbook->sheet_names == std::vector<std::string>{"survey", "other"});
    REQUIRE(workbook->sheets.size() == 1);
    const Sheet& survey = *workbook->find("survey");
    REQUIRE(survey.rows.size() == 3);
    CHECK(survey.rows[0].cells == std::vector<std::string>{"type", "name", "label::Arabic (ar)"});
    CHECK(survey.rows[1].number == 2);
    CHECK(survey.rows[1].cells == std::vector<std::string>{"text", "", "الاسم"});
    CHECK(survey.rows[2].number == 4);  // the blank row 3 has no cells
    CHECK(survey.rows[2].cells[3] == "far");
  }
  CHECK(column_letters(0) == "A");
  CHECK(column_letters(25) == "Z");
  CHECK(column_letters(26) == "AA");
  CHECK(column_letters(16383) == "XFD");
}

TEST_CASE("xlsx reader: rich text runs, booleans and numbers, without phonetic guides") {
  TempDir dir;
  const std::string sheet = sheet_xml(
      R"(<row r="1"><c r="A1" t="inlineStr"><is><r><t>sel</t></r><r><t>ect_one</t></r><rPh><t>x</t></rPh></is></c>)"
      R"(<c r="C1" t="b"><v>1</v></c><c r="D1"><v>42</v></c><c r="E1" t="str"><f>A1</f><v>cached</v></c></row>)");
  auto workbook = read_xlsx(crafted(dir, sheet));
  REQUIRE_MESSAGE(workbook.ok(), workbook.status().message());
  CHECK(workbook->sheets[0].rows[0].cells == std::vector<std::string>{"select_one", "", "true", "42", "cached"});
}

TEST_CASE("xlsx reader: every size is bounded: parts, entries, strings, rows, columns, cells") {
  TempDir dir;
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < 30; ++i) rows.push_back({"row " + std::to_string(i), "x"});
  const std::string bytes = testing::write_xlsx(dir.path() / "big.xlsx", {{"survey", rows}});
  auto limited = [&](auto change) {
    XlsxLimits limits;
    change(limits);
    return read_xlsx(bytes, limits).status().message();
  };
  CHECK(contains(limited([](XlsxLimits& l) { l.max_rows = 10; }), "the sheet 'survey' has more than 10 rows"));
  CHECK(contains(limited([](XlsxLimits& l) { l.max_shared_strings = 5; }), "more than 5 distinct texts"));
  CHECK(contains(limited([](XlsxLimits& l) { l.max_cells = 20; }), "more than 20 cells"));
  CHECK(contains(limited([](XlsxLimits& l) { l.max_columns = 1; }), "sheet 'survey', cell B1: beyond column A"));
  CHECK(contains(limited([](XlsxLimits& l) { l.max_cell_bytes = 3; }), "longer than 3 bytes"));
  CHECK(contains(limited([](XlsxLimits& l) { l.max_entries = 3; }), "more than 3 parts"));
  CHECK(contains(limited([](XlsxLimits& l) { l.max_part_bytes = 500; }), "larger than 500 bytes once uncompressed"));
  CHECK(contains(limited([](XlsxLimits& l) { l.max_total_bytes = 2000; }), "the workbook is larger than 2000 bytes"));
  CHECK(read_xlsx(bytes).ok());
}

TEST_CASE("xlsx reader: a zip bomb is stopped as it inflates, whatever its headers say") {
  TempDir dir;
  // 40 MiB of white space inside a sheet compresses to a few dozen kilobytes.
  const std::string bomb = sheet_xml(std::string(40u << 20, ' '));
  const std::string bytes = crafted(dir, bomb);
  CHECK(bytes.size() < (1u << 20));
  auto workbook = read_xlsx(bytes);
  REQUIRE_FALSE(workbook.ok());
  CHECK(contains(workbook.status().message(), "the part xl/worksheets/sheet1.xml of the workbook is larger than 33554432"));
}

TEST_CASE("xlsx reader: malformed files are refused, naming the part") {
  TempDir dir;
  CHECK(contains(read_xlsx("PK\x03\x04 not really a zip").status().message(), "not an XLSX workbook"));
  const std::string good = testing::write_xlsx(dir.path() / "good.xlsx", {{"survey", {{"type"}}}});
  CHECK(contains(read_xlsx(good.substr(0, good.size() / 2)).status().message(), "not an XLSX workbook"));
  CHECK(contains(read_xlsx(make_zip(dir, {{"xl/workbook.xml", kWorkbook}})).status().message(),
                 "the workbook has no xl/_rels/workbook.xml.rels"));
  CHECK(contains(read_xlsx(crafted(dir, "<worksheet><sheetData><row>")).status().message(),
                 "xl/worksheets/sheet1.xml is not well-formed XML (line 1"));
  const std::string entities = R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>)" + sheet_xml("");
  CHECK(contains(read_xlsx(crafted(dir, entities)).status().message(),
                 "xl/worksheets/sheet1.xml declares a DOCTYPE, which a workbook never needs"));
  CHECK(contains(read_xlsx(crafted(dir, sheet_xml(R"(<row><c r="A1" t="s"><v>7</v></c></row>)"))).status().message(),
                 "sheet 'survey', cell A1: refers to text 7, which the workbook does not have"));
  CHECK(contains(read_xlsx(crafted(dir, sheet_xml(R"(<row><c r="1A"><v>7</v></c></row>)"))).status().message(),
                 "the cell reference '1A' is malformed"));
}

}  // namespace amana::xlsx

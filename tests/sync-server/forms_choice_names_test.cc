// A choice name as real forms write it (an apostrophe, an accent: docs/forms-census.md) is
// stored exactly as written, end to end through the real binaries: published from an
// XLSForm, received by a device, collected, synced, and exported with the right 0/1
// column per choice, in CSV and in XLSX.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/csv.h"
#include "common/xlsx_reader.h"
#include "tests/support.h"
#include "tests/xlsx_fixture.h"

using namespace amana::testing;

namespace {

// The value of `column` in the first data row whose `key_column` is `key`.
std::string cell(const std::vector<std::vector<std::string>>& rows, const std::string& column) {
  REQUIRE(rows.size() >= 2);
  const auto& header = rows.front();
  for (std::size_t k = 0; k < header.size(); ++k) {
    if (header[k] == column) return k < rows[1].size() ? rows[1][k] : "";
  }
  FAIL("no column " << column);
  return "";
}

}  // namespace

TEST_CASE("forms choice names: a name with an apostrophe or an accent collects, syncs and exports its 0/1 column") {
  ServerUnderTest server;
  TempDir dir;
  FieldDevice device("amina", 0);
  const auto workbook = dir.path() / "market.xlsx";
  write_xlsx(workbook,
             {{"survey",
               {{"type", "name", "label", "required", "relevant"},
                {"select_one place", "place", "Neighbourhood", "yes", ""},
                {"text", "street", "Which street?", "", "${place} = \"al_sena'a_al_shamaliya_1\""},
                {"select_multiple tools", "tools", "Tools", "", ""}}},
              {"choices",
               {{"list_name", "name", "label"},
                {"place", "al_sena'a_al_shamaliya_1", "Al Sena'a (north)"},
                {"place", "Ain_el_tin\u00e9", "Ain el Tin\u00e9"},
                {"tools", "tin\u00e9", "Tin\u00e9"},
                {"tools", "o'brien", "O'Brien"},
                {"tools", "plain", "Plain"}}},
              {"settings", {{"form_id", "form_title"}, {"market-check", "Market check"}}}});
  const auto published = server.admin({"forms", "publish", workbook.string()});
  REQUIRE_MESSAGE(published.exit_code == 0, published.err);

  enroll(server, device, "amina");
  REQUIRE(device.run({"sync"}).exit_code == 0);
  write_file(dir.path() / "answers.json",
             R"({"place": "al_sena'a_al_shamaliya_1", "street": "Souq road", "tools": "o'brien tiné"})");
  const auto collected = device.run({"collect", "market-check", "--answers", (dir.path() / "answers.json").string()});
  REQUIRE_MESSAGE(collected.exit_code == 0, collected.err);
  // The street is asked only for that neighbourhood, compared with its name as written.
  write_file(dir.path() / "other.json", R"({"place": "Ain_el_tiné", "street": "Souq road"})");
  CHECK(device.run({"collect", "market-check", "--answers", (dir.path() / "other.json").string()}).exit_code != 0);
  const auto synced = device.run({"sync"});
  REQUIRE_MESSAGE(synced.exit_code == 0, synced.err);

  const auto csv_path = dir.path() / "market.csv";
  const auto exported = server.admin({"export", "--form", "market-check", "--out", csv_path.string()});
  REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
  const auto csv = amana::csv::parse(read_file(csv_path));
  REQUIRE(csv.ok());
  CAPTURE(read_file(csv_path));
  CHECK(cell(*csv, "place") == "al_sena'a_al_shamaliya_1");
  CHECK(cell(*csv, "tools") == "tin\u00e9 o'brien");
  CHECK(cell(*csv, "tools/tin\u00e9") == "1");
  CHECK(cell(*csv, "tools/o'brien") == "1");
  CHECK(cell(*csv, "tools/plain") == "0");

  const auto xlsx_path = dir.path() / "market.xlsx.out";
  const auto written = server.admin(
      {"export", "--form", "market-check", "--format", "xlsx", "--out", xlsx_path.string()});
  REQUIRE_MESSAGE(written.exit_code == 0, written.err);
  const auto workbook_read = amana::xlsx::read_xlsx(read_file(xlsx_path));
  REQUIRE_MESSAGE(workbook_read.ok(), workbook_read.status().message());
  REQUIRE_FALSE(workbook_read->sheets.empty());
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : workbook_read->sheets.front().rows) rows.push_back(row.cells);
  CHECK(cell(rows, "place") == "al_sena'a_al_shamaliya_1");
  CHECK(cell(rows, "tools/tin\u00e9") == "1");
  CHECK(cell(rows, "tools/o'brien") == "1");
  CHECK(cell(rows, "tools/plain") == "0");
}

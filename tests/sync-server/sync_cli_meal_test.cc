// End to end with the real binaries, the MEAL side: what devices synced to a sync-server on
// 127.0.0.1, read back as de-identified datasets (CSV, XLSX) and the monthly report.
#include <doctest/doctest.h>

#include <cstdio>
#include <iterator>
#include <sstream>
#include <nlohmann/json.hpp>

#include "common/csv.h"
#include "common/form_pack.h"
#include "common/sqlite.h"
#include "sync-server/admin.h"
#include "sync-server/org_keys.h"
#include "tests/support.h"

using namespace amana::testing;

TEST_CASE("export: a de-identified dataset with 0/1 columns per choice, stable pseudonyms and a bilingual codebook") {
  ServerUnderTest server;
  FieldDevice device("amina");
  enroll(server, device, "amina");
  device.collect("pdm-survey");
  device.collect("outreach-identification");
  const auto identification = nlohmann::json::parse(
      device.run({"records", "--form", "outreach-identification", "--json"}).out)[0]["id"].get<std::string>();
  REQUIRE(device.run({"case", "open", "--from", identification}).exit_code == 0);
  REQUIRE(device.run({"sync"}).exit_code == 0);

  TempDir out;
  const std::string pdm = (out.path() / "pdm.csv").string();
  const auto exported = server.admin({"export", "--form", "pdm-survey", "--out", pdm});
  REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
  CHECK(contains(exported.out, "Wrote 1 rows"));
  const std::string csv = read_file(pdm);
  CHECK(contains(csv, "record,form_version,collected_on,device,consent,site,assistance_type"));
  CHECK(contains(csv, ",use,use/food,use/rent,use/health,"));
  CHECK(contains(csv, ",food rent health,1,1,1,0,0,0,0,"));  // raw value, then one column per choice
  CHECK_FALSE(contains(csv, "comments"));                      // sensitive: dropped
  CHECK_FALSE(contains(csv, "The queue was long"));
  const std::string codebook = read_file(pdm + ".codebook.csv");
  CHECK(contains(codebook, "satisfaction,\"Overall, how satisfied are you with the assistance?\",بشكل عام، ما مدى رضاك عن المساعدة؟,integer,"));
  CHECK(contains(codebook, "use/food,How was the assistance used?: Food,كيف استُخدمت المساعدة؟: غذاء,0/1,"));

  // Pseudonyms are stable across exports and are not the record ids.
  const std::string again = (out.path() / "again.csv").string();
  REQUIRE(server.admin({"export", "--form", "pdm-survey", "--out", again}).exit_code == 0);
  CHECK(read_file(again) == csv);
  const std::string pdm_id = nlohmann::json::parse(device.run({"records", "--form", "pdm-survey", "--json"}).out)[0]["id"];
  CHECK_FALSE(contains(csv, pdm_id));

  // No sensitive value anywhere in any default export.
  const std::string outreach = (out.path() / "outreach.jsonl").string();
  REQUIRE(server.admin({"export", "--form", "outreach-identification", "--format", "jsonl", "--out", outreach}).exit_code == 0);
  const std::string cases_file = (out.path() / "cases.csv").string();
  REQUIRE(server.admin({"export", "--cases", "--out", cases_file}).exit_code == 0);
  for (const std::string& file : {outreach, cases_file}) {
    const std::string text = read_file(file);
    CAPTURE(file);
    CHECK_FALSE(contains(text, "Amira"));
    CHECK_FALSE(contains(text, "+249"));
    CHECK_FALSE(contains(text, "threats from a neighbour"));
  }
  // Month opened, status, risk (none yet), sex, age band, displacement, closure reason; the
  // specific needs, sensitive in the forms, are not there.
  const std::string month = amana::local_date(amana::system_wall_clock()()).substr(0, 7);
  CHECK(contains(read_file(cases_file), "," + month + ",identified,,female,18-59,idp,,"));
  CHECK_FALSE(contains(read_file(cases_file), "WR SP"));
  CHECK(server.admin({"export", "--cases", "--form", "pdm-survey", "--out", cases_file}).exit_code != 0);
}

TEST_CASE("report: the month's indicators, small counts suppressed, as Markdown and self-contained HTML") {
  ServerUnderTest server;
  FieldDevice device("amina");
  enroll(server, device, "amina");
  for (int i = 0; i < 6; ++i) device.collect("outreach-identification");
  device.collect("pdm-survey");
  device.collect("pdm-survey");
  REQUIRE(device.run({"sync"}).exit_code == 0);
  // Counted in the month the examples are dated, whenever they were typed in.
  const std::string month = nlohmann::json::parse(read_file(kExamples + "outreach-identification.answers.json"))
                                ["identification_date"].get<std::string>().substr(0, 7);

  TempDir out;
  const std::string md = (out.path() / "report.md").string();
  const auto written = server.admin({"report", "--period", month, "--format", "md", "--out", md});
  REQUIRE_MESSAGE(written.exit_code == 0, written.err);
  const std::string text = read_file(md);
  CHECK(contains(text, "# Protection report " + month));
  CHECK(contains(text, "| total | 6 |"));
  CHECK(contains(text, "| sex: Female | 6 (100%) |"));
  CHECK(contains(text, "| identified by: Outreach volunteer | 6 (100%) |"));
  CHECK(contains(text, "| surveys | <5 |"));                 // 2 PDM surveys: suppressed
  CHECK(contains(text, "| mean satisfaction (1-5) | - |"));  // and so is what is built on them
  CHECK(contains(text, "| " + month + " | 6 | 0 |"));
  CHECK_FALSE(contains(text, "Amira"));

  const std::string html = (out.path() / "report.html").string();
  REQUIRE(server.admin({"report", "--period", month, "--out", html, "--location", "um dukhun block c"}).exit_code == 0);
  const std::string page = read_file(html);
  CHECK(contains(page, "<rect "));      // identifications per month, as bars
  CHECK(contains(page, "<polyline "));  // cases opened per month, as a line
  CHECK(contains(page, "dir=\"rtl\""));
  CHECK(contains(page, "حالات التحديد"));
  CHECK_FALSE(contains(page, "<script"));  // self-contained: nothing runs or is fetched
  CHECK_FALSE(contains(page, "src="));
  CHECK(contains(server.admin({"report", "--period", "2026-13", "--out", html + ".2"}).err, "give a month as YYYY-MM"));
}

TEST_CASE("export: the XLSX holds what the CSV holds, Arabic intact") {
  ServerUnderTest server;
  FieldDevice device("amina");
  enroll(server, device, "amina");
  device.collect("pdm-survey");
  device.collect("rapid-protection-assessment");
  REQUIRE(device.run({"sync"}).exit_code == 0);
  TempDir out;
  for (const std::string form : {"pdm-survey", "rapid-protection-assessment"}) {
    CAPTURE(form);
    const std::string csv_path = (out.path() / (form + ".csv")).string();
    const std::string xlsx_path = (out.path() / (form + ".xlsx")).string();
    REQUIRE(server.admin({"export", "--form", form, "--out", csv_path}).exit_code == 0);
    const auto written = server.admin({"export", "--form", form, "--format", "xlsx", "--out", xlsx_path});
    REQUIRE_MESSAGE(written.exit_code == 0, written.err);
    // An XLSX is a zip of XML parts. Written in constant-memory mode, text cells are inline
    // strings in the sheet itself, numbers its values, booleans cells of type "b".
    const auto sheet = run_command({"/usr/bin/unzip", "-p", xlsx_path, "xl/worksheets/sheet1.xml"});
    const auto codebook_sheet = run_command({"/usr/bin/unzip", "-p", xlsx_path, "xl/worksheets/sheet2.xml"});
    REQUIRE(sheet.exit_code == 0);
    REQUIRE(codebook_sheet.exit_code == 0);
    auto xml = [](std::string text) {
      std::string escaped;
      for (char c : text) {
        if (c == '&') escaped += "&amp;";
        else if (c == '<') escaped += "&lt;";
        else if (c == '>') escaped += "&gt;";
        else escaped += c;
      }
      return escaped;
    };
    const auto rows = *amana::csv::parse(read_file(csv_path));
    std::size_t cells = 0;
    for (const auto& row : rows) {
      for (const std::string& cell : row) {
        if (cell.empty()) continue;
        ++cells;
        const bool as_text = contains(sheet.out, ">" + xml(cell) + "<");
        const bool as_number = contains(sheet.out, "<v>" + cell + "</v>");
        const bool as_boolean = (cell == "true" || cell == "false") &&
                                contains(sheet.out, std::string("t=\"b\"><v>") + (cell == "true" ? "1" : "0") + "</v>");
        CHECK_MESSAGE((as_text || as_number || as_boolean), cell);
      }
    }
    CHECK(cells > 20);
    CHECK(contains(codebook_sheet.out, "غذاء"));  // the codebook sheet, in Arabic
  }
}

TEST_CASE("generated data: the report's figures match independent SQL counts, and no name reaches an export") {
  TempDir dir;
  const std::string data = (dir.path() / "server").string();
  const auto generated = run_command({AMANA_GEN_DATA_BIN, "--data", data, "--devices", "3", "--records", "40", "--seed",
                                      "7", "--months", "1"},
                                     kPassphrases);
  REQUIRE_MESSAGE(generated.exit_code == 0, generated.err);
  auto server = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {kServerBin, "--data", data});
    return run_command(args, kPassphrases);
  };
  const std::string month = amana::local_date(amana::system_wall_clock()()).substr(0, 7);
  const std::string md = (dir.path() / "report.md").string();
  REQUIRE(server({"report", "--period", month, "--format", "md", "--out", md}).exit_code == 0);
  const std::string report = read_file(md);

  // Counted straight from the central store's clear columns, not through the report code.
  auto db = amana::sql::Database::open(std::filesystem::path(data) / "central.db", amana::sql::OpenMode::existing);
  REQUIRE(db.ok());
  auto count = [&](const std::string& form) {
    auto q = (*db)->query("SELECT count(*) FROM records WHERE form_id = ?");
    q->bind(1, form);
    REQUIRE(*q->step());
    return q->column_int64(0);
  };
  CHECK(count("outreach-identification") == 120);
  CHECK(contains(report, "## Identifications / حالات التحديد\n\n| | |\n|---|---|\n| total | " +
                             std::to_string(count("outreach-identification")) + " |"));
  CHECK(contains(report, "| opened | " + std::to_string(count("case")) + " |"));
  CHECK(contains(report, "| surveys | " + std::to_string(count("pdm-survey")) + " |"));
  CHECK(contains(report, "| total | " + std::to_string(count("referral")) + " |"));

  // The breakdowns sit in sealed values: opened here with the org key into a plain table of
  // the test's own, and counted with SQL, apart from the report's code.
  auto central = amana::server::open_server_store(data);
  REQUIRE(central.ok());
  auto keys = amana::server::unlock_org_keys(**central, kPassphrases.at("AMANA_SERVER_PASSPHRASE"));
  REQUIRE(keys.ok());
  auto plain = amana::sql::Database::open(dir.path() / "plain.db", amana::sql::OpenMode::create_new);
  REQUIRE(plain.ok());
  REQUIRE((*plain)->exec("CREATE TABLE answers (record TEXT, field TEXT, value TEXT)").ok());
  auto identifications = (*central)->records("outreach-identification");
  REQUIRE(identifications.ok());
  for (const auto& record : *identifications) {
    for (const auto& [field, value] : record.values) {
      std::vector<std::string> values{value};
      if (field == "specific_needs") {  // select_multiple: one row per choice
        std::istringstream chosen(value);
        values.assign(std::istream_iterator<std::string>(chosen), std::istream_iterator<std::string>());
      }
      for (const std::string& one : values) {
        auto insert = (*plain)->query("INSERT INTO answers VALUES (?, ?, ?)");
        REQUIRE(insert->bind(1, record.id.to_string()).bind(2, field).bind(3, one).run().ok());
      }
    }
  }
  // Each answer shown by its choice's label, beside its share of the month's identifications.
  const std::int64_t total = count("outreach-identification");
  auto shown = [&](std::int64_t n) {
    if (n > 0 && n < 5) return std::string("<5");
    char share[16];
    std::snprintf(share, sizeof share, "%.0f%%", 100.0 * static_cast<double>(n) / static_cast<double>(total));
    return std::to_string(n) + " (" + share + ")";
  };
  auto pack = amana::forms::FormPack::builtin();
  REQUIRE(pack.ok());
  const auto* identification_form = *pack->find("outreach-identification");
  auto label = [&](const std::string& field, const std::string& code) {
    const auto* choice = field.empty() ? nullptr : identification_form->find_field(field)->find_choice(code);
    return choice == nullptr ? code : choice->label.en;
  };
  std::size_t breakdown_rows = 0;
  struct Breakdown {
    std::string label, field, sql;
  };
  for (const auto& [prefix, field, sql] : std::vector<Breakdown>{
           {"identified by: ", "identified_by", "SELECT value, count(*) FROM answers WHERE field = 'identified_by' GROUP BY 1"},
           {"sex: ", "sex", "SELECT value, count(*) FROM answers WHERE field = 'sex' GROUP BY 1"},
           {"age group: ", "", "SELECT CASE WHEN CAST(value AS INTEGER) < 18 THEN '0-17' WHEN CAST(value AS INTEGER) < 60 "
                               "THEN '18-59' ELSE '60+' END, count(*) FROM answers WHERE field = 'age' GROUP BY 1"},
           {"displacement status: ", "displacement_status",
            "SELECT value, count(*) FROM answers WHERE field = 'displacement_status' GROUP BY 1"},
           {"specific need: ", "specific_needs",
            "SELECT value, count(*) FROM answers WHERE field = 'specific_needs' GROUP BY 1"}}) {
    auto q = (*plain)->query(sql);
    REQUIRE(q.ok());
    while (*q->step()) {
      const std::string line = "| " + prefix + label(field, q->column_text(0)) + " | " + shown(q->column_int64(1)) + " |";
      CHECK_MESSAGE(contains(report, line), line);
      ++breakdown_rows;
    }
  }
  CHECK(breakdown_rows > 15);

  for (const std::string form : {"outreach-identification", "case-registration", "referral"}) {
    const std::string csv = (dir.path() / (form + ".csv")).string();
    REQUIRE(server({"export", "--form", form, "--out", csv}).exit_code == 0);
    const std::string text = read_file(csv);
    for (const char* name : {"Khadija", "Ibrahim", "عائشة", "Halima", "Salma Test-Child"}) {
      CAPTURE(form);
      CHECK_FALSE(contains(text, name));
    }
  }
}

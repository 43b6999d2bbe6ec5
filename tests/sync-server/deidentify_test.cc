// De-identified datasets: what the forms declare about each field is what a dataset
// shows, checked on generated data through the real binary against the answers the test
// itself unseals from the central store.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "common/csv.h"
#include "common/form_pack.h"
#include "common/repeat_keys.h"
#include "sync-server/admin.h"
#include "sync-server/dataset.h"
#include "sync-server/org_keys.h"
#include "tests/support.h"

#include <nlohmann/json.hpp>
#include <sstream>

using namespace amana;
using namespace amana::testing;

TEST_CASE("de-identification: dates become months or ISO weeks, places the area they name") {
  using server::DatePeriod;
  CHECK(server::date_period("2026-10-17", DatePeriod::month) == "2026-10");
  CHECK(server::date_period("2026-10-17T09:30:00+02:00", DatePeriod::month) == "2026-10");
  CHECK(server::date_period("2026-01-01", DatePeriod::iso_week) == "2026-W01");  // a Thursday
  CHECK(server::date_period("2027-01-01", DatePeriod::iso_week) == "2026-W53");  // a Friday: last year's week
  CHECK(server::date_period("2024-12-30", DatePeriod::iso_week) == "2025-W01");  // a Monday: next year's week
  CHECK(server::date_period("2026-10-17", DatePeriod::iso_week) == "2026-W42");
  CHECK(server::date_period("not a date", DatePeriod::month).empty());

  const std::vector<forms::Area> areas = {{"Um Dukhun", {"أم دخن", "Al-Salam"}}, {"Mukjar", {}}};
  CHECK(server::area_of("Um Dukhun, block C", areas) == "Um Dukhun");
  CHECK(server::area_of("UM-DUKHUN distribution point 2", areas) == "Um Dukhun");
  CHECK(server::area_of("مخيم أمّ دُخن", areas) == "Um Dukhun");  // Arabic, with harakat
  CHECK(server::area_of("Al-Salam gathering site", areas) == "Um Dukhun");
  CHECK(server::area_of("Mukjar town", areas) == "Mukjar");
  CHECK(server::area_of("Um Dukhunville", areas) == "other");  // whole words only
  CHECK(server::area_of("Distribution point 3", areas) == "other");
  CHECK(server::area_of("", areas).empty());
}

TEST_CASE("de-identification: on generated data no exact age, date, free text or sensitive answer reaches a dataset") {
  TempDir dir;
  const std::string data = (dir.path() / "server").string();
  const auto generated = run_command({AMANA_GEN_DATA_BIN, "--data", data, "--devices", "2", "--records", "30", "--seed",
                                      "11"},
                                     kPassphrases);
  REQUIRE_MESSAGE(generated.exit_code == 0, generated.err);
  auto pack = forms::FormPack::builtin();
  REQUIRE(pack.ok());

  // What must not appear: every answer the forms drop (sensitive fields, free text), read
  // here with the org key, apart from the export code.
  std::set<std::string> hidden;
  {
    auto central = server::open_server_store(data);
    REQUIRE(central.ok());
    REQUIRE(server::unlock_org_keys(**central, kPassphrases.at("AMANA_SERVER_PASSPHRASE")).ok());
    auto records = (*central)->records(std::nullopt);
    REQUIRE(records.ok());
    for (const auto& record : *records) {
      auto form = pack->find(record.form_id);
      for (const auto& [field, value] : record.values) {
        const forms::Field* definition = form.ok() ? (*form)->find_field(field) : nullptr;
        // A case record has no form: its person is what must not show.
        const bool dropped = record.form_id == "case"
                                 ? (field == "name" || field == "phone" || field == "location")
                                 : definition != nullptr && definition->disclosure == forms::Disclosure::dropped;
        if (dropped && value.size() >= 6 && value.find_first_not_of("0123456789") != std::string::npos) {
          hidden.insert(value);
        }
      }
    }
  }
  REQUIRE(hidden.size() > 20);
  CHECK(hidden.count("Case worker 07") == 1);  // consent_obtained_by, free text naming staff

  auto server = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {kServerBin, "--data", data});
    return run_command(args, kPassphrases);
  };
  const std::regex exact_date(R"(\d{4}-\d{2}-\d{2})");
  const std::set<std::string> bands = {"0-4", "5-11", "12-17", "18-59", "60+"};
  const std::set<std::string> never = {"household_size", "consent_obtained_by", "specific_needs", "full_name", "name",
                                       "phone", "date_of_birth", "gps", "risks_observed", "comments"};
  std::vector<std::string> sources = {"cases"};
  for (const auto& form : pack->forms()) sources.push_back(form.id);
  std::size_t bands_seen = 0;
  for (const std::string& source : sources) {
    for (const std::string format : {"csv", "jsonl"}) {
      CAPTURE(source);
      CAPTURE(format);
      const std::string out = (dir.path() / (source + "." + format)).string();
      const auto exported = source == "cases" ? server({"export", "--cases", "--format", format, "--out", out})
                                              : server({"export", "--form", source, "--format", format, "--out", out});
      REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
      const std::string text = read_file(out);
      CHECK_FALSE(std::regex_search(text, exact_date));
      for (const std::string& value : hidden) CHECK_MESSAGE(!contains(text, value), value);
      if (format != "csv") continue;
      const auto rows = csv::parse(text);
      REQUIRE(rows.ok());
      const auto& header = rows->front();
      std::set<std::string> sensitive;
      if (auto form = pack->find(source); form.ok()) {
        for (const auto& field : (*form)->fields) {
          if (field.sensitive) sensitive.insert(field.name);
        }
      }
      for (std::size_t c = 0; c < header.size(); ++c) {
        const std::string base = header[c].substr(0, header[c].find('/'));
        CHECK_MESSAGE(never.count(base) + sensitive.count(base) == 0, header[c]);
        for (std::size_t r = 1; r < rows->size(); ++r) {
          const std::string& cell = (*rows)[r][c];
          if ((header[c] == "age_band" || header[c] == "age") && !cell.empty()) {
            CHECK_MESSAGE(bands.count(cell) == 1, cell);
            ++bands_seen;
          }
          if ((header[c] == "collected_on" || header[c] == "opened_on") && !cell.empty()) {
            CHECK_MESSAGE(std::regex_match(cell, std::regex(R"(\d{4}-\d{2})")), cell);
          }
          if (header[c] == "site" || (header[c] == "location" && source == "rapid-protection-assessment")) {
            CHECK_MESSAGE(std::set<std::string>({"", "Um Dukhun", "Mukjar", "Bindisi", "Zalingei", "Garsila", "Azum",
                                                 "Deleig", "Nertiti", "Rokoro", "Golo", "other"})
                              .count(cell) == 1,
                          cell);
          }
        }
      }
      // The codebook says, for each column, how it was de-identified.
      const auto codebook = csv::parse(read_file(out + ".codebook.csv"));
      REQUIRE(codebook.ok());
      CHECK(codebook->front().back() == "disclosure");
      // ... every table's: the dataset's and each repeat's (the identification's roster).
      std::size_t columns = header.size();
      if (auto form = pack->find(source); form.ok()) {
        for (const auto& group : (*form)->groups) {
          if (!group.repeat) continue;
          const auto table = csv::parse(read_file(*forms::repeat_keys::table_path(out, group.name)));
          REQUIRE(table.ok());
          columns += table->front().size() + 1;  // and the table's own row: how its rows relate to the records
          for (const std::string& value : hidden) CHECK_MESSAGE(!contains(read_file(*forms::repeat_keys::table_path(out, group.name)), value), value);
        }
      }
      CHECK(codebook->size() == columns + 1);
      for (std::size_t r = 1; r < codebook->size(); ++r) CHECK_FALSE((*codebook)[r].back().empty());
    }
  }
  CHECK(bands_seen > 10);
  const auto outreach = csv::parse(read_file(dir.path() / "outreach-identification.csv"));
  REQUIRE(outreach.ok());
  const auto& header = outreach->front();
  const auto age = std::find(header.begin(), header.end(), "age") - header.begin();
  REQUIRE(static_cast<std::size_t>(age) < header.size());  // the outreach form's own age, banded
  for (std::size_t r = 1; r < outreach->size(); ++r) CHECK(bands.count((*outreach)[r][static_cast<std::size_t>(age)]) == 1);
  // The household roster: ages banded, each member's specific needs (sensitive) left out.
  const auto roster = csv::parse(read_file(dir.path() / "outreach-identification-household_members.csv"));
  REQUIRE(roster.ok());
  REQUIRE(roster->size() > outreach->size());  // a household of one at least per record
  const auto& members = roster->front();
  CHECK(std::find(members.begin(), members.end(), "m_specific_needs") == members.end());
  const auto m_age = std::find(members.begin(), members.end(), "m_age") - members.begin();
  REQUIRE(static_cast<std::size_t>(m_age) < members.size());
  for (std::size_t r = 1; r < roster->size(); ++r) {
    const std::string& cell = (*roster)[r][static_cast<std::size_t>(m_age)];
    CHECK_MESSAGE((cell.empty() || bands.count(cell) == 1), cell);
  }
  CHECK(contains(read_file(dir.path() / "outreach-identification.csv.codebook.csv"),
                 "age,Age in years,العمر بالسنوات,text,,,\"age band: 0-4, 5-11, 12-17, 18-59, 60+\""));

  // ISO weeks when asked for.
  const std::string weekly = (dir.path() / "weekly.csv").string();
  REQUIRE(server({"export", "--form", "pdm-survey", "--dates", "week", "--out", weekly}).exit_code == 0);
  const auto rows = csv::parse(read_file(weekly));
  REQUIRE(rows.ok());
  REQUIRE(rows->size() > 1);
  CHECK(std::regex_match((*rows)[1][2], std::regex(R"(\d{4}-W\d{2})")));
}

namespace {

// The columns of a table, by name.
std::map<std::string, std::size_t> columns_of(const std::vector<std::string>& header) {
  std::map<std::string, std::size_t> at;
  for (std::size_t c = 0; c < header.size(); ++c) at[header[c]] = c;
  return at;
}

}  // namespace

TEST_CASE("de-identification: a household roster's rows cannot be counted per record, its totals are top-coded") {
  TempDir dir;
  const std::string data = (dir.path() / "server").string();
  const auto generated = run_command({AMANA_GEN_DATA_BIN, "--data", data, "--devices", "2", "--records", "24", "--seed",
                                      "5"},
                                     kPassphrases);
  REQUIRE_MESSAGE(generated.exit_code == 0, generated.err);
  auto server = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {kServerBin, "--data", data});
    const auto result = run_command(args, kPassphrases);
    REQUIRE_MESSAGE(result.exit_code == 0, result.err);
    return result;
  };
  const std::string form = "outreach-identification";
  const std::regex pseudonym_like(R"([0-9a-f]{16})");
  const std::set<std::string> links = {"record", "parent_instance", "instance", "position", "m_number"};
  const std::set<std::string> totals = {"", "0", "1", "2", "3+"};

  // Identified, for the office: each member's row names its record, and counting them gives
  // the household's size. What the de-identified export must make impossible.
  const std::string named = (dir.path() / "named.csv").string();
  server({"export", "--form", form, "--out", named, "--identified", "--by", "gen-officer-1"});
  const auto named_records = csv::parse(read_file(named));
  const auto named_roster = csv::parse(read_file(*forms::repeat_keys::table_path(named, "household_members")));
  REQUIRE(named_records.ok());
  REQUIRE(named_roster.ok());
  auto named_at = columns_of(named_roster->front());
  REQUIRE(named_at.count("record") == 1);
  REQUIRE(named_at.count("position") == 1);
  std::map<std::string, std::size_t> members_of;
  for (std::size_t r = 1; r < named_roster->size(); ++r) ++members_of[(*named_roster)[r][named_at["record"]]];
  const auto record_at = columns_of(named_records->front());
  std::size_t households = 0;
  bool large = false;
  for (std::size_t r = 1; r < named_records->size(); ++r) {
    const auto& row = (*named_records)[r];
    const auto found = members_of.find(row[record_at.at("record")]);
    if (found == members_of.end()) continue;  // no roster (no consent)
    CHECK(std::to_string(found->second) == row[record_at.at("household_size")]);
    large = large || found->second >= 4;
    ++households;
  }
  REQUIRE(households > 3);
  REQUIRE(large);  // a household the totals would tell
  const std::size_t members = named_roster->size() - 1;

  std::vector<std::string> csv_header;
  for (const std::string format : {"csv", "jsonl"}) {
    CAPTURE(format);
    const std::string out = (dir.path() / ("identifications." + format)).string();
    server({"export", "--form", form, "--format", format, "--out", out});
    const std::string roster_path = forms::repeat_keys::table_path(out, "household_members")->string();
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows, records;
    if (format == "csv") {
      auto table = csv::parse(read_file(roster_path));
      auto main = csv::parse(read_file(out));
      REQUIRE(table.ok());
      REQUIRE(main.ok());
      header = table->front();
      csv_header = header;
      rows.assign(table->begin() + 1, table->end());
      records = *main;
    } else {
      // JSON lines: an object a line, with the CSV's columns (read in the CSV's order).
      header = csv_header;
      std::istringstream lines(read_file(roster_path));
      for (std::string line; std::getline(lines, line);) {
        const auto object = nlohmann::json::parse(line);
        CHECK(object.size() == header.size());
        std::vector<std::string> row;
        for (const std::string& column : header) {
          const nlohmann::json value = object.contains(column) ? object.at(column) : nlohmann::json();
          row.push_back(value.is_string() ? value.get<std::string>() : value.is_null() ? std::string() : value.dump());
        }
        rows.push_back(row);
      }
    }
    // Every member is there, for MEAL's counts by sex, age band and relationship ...
    CHECK(rows.size() == members);
    const auto at = columns_of(header);
    CHECK(at.count("m_sex") == 1);
    CHECK(at.count("m_age") == 1);
    // ... but no column ties a row to its record or instance, nor holds anything like a pseudonym.
    for (const std::string& column : header) CHECK_MESSAGE(links.count(column) == 0, column);
    for (const auto& row : rows) {
      for (const std::string& cell : row) CHECK_MESSAGE(!std::regex_match(cell, pseudonym_like), cell);
    }
    // Nor does the order: the rows are sorted by their content, not written record by record.
    CHECK(std::is_sorted(rows.begin(), rows.end()));
    if (format != "csv") continue;
    // The household's size is not a column, and its totals are bands: 3 and more is "3+".
    const auto main_at = columns_of(records.front());
    CHECK(main_at.count("household_size") == 0);
    std::set<std::string> seen;
    for (const char* total : {"members_under_18", "members_with_needs"}) {
      REQUIRE(main_at.count(total) == 1);
      for (std::size_t r = 1; r < records.size(); ++r) {
        const std::string& cell = records[r][main_at.at(total)];
        CHECK_MESSAGE(totals.count(cell) == 1, cell);
        seen.insert(cell);
      }
    }
    CHECK(seen.size() > 1);
    // The codebook says so, for the table and for the totals.
    const std::string codebook = read_file(out + ".codebook.csv");
    CHECK(contains(codebook, "\nhousehold_members,Table: one row per instance of Household members,"));
    CHECK(contains(codebook, "unlinked: no column ties a row to its record, instance or position"));
    CHECK(contains(codebook, "\nmembers_under_18,Household members under 18,"));
    CHECK(contains(codebook, "\"top-coded: 0, 1, 2, 3+\""));
    CHECK_FALSE(contains(codebook, "household_members/record"));
  }

  // XLSX: the roster's sheet has the same unlinked rows.
  const std::string xlsx = (dir.path() / "identifications.xlsx").string();
  server({"export", "--form", form, "--format", "xlsx", "--out", xlsx});
  const auto sheet = run_command({"/usr/bin/unzip", "-p", xlsx, "xl/worksheets/sheet2.xml"});
  REQUIRE(sheet.exit_code == 0);
  CHECK(contains(sheet.out, ">form_version<"));
  CHECK_FALSE(contains(sheet.out, ">record<"));
  CHECK_FALSE(contains(sheet.out, ">position<"));
  CHECK(contains(sheet.out, "<row r=\"" + std::to_string(members + 1) + "\""));
}

TEST_CASE("de-identification: a repeat declared dropped is left out, with the repeats inside it") {
  auto form = forms::parse_form_definition(R"({"id": "hh", "version": 1, "title": "H", "fields": [
    {"name": "members", "type": "repeat", "label": "Members", "disclosure": "drop", "fields": [
      {"name": "m_age", "type": "integer", "label": "Age"},
      {"name": "kids", "type": "repeat", "label": "Kids", "fields": [
        {"name": "k_age", "type": "integer", "label": "Age"}]}]},
    {"name": "visits", "type": "repeat", "label": "Visits", "fields": [
      {"name": "v_day", "type": "integer", "label": "Day"}]}]})");
  REQUIRE_MESSAGE(form.ok(), form.status().message());
  const std::vector<const forms::FormDefinition*> versions{&*form};
  server::DatasetFilter deidentified;
  server::DatasetFilter identified;
  identified.identified = true;
  CHECK(server::repeat_dropped(versions, "members", deidentified));
  CHECK(server::repeat_dropped(versions, "kids", deidentified));
  CHECK_FALSE(server::repeat_dropped(versions, "visits", deidentified));
  CHECK_FALSE(server::repeat_dropped(versions, "members", identified));
  CHECK_FALSE(server::repeat_dropped(versions, "kids", identified));

  // Through an export of generated data: the identification's roster declared dropped in a
  // version of the form leaves no table, nor a codebook row of it.
  TempDir dir;
  const std::string data = (dir.path() / "server").string();
  const auto generated = run_command({AMANA_GEN_DATA_BIN, "--data", data, "--devices", "1", "--records", "8", "--seed",
                                      "3"},
                                     kPassphrases);
  REQUIRE_MESSAGE(generated.exit_code == 0, generated.err);
  auto store = server::open_server_store(data);
  REQUIRE(store.ok());
  auto keys = server::unlock_org_keys(**store, kPassphrases.at("AMANA_SERVER_PASSPHRASE"));
  REQUIRE(keys.ok());
  auto pack = forms::FormPack::builtin();
  REQUIRE(pack.ok());
  std::vector<forms::FormDefinition> copies;
  for (const forms::FormDefinition* version : pack->versions("outreach-identification")) copies.push_back(*version);
  for (auto& group : copies.back().groups) {
    if (group.name == "household_members") group.disclosure = forms::RepeatDisclosure::dropped;
  }
  std::vector<const forms::FormDefinition*> dropped;
  for (const auto& copy : copies) dropped.push_back(&copy);
  const auto key = server::pseudonym_key(keys->data_key);
  server::DatasetText plain(server::DatasetFormat::csv);
  auto rows = server::form_dataset(**store, dropped, key, deidentified, plain);
  REQUIRE_MESSAGE(rows.ok(), rows.status().message());
  CHECK(*rows > 0);
  CHECK(plain.repeats().empty());
  CHECK_FALSE(contains(plain.codebook(), "household_members"));
  server::DatasetText clear(server::DatasetFormat::csv);
  REQUIRE(server::form_dataset(**store, dropped, key, identified, clear).ok());
  REQUIRE(clear.repeats().size() == 1);
  CHECK(clear.repeats()[0].rows > 0);
}

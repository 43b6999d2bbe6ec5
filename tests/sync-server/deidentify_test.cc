// De-identified datasets: what the forms declare about each field is what a dataset
// shows, checked on generated data through the real binary against the answers the test
// itself unseals from the central store.
#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "common/csv.h"
#include "common/form_pack.h"
#include "common/repeat_keys.h"
#include "sync-server/admin.h"
#include "sync-server/dataset.h"
#include "sync-server/org_keys.h"
#include "tests/support.h"

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
          columns += table->front().size();
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

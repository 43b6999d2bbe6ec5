// Datasets the MEAL team can join and read (issue 18 item 15): one pseudonymous case key
// across cases, referrals and follow-ups; the referral's status; choice labels instead of
// codes; the Arabic choice labels in the codebook; typed XLSX cells; referrals and
// follow-ups pulled by a MEAL device. And the store walk the exports stream from.
#include <doctest/doctest.h>

#include <algorithm>

#include "common/csv.h"
#include "common/message_catalogue.h"
#include "sync-server/admin.h"
#include "sync-server/org_keys.h"
#include "tests/support.h"

using namespace amana::testing;

namespace {

using Table = std::vector<std::vector<std::string>>;

Table read_csv(const std::string& path) {
  auto rows = amana::csv::parse(read_file(path));
  REQUIRE(rows.ok());
  return *rows;
}

// The values of `column` in a CSV with a header row.
std::vector<std::string> column(const Table& table, const std::string& name) {
  REQUIRE_FALSE(table.empty());
  const auto at = std::find(table[0].begin(), table[0].end(), name);
  REQUIRE_MESSAGE(at != table[0].end(), name);
  const auto index = static_cast<std::size_t>(at - table[0].begin());
  std::vector<std::string> out;
  for (std::size_t r = 1; r < table.size(); ++r) out.push_back(table[r].at(index));
  return out;
}

// A case on `device` through every step to a follow-up; the referral's provider is put in
// the directory first and synced down, as a referral needs.
void case_with_referral_and_follow_up(const ServerUnderTest& server, const FieldDevice& device) {
  REQUIRE(server.admin({"providers", "add", "legal-aid-um-dukhun", "--name", "Legal aid", "--services", "legal",
                        "--location", "Um Dukhun"})
              .exit_code == 0);
  REQUIRE(device.run({"sync"}).exit_code == 0);
  open_example_case(device, {"register", "assess", "plan", "refer", "follow-up"});
}

}  // namespace

TEST_CASE("datasets: cases, referrals and follow-ups join on one case key, referrals carry their status") {
  ServerUnderTest server;
  FieldDevice device("amina");
  enroll(server, device, "amina");
  case_with_referral_and_follow_up(server, device);
  TempDir out;
  auto exported = [&](std::vector<std::string> args) {
    const std::string path = (out.path() / (std::to_string(args.size()) + args[0].substr(2) + ".csv")).string();
    args.insert(args.begin(), "export");
    args.insert(args.end(), {"--out", path, "--force"});
    const auto result = server.admin(args);
    REQUIRE_MESSAGE(result.exit_code == 0, result.err);
    return read_csv(path);
  };
  const auto cases = column(exported({"--cases"}), "case");
  const Table referrals = exported({"--referrals"});
  const auto followups = column(exported({"--followups"}), "case");
  REQUIRE(cases.size() == 1);
  CHECK(cases[0].size() == 16);  // a pseudonym, not the id
  CHECK(column(referrals, "case") == cases);
  CHECK(followups == cases);
  CHECK(column(referrals, "status") == std::vector<std::string>{"pending"});
  CHECK(column(referrals, "status_date")[0].size() == 7);  // a month, as every de-identified date

  // Labels instead of codes, in either language; the 0/1 columns stay 0/1.
  using amana::Language;
  const Table arabic = exported({"--referrals", "--labels", "ar"});
  CHECK(column(arabic, "status") ==
        std::vector<std::string>{amana::Message("referral.status.pending").in(Language::ar)});
  CHECK(column(arabic, "case") == cases);
  const Table english_cases = exported({"--cases", "--labels", "en"});
  CHECK(column(english_cases, "sex") == std::vector<std::string>{"Female"});
  CHECK(column(english_cases, "status")[0] != "registered");
  const Table identifications = exported({"--form", "outreach-identification", "--labels", "ar"});
  CHECK(column(identifications, "sex") == std::vector<std::string>{"أنثى"});
  CHECK(column(identifications, "identified_by") == std::vector<std::string>{"متطوع تواصل مجتمعي"});
}

TEST_CASE("datasets: the codebook has the Arabic choice labels, and XLSX cells are typed") {
  ServerUnderTest server;
  REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
  FieldDevice device("amina");
  enroll(server, device, "amina");
  device.collect("outreach-identification");
  REQUIRE(device.run({"sync"}).exit_code == 0);
  TempDir out;
  const std::string xlsx = (out.path() / "identified.xlsx").string();
  const auto written = server.admin({"export", "--form", "outreach-identification", "--identified", "--by", "omar",
                                     "--format", "xlsx", "--out", xlsx});
  REQUIRE_MESSAGE(written.exit_code == 0, written.err);
  const std::string codebook = read_file(xlsx + ".codebook.csv");
  CHECK(contains(codebook, "variable,label_en,label_ar,type,choices,choices_ar,disclosure"));
  CHECK(contains(codebook, "female=Female; male=Male,female=أنثى; male=ذكر"));

  const auto sheet = run_command({"/usr/bin/unzip", "-p", xlsx, "xl/worksheets/sheet1.xml"});
  REQUIRE(sheet.exit_code == 0);
  // The identification's date a date (a serial number with a date format), not text;
  // consent a boolean; age a number; the site text.
  CHECK_FALSE(contains(sheet.out, "2026-11-20"));
  CHECK(contains(sheet.out, "<v>46346</v>"));  // 2026-11-20 as Excel counts days
  CHECK(contains(sheet.out, "t=\"b\""));
  CHECK(contains(sheet.out, "<v>34</v>"));
  CHECK(contains(sheet.out, "Um Dukhun, block C"));
}

TEST_CASE("datasets: a MEAL device pulls referrals and follow-ups, joined to the cases, with labels") {
  ServerUnderTest server;
  REQUIRE(server.admin({"users", "add", "mona", "--role", "meal", "--team", "um-dukhun"}).exit_code == 0);
  FieldDevice worker("amina");
  enroll(server, worker, "amina");
  case_with_referral_and_follow_up(server, worker);
  FieldDevice meal("mona");
  enroll(server, meal, "mona");
  TempDir out;
  auto pulled = [&](const std::vector<std::string>& what) {
    const std::string path = (out.path() / (what[0].substr(2) + ".csv")).string();
    std::vector<std::string> args{"dataset", "pull"};
    args.insert(args.end(), what.begin(), what.end());
    args.insert(args.end(), {"--out", path});
    const auto result = meal.run(args);
    REQUIRE_MESSAGE(result.exit_code == 0, result.err);
    CHECK(contains(result.out, "Wrote 1 rows"));
    return read_csv(path);
  };
  const auto cases = column(pulled({"--cases"}), "case");
  const Table referrals = pulled({"--referrals", "--labels", "en"});
  const Table followups = pulled({"--followups"});
  CHECK(column(referrals, "case") == cases);
  CHECK(column(followups, "case") == cases);
  CHECK(column(referrals, "status") ==
        std::vector<std::string>{amana::Message("referral.status.pending").in(amana::Language::en)});
  CHECK(meal.run({"dataset", "pull", "--referrals", "--cases", "--out", (out.path() / "x").string()}).exit_code != 0);
}

TEST_CASE("store: visit_records walks every record once, in id order, across batches, and stops at an error") {
  ServerUnderTest server;
  constexpr int kSurveys = 2 * static_cast<int>(amana::server::CentralStore::kVisitBatch) + 7;
  FieldDevice device("amina", kSurveys);
  enroll(server, device, "amina");
  device.collect("outreach-identification");
  REQUIRE(device.run({"sync"}).exit_code == 0);

  {
    auto store = amana::server::open_server_store(server.data_dir());
    REQUIRE(store.ok());
    auto keys = amana::server::unlock_org_keys(**store, kPassphrases.at("AMANA_SERVER_PASSPHRASE"));
    REQUIRE(keys.ok());
    auto all = (*store)->records("pdm-survey");
    REQUIRE(all.ok());
    REQUIRE(all->size() == static_cast<std::size_t>(kSurveys));
    std::vector<amana::RecordId> seen;
    REQUIRE((*store)->visit_records("pdm-survey", [&](const amana::server::CentralRecord& record) {
      CHECK(record.form_id == "pdm-survey");
      CHECK(record.values == (*all)[seen.size()].values);  // the same current values as records()
      seen.push_back(record.id);
      return amana::Status();
    }).ok());
    CHECK(seen.size() == static_cast<std::size_t>(kSurveys));
    CHECK(std::is_sorted(seen.begin(), seen.end()));
    CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());

    std::size_t every = 0;
    REQUIRE((*store)->visit_records(std::nullopt, [&](const amana::server::CentralRecord&) {
      ++every;
      return amana::Status();
    }).ok());
    CHECK(every == static_cast<std::size_t>(kSurveys) + 1);

    std::size_t before_error = 0;
    const amana::Status stopped = (*store)->visit_records(std::nullopt, [&](const amana::server::CentralRecord&) {
      return ++before_error == 3 ? amana::io_error("disk full") : amana::Status();
    });
    CHECK(stopped.message() == "disk full");
    CHECK(before_error == 3);
  }

  // The export streams through the same walk: every row, past the batch boundaries.
  TempDir out;
  const auto exported =
      server.admin({"export", "--form", "pdm-survey", "--format", "jsonl", "--out", (out.path() / "p.jsonl").string()});
  CHECK(contains(exported.out, "Wrote " + std::to_string(kSurveys) + " rows"));
}

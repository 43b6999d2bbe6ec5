// Write authority against what the office reads from the tables kept at merge time: the
// case listing (CentralStore::case_listing, migration 19) that the console's case list
// pages through, and the report's counts (report_counts, migration 18) that `sync-server
// report` reads. Device owners forge writes with the project's library
// (tests/sync-server/forge.h) and post them to a real `sync-server serve`: each is refused,
// and the console and the report show byte for byte what they showed before. Were a
// refusal decided after those tables had been written, they would show the forged case.
// The same changes made the honest way, by the office, do change both: the comparison sees
// what it is there to see.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/support.h"
#include "tests/sync-server/console_over_http.h"
#include "tests/sync-server/forge.h"

using namespace amana;
using namespace amana::testing;

namespace {

// What the office is shown: the console's case list, as an officer's browser gets it, and
// the monthly report of the month the example closure is dated in.
struct Shown {
  std::string cases;
  std::string report;
  bool operator==(const Shown&) const = default;
};

Shown shown(const ServerUnderTest& server, const ConsoleOverHttp& console, const std::filesystem::path& out) {
  const auto cases = console.get("/console/api/cases");
  REQUIRE_MESSAGE(cases.status == 200, cases.body);
  const auto closure = nlohmann::json::parse(read_file(kExamples + "case-closure.answers.json"));
  const std::string period = closure["closure_date"].get<std::string>().substr(0, 7);
  const auto report = server.admin({"report", "--period", period, "--format", "md", "--out", out.string(), "--force"});
  REQUIRE_MESSAGE(report.exit_code == 0, report.err);
  return {cases.body, read_file(out)};
}

}  // namespace

TEST_CASE("write authority: forged writes are refused before the case listing and the report's counts are written") {
  ServerUnderTest server;
  REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
  REQUIRE(server.admin({"users", "add", "zara", "--role", "assistant", "--team", "zalingei"}).exit_code == 0);
  FieldDevice amina("amina", 0);
  FieldDevice zara("zara", 0);
  enroll(server, amina, "amina");
  enroll(server, zara, "zara");
  // Amina's case of the um-dukhun team, its closure requested and awaiting the officer.
  const std::string kase = open_example_case(amina, {"register", "assess", "plan", "close"});
  REQUIRE(zara.run({"sync"}).exit_code == 0);
  const RecordId case_id = *RecordId::parse(kase);
  TempDir reports;
  const ConsoleOverHttp console(server, "omar");
  const Shown before = shown(server, console, reports.path() / "report.md");
  const auto listed = nlohmann::json::parse(before.cases)["cases"];
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["assigned_to"] == "amina");
  CHECK(listed[0]["status"] == "closure_requested");

  // Zara, of another team, makes the case hers.
  DeviceOwner forger(zara);
  forger.changeset({forger.operation(pb::Operation::UPDATE, case_id, "case", {{"assigned_to", "zara"}})});
  const pb::PushResponse taken = forger.push(server.url());
  REQUIRE(taken.refused_size() == 1);
  CHECK(taken.refused(0).rule() == "case_not_held");
  // Amina closes her own case and writes the officer's decision herself.
  DeviceOwner assignee(amina);
  assignee.changeset({assignee.operation(pb::Operation::UPDATE, case_id, "case",
                                         {{"status", "closed"}, {"closure_decision", "approved"},
                                          {"closure_decided_by", "omar"}})});
  const pb::PushResponse closed = assignee.push(server.url());
  REQUIRE(closed.refused_size() == 1);
  CHECK(closed.refused(0).rule() == "office_owned_field");

  const Shown after = shown(server, console, reports.path() / "report.md");
  CHECK(after.cases == before.cases);
  CHECK(after.report == before.report);
  CHECK(contains(server.admin({"cases", "show", kase}).out, "closure_requested"));

  // The office's own decisions, the honest way, change what is shown.
  REQUIRE(server.admin({"cases", "assign", kase, "hawa", "--by", "omar"}).exit_code == 0);
  const Shown assigned = shown(server, console, reports.path() / "report.md");
  CHECK(nlohmann::json::parse(assigned.cases)["cases"][0]["assigned_to"] == "hawa");
  CHECK(assigned.report == before.report);
  const auto approved = server.admin({"cases", "approve-closure", kase, "--by", "omar"});
  REQUIRE_MESSAGE(approved.exit_code == 0, approved.err);
  const Shown decided = shown(server, console, reports.path() / "report.md");
  CHECK(nlohmann::json::parse(decided.cases)["cases"][0]["status"] == "closed");
  CHECK(decided.report != before.report);
}

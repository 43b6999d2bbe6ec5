// Published forms reach devices (issue 15, "Distribution"), end to end through the real
// binaries: `sync-server forms publish` on a server serving on 127.0.0.1, `field-client
// sync`, `collect`, `show`, `edit`, and `sync-server export`. Also what keeps the case
// forms safe to republish: a version dropping or retyping a question the case cycle or
// the reports read is refused, with the reason.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/form_pack.h"
#include "tests/support.h"
#include "tests/xlsx_fixture.h"

using namespace amana::testing;

namespace {

using Rows = std::vector<std::vector<std::string>>;

const Rows kYesNo = {{"list_name", "name", "label::English (en)", "label::Arabic (ar)"},
                     {"yes_no", "yes", "Yes", "نعم"},
                     {"yes_no", "no", "No", "لا"}};

Rows site_survey(bool with_water) {
  Rows rows = {{"type", "name", "label::English (en)", "label::Arabic (ar)", "required", "constraint"},
               {"select_one yes_no", "safe", "Is the site safe?", "هل الموقع آمن؟", "yes", ""},
               {"integer", "households", "Households", "عدد الأسر", "yes", ". >= 0"}};
  if (with_water) rows.push_back({"select_one yes_no", "water", "Is there water?", "هل يوجد ماء؟", "yes", ""});
  return rows;
}

std::string workbook(const TempDir& dir, const std::string& name, const Rows& survey, const Rows& choices,
                     const std::string& form_id) {
  const auto path = dir.path() / name;
  write_xlsx(path, {{"survey", survey}, {"choices", choices}, {"settings", {{"form_id", "form_title"}, {form_id, form_id}}}});
  return path.string();
}

std::string answers_file(const TempDir& dir, const std::string& name, const std::string& json) {
  write_file(dir.path() / name, json);
  return (dir.path() / name).string();
}

// The record id `collect --answers` prints, checked to have worked.
std::string collected(const FieldDevice& device, const std::string& form, const std::string& answers) {
  const auto result = device.run({"collect", form, "--answers", answers});
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  std::string id = result.out;
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  return id;
}

void synced(const FieldDevice& device) {
  const auto result = device.run({"sync"});
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
}

}  // namespace

TEST_CASE("forms distribution: a published version reaches a device, which collects with it and keeps old records") {
  ServerUnderTest server;
  TempDir dir;
  FieldDevice device("amina", 0);

  // init published the built-in pack, signed: version 1 of each form (the referral form 2).
  const auto listed = server.admin({"forms", "list"});
  REQUIRE_MESSAGE(listed.exit_code == 0, listed.err);
  CHECK(contains(listed.out, "pdm-survey"));
  CHECK(contains(server.admin({"forms", "show", "referral"}).out, "Version    2,"));
  const auto shown = server.admin({"forms", "show", "case-closure"});
  CHECK(contains(shown.out, "Version    1,"));
  CHECK(contains(shown.out, "valid, the organisation's"));

  // Published before the device ever synced: it collects with the built-in pack only.
  REQUIRE(server.admin({"forms", "publish", workbook(dir, "site-v1.xlsx", site_survey(false), kYesNo, "site-check")})
              .exit_code == 0);
  const std::string v1_answers = answers_file(dir, "v1.json", R"({"safe": "yes", "households": 12})");
  CHECK(device.run({"collect", "site-check", "--answers", v1_answers}).exit_code != 0);
  CHECK(contains(device.run({"forms"}).out, "pdm-survey"));

  enroll(server, device, "amina");
  const auto first = device.run({"sync"});
  REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  CHECK(contains(first.out, "new form versions from the office"));
  CHECK(contains(device.run({"forms"}).out, "site-check"));
  const std::string old_record = collected(device, "site-check", v1_answers);

  // Version 2 adds a required question: after the next sync it is asked, and required.
  const auto v2 = server.admin({"forms", "publish", workbook(dir, "site-v2.xlsx", site_survey(true), kYesNo, "site-check")});
  REQUIRE_MESSAGE(v2.exit_code == 0, v2.err);
  CHECK(contains(v2.out, "Published site-check version 2"));
  const auto second = device.run({"sync"});
  REQUIRE_MESSAGE(second.exit_code == 0, second.err);
  CHECK(contains(second.out, "Received 1 new form version from the office"));
  const auto refused = device.run({"collect", "site-check", "--answers", v1_answers});
  CHECK(refused.exit_code != 0);
  CHECK(contains(refused.err, "water"));
  const std::string new_record =
      collected(device, "site-check", answers_file(dir, "v2.json", R"({"safe": "no", "households": 3, "water": "yes"})"));
  // Asked question by question, the new question is asked too.
  const auto interview = device.run({"collect", "site-check"}, "1\n7\n2\n");
  REQUIRE_MESSAGE(interview.exit_code == 0, interview.err);
  CHECK(contains(interview.out, "Is there water?"));
  CHECK(contains(interview.out, "Saved record "));
  synced(device);

  // The old record keeps its version: it shows, and an edit validates against version 1,
  // which has no water question.
  const auto old_shown = device.run({"show", old_record});
  REQUIRE_MESSAGE(old_shown.exit_code == 0, old_shown.err);
  CHECK(contains(old_shown.out, "Households"));
  CHECK(device.run({"edit", old_record, "--set", "water=yes"}).exit_code != 0);
  const auto edited = device.run({"edit", old_record, "--set", "households=14"});
  REQUIRE_MESSAGE(edited.exit_code == 0, edited.err);
  synced(device);

  // The export unions both versions' questions, with the version of each row.
  const auto out = dir.path() / "site.csv";
  const auto exported = server.admin({"export", "--form", "site-check", "--out", out.string()});
  REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
  const std::string csv = read_file(out);
  const std::string header = csv.substr(0, csv.find('\n'));
  CHECK(contains(header, "form_version"));
  CHECK(contains(header, "households"));
  CHECK(contains(header, "water"));
  CHECK(contains(csv, ",1,"));
  CHECK(contains(csv, ",2,"));
  CHECK(contains(csv, "14"));
  CHECK(contains(csv, "yes"));
  CHECK(new_record != old_record);

  // Archived: no longer offered for new records; what was collected still shows.
  REQUIRE(server.admin({"forms", "archive", "site-check"}).exit_code == 0);
  synced(device);
  CHECK_FALSE(contains(device.run({"forms"}).out, "site-check"));
  const auto archived = device.run({"collect", "site-check", "--answers", v1_answers});
  CHECK(archived.exit_code != 0);
  CHECK(contains(archived.err, "archived"));
  CHECK(device.run({"show", new_record}).exit_code == 0);
}

TEST_CASE("forms distribution: a case form republished without a question the cycle relies on is refused") {
  TempDir dir;
  ServerUnderTest server;
  const Rows reasons = {{"list_name", "name", "label::English (en)"},
                        {"reasons", "goals_met", "Goals met"},
                        {"reasons", "client_request", "Client's request"}};
  // case-closure without `reason`, and with `closure_date` typed as text.
  const Rows broken = {{"type", "name", "label::English (en)", "required"},
                       {"text", "closure_date", "Date of closure", "yes"},
                       {"text", "closure_summary", "Summary", ""}};
  for (bool draft : {true, false}) {
    std::vector<std::string> args = {"forms", "publish", workbook(dir, "closure.xlsx", broken, reasons, "case-closure")};
    if (draft) args.push_back("--draft");
    const auto refused = server.admin(args);
    CHECK(refused.exit_code != 0);
    CHECK(contains(refused.err, "this version drops the question 'reason' (select_one), which the case's values"));
    CHECK(contains(refused.err, "makes the question 'closure_date' text, but the case cycle's order of steps reads it as date"));
  }
  CHECK(contains(server.admin({"forms", "show", "case-closure"}).out, "Version    1,"));

  // Keeping them (with a new question) publishes version 2.
  const Rows kept = {{"type", "name", "label::English (en)", "required"},
                     {"date", "closure_date", "Date of closure", "yes"},
                     {"select_one reasons", "reason", "Reason", "yes"},
                     {"text", "closure_summary", "Summary", ""}};
  const auto published = server.admin({"forms", "publish", workbook(dir, "closure-ok.xlsx", kept, reasons, "case-closure")});
  REQUIRE_MESSAGE(published.exit_code == 0, published.err);
  CHECK(contains(published.out, "Published case-closure version 2"));
}

TEST_CASE("forms distribution: a form over the size bound is refused when published") {
  TempDir dir;
  ServerUnderTest server;
  Rows survey = {{"type", "name", "label::English (en)"}};
  const std::string long_label(30000, 'x');
  for (int i = 0; i < 150; ++i) survey.push_back({"text", "q" + std::to_string(i), long_label});
  const auto refused = server.admin({"forms", "publish", workbook(dir, "big.xlsx", survey, kYesNo, "big-form")});
  CHECK(refused.exit_code != 0);
  // The engine bounds a definition at the same 4 MiB (forms::kMaxPublishedFormBytes), so
  // the conversion refuses it before publish_form's own check would.
  CHECK_MESSAGE(contains(refused.err, "larger than " + std::to_string(amana::forms::kMaxPublishedFormBytes) + " bytes"),
                refused.err);
  CHECK_FALSE(contains(server.admin({"forms", "list"}).out, "big-form"));
}

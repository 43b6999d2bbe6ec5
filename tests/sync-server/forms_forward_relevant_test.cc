// A relevant that looks at a question asked later (a slip real forms carry, read as ODK
// reads it: docs/forms.md "Field keys"), through the real binaries: published with a
// warning, then collected question by question on a device. The question is skipped until
// the later one is answered, then asked; the record saves with both.
#include <doctest/doctest.h>

#include <string>

#include "tests/support.h"
#include "tests/xlsx_fixture.h"

using namespace amana::testing;

TEST_CASE("forms forward relevant: a question whose relevant looks ahead is asked once the later answer is given") {
  ServerUnderTest server;
  TempDir dir;
  FieldDevice device("amina", 0);
  const auto workbook = dir.path() / "ahead.xlsx";
  write_xlsx(workbook, {{"survey",
                         {{"type", "name", "label", "required", "relevant"},
                          {"select_one yes_no", "school", "Did the child go to school?", "yes", "${begin} = 'yes'"},
                          {"select_one yes_no", "available", "Is someone available?", "yes", ""},
                          {"select_one yes_no", "begin", "May I begin?", "yes", "${available} = 'yes'"}}},
                        {"choices", {{"list_name", "name", "label"}, {"yes_no", "yes", "Yes"}, {"yes_no", "no", "No"}}},
                        {"settings", {{"form_id", "form_title"}, {"ahead", "Ahead"}}}});
  const auto published = server.admin({"forms", "publish", workbook.string()});
  REQUIRE_MESSAGE(published.exit_code == 0, published.err);
  CHECK(contains(published.err, "row 2, column E (relevant): relevant: ${begin} is asked later (row 4)"));

  enroll(server, device, "amina");
  REQUIRE(device.run({"sync"}).exit_code == 0);
  // available: yes (1), begin: yes (1); then the school question, now relevant: no (2).
  const auto interview = device.run({"collect", "ahead"}, "1\n1\n2\n");
  REQUIRE_MESSAGE(interview.exit_code == 0, (interview.err + interview.out));
  const std::string out = interview.out;
  CAPTURE(out);
  const auto begin_at = out.find("May I begin?");
  const auto school_at = out.find("Did the child go to school?");
  REQUIRE(begin_at != std::string::npos);
  REQUIRE(school_at != std::string::npos);
  CHECK(begin_at < school_at);  // skipped at first, asked once begin is answered
  CHECK(contains(out, "Saved record "));

  // Not available: neither begin nor school is asked.
  const auto short_walk = device.run({"collect", "ahead"}, "2\n");
  REQUIRE_MESSAGE(short_walk.exit_code == 0, (short_walk.err + short_walk.out));
  CHECK_FALSE(contains(short_walk.out, "Did the child go to school?"));
  CHECK(contains(short_walk.out, "Saved record "));
}

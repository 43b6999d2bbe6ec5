// The CLI interview walks what the engine decides: section headings for groups, a group
// that is not relevant skipped whole, calculations kept current and put into labels,
// cascading selects numbered as offered, required messages, read-only values shown.
#include <doctest/doctest.h>

#include <sstream>

#include "common/answers.h"
#include "common/form.h"
#include "field-client/interview.h"
#include "tests/support.h"

namespace amana::field {
namespace {

constexpr std::string_view kForm = R"~({
  "id": "walk", "version": 1, "title": "Walk",
  "fields": [
    {"name": "started", "type": "start"},
    {"name": "state", "type": "select_one", "label": "State", "required": true, "choices": [
      {"name": "central_darfur", "label": "Central Darfur"}, {"name": "south_darfur", "label": "South Darfur"}]},
    {"name": "locality", "type": "select_one", "label": "Locality", "required": true,
     "choice_filter": "state = ${state}", "choices": [
      {"name": "zalingei", "label": "Zalingei", "columns": {"state": "central_darfur"}},
      {"name": "nyala", "label": "Nyala", "columns": {"state": "south_darfur"}},
      {"name": "mukjar", "label": "Mukjar", "columns": {"state": "central_darfur"}}]},
    {"name": "household", "type": "group", "label": "Household", "appearance": "field-list", "fields": [
      {"name": "girls", "type": "integer", "label": "Girls", "required": true},
      {"name": "boys", "type": "integer", "label": "Boys", "required": true,
       "required_message": "Count the boys, even if none: type 0"},
      {"name": "children", "type": "calculate", "calculation": "${girls} + ${boys}"},
      {"name": "programme", "type": "text", "label": "Programme", "read_only": true, "default": "ECHO-2026"}
    ]},
    {"name": "school", "type": "group", "label": "School", "relevant": "${children} > 0", "fields": [
      {"name": "in_school", "type": "integer", "label": "How many of the ${children} children go to school?",
       "constraint": ". <= ${children}"}
    ]},
    {"name": "done", "type": "note", "label": "Thank you"}
  ]})~";

forms::ValidationOptions options() {
  forms::ValidationOptions o;
  o.today = "2026-11-23";
  o.now = "2026-11-23T10:00:00Z";
  return o;
}

}  // namespace

TEST_CASE("interview: groups, calculations, cascading selects and required messages") {
  auto form = forms::parse_form_definition(kForm);
  REQUIRE_MESSAGE(form.ok(), form.status().message());
  // State 1 (Central Darfur); locality 2 is Mukjar, the second Central Darfur one; 2 girls;
  // boys left empty once (its own message), then 1; 2 of the 3 in school.
  std::istringstream in("1\n2\n2\n\n1\n2\n");
  std::ostringstream out;
  auto answers = interview(*form, options(), in, out);
  const std::string shown = out.str();
  REQUIRE_MESSAGE(answers.ok(), answers.status().message(), shown);
  CHECK(answers->at("locality") == "mukjar");
  CHECK(answers->at("children") == "3");
  CHECK(answers->at("in_school") == "2");
  CHECK(answers->at("programme") == "ECHO-2026");
  CHECK(answers->at("started") == "2026-11-23T10:00:00Z");
  CHECK(testing::contains(shown, "== Household =="));
  CHECK(testing::contains(shown, "== School =="));
  CHECK(testing::contains(shown, "   2) Mukjar"));
  CHECK_FALSE(testing::contains(shown, "Nyala"));
  CHECK(testing::contains(shown, "Count the boys, even if none: type 0"));
  CHECK(testing::contains(shown, "How many of the 3 children go to school?"));
  CHECK(testing::contains(shown, "Programme\n   = ECHO-2026"));

  // No children: the school group is skipped whole.
  std::istringstream none("2\n1\n0\n0\n");
  std::ostringstream out2;
  auto without = interview(*form, options(), none, out2);
  REQUIRE_MESSAGE(without.ok(), without.status().message(), out2.str());
  CHECK(without->at("locality") == "nyala");
  CHECK(without->count("in_school") == 0);
  CHECK_FALSE(testing::contains(out2.str(), "== School =="));
}

}  // namespace amana::field

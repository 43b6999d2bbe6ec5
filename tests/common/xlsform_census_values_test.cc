// What the census's refused forms meant (docs/forms-census.md), each in a small workbook of
// our own reproducing the construct: a note with a calculation that other questions read
// (koboloadeR's IndAge), a choice filter written in a relevant (`name != ${top}`), a choice
// name compared without quotes (`${country} = Ethiopia`); and a repeat's disclosure.
#include <doctest/doctest.h>

#include "common/answers.h"
#include "common/xlsform.h"
#include "tests/support.h"
#include "tests/xlsform_support.h"
#include "tests/xlsx_fixture.h"

namespace amana::xlsform {
namespace {

using testing::SheetRows;
using testing::TempDir;
using testing::collect;
using testing::warnings_of;
using testing::contains;
using Rows = std::vector<std::vector<std::string>>;

const Rows kChoices = {{"list_name", "name", "label"},     {"income", "salary", "Salary"},
                       {"income", "trade", "Trade"},       {"income", "aid", "Aid"},
                       {"country", "Ethiopia", "Ethiopia"}, {"country", "Eritrea", "Eritrea"}};

Result<Conversion> convert(const TempDir& dir, const Rows& survey) {
  std::vector<SheetRows> sheets{{"survey", survey}, {"choices", kChoices}};
  sheets.push_back({"settings", {{"form_id", "form_title"}, {"census-values", "Census values"}}});
  return convert_xlsform(testing::write_xlsx(dir.path() / "census-values.xlsx", sheets), "census-values.xlsx");
}

std::string errors_of(const Result<Conversion>& conversion) {
  REQUIRE_FALSE(conversion.ok());
  return conversion.status().message();
}

}  // namespace

TEST_CASE("xlsform census values: a note with a calculation is a read-only question that others may read") {
  TempDir dir;
  auto conversion = convert(dir, {{"type", "name", "label", "calculation", "relevant"},
                                  {"integer", "age_months", "Age in months", "", ""},
                                  {"note", "age_years", "Age: ${age_years} years", "int(${age_months} div 12)", ""},
                                  {"integer", "school_years", "Years at school", "", "${age_years} >= 3"},
                                  {"note", "plain", "Thank the respondent.", "", ""}});
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  CHECK(contains(warnings_of(*conversion), "row 3, column D (calculation): the note 'age_years' has a calculation: "
                                           "it is published as a read-only text question"));
  const forms::FormDefinition& form = conversion->form;
  const forms::Field* age = form.find_field("age_years");
  REQUIRE(age != nullptr);
  CHECK(age->type == forms::FieldType::text);
  CHECK(age->read_only);
  REQUIRE(age->calculation.has_value());
  CHECK(age->calculation->source() == "int(${age_months} div 12)");
  CHECK_FALSE(age->asked());
  CHECK(form.find_field("plain")->type == forms::FieldType::note);  // a note without one stays a note

  auto older = collect(form, R"({"age_months": 60, "school_years": 2})");
  REQUIRE_MESSAGE(older.ok(), older.status().message());
  CHECK(older->at("age_years") == "5");
  // Two years old: school_years is not asked, so an answer to it is refused.
  CHECK_FALSE(collect(form, R"({"age_months": 24, "school_years": 2})").ok());
  auto younger = collect(form, R"({"age_months": 24})");
  REQUIRE_MESSAGE(younger.ok(), younger.status().message());
  CHECK(younger->at("age_years") == "2");

  // A note without a calculation still has no value.
  CHECK(contains(errors_of(convert(dir, {{"type", "name", "label", "relevant"},
                                         {"note", "intro", "Hello", ""},
                                         {"integer", "n", "N", "${intro} = ''"}})),
                 "${intro} is a note, which has no value"));
}

TEST_CASE("xlsform census values: a relevant comparing the choices' name is read as the select's choice_filter") {
  TempDir dir;
  auto conversion = convert(dir, {{"type", "name", "label", "relevant"},
                                  {"select_one income", "top", "Main income", ""},
                                  {"select_multiple income", "others", "Other incomes", "name!=${top}"}});
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  CHECK(contains(warnings_of(*conversion), "row 3, column D (relevant): relevant: 'name!=${top}' compares the "
                                           "choices' name, as a choice_filter does: it is read as the question's "
                                           "choice_filter"));
  const forms::Field* others = conversion->form.find_field("others");
  REQUIRE(others != nullptr);
  CHECK_FALSE(others->relevant.has_value());
  REQUIRE(others->choice_filter.has_value());
  CHECK(others->choice_filter->source() == "name!=${top}");
  CHECK(collect(conversion->form, R"({"top": "salary", "others": "trade aid"})").ok());
  CHECK_FALSE(collect(conversion->form, R"({"top": "salary", "others": "salary"})").ok());

  // On a question that is not a select, or a select that has a choice_filter, it stays an error.
  CHECK_FALSE(convert(dir, {{"type", "name", "label", "relevant"},
                            {"select_one income", "top", "Main income", ""},
                            {"text", "why", "Why?", "name!=${top}"}})
                  .ok());
  CHECK_FALSE(convert(dir, {{"type", "name", "label", "relevant", "choice_filter"},
                            {"select_one income", "top", "Main income", "", ""},
                            {"select_one income", "second", "Second", "name!=${top}", "name != 'aid'"}})
                  .ok());
}

TEST_CASE("xlsform census values: a choice name compared unquoted with its select is read as the text") {
  TempDir dir;
  auto conversion = convert(dir, {{"type", "name", "label", "relevant", "calculation"},
                                  {"select_one country", "country", "Country", "", ""},
                                  {"text", "region", "Region", "${country} = Ethiopia", ""},
                                  {"text", "zone", "Zone", "Eritrea != country", ""}});
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  const std::string warnings = warnings_of(*conversion);
  CHECK(contains(warnings, "row 3, column D (relevant): relevant: 'Ethiopia' read as the text 'Ethiopia', a choice "
                           "of ${country} (list 'country')"));
  CHECK(contains(warnings, "row 4, column D (relevant): relevant: 'Eritrea' read as the text 'Eritrea'"));
  CHECK(contains(warnings, "'country' read as ${country}"));
  const forms::FormDefinition& form = conversion->form;
  CHECK(form.find_field("region")->relevant->source() == "${country} = 'Ethiopia'");
  CHECK(form.find_field("zone")->relevant->source() == "'Eritrea' != ${country}");
  CHECK(collect(form, R"({"country": "Ethiopia", "region": "Tigray"})").ok());
  CHECK_FALSE(collect(form, R"({"country": "Eritrea", "region": "Tigray"})").ok());

  // Not a choice of that list, compared with no select, or not compared: the error stays.
  for (const char* expression : {"${country} = Kenya", "${region_code} = Ethiopia", "Ethiopia"}) {
    CAPTURE(expression);
    const std::string errors = errors_of(convert(dir, {{"type", "name", "label", "calculation"},
                                                       {"select_one country", "country", "Country", ""},
                                                       {"text", "region_code", "Code", ""},
                                                       {"calculate", "x", "", expression}}));
    CHECK(contains(errors, "is not a function call"));
  }
}

TEST_CASE("xlsform census values: a repeat's disclosure is read from its begin repeat row") {
  TempDir dir;
  auto conversion = convert(dir, {{"type", "name", "label", "disclosure"},
                                  {"begin repeat", "members", "Members", "drop"},
                                  {"integer", "age", "Age", ""},
                                  {"end repeat", "", "", ""},
                                  {"begin repeat", "visits", "Visits", "unlinked"},
                                  {"integer", "days", "Days", ""},
                                  {"end repeat", "", "", ""},
                                  {"begin repeat", "plots", "Plots", ""},
                                  {"integer", "size", "Size", ""},
                                  {"end repeat", "", "", ""},
                                  {"begin group", "about", "About", "drop"},
                                  {"integer", "rooms", "Rooms", ""},
                                  {"end group", "", "", ""}});
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  const forms::FormDefinition& form = conversion->form;
  CHECK(form.find_group("members")->disclosure == forms::RepeatDisclosure::dropped);
  CHECK(form.find_group("visits")->disclosure == forms::RepeatDisclosure::unlinked);
  CHECK(form.find_group("plots")->disclosure == forms::RepeatDisclosure::unlinked);
  CHECK(contains(conversion->definition_json, R"("disclosure":"drop")"));
  CHECK(contains(warnings_of(*conversion), "survey sheet, row 11: disclosure ignored (a group has no value of its own"));

  CHECK(contains(errors_of(convert(dir, {{"type", "name", "label", "disclosure"},
                                         {"begin repeat", "members", "Members", "hidden"},
                                         {"integer", "age", "Age", ""},
                                         {"end repeat", "", "", ""}})),
                 "survey sheet, row 2, column D (disclosure): 'hidden' is not a disclosure of a repeat: write "
                 "unlinked"));
}

}  // namespace amana::xlsform

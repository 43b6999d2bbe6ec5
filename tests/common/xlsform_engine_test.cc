// XLSForm import of what the engine now collects: calculations (and a cycle refused at
// publish), cascading selects over extra choice columns, required messages, read-only
// questions, dynamic defaults, metadata, every language.
#include <doctest/doctest.h>

#include "common/answers.h"
#include "common/xlsform.h"
#include "tests/support.h"
#include "tests/xlsx_fixture.h"

namespace amana::xlsform {
namespace {

using testing::SheetRows;
using testing::TempDir;
using testing::contains;
using Rows = std::vector<std::vector<std::string>>;

Result<Conversion> convert(const TempDir& dir, const Rows& survey, const Rows& choices = {}) {
  std::vector<SheetRows> sheets{{"survey", survey}};
  if (!choices.empty()) sheets.push_back({"choices", choices});
  sheets.push_back({"settings", {{"form_id", "form_title"}, {"darfur_monitoring", "Darfur monitoring"}}});
  return convert_xlsform(testing::write_xlsx(dir.path() / "form.xlsx", sheets), "form.xlsx");
}

forms::ValidationOptions options() {
  forms::ValidationOptions o;
  o.today = "2026-11-23";
  o.now = "2026-11-23T09:00:00Z";
  o.device_id = "dev-1";
  return o;
}

}  // namespace

TEST_CASE("xlsform engine: calculate rows, cascading selects, required messages, read-only, dynamic defaults, metadata") {
  TempDir dir;
  const Rows survey = {
      {"type", "name", "label::English (en)", "label::French (fr)", "label::Arabic (ar)", "calculation",
       "choice_filter", "required", "required_message::English (en)", "read_only", "default"},
      {"start", "start", "", "", "", "", "", "", "", "", ""},
      {"deviceid", "deviceid", "", "", "", "", "", "", "", "", ""},
      {"date", "dob", "Date of birth", "Date de naissance", "تاريخ الميلاد", "", "", "yes", "Ask for the date", "", ""},
      {"calculate", "age", "", "", "", "int((today() - ${dob}) div 365.25)", "", "", "", "", ""},
      {"select_one state", "state", "State", "État", "الولاية", "", "", "yes", "", "", ""},
      {"select_one locality", "locality", "Locality", "Localité", "المحلية", "", "state=${state}", "yes", "", "", ""},
      {"select_one site", "site", "Site in ${locality}", "Site", "الموقع", "", "locality=${locality}", "", "", "", ""},
      {"text", "age_shown", "Age: ${age}", "", "", "", "", "", "", "yes", ""},
      {"text", "greeting", "Greeting", "", "", "", "", "", "", "", "concat('Age ', ${age})"},
  };
  const Rows choices = {
      {"list_name", "name", "label::English (en)", "label::French (fr)", "state", "locality"},
      {"state", "cd", "Central Darfur", "Darfour central", "", ""},
      {"state", "sd", "South Darfur", "Darfour du Sud", "", ""},
      {"locality", "zalingei", "Zalingei", "Zalingei", "cd", ""},
      {"locality", "nyala", "Nyala", "Nyala", "sd", ""},
      {"site", "hamidiya", "Hamidiya camp", "Camp de Hamidiya", "cd", "zalingei"},
      {"site", "otash", "Otash camp", "Camp d'Otash", "sd", "nyala"},
  };
  auto conversion = convert(dir, survey, choices);
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  const forms::FormDefinition& form = conversion->form;
  CHECK(form.find_field("start")->type == forms::FieldType::start);
  CHECK(form.find_field("age")->calculation->source() == "int((today() - ${dob}) div 365.25)");
  CHECK(form.find_field("locality")->choice_filter->source() == "state=${state}");
  CHECK(form.find_field("site")->choices[0].columns.at("locality") == "zalingei");
  CHECK(form.find_field("dob")->required_message.en == "Ask for the date");
  CHECK(form.find_field("age_shown")->read_only);
  CHECK(form.find_field("greeting")->default_expression->source() == "concat('Age ', ${age})");
  CHECK(form.find_field("state")->choices[1].label.in(std::string_view("fr")) == "Darfour du Sud");
  CHECK(form.languages == std::vector<std::string>{"fr"});

  auto answers = forms::validate_submission(form, {{"dob", "2000-01-01"}, {"state", "cd"}, {"locality", "zalingei"},
                                                   {"site", "hamidiya"}},
                                            {"dob", "state", "locality", "site"}, options());
  REQUIRE_MESSAGE(answers.ok(), answers.status().message());
  CHECK(answers->at("age") == "26");
  CHECK(answers->at("greeting") == "Age 26");
  CHECK(answers->at("deviceid") == "dev-1");
  auto crossed = forms::validate_submission(form, {{"dob", "2000-01-01"}, {"state", "cd"}, {"locality", "nyala"}},
                                            {"dob", "state", "locality"}, options());
  REQUIRE_FALSE(crossed.ok());
  CHECK(contains(crossed.status().message(), "locality (Locality): must be one of: zalingei (Zalingei)"));
  // The definition as stored and sent loads again as it was.
  auto reparsed = forms::parse_form_definition(conversion->definition_json);
  REQUIRE_MESSAGE(reparsed.ok(), reparsed.status().message());
  CHECK(reparsed->fields.size() == form.fields.size());
}

TEST_CASE("xlsform engine: a calculation cycle is refused at publish, naming the fields") {
  TempDir dir;
  auto conversion = convert(dir, {{"type", "name", "label", "calculation"},
                                  {"calculate", "a", "", "${b} + 1"},
                                  {"calculate", "b", "", "${a} * 2"},
                                  {"integer", "q", "Q", ""}});
  REQUIRE_FALSE(conversion.ok());
  CHECK(contains(conversion.status().message(), "survey sheet, row 2: form 'darfur-monitoring': calculation cycle: a -> b -> a"));
}

TEST_CASE("xlsform engine: a choice filter naming a column the list lacks is refused at its cell (a repeat beside it is not)") {
  TempDir dir;
  const Rows choices = {{"list_name", "name", "label", "state"}, {"locality", "zalingei", "Zalingei", "cd"}};
  auto conversion = convert(dir, {{"type", "name", "label", "choice_filter"},
                                  {"text", "state", "State", ""},
                                  {"select_one locality", "locality", "Locality", "region=${state}"},
                                  {"begin repeat", "members", "Members", ""},
                                  {"text", "member", "Member", ""},
                                  {"end repeat", "", "", ""}},
                            choices);
  REQUIRE_FALSE(conversion.ok());
  const std::string errors = conversion.status().message();
  CHECK(contains(errors, "survey sheet, row 3, column D (choice_filter): 'region' is not a column of the choices of list 'locality'"));
  CHECK_FALSE(contains(errors, "begin repeat"));
  CHECK_FALSE(contains(errors, "row 4"));
}

}  // namespace amana::xlsform

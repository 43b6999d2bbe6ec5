// What real public XLSForms write that ODK reads and Amana now reads too (docs/forms-census.md):
// a note marked required, typographic quotes from a spreadsheet's autocorrect, the old type
// names gps and imei, acknowledge, `or_other`, location lists of thousands of choices,
// choice columns in capitals, join(), pi() and random() inside once().
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

const Rows kChoices = {{"list_name", "name", "label", "Gov"},
                       {"yes_no", "yes", "Yes", ""},
                       {"yes_no", "no", "No", ""},
                       {"gov", "akkar", "Akkar", ""},
                       {"gov", "bekaa", "Bekaa", ""},
                       {"district", "halba", "Halba", "akkar"},
                       {"district", "zahle", "Zahle", "bekaa"}};

Result<Conversion> convert(const TempDir& dir, const Rows& survey, const Rows& choices = kChoices) {
  std::vector<SheetRows> sheets{{"survey", survey}, {"choices", choices}};
  sheets.push_back({"settings", {{"form_id", "form_title"}, {"slips", "Slips"}}});
  return convert_xlsform(testing::write_xlsx(dir.path() / "slips.xlsx", sheets), "slips.xlsx");
}

}  // namespace

TEST_CASE("xlsform slips: a note marked required or constrained is published, with the column ignored at its row") {
  TempDir dir;
  auto conversion = convert(dir, {{"type", "name", "label", "required", "constraint", "default"},
                                  {"note", "intro", "Read this to the person", "yes", ". = 1", "hello"},
                                  {"integer", "age", "Age", "yes", ". >= 0", ""}});
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  const std::string warnings = warnings_of(*conversion);
  CAPTURE(warnings);
  CHECK(contains(warnings, "survey sheet, row 2: required ignored (a note or a calculation takes no answer)"));
  CHECK(contains(warnings, "survey sheet, row 2: constraint ignored"));
  CHECK(contains(warnings, "survey sheet, row 2: default ignored (a note takes no answer)"));
  const forms::Field* intro = conversion->form.find_field("intro");
  REQUIRE(intro != nullptr);
  CHECK_FALSE(intro->constraint.has_value());
  // The note asks nothing; the age stays required and constrained.
  CHECK(collect(conversion->form, R"({"age": 30})").ok());
  CHECK_FALSE(collect(conversion->form, R"({})").ok());
  CHECK_FALSE(collect(conversion->form, R"({"age": -1})").ok());
}

TEST_CASE("xlsform slips: typographic quotes and no-break spaces are read as plain ones, with a warning") {
  TempDir dir;
  auto conversion = convert(dir, {{"type", "name", "label", "relevant", "constraint"},
                                  {"select_one yes_no", "displaced", "Displaced?", "", ""},
                                  {"integer", "months", "Months", "${displaced}= \u2018yes\u2019", ".\u00A0> 0"},
                                  {"text", "quote", "Said", "${displaced} = \"it\u2019s\"", ""}});
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  const std::string warnings = warnings_of(*conversion);
  CAPTURE(warnings);
  CHECK(contains(warnings, "survey sheet, row 3: relevant: typographic quotes"));
  CHECK(contains(warnings, "survey sheet, row 3: constraint: typographic quotes"));
  CHECK_FALSE(contains(warnings, "row 4"));  // a ’ inside plain quotes already parses: kept as written
  CHECK(contains(warnings_of(*conversion, Language::ar), "علامات الاقتباس المطبعية"));
  const forms::FormDefinition& form = conversion->form;
  CHECK(form.find_field("months")->relevant->source() == "${displaced}= 'yes'");
  CHECK(form.find_field("quote")->relevant->source() == "${displaced} = \"it\u2019s\"");
  CHECK(collect(form, R"({"displaced": "yes", "months": 3})").ok());
  CHECK_FALSE(collect(form, R"({"displaced": "yes", "months": 0})").ok());
  CHECK_FALSE(collect(form, R"({"displaced": "no", "months": 3})").ok());  // not asked
}

TEST_CASE("xlsform slips: gps and imei are geopoint and deviceid, acknowledge is a choice with the one answer OK") {
  TempDir dir;
  auto conversion = convert(dir, {{"type", "name", "label", "required"},
                                  {"imei", "device", "", ""},
                                  {"acknowledge", "consent", "I have read the consent script", "yes"},
                                  {"gps", "where", "Location", ""}});
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  const forms::FormDefinition& form = conversion->form;
  CHECK(form.find_field("device")->type == forms::FieldType::deviceid);
  CHECK(form.find_field("where")->type == forms::FieldType::geopoint);
  const forms::Field* consent = form.find_field("consent");
  REQUIRE(consent != nullptr);
  CHECK(consent->type == forms::FieldType::select_one);
  REQUIRE(consent->choices.size() == 1);
  CHECK(consent->choices[0].name == "OK");
  CHECK(contains(warnings_of(*conversion), "survey sheet, row 3: acknowledge is asked as a choice"));
  auto answers = collect(form, R"({"consent": "OK", "where": "12.65 23.47"})");
  REQUIRE_MESSAGE(answers.ok(), answers.status().message());
  CHECK(answers->at("device") == "device-1");
  CHECK_FALSE(collect(form, R"({})").ok());  // required: not acknowledged
  CHECK_FALSE(collect(form, R"({"consent": "yes"})").ok());
}

TEST_CASE("xlsform slips: or_other adds the answer other and the question NAME_other asked only when it is chosen") {
  TempDir dir;
  auto conversion = convert(dir, {{"type", "name", "label"},
                                  {"select_one yes_no or_other", "registered", "Registered?"},
                                  {"select_multiple yes_no or_other", "docs", "Documents"}});
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  const forms::FormDefinition& form = conversion->form;
  const forms::Field* registered = form.find_field("registered");
  REQUIRE(registered != nullptr);
  REQUIRE(registered->choices.size() == 3);
  CHECK(registered->choices[2].name == "other");
  const forms::Field* specify = form.find_field("registered_other");
  REQUIRE(specify != nullptr);
  CHECK(specify->type == forms::FieldType::text);
  CHECK(form.find_field("docs_other") != nullptr);
  CHECK(contains(warnings_of(*conversion), "survey sheet, row 2: or_other: the answer 'other' added to registered"));
  CHECK(collect(form, R"({"registered": "other", "registered_other": "UNHCR card"})").ok());
  CHECK_FALSE(collect(form, R"({"registered": "yes", "registered_other": "UNHCR card"})").ok());  // not asked
  CHECK(collect(form, R"({"docs": "yes other", "docs_other": "birth certificate"})").ok());

  // NAME_other taken by another question: refused at the row, as a repeated name is.
  TempDir again;
  auto taken = convert(again, {{"type", "name", "label"},
                               {"text", "registered_other", "Something else"},
                               {"select_one yes_no or_other", "registered", "Registered?"}});
  REQUIRE_FALSE(taken.ok());
  CHECK(contains(taken.status().message(), "row 3, column B (name): the name 'registered_other' is already used in row 2"));
}

TEST_CASE("xlsform slips: a location list of 5,000 choices is read, more is refused once for the list") {
  Rows choices = {{"list_name", "name", "label"}};
  for (int i = 0; i < 5001; ++i) choices.push_back({"site", "s" + std::to_string(i), "Site " + std::to_string(i)});
  Rows fits = choices;
  fits.pop_back();
  TempDir dir;
  auto conversion = convert(dir, {{"type", "name", "label"}, {"select_one site", "site", "Site"}}, fits);
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  CHECK(conversion->form.find_field("site")->choices.size() == 5000);

  TempDir again;
  auto over = convert(again, {{"type", "name", "label"}, {"select_one site", "site", "Site"}}, choices);
  REQUIRE_FALSE(over.ok());
  CHECK(contains(over.status().message(), "choices sheet, row 5002: the list 'site' has more than 5000 choices"));
  CHECK(over.status().lines().size() == 1);
}

TEST_CASE("xlsform slips: a choice_filter names a choice column as the sheet writes it, capitals included") {
  TempDir dir;
  auto conversion = convert(dir, {{"type", "name", "label", "choice_filter"},
                                  {"select_one gov", "gov", "Governorate", ""},
                                  {"select_one district", "district", "District", "Gov = ${gov}"}});
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  CHECK(collect(conversion->form, R"({"gov": "akkar", "district": "halba"})").ok());
  CHECK_FALSE(collect(conversion->form, R"({"gov": "akkar", "district": "zahle"})").ok());
}

TEST_CASE("xlsform slips: join() over a roster, pi(), random() kept by once() and refused without it") {
  TempDir dir;
  auto conversion = convert(dir, {{"type", "name", "label", "calculation", "repeat_count"},
                                  {"begin repeat", "members", "Members", "", "2"},
                                  {"text", "m_name", "Name", "", ""},
                                  {"end repeat", "", "", "", ""},
                                  {"calculate", "names", "", "join(', ', ${m_name})", ""},
                                  {"calculate", "pair", "", "join('-', 'a', 'b')", ""},
                                  {"calculate", "area", "", "round(pi() * 2 * 2, 2)", ""},
                                  {"calculate", "draw", "", "once(int(10 * random()) + 1)", ""}});
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  auto answers = collect(conversion->form, R"({"members": [{"m_name": "Amina"}, {"m_name": "Yusuf"}]})");
  REQUIRE_MESSAGE(answers.ok(), answers.status().message());
  CHECK(answers->at("names") == "Amina, Yusuf");
  CHECK(answers->at("pair") == "a-b");
  CHECK(answers->at("area") == "12.57");
  const int draw = std::stoi(answers->at("draw"));
  CHECK(draw >= 1);
  CHECK(draw <= 10);

  TempDir again;
  auto bare = convert(again, {{"type", "name", "label", "calculation"}, {"calculate", "draw", "", "random()"}});
  REQUIRE_FALSE(bare.ok());
  CHECK(contains(bare.status().message(), "row 2, column D (calculation): random() outside once(): not supported yet"));
}

}  // namespace amana::xlsform

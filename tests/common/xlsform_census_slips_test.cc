// More of what real public XLSForms write (docs/forms-census.md), read as ODK reads it, each
// in a small workbook of our own that reproduces the slip: choice names with an apostrophe,
// an accent or Arabic letters, stored as written; a question written without ${}; a
// required of T or F; a relevant looking at a later question; a choice row without
// list_name; one name in two groups; a list name in capitals; a note without a name. And
// what stays refused, by name: pulldata(), select_one_from_file, a list with nothing to offer.
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

const Rows kChoices = {{"list_name", "name", "label"},
                       {"yes_no", "yes", "Yes"},
                       {"yes_no", "no", "No"},
                       {"place", "al_sena'a_al_shamaliya_1", "Al Sena'a (north)"},
                       {"place", "Ain_el_tin\u00e9", "Ain el Tin\u00e9"},
                       {"place", "\u0627\u0644\u0641\u0627\u0634\u0631", "El Fasher"},
                       {"tools", "tin\u00e9", "Tin\u00e9"},
                       {"tools", "o'brien", "O'Brien"},
                       {"tools", "plain", "Plain"}};

Result<Conversion> convert(const TempDir& dir, const Rows& survey, const Rows& choices = kChoices) {
  std::vector<SheetRows> sheets{{"survey", survey}, {"choices", choices}};
  sheets.push_back({"settings", {{"form_id", "form_title"}, {"census-slips", "Census slips"}}});
  return convert_xlsform(testing::write_xlsx(dir.path() / "census-slips.xlsx", sheets), "census-slips.xlsx");
}

}  // namespace

TEST_CASE("xlsform census slips: a choice name with an apostrophe, an accent or Arabic letters is stored as written") {
  TempDir dir;
  auto conversion = convert(dir, {{"type", "name", "label", "relevant"},
                                  {"select_one place", "place", "Place", ""},
                                  {"select_multiple tools", "tools", "Tools", ""},
                                  {"text", "north", "Which street?", "${place} = \"al_sena'a_al_shamaliya_1\""},
                                  {"integer", "tine", "How many?", "selected(${tools}, 'tin\u00e9')"}});
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  const forms::FormDefinition& form = conversion->form;
  const forms::Field* place = form.find_field("place");
  REQUIRE(place != nullptr);
  REQUIRE(place->choices.size() == 3);
  CHECK(place->choices[0].name == "al_sena'a_al_shamaliya_1");
  CHECK(place->choices[1].name == "Ain_el_tin\u00e9");
  CHECK(place->choices[2].name == "\u0627\u0644\u0641\u0627\u0634\u0631");

  auto answers = collect(form, R"({"place": "al_sena'a_al_shamaliya_1", "north": "Main street",
                                   "tools": "o'brien tiné", "tine": 2})");
  REQUIRE_MESSAGE(answers.ok(), answers.status().message());
  CHECK(answers->at("place") == "al_sena'a_al_shamaliya_1");
  CHECK(answers->at("tools") == "tin\u00e9 o'brien");  // in the list's order, names as written
  // The stored value reads back as itself (an edit validates the record again).
  CHECK(forms::canonicalize(*form.find_field("tools"), "tin\u00e9 o'brien").value() == "tin\u00e9 o'brien");
  CHECK(collect(form, R"({"place": "الفاشر"})").ok());
  // The expressions compare with the names as written: not asked when not chosen.
  CHECK_FALSE(collect(form, R"({"place": "Ain_el_tiné", "north": "Main street"})").ok());
  CHECK_FALSE(collect(form, R"({"tools": "plain", "tine": 2})").ok());

  // A space (or a tab, or a no-break space) would split a select_multiple answer: refused.
  TempDir spaced;
  auto refused = convert(spaced, {{"type", "name", "label"}, {"select_one broken", "b", "B"}},
                         {{"list_name", "name", "label"},
                          {"broken", "lack of maintenance", "Lack of maintenance"},
                          {"broken", "no\u00a0break", "No break"}});
  REQUIRE_FALSE(refused.ok());
  const std::string errors = refused.status().message();
  CAPTURE(errors);
  CHECK(contains(errors, "choices sheet, row 2, column B (name): the choice name 'lack of maintenance' holds a space "
                         "or a control character, which a select_multiple answer could not keep apart from the next "
                         "name: rename it, e.g. 'lack_of_maintenance'"));
  CHECK(contains(errors, "choices sheet, row 3, column B (name): the choice name 'no\u00a0break' holds a space"));
  CHECK(contains(refused.status().message_in(Language::ar), "يحوي اسم الخيار 'lack of maintenance' مسافة"));
}

TEST_CASE("xlsform census slips: a question written without ${} is read as ${name}, with a warning at the row") {
  TempDir dir;
  auto conversion = convert(dir, {{"type", "name", "label", "calculation", "relevant", "required"},
                                  {"select_one yes_no", "know_birth_date", "Known?", "", "", "yes"},
                                  {"integer", "months", "Months", "", "", ""},
                                  {"calculate", "days", "", "if(know_birth_date='yes', 30, int(${months}*30.4375))", "", ""},
                                  {"text", "why", "Why?", "", "know_birth_date = 'no' and string-length('months') = 6", ""},
                                  {"integer", "flag", "Flag", "", "", "T"},
                                  {"integer", "optional", "Optional", "", "", "F"},
                                  {"integer", "shouted", "Shouted", "", "", "YES"}});
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  const std::string warnings = warnings_of(*conversion);
  CAPTURE(warnings);
  CHECK(contains(warnings, "survey sheet, row 4, column D (calculation): calculation: 'know_birth_date' read as "
                           "${know_birth_date}, the question of row 2 (without ${} ODK would read it as an empty path): "
                           "write ${know_birth_date}"));
  CHECK(contains(warnings, "survey sheet, row 5, column E (relevant): relevant: 'know_birth_date' read as"));
  CHECK(contains(warnings, "survey sheet, row 6: required: 'T' read as yes (pyxform reads only yes, no, true or false)"));
  CHECK(contains(warnings, "survey sheet, row 7: required: 'F' read as no"));
  CHECK_FALSE(contains(warnings, "'YES'"));  // pyxform reads YES as it is
  CHECK(contains(warnings_of(*conversion, Language::ar), "قُرئ 'know_birth_date' على أنه ${know_birth_date}"));
  const forms::FormDefinition& form = conversion->form;
  CHECK(form.find_field("days")->calculation->source() == "if(${know_birth_date}='yes', 30, int(${months}*30.4375))");
  // A name inside quotes is text, not a question.
  CHECK(form.find_field("why")->relevant->source() == "${know_birth_date} = 'no' and string-length('months') = 6");
  CHECK(form.find_field("flag")->required);
  CHECK_FALSE(form.find_field("optional")->required);
  CHECK(form.find_field("shouted")->required);
  auto answers = collect(form, R"({"know_birth_date": "yes", "flag": 1, "shouted": 1})");
  REQUIRE_MESSAGE(answers.ok(), answers.status().message());
  CHECK(answers->at("days") == "30");
  CHECK_FALSE(collect(form, R"({"know_birth_date": "yes", "shouted": 1})").ok());  // T: required

  // A bare name that is no question of the form stays refused, as does one in quotes-free
  // text that only looks like a function.
  TempDir other;
  auto refused = convert(other, {{"type", "name", "label", "calculation"},
                                 {"calculate", "country", "", "Ethopia"},
                                 {"calculate", "fn", "", "today + 1"}});
  REQUIRE_FALSE(refused.ok());
  CHECK(contains(refused.status().message(), "row 2, column D (calculation): 'Ethopia' is not a function call"));
  CHECK(contains(refused.status().message(), "row 3, column D (calculation): 'today' is not a function call"));
}

TEST_CASE("xlsform census slips: in a choice_filter, a bare name is the list's column first, else a question") {
  TempDir dir;
  auto conversion = convert(dir, {{"type", "name", "label", "choice_filter"},
                                  {"select_one govs", "governorate", "Governorate", ""},
                                  {"select_one district", "district", "District", "gov = governorate and name != 'x'"}},
                            {{"list_name", "name", "label", "gov"},
                             {"govs", "akkar", "Akkar", ""},
                             {"govs", "bekaa", "Bekaa", ""},
                             {"district", "halba", "Halba", "akkar"},
                             {"district", "zahle", "Zahle", "bekaa"}});
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  CHECK(contains(warnings_of(*conversion), "row 3, column D (choice_filter): choice_filter: 'governorate' read as "
                                           "${governorate}, the question of row 2"));
  const forms::FormDefinition& form = conversion->form;
  CHECK(form.find_field("district")->choice_filter->source() == "gov = ${governorate} and name != 'x'");
  CHECK(collect(form, R"({"governorate": "akkar", "district": "halba"})").ok());
  CHECK_FALSE(collect(form, R"({"governorate": "akkar", "district": "zahle"})").ok());
}

TEST_CASE("xlsform census slips: a relevant looking at a later question is published with a warning and checked in "
          "dependency order") {
  TempDir dir;
  auto conversion = convert(dir, {{"type", "name", "label", "relevant", "required", "default"},
                                  {"select_one yes_no", "school", "School level?", "${begin} = 'yes'", "yes", ""},
                                  {"select_one yes_no", "available", "Available?", "", "yes", ""},
                                  {"begin group", "consent", "Consent", "${available} = 'yes'", "", ""},
                                  {"select_one yes_no", "begin", "May I begin?", "", "yes", ""},
                                  {"end group", "", "", "", "", ""}});
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  const std::string warnings = warnings_of(*conversion);
  CAPTURE(warnings);
  CHECK(contains(warnings, "survey sheet, row 2, column D (relevant): relevant: ${begin} is asked later (row 5): the "
                           "relevant is decided again once ${begin} is answered"));
  const forms::FormDefinition& form = conversion->form;
  CHECK(collect(form, R"({"available": "yes", "begin": "yes", "school": "no"})").ok());
  CHECK(collect(form, R"({"available": "no"})").ok());  // begin not asked, so neither is school
  const auto missing = collect(form, R"({"available": "yes", "begin": "yes"})");
  REQUIRE_FALSE(missing.ok());
  CHECK(contains(missing.status().message(), "school"));
  CHECK(contains(missing.status().message(), "is required"));
  const auto not_asked = collect(form, R"({"available": "yes", "begin": "no", "school": "no"})");
  REQUIRE_FALSE(not_asked.ok());
  CHECK(contains(not_asked.status().message(), "school"));

  // Relevants looking at each other are a cycle, refused; a default looking ahead is
  // refused, saying what to do.
  TempDir cycle;
  auto circular = convert(cycle, {{"type", "name", "label", "relevant"},
                                  {"integer", "a", "A", "${b} = 1"},
                                  {"integer", "b", "B", "${a} = 1"}});
  REQUIRE_FALSE(circular.ok());
  CHECK(contains(circular.status().message(), "cycle"));
  TempDir later;
  auto defaulted = convert(later, {{"type", "name", "label", "default"},
                                   {"integer", "a", "A", "${b} + 1"},
                                   {"integer", "b", "B", ""}});
  REQUIRE_FALSE(defaulted.ok());
  CHECK(contains(defaulted.status().message(), "row 2, column D (default): ${b} is asked later (row 3): a default is "
                                               "decided when the question is reached, before ${b} is answered; move "
                                               "this question below row 3, or ${b} above it"));
}

TEST_CASE("xlsform census slips: names and lists as pyxform reads them") {
  TempDir dir;
  const Rows choices = {{"list_name", "name", "label", "label::French (fr)"},
                        {"RQ_result", "done", "Done", "Fait"},
                        {"", "", "", "Ne sait pas"},  // row 3: a translation written a row too low
                        {"RQ_result", "later", "Later", "Plus tard"}};
  auto conversion = convert(dir, {{"type", "name", "label"},
                                  {"begin group", "head", "Head of household"},
                                  {"text", "nationality_other", "Nationality?"},
                                  {"end group", "", ""},
                                  {"begin repeat", "members", "Members"},
                                  {"text", "nationality_other", "Nationality?"},
                                  {"end repeat", "", ""},
                                  {"note", "", "Thank the person"},
                                  {"select_one RQ_result", "result", "Result"}},
                            choices);
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  const std::string warnings = warnings_of(*conversion);
  CAPTURE(warnings);
  CHECK(contains(warnings, "choices sheet, row 3, column A (list_name): the choice has no list_name: it is left out"));
  CHECK(contains(warnings, "survey sheet, row 6, column B (name): the name 'nationality_other' is already used in row "
                           "3, in another group: this question is stored as 'nationality_other_2'"));
  CHECK(contains(warnings, "survey sheet, row 8, column B (name): the note has no name: it is named "
                           "'generated_note_name_8'"));
  const forms::FormDefinition& form = conversion->form;
  CHECK(form.find_field("nationality_other") != nullptr);
  CHECK(form.find_field("nationality_other_2") != nullptr);
  CHECK(form.find_field("result")->choices.size() == 2);  // the list's name as written, in capitals
  CHECK(collect(form, R"({"nationality_other": "Sudanese", "result": "later"})").ok());

  // Refused: one name twice in a group, a reference that could mean either question, and
  // a repeat's name used twice.
  TempDir twice;
  auto refused = convert(twice, {{"type", "name", "label", "relevant"},
                                 {"begin group", "g1", "G1", ""},
                                 {"text", "x", "X", ""},
                                 {"end group", "", "", ""},
                                 {"text", "x", "X again", ""},
                                 {"text", "uses", "Uses", "${x} != ''"},
                                 {"text", "y", "Y", ""},
                                 {"text", "y", "Y again", ""},
                                 {"begin repeat", "r", "R", ""},
                                 {"text", "in_r", "In r", ""},
                                 {"end repeat", "", "", ""},
                                 {"begin group", "g2", "G2", ""},
                                 {"begin repeat", "r", "R again", ""},
                                 {"text", "in_r2", "In r", ""},
                                 {"end repeat", "", "", ""},
                                 {"end group", "", "", ""}});
  REQUIRE_FALSE(refused.ok());
  const std::string errors = refused.status().message();
  CAPTURE(errors);
  CHECK(contains(errors, "row 6, column D (relevant): ${x} names two questions (rows 3 and 5, in different groups): "
                         "rename one of them so that ${x} says which"));
  CHECK(contains(errors, "row 8, column B (name): the name 'y' is already used in row 7, in the same group"));
  CHECK(contains(errors, "row 13, column B (name): the repeat name 'r' is already used in row 9"));
}

TEST_CASE("xlsform census slips: a long question name is kept (up to 128 characters), a repeat's up to 64") {
  TempDir dir;
  const std::string long_name = "stress_3_bought_food_on_credit_and_or_borrowed_money_to_purchase_food";  // 70
  auto conversion = convert(dir, {{"type", "name", "label"},
                                  {"select_one yes_no", long_name, "Bought food on credit?"},
                                  {"select_one yes_no or_other", long_name + "_x", "Why?"}});
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  CHECK(conversion->form.find_field(long_name) != nullptr);
  CHECK(conversion->form.find_field(long_name + "_x_other") != nullptr);
  CHECK(collect(conversion->form, "{\"" + long_name + "\": \"yes\"}").ok());

  TempDir longer;
  auto refused = convert(longer, {{"type", "name", "label"},
                                  {"text", std::string(129, 'a'), "Too long"},
                                  {"begin repeat", "r" + std::string(64, 'a'), "Members"},
                                  {"text", "member", "Member"},
                                  {"end repeat", "", ""}});
  REQUIRE_FALSE(refused.ok());
  CHECK(contains(refused.status().message(), "row 2, column B (name): the name '" + std::string(129, 'a') +
                                                 "' must be a letter or '_' followed by letters, digits or '_' (at "
                                                 "most 128)"));
  TempDir repeat;
  auto long_repeat = convert(repeat, {{"type", "name", "label"},
                                      {"begin repeat", "r" + std::string(64, 'a'), "Members"},
                                      {"text", "member", "Member"},
                                      {"end repeat", "", ""}});
  REQUIRE_FALSE(long_repeat.ok());
  CHECK(contains(long_repeat.status().message(), "row 2, column B (name): a repeat name longer than 64 characters: not "
                                                 "supported yet (exports name a file and a sheet after it)"));
}

TEST_CASE("xlsform census slips: pulldata, select_one_from_file and a list with nothing to offer are refused by name") {
  TempDir dir;
  auto refused = convert(dir, {{"type", "name", "label", "calculation"},
                               {"text", "eid", "Area code", ""},
                               {"calculate", "gmap", "", "pulldata('sampleList', 'gmap', 'EFEACODE', ${eid})"},
                               {"select_one_from_file villages.csv", "village", "Village", ""},
                               {"select_multiple_from_file tools.csv", "kit", "Kit", ""},
                               {"select_one empty", "first", "First", ""},
                               {"select_one empty", "second", "Second", ""}},
                         {{"list_name", "name", "label"}, {"yes_no", "yes", "Yes"}, {"empty", "", "Nameless"}});
  REQUIRE_FALSE(refused.ok());
  const std::string errors = refused.status().message();
  CAPTURE(errors);
  CHECK(contains(errors, "survey sheet, row 3, column D (calculation): pulldata(): not supported yet (it reads the file "
                         "'sampleList.csv' attached to the form, which Amana does not send to devices): ask the value "
                         "as a question, or compute it with a calculation"));
  CHECK(contains(errors, "survey sheet, row 4, column A (type): select_one_from_file: not supported yet (its choices "
                         "are in the file 'villages.csv'"));
  CHECK(contains(errors, "survey sheet, row 5, column A (type): select_multiple_from_file: not supported yet (its "
                         "choices are in the file 'tools.csv', which Amana does not send to devices): copy them to the "
                         "choices sheet and write 'select_multiple LIST'"));
  CHECK(contains(errors, "choices sheet, row 3, column B (name): the choice has no name"));
  CHECK(contains(errors, "survey sheet, row 7, column A (type): the choice list 'empty' (row 3 of the choices sheet) "
                         "has no choice left to offer: give it at least one choice with a name"));
  CHECK_FALSE(contains(errors, "probe"));
  CHECK(contains(refused.status().message_in(Language::ar), "pulldata(): غير مدعوم بعد"));
}

}  // namespace amana::xlsform

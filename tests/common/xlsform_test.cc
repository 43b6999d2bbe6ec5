#include "common/xlsform.h"

#include "common/answers.h"

#include <doctest/doctest.h>

#include "tests/support.h"
#include "tests/xlsx_fixture.h"

namespace amana::xlsform {
namespace {

using testing::SheetRows;
using testing::StringStorage;
using testing::TempDir;
using testing::contains;

using Rows = std::vector<std::vector<std::string>>;

const Rows kChoices = {
    {"list_name", "name", "label::English (en)", "label::Arabic (ar)"},
    {"yes_no", "yes", "Yes", "نعم"},
    {"yes_no", "no", "No", "لا"},
    {"assistance", "cash", "Cash", "نقد"},
    {"assistance", "in_kind", "In kind", "عيني"},
};

const Rows kSettings = {{"form_id", "form_title", "version", "default_language"},
                        {"protection_monitoring", "Protection monitoring", "2026110201", "English (en)"}};

std::string joined(const std::vector<Message>& messages, Language language = Language::en) {
  std::string out;
  for (const Message& message : messages) out += message.in(language) + "\n";
  return out;
}

Result<Conversion> convert(const TempDir& dir, const Rows& survey, const Rows& choices = kChoices,
                           const Rows& settings = kSettings, StringStorage storage = StringStorage::shared) {
  std::vector<SheetRows> sheets{{"survey", survey}};
  if (!choices.empty()) sheets.push_back({"choices", choices});
  if (!settings.empty()) sheets.push_back({"settings", settings});
  const std::string bytes = testing::write_xlsx(dir.path() / "form.xlsx", sheets, storage);
  return convert_xlsform(bytes, "form.xlsx");
}

}  // namespace

TEST_CASE("xlsform: a form with Arabic labels, skip logic, constraints and choices converts to a definition") {
  TempDir dir;
  const Rows survey = {
      {"type", "name", "label::English (en)", "label::Arabic (ar)", "hint::English (en)", "required", "relevant",
       "constraint", "constraint_message::English (en)", "constraint_message::Arabic (ar)", "default"},
      {"select_one yes_no", "consent", "Do you agree?", "هل توافق؟", "", "yes", "", "", "", "", ""},
      {"integer", "age", "Age", "العمر", "In years", "true", "${consent} = 'yes'", ". >= 0 and . <= 120",
       "Age must be between 0 and 120", "يجب أن يكون العمر بين 0 و120", ""},
      {"select_multiple assistance", "received", "Assistance received", "المساعدة المستلمة", "", "", "", "", "", "", ""},
      {"date", "visit", "Date of visit", "تاريخ الزيارة", "", "", "", ". <= today()", "", "", "today()"},
      {"text", "guardian", "Guardian's name", "اسم الولي", "", "${age} < 18", "", "", "", "", ""},
      {"note", "thanks", "Thank you", "شكرًا", "", "", "", "", "", "", ""},
  };
  for (StringStorage storage : {StringStorage::shared, StringStorage::inline_strings}) {
    CAPTURE(static_cast<int>(storage));
    auto conversion = convert(dir, survey, kChoices, kSettings, storage);
    REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
    const forms::FormDefinition& form = conversion->form;
    CHECK(form.id == "protection-monitoring");
    CHECK(form.title.en == "Protection monitoring");
    CHECK(conversion->source_version == "2026110201");
    REQUIRE(form.fields.size() == 6);
    CHECK(form.fields[0].type == forms::FieldType::select_one);
    CHECK(form.fields[0].required);
    CHECK(form.fields[0].label.ar == "هل توافق؟");
    REQUIRE(form.fields[0].choices.size() == 2);
    CHECK(form.fields[0].choices[0].label.ar == "نعم");
    const forms::Field& age = *form.find_field("age");
    CHECK(age.type == forms::FieldType::integer);
    CHECK(age.hint.en == "In years");
    REQUIRE(age.relevant);
    CHECK(age.relevant->source() == "${consent} = 'yes'");
    CHECK(age.constraint_message.ar == "يجب أن يكون العمر بين 0 و120");
    CHECK(form.find_field("received")->type == forms::FieldType::select_multiple);
    CHECK(form.find_field("visit")->default_value == "today");
    REQUIRE(form.find_field("guardian")->required_if);
    CHECK(form.find_field("thanks")->type == forms::FieldType::note);
    // The form_id was written with '_': published with '-', and the author is told.
    CHECK(contains(joined(conversion->warnings), "form_id 'protection_monitoring' is published as 'protection-monitoring'"));
    // The definition is the JSON the built-in forms are written in.
    auto reparsed = forms::parse_form_definition(conversion->definition_json);
    REQUIRE(reparsed.ok());
    CHECK(reparsed->fields.size() == 6);
  }
}

TEST_CASE("xlsform: header variants in use are read: bind::, jr:constraintMsg, label:French, untagged label") {
  TempDir dir;
  const Rows survey = {
      {"type", "name", "label", "label:French", "label::Arabic", "bind::relevant", "bind::constraint",
       "jr:constraintMsg", "required_message", "hint::English", "appearance", "media::image"},
      {"integer", "household_size", "Household size", "Taille du ménage", "عدد أفراد الأسرة", "", ". > 0",
       "At least one person", "Please answer", "Everyone who sleeps here", "", "house.png"},
      {"text", "phone", "Phone", "Téléphone", "الهاتف", "${household_size} > 0", "", "", "", "", "numbers", ""},
      {"text", "remarks", "Remarks", "Remarques", "ملاحظات", "", "", "", "", "", "multiline", ""},
  };
  auto conversion = convert(dir, survey, {}, {});
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  const forms::FormDefinition& form = conversion->form;
  CHECK(form.id == "form");  // from the file name: there is no settings sheet
  const forms::Field& size = form.fields[0];
  CHECK(size.label.en == "Household size");
  CHECK(size.label.ar == "عدد أفراد الأسرة");
  CHECK(size.hint.en == "Everyone who sleeps here");
  REQUIRE(size.constraint);
  CHECK(size.constraint_message.en == "At least one person");
  CHECK(form.fields[1].relevant->source() == "${household_size} > 0");
  CHECK(form.fields[1].numeric_text);
  const std::string warnings = joined(conversion->warnings);
  // Every language is kept: French under its name, as the header gives no code.
  CHECK(size.label.in(std::string_view("french")) == "Taille du ménage");
  CHECK(form.languages == std::vector<std::string>{"french"});
  CHECK_FALSE(contains(warnings, "French texts are not published"));
  CHECK(contains(warnings, "survey sheet, row 4: appearance 'multiline' ignored"));
  CHECK(contains(warnings, "survey sheet, row 2: media ignored"));
  CHECK(contains(warnings, "survey sheet, row 2: required_message ignored"));  // the question is not required
  CHECK(contains(warnings, "no form_id in the settings sheet: the form is published as 'form'"));
  // Warnings are in the catalogue: the same in Arabic.
  CHECK(contains(joined(conversion->warnings, Language::ar), "تُجوهل المظهر 'multiline'"));
}

TEST_CASE("xlsform: a form in French only is published with the French texts as the default") {
  TempDir dir;
  auto conversion = convert(dir, {{"type", "name", "label::Français (fr)"}, {"text", "nom", "Nom"}}, {}, {});
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  CHECK(conversion->form.fields[0].label.en == "Nom");
  CHECK(conversion->form.fields[0].label.in(std::string_view("fr")) == "Nom");
  CHECK(contains(joined(conversion->warnings), "no English texts: the Français (fr) texts are published as the default"));
}

TEST_CASE("xlsform: groups are kept, nested, with their relevant and the field-list page hint") {
  TempDir dir;
  const Rows survey = {
      {"type", "name", "label", "relevant", "appearance"},
      {"select_one yes_no", "displaced", "Displaced?", "", ""},
      {"begin group", "displacement", "Displacement", "${displaced} = 'yes'", "field-list"},
      {"date", "arrived", "Arrival date", "", ""},
      {"begin_group", "return", "Return", "${arrived} != ''", ""},
      {"select_one yes_no", "wish_return", "Do you wish to return?", "${displaced} = 'yes'", ""},
      {"end_group", "", "", "", ""},
      {"end group", "", "", "", ""},
      {"text", "after", "After the groups", "", ""},
  };
  auto conversion = convert(dir, survey);
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  const forms::FormDefinition& form = conversion->form;
  REQUIRE(form.fields.size() == 4);
  REQUIRE(form.groups.size() == 2);
  CHECK(form.groups[0].name == "displacement");
  CHECK(form.groups[0].field_list);
  CHECK(form.groups[0].relevant->source() == "${displaced} = 'yes'");
  CHECK(form.groups[1].parent == std::optional<std::size_t>(0));
  CHECK_FALSE(form.groups[1].field_list);
  CHECK(form.find_field("arrived")->group == std::optional<std::size_t>(0));
  CHECK_FALSE(form.find_field("arrived")->relevant);
  CHECK(form.find_field("wish_return")->group == std::optional<std::size_t>(1));
  CHECK(form.find_field("wish_return")->relevant->source() == "${displaced} = 'yes'");
  CHECK_FALSE(form.find_field("after")->group);
  // The group's relevant applies to what it holds.
  const forms::Answers no{{"displaced", "no"}};
  CHECK_FALSE(forms::is_relevant(form, *form.find_field("arrived"), no, "2026-11-23"));
  CHECK_FALSE(forms::is_relevant(form, *form.find_field("wish_return"), no, "2026-11-23"));
  const forms::Answers arrived{{"displaced", "yes"}, {"arrived", "2026-10-01"}};
  CHECK(forms::is_relevant(form, *form.find_field("wish_return"), arrived, "2026-11-23"));
  CHECK(forms::is_relevant(form, *form.find_field("after"), no, "2026-11-23"));
}

TEST_CASE("xlsform: what Amana cannot collect yet, or would collect differently, is refused by name, sheet, row and column") {
  TempDir dir;
  const Rows survey = {
      {"type", "name", "label", "relevant", "choice_filter", "calculation", "constraint"},
      {"select_one_from_file villages.csv", "village", "Village", "", "", "", ""},       // row 2
      {"begin repeat", "members", "Household members", "", "", "", ""},                 // row 3
      {"text", "member_name", "Name", "", "", "", ""},                                  // row 4
      {"end repeat", "", "", "", "", "", ""},                                           // row 5
      {"calculate", "total", "", "", "", "", ""},                                       // row 6
      {"select_one yes_no", "filtered", "Filtered", "", "state=${total}", "", ""},      // row 7
      {"integer", "later", "Later", "${after} > 1", "", "", ""},                        // row 8
      {"integer", "after", "After", "${nobody} = 1", "", "", ""},                       // row 9
      {"text", "bad-name", "Bad name", "", "", "", ""},                                 // row 10
      {"select_one nolist", "unlisted", "Unlisted", "", "", "", ""},                    // row 11
      {"select_one yes_no or_other", "other", "Other", "", "name != 'no'", "", ""},    // row 12
      {"integer", "broken", "Broken", "", "", "", ". >= )"},                            // row 13
      {"text", "later", "Twice", "", "", "", ""},                                       // row 14
      {"barcode", "code", "Code", "", "", "", ""},                                      // row 15
      {"username", "user", "", "", "", "", ""},                                         // row 16
      {"integer", "uses_user", "Uses user", "${user} != ''", "", "", ""},               // row 17
      {"spreadsheet", "what", "What", "", "", "", ""},                                  // row 18
  };
  auto conversion = convert(dir, survey);
  REQUIRE_FALSE(conversion.ok());
  const std::string errors = conversion.status().message();
  CAPTURE(errors);
  CHECK(contains(errors, "survey sheet, row 2, column A (type): select_one_from_file: not supported yet (its choices are "
                         "in the file 'villages.csv', which Amana does not send to devices): copy them to the choices "
                         "sheet and write 'select_one LIST'"));
  CHECK_FALSE(contains(errors, "begin repeat"));  // repeats are collected (form_repeats_test.cc)
  CHECK(contains(errors, "survey sheet, row 6, column F (calculation): a calculate row needs its calculation"));
  CHECK(contains(errors, "survey sheet, row 7, column E (choice_filter): 'state' is not a column of the choices of list 'yes_no'"));
  // A relevant looking at a later question is read as ODK reads it (xlsform_slips_test.cc).
  CHECK_FALSE(contains(errors, "row 8, column D"));
  CHECK(contains(errors, "survey sheet, row 9, column D (relevant): ${nobody} is not a question of this form"));
  CHECK(contains(errors, "survey sheet, row 10, column B (name): the name 'bad-name' must be a letter or '_'"));
  CHECK(contains(errors, "survey sheet, row 11, column A (type): the choice list 'nolist' is not on the choices sheet"));
  CHECK(contains(errors, "survey sheet, row 12, column A (type): or_other: not supported yet (with a choice_filter)"));
  CHECK(contains(errors, "survey sheet, row 13, column G (constraint): unexpected ')'"));
  CHECK(contains(errors, "survey sheet, row 14, column B (name): the name 'later' is already used in row 8, in the same "
                         "group: rename one of them"));
  CHECK(contains(errors, "survey sheet, row 15, column A (type): barcode: not supported yet"));
  CHECK(contains(errors, "survey sheet, row 17, column D (relevant): ${user} is the metadata 'username'"));
  CHECK(contains(errors, "survey sheet, row 18, column A (type): unknown question type 'spreadsheet'"));
  // Every problem at once, one a line, and in Arabic too.
  CHECK(conversion.status().lines().size() == 12);
  CHECK(contains(conversion.status().message_in(Language::ar), "الورقة survey، الصف 2، العمود A (type)"));
}

TEST_CASE("xlsform: mistakes whose meaning is clear are published with a warning naming the row") {
  TempDir dir;
  const Rows choices = {
      {"list_name", "name", "label"},
      {"yes_no", "yes", "Yes"},
      {"yes_no", "no", "No"},
      {"yes_no", "yes", "Yes"},       // row 4: repeated, same label
      {"yes_no ", "no", "Nope"},      // row 5: repeated with another label, and a trailing space
      {"unused", "1", "One"},         // row 6: not an identifier, but no question uses the list
  };
  const Rows survey = {
      {"type", "name", "label"},
      {"start", "start", ""},
      {"end", "end", ""},
      {"select_one yes_no ", "consent", "Consent"},  // row 4: trailing space
      {},                                            // row 5: blank
      {"text", "name ", "Name"},                     // row 6: trailing space
  };
  auto conversion = convert(dir, survey, choices);
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  // start and end are kept: the device fills them.
  REQUIRE(conversion->form.fields.size() == 4);
  CHECK(conversion->form.fields[0].type == forms::FieldType::start);
  CHECK(conversion->form.fields[1].type == forms::FieldType::end);
  CHECK(conversion->form.fields[2].choices.size() == 2);
  CHECK(conversion->form.fields[2].choices[1].label.en == "No");
  CHECK(conversion->form.fields[3].name == "name");
  const std::string warnings = joined(conversion->warnings);
  CAPTURE(warnings);
  CHECK(contains(warnings, "choices sheet, row 4: the choice 'yes' is already in the list 'yes_no' (row 2): this row is ignored"));
  CHECK(contains(warnings, "choices sheet, row 5: the choice 'no' is already in the list 'yes_no' (row 3) with another label"));
  CHECK(contains(warnings, "survey sheet: blank rows 5 skipped"));
  CHECK(contains(warnings, "survey sheet, row 4: spaces around 'type' removed"));
  CHECK(contains(warnings, "survey sheet, row 6: spaces around 'name' removed"));
  CHECK(contains(warnings, "choices sheet, row 5: spaces around 'list_name' removed"));
}

TEST_CASE("xlsform: numeric choice names are accepted, and a name with a space is refused") {
  TempDir dir;
  const Rows choices = {{"list_name", "name", "label"}, {"sex", "1", "Female"}, {"sex", "2", "Male"}};
  auto conversion = convert(dir, {{"type", "name", "label"}, {"select_one sex", "sex", "Sex"}}, choices);
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  const forms::Field& sex = conversion->form.fields[0];
  CHECK(sex.choices[0].name == "1");
  // A number is the choice of that name, never the choice at that place.
  CHECK(forms::canonicalize(sex, "2").value() == "2");
  CHECK(forms::canonicalize(sex, "Female").value() == "1");
  CHECK_FALSE(forms::canonicalize(sex, "3").ok());

  const Rows spaced = {{"list_name", "name", "label"}, {"sex", "fe male", "Female"}};
  auto refused = convert(dir, {{"type", "name", "label"}, {"select_one sex", "sex", "Sex"}}, spaced);
  REQUIRE_FALSE(refused.ok());
  CHECK(contains(refused.status().message(), "choices sheet, row 2, column B (name): the choice name 'fe male' holds a space"));
  CHECK(contains(refused.status().message(), "rename it, e.g. 'fe_male'"));
}

TEST_CASE("xlsform: a default that is not an answer, and a built-in form's id, are refused") {
  TempDir dir;
  auto bad_default = convert(dir, {{"type", "name", "label", "default"}, {"integer", "n", "N", "many"}});
  REQUIRE_FALSE(bad_default.ok());
  CHECK(contains(bad_default.status().message(), "survey sheet, row 2, column D (default): the default 'many' is not an answer"));
  auto builtin = convert(dir, {{"type", "name", "label"}, {"text", "n", "N"}}, kChoices,
                         {{"form_id", "form_title"}, {"referral", "Mine"}});
  REQUIRE_FALSE(builtin.ok());
  CHECK(contains(builtin.status().message(), "settings sheet, row 2, column A (form_id): form_id 'referral' is a built-in form"));
}

TEST_CASE("xlsform: .xls and .csv files are refused with what to do, and so is a workbook without a survey") {
  const std::string ole2 = std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + std::string(512, '\0');
  auto xls = convert_xlsform(ole2, "form.xlsx");
  REQUIRE_FALSE(xls.ok());
  CHECK(contains(xls.status().message(), "form.xlsx is an Excel 97-2003 workbook (.xls): open it and save it as .xlsx"));
  auto csv = convert_xlsform("type,name,label\ntext,a,A\n", "survey.csv");
  REQUIRE_FALSE(csv.ok());
  CHECK(contains(csv.status().message(), "survey.csv is a CSV file: an XLSForm has several sheets"));
  TempDir dir;
  const std::string bytes = testing::write_xlsx(dir.path() / "w.xlsx", {{"Sheet1", {{"a"}}}});
  auto no_survey = convert_xlsform(bytes, "w.xlsx");
  REQUIRE_FALSE(no_survey.ok());
  CHECK(contains(no_survey.status().message(), "the workbook has no 'survey' sheet (its sheets: Sheet1)"));
}

}  // namespace amana::xlsform

namespace amana::xlsform {

TEST_CASE("xlsform: a workbook zipped by another writer (the fuzz seed, inline strings only) converts") {
  const std::string bytes =
      testing::read_file(std::string(AMANA_SOURCE_DIR) + "/tests/fuzz/corpus/xlsform/form.xlsx");
  auto conversion = convert_xlsform(bytes, "form.xlsx");
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  CHECK(conversion->form.id == "seed-form");
  REQUIRE(conversion->form.fields.size() == 2);
  // The group's relevant stays on the group, over the question it holds.
  REQUIRE(conversion->form.groups.size() == 1);
  CHECK(conversion->form.groups[0].relevant->source() == "${ok} = 'yes'");
  CHECK(conversion->form.fields[1].group == std::optional<std::size_t>(0));
  CHECK(conversion->form.fields[1].constraint_message.en == "positive");
}

}  // namespace amana::xlsform

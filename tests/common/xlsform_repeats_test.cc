// XLSForm repeats: begin repeat / end repeat (and begin_repeat), repeat_count fixed or an
// expression, groups inside, nesting two levels, an example submission collected per
// instance; and what is refused at publish with its row: a calculation cycle through a
// repeat, a repeat_count looking at a later question, a repeat used as a value.
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

Result<Conversion> convert(const TempDir& dir, const Rows& survey) {
  std::vector<SheetRows> sheets{{"survey", survey}};
  sheets.push_back({"choices", {{"list_name", "name", "label"}, {"sex", "f", "Female"}, {"sex", "m", "Male"},
                                  {"yesno", "yes", "Yes"}, {"yesno", "no", "No"}}});
  sheets.push_back({"settings", {{"form_id", "form_title"}, {"household_roster", "Household roster"}}});
  return convert_xlsform(testing::write_xlsx(dir.path() / "roster.xlsx", sheets), "roster.xlsx");
}

std::string errors_of(const Result<Conversion>& conversion) {
  REQUIRE_FALSE(conversion.ok());
  return conversion.status().message();
}

}  // namespace

TEST_CASE("xlsform repeats: a household roster with its count, a group inside, nested children, collected per member") {
  TempDir dir;
  auto conversion = convert(dir, {
      {"type", "name", "label", "repeat_count", "relevant", "calculation", "constraint"},
      {"integer", "hh_size", "Household size", "", "", "", ". >= 0"},
      {"begin repeat", "members", "Household members", "${hh_size}", "", "", ""},
      {"text", "m_name", "Name", "", "", "", ""},
      {"select_one sex", "m_sex", "Sex of ${m_name}", "", "", "", ""},
      {"integer", "m_age", "Age", "", "", "", ""},
      {"begin_group", "school", "School", "", "${m_age} < 18", "", ""},
      {"select_one yesno", "m_school", "At school", "", "", "", ""},
      {"end_group", "", "", "", "", "", ""},
      {"begin_repeat", "phones", "Phones", "2", "", "", ""},
      {"text", "phone", "Phone", "", "", "", ""},
      {"end_repeat", "", "", "", "", "", ""},
      {"calculate", "m_pos", "", "", "", "position(..)", ""},
      {"end repeat", "", "", "", "", "", ""},
      {"calculate", "total_age", "", "", "", "sum(${m_age})", ""},
      {"calculate", "eldest", "", "", "", "max(${m_age})", ""},
      {"calculate", "n", "", "", "", "count(${members})", ""},
  });
  REQUIRE_MESSAGE(conversion.ok(), conversion.status().message());
  const forms::FormDefinition& form = conversion->form;
  const forms::Group* members = form.find_group("members");
  REQUIRE(members != nullptr);
  CHECK(members->repeat);
  CHECK(members->repeat_count->source() == "${hh_size}");
  const forms::Group* phones = form.find_group("phones");
  REQUIRE(phones != nullptr);
  CHECK(phones->repeat_count->source() == "2");
  CHECK(form.repeats_of(*form.find_field("phone")).size() == 2);
  CHECK_FALSE(form.find_group("school")->repeat);
  CHECK(contains(conversion->definition_json, R"("type":"repeat")"));

  auto given = forms::parse_answers_json(form, R"({"hh_size": 2, "members": [
      {"m_name": "Amina", "m_sex": "Female", "m_age": 34, "phones": [{"phone": "0912"}, {"phone": "0913"}]},
      {"m_name": "Yusuf", "m_sex": "m", "m_age": 9, "m_school": "yes", "phones": [{"phone": "0914"}, {}]}]})");
  REQUIRE_MESSAGE(given.ok(), given.status().message());
  std::set<std::string, std::less<>> all;
  for (const auto& [key, value] : *given) all.insert(key);
  forms::ValidationOptions options;
  options.today = "2026-11-23";
  auto answers = forms::validate_submission(form, *given, all, options);
  REQUIRE_MESSAGE(answers.ok(), answers.status().message());
  CHECK(answers->at("total_age") == "43");
  CHECK(answers->at("eldest") == "34");
  CHECK(answers->at("n") == "2");
  const auto list = forms::instances(form, *members, *answers);
  REQUIRE(list.size() == 2);
  CHECK(answers->at(forms::answer_key(*form.find_field("m_sex"), list[0])) == "f");
  CHECK(answers->at(forms::answer_key(*form.find_field("m_pos"), list[1])) == "2");
  CHECK(answers->at(forms::answer_key(*form.find_field("m_school"), list[1])) == "yes");
  CHECK(forms::instances(form, *phones, *answers, list[1]).size() == 2);

  // The first member, an adult, is not asked about school: answering it is refused.
  auto adult_at_school = forms::parse_answers_json(form, R"({"hh_size": 1, "members": [
      {"m_name": "Amina", "m_age": 34, "m_school": "yes", "phones": [{}, {}]}]})");
  REQUIRE(adult_at_school.ok());
  std::set<std::string, std::less<>> set;
  for (const auto& [key, value] : *adult_at_school) set.insert(key);
  auto refused = forms::validate_submission(form, *adult_at_school, set, options);
  REQUIRE_FALSE(refused.ok());
  CHECK(contains(refused.status().message(), "members #1: m_school (At school): is not asked here"));
}

TEST_CASE("xlsform repeats: refused at publish with the row: a cycle through a repeat, a count looking later, a repeat as a value") {
  TempDir dir;
  // A member's share computed from the total, the total from the members' shares.
  const std::string cycle = errors_of(convert(dir, {
      {"type", "name", "label", "calculation"},
      {"begin repeat", "members", "Members", ""},
      {"text", "m_name", "Name", ""},
      {"calculate", "m_share", "", "${total} div count(${members})"},
      {"end repeat", "", "", ""},
      {"calculate", "total", "", "sum(${m_share}) + 1"},
  }));
  CAPTURE(cycle);
  CHECK(contains(cycle, "survey sheet, row 4: form 'household-roster': calculation cycle: m_share -> total -> m_share"));

  const std::string later = errors_of(convert(dir, {
      {"type", "name", "label", "repeat_count"},
      {"begin repeat", "members", "Members", "${hh_size}"},
      {"text", "m_name", "Name", ""},
      {"end repeat", "", "", ""},
      {"integer", "hh_size", "Household size", ""},
  }));
  CHECK(contains(later, "survey sheet, row 2, column D (repeat_count): ${hh_size} is asked later (row 5)"));

  const std::string as_value = errors_of(convert(dir, {
      {"type", "name", "label", "relevant"},
      {"begin repeat", "members", "Members", ""},
      {"text", "m_name", "Name", ""},
      {"end repeat", "", "", ""},
      {"text", "note_it", "Note", "${members} != ''"},
      {"text", "counted", "Counted", "count(${members}) > 1"},
  }));
  CHECK(contains(as_value, "survey sheet, row 5, column D (relevant): ${members} is a repeat, which has instances"));
  CHECK_FALSE(contains(as_value, "row 6"));

  const std::string mismatched = errors_of(convert(dir, {
      {"type", "name", "label"},
      {"begin repeat", "members", "Members"},
      {"text", "m_name", "Name"},
      {"end group", "", ""},
      {"end repeat", "", ""},
  }));
  CHECK(contains(mismatched, "survey sheet, row 4, column A (type): 'end group' without a matching 'begin group'"));

  const std::string deep = errors_of(convert(dir, {
      {"type", "name", "label"},
      {"begin repeat", "a", "A"},
      {"begin repeat", "b", "B"},
      {"begin repeat", "c", "C"},
      {"text", "x", "X"},
      {"end repeat", "", ""},
      {"end repeat", "", ""},
      {"end repeat", "", ""},
  }));
  CHECK(contains(deep, "survey sheet, row 4, column A (type): begin repeat: not supported yet (repeats nested deeper than 2"));
}

}  // namespace amana::xlsform

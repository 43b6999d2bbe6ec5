// Repeats in the form engine: the definition (JSON), expressions with the XPath context
// rules inside and outside an instance, validation per instance with its repeat count,
// answers files with a list per repeat, nesting two levels, and malformed forms and keys.
#include <doctest/doctest.h>

#include "common/answers.h"
#include "common/form.h"
#include "tests/support.h"

namespace amana::forms {
namespace {

using testing::contains;

ValidationOptions options() {
  ValidationOptions o;
  o.today = "2026-11-23";
  return o;
}

// A household roster: its size, then one instance per member (a group inside), then what
// the top level computes over the members.
constexpr std::string_view kRoster = R"~({
  "id": "roster", "version": 1, "title": "Roster",
  "fields": [
    {"name": "hh_size", "type": "integer", "label": "Household size", "required": true},
    {"name": "head", "type": "text", "label": "Head of household"},
    {"name": "members", "type": "repeat", "label": "Members", "repeat_count": "${hh_size}", "fields": [
      {"name": "m_name", "type": "text", "label": "Name", "required": true},
      {"name": "m_age", "type": "integer", "label": "Age of ${m_name}", "required": true,
       "constraint": ". >= 0 and . <= 120", "constraint_message": "An age is 0 to 120"},
      {"name": "m_child", "type": "calculate", "calculation": "if(${m_age} < 18, 'child', 'adult')"},
      {"name": "m_pos", "type": "calculate", "calculation": "position(..)"},
      {"name": "m_school", "type": "boolean", "label": "At school", "relevant": "${m_age} < 18", "required": true},
      {"name": "m_is_head", "type": "calculate", "calculation": "if(${m_name} = ${head}, 'yes', 'no')"},
      {"name": "m_needs", "type": "select_multiple", "label": "Needs",
       "choices": [{"name": "food", "label": "Food"}, {"name": "health", "label": "Health"},
                   {"name": "shelter", "label": "Shelter"}]},
      {"name": "m_n_needs", "type": "calculate", "calculation": "count-selected(${m_needs})"},
      {"name": "m_of", "type": "calculate", "calculation": "concat(position(..), '/', count(${members}))"},
      {"name": "elder", "type": "group", "label": "Older person", "relevant": "${m_age} >= 60", "fields": [
        {"name": "m_chronic", "type": "boolean", "label": "Chronic illness", "required": true}]}
    ]},
    {"name": "n_members", "type": "calculate", "calculation": "count(${members})"},
    {"name": "total_age", "type": "calculate", "calculation": "sum(${m_age})"},
    {"name": "oldest", "type": "calculate", "calculation": "max(${m_age})"},
    {"name": "youngest", "type": "calculate", "calculation": "min(${m_age})"},
    {"name": "first_name", "type": "calculate", "calculation": "indexed-repeat(${m_name}, ${members}, 1)"},
    {"name": "second_age", "type": "calculate", "calculation": "indexed-repeat(${m_age}, ${members}, 2)"},
    {"name": "children", "type": "calculate", "calculation": "count(${m_school})"}
  ]})~";

std::set<std::string, std::less<>> keys_of(const Answers& answers) {
  std::set<std::string, std::less<>> keys;
  for (const auto& [key, value] : answers) keys.insert(key);
  return keys;
}

Result<Answers> submit(const FormDefinition& form, std::string_view json) {
  auto given = parse_answers_json(form, json);
  if (!given.ok()) return given.status();
  return validate_submission(form, *given, keys_of(*given), options());
}

// The instances of `repeat` at the top level, in order.
std::vector<Scope> members(const FormDefinition& form, const Answers& answers, std::string_view repeat = "members") {
  return instances(form, *form.find_group(repeat), answers);
}

std::string at(const Answers& answers, const FormDefinition& form, std::string_view field, const Scope& scope) {
  auto it = answers.find(answer_key(*form.find_field(field), scope));
  return it == answers.end() ? "<none>" : it->second;
}

}  // namespace

TEST_CASE("form repeats: a repeat in the definition, with its count, groups inside, and where its fields are") {
  const FormDefinition form = testing::load_form(kRoster);
  const Group* repeat = form.find_group("members");
  REQUIRE(repeat != nullptr);
  CHECK(repeat->repeat);
  REQUIRE(repeat->repeat_count);
  CHECK(repeat->repeat_count->source() == "${hh_size}");
  const Field& chronic = *form.find_field("m_chronic");
  REQUIRE(form.repeats_of(chronic).size() == 1);
  CHECK(form.repeats_of(chronic).front()->name == "members");
  CHECK(form.groups_of(chronic).size() == 2);  // the repeat, then the group inside it
  CHECK(form.repeats_of(*form.find_field("hh_size")).empty());
  CHECK(answer_key(chronic, {{"members", "0123456789abcdef"}}) == "members/0123456789abcdef/m_chronic");
  CHECK(answer_key(*form.find_field("head"), {}) == "head");
  // A fixed count is a whole number.
  const FormDefinition fixed = testing::load_form(R"~({"id": "f", "version": 1, "title": "F", "fields": [
      {"name": "r", "type": "repeat", "repeat_count": 3, "fields": [{"name": "b", "type": "integer", "label": "B"}]}]})~");
  CHECK(fixed.groups[0].repeat_count->source() == "3");
}

TEST_CASE("form repeats: an answers file's list per repeat becomes flat instance keys, and validates per instance") {
  const FormDefinition form = testing::load_form(kRoster);
  auto result = submit(form, R"~({"hh_size": 3, "head": "Amina",
      "members": [{"m_name": "Amina", "m_age": 34, "m_needs": ["food", "health"]},
                  {"m_name": "Yusuf", "m_age": 9, "m_school": true},
                  {"m_name": "Halima", "m_age": 71, "m_chronic": "yes"}]})~");
  REQUIRE_MESSAGE(result.ok(), result.status().message());
  const Answers& answers = *result;
  const auto list = members(form, answers);
  REQUIRE(list.size() == 3);
  // Markers hold positions 1, 2, 3 in the list's order; ids are fresh and distinct.
  CHECK(answers.at("members/" + list[0][0].instance) == "1");
  CHECK(answers.at("members/" + list[2][0].instance) == "3");
  CHECK(list[0][0].instance != list[1][0].instance);
  CHECK(repeat_keys::is_instance_id(list[1][0].instance));
  // ${x} of the same instance is that instance's; a top-level ${head} is the top level's.
  CHECK(at(answers, form, "m_name", list[1]) == "Yusuf");
  CHECK(at(answers, form, "m_child", list[0]) == "adult");
  CHECK(at(answers, form, "m_child", list[1]) == "child");
  CHECK(at(answers, form, "m_is_head", list[0]) == "yes");
  CHECK(at(answers, form, "m_is_head", list[1]) == "no");
  CHECK(at(answers, form, "m_pos", list[2]) == "3");
  CHECK(at(answers, form, "m_of", list[1]) == "2/3");
  CHECK(at(answers, form, "m_n_needs", list[0]) == "2");
  CHECK(at(answers, form, "m_n_needs", list[1]) == "0");
  CHECK(at(answers, form, "m_chronic", list[2]) == "true");
  // Relevance per instance: only the child is asked about school, only the elder about illness.
  CHECK(at(answers, form, "m_school", list[0]) == "<none>");
  CHECK(at(answers, form, "m_chronic", list[1]) == "<none>");
  // Over the instances from the top level.
  CHECK(answers.at("n_members") == "3");
  CHECK(answers.at("total_age") == "114");
  CHECK(answers.at("oldest") == "71");
  CHECK(answers.at("youngest") == "9");
  CHECK(answers.at("first_name") == "Amina");
  CHECK(answers.at("second_age") == "9");
  CHECK(answers.at("children") == "3");  // count() of a field is one node per instance
  // A label in an instance shows that instance's answers.
  CHECK(render_text(form, form.find_field("m_age")->label, answers, "en", list[1]) == "Age of Yusuf");
  // What validated validates again unchanged (a record submitted back).
  auto again = validate_submission(form, answers, {}, options());
  REQUIRE_MESSAGE(again.ok(), again.status().message());
  CHECK(*again == answers);
}

TEST_CASE("form repeats: required, relevance and constraints are checked per instance, errors naming it") {
  const FormDefinition form = testing::load_form(kRoster);
  auto result = submit(form, R"~({"hh_size": 3,
      "members": [{"m_name": "Amina", "m_age": 34, "m_school": true},
                  {"m_name": "Yusuf", "m_age": 9},
                  {"m_age": 140}]})~");
  REQUIRE_FALSE(result.ok());
  const std::string errors = result.status().message();
  CAPTURE(errors);
  CHECK(contains(errors, "members #1: m_school (At school): is not asked here: its relevance condition (${m_age} < 18) is false"));
  CHECK(contains(errors, "members #2: m_school (At school): is required"));
  CHECK(contains(errors, "members #3: m_name (Name): is required"));
  CHECK(contains(errors, "members #3: m_age (Age of ${m_name}): An age is 0 to 120"));
  CHECK_FALSE(contains(errors, "members #1: m_name"));
  // In Arabic too, the instance named.
  CHECK(contains(result.status().message_in(Language::ar), "members رقم 2: m_school (At school): إجابة مطلوبة"));
}

TEST_CASE("form repeats: the number of live instances must be the repeat count, 0 and 500 included") {
  const FormDefinition form = testing::load_form(kRoster);
  auto short_by_one = submit(form, R"~({"hh_size": 3, "members": [{"m_name": "A", "m_age": 30}, {"m_name": "B", "m_age": 31}]})~");
  REQUIRE_FALSE(short_by_one.ok());
  CHECK(contains(short_by_one.status().message(), "members: 3 instances are expected (its repeat count), not 2"));

  auto none = submit(form, R"~({"hh_size": 0})~");
  REQUIRE_MESSAGE(none.ok(), none.status().message());
  CHECK(none->at("n_members") == "0");
  CHECK(none->at("total_age") == "0");           // the sum of no nodes
  CHECK(none->count("oldest") == 0);             // max() of no nodes is NaN: unanswered
  CHECK(none->count("first_name") == 0);         // no first instance
  auto one_too_many = submit(form, R"~({"hh_size": 0, "members": [{"m_name": "A", "m_age": 30}]})~");
  REQUIRE_FALSE(one_too_many.ok());
  CHECK(contains(one_too_many.status().message(), "members: 0 instances are expected (its repeat count), not 1"));

  std::string many = R"~({"hh_size": 500, "members": [)~";
  for (int i = 0; i < 500; ++i) many += std::string(i ? "," : "") + R"~({"m_name": "M)~" + std::to_string(i) + R"~(", "m_age": 30})~";
  many += "]}";
  auto five_hundred = submit(form, many);
  REQUIRE_MESSAGE(five_hundred.ok(), five_hundred.status().message());
  CHECK(five_hundred->at("n_members") == "500");
  CHECK(five_hundred->at("total_age") == "15000");
  const auto list = members(form, *five_hundred);
  REQUIRE(list.size() == 500);
  CHECK(at(*five_hundred, form, "m_name", list[499]) == "M499");
  CHECK(at(*five_hundred, form, "m_pos", list[499]) == "500");
}

TEST_CASE("form repeats: an open-ended repeat takes any number of instances up to the bound, and no more") {
  const FormDefinition form = testing::load_form(R"~({"id": "open", "version": 1, "title": "Open", "fields": [
      {"name": "visits", "type": "repeat", "label": "Visits", "fields": [
        {"name": "v_date", "type": "date", "label": "Date", "required": true}]},
      {"name": "n", "type": "calculate", "calculation": "count(${visits})"}]})~");
  auto none = submit(form, "{}");
  REQUIRE_MESSAGE(none.ok(), none.status().message());
  CHECK(none->at("n") == "0");
  auto two = submit(form, R"~({"visits": [{"v_date": "2026-11-01"}, {"v_date": "20/11/2026"}]})~");
  REQUIRE_MESSAGE(two.ok(), two.status().message());
  CHECK(two->at("n") == "2");
  CHECK(at(*two, form, "v_date", members(form, *two, "visits")[1]) == "2026-11-20");

  // A file listing more than the bound is refused as it is read, naming it...
  std::string too_many = R"~({"visits": [)~";
  for (std::size_t i = 0; i <= kMaxInstances; ++i) too_many += std::string(i ? "," : "") + R"~({"v_date": "2026-11-01"})~";
  too_many += "]}";
  auto read = parse_answers_json(form, too_many);
  REQUIRE_FALSE(read.ok());
  CHECK(contains(read.status().message(), "'visits': 1001 instances; a repeat may have at most 1000"));
  // ...and so are flat answers holding that many, before any is evaluated.
  Answers flat;
  for (std::size_t i = 0; i <= kMaxInstances; ++i) {
    char id[17];
    std::snprintf(id, sizeof id, "%016zx", i);
    flat["visits/" + std::string(id)] = std::to_string(i + 1);
  }
  auto validated = validate_submission(form, flat, {}, options());
  REQUIRE_FALSE(validated.ok());
  CHECK(contains(validated.status().message(),
                 "visits: 1001 instances; a repeat may have at most 1000: record the rest in another record"));
  // A count past the bound is refused where it is written, and where it is computed.
  CHECK(contains(testing::form_load_error(R"~({"id": "f", "version": 1, "title": "F", "fields": [
      {"name": "r", "type": "repeat", "repeat_count": 1001, "fields": [{"name": "b", "type": "integer", "label": "B"}]}]})~"),
                 "repeat 'r': repeat_count 1001 is more than the 1000 instances a repeat may have"));
  const FormDefinition roster = testing::load_form(kRoster);
  auto huge = submit(roster, R"~({"hh_size": 5000})~");
  REQUIRE_FALSE(huge.ok());
  CHECK(contains(huge.status().message(), "members: its repeat count is 5000, more than the 1000 instances"));
}

TEST_CASE("form repeats: a removed instance (its marker cleared) is no instance, and positions follow the live ones") {
  const FormDefinition form = testing::load_form(kRoster);
  auto result = submit(form, R"~({"hh_size": 3, "members": [{"m_name": "A", "m_age": 30}, {"m_name": "B", "m_age": 31},
                                                            {"m_name": "C", "m_age": 32}]})~");
  REQUIRE_MESSAGE(result.ok(), result.status().message());
  Answers edited = *result;
  const auto list = members(form, edited);
  edited["members/" + list[0][0].instance] = "";  // removed
  edited["hh_size"] = "2";
  auto after = validate_submission(form, edited, {"hh_size"}, options());
  REQUIRE_MESSAGE(after.ok(), after.status().message());
  CHECK(after->count("members/" + list[0][0].instance) == 0);
  CHECK(after->count("members/" + list[0][0].instance + "/m_name") == 0);  // its fields go with it
  CHECK(after->at("n_members") == "2");
  CHECK(after->at("first_name") == "B");
  CHECK(at(*after, form, "m_pos", list[2]) == "2");
  // Setting a field of the removed instance is refused: the answer would be lost.
  Answers set_removed = edited;
  const std::string removed_name = "members/" + list[0][0].instance + "/m_name";
  set_removed[removed_name] = "Z";
  auto refused = validate_submission(form, set_removed, {removed_name}, options());
  REQUIRE_FALSE(refused.ok());
  CHECK(contains(refused.status().message(), "answers an instance of a repeat that does not exist or was removed"));
}

TEST_CASE("form repeats: nested two levels, each instance's ${x} its own, the outer instance's seen from inside") {
  const FormDefinition form = testing::load_form(R"~({"id": "nested", "version": 1, "title": "Nested", "fields": [
      {"name": "members", "type": "repeat", "label": "Members", "fields": [
        {"name": "m_name", "type": "text", "label": "Name", "required": true},
        {"name": "m_age", "type": "integer", "label": "Age", "required": true},
        {"name": "m_kids", "type": "integer", "label": "Children", "required": true},
        {"name": "kids", "type": "repeat", "label": "Children of ${m_name}", "repeat_count": "${m_kids}", "fields": [
          {"name": "k_name", "type": "text", "label": "Child's name"},
          {"name": "k_age", "type": "integer", "label": "Age", "constraint": ". < ${m_age}"},
          {"name": "k_parent", "type": "calculate", "calculation": "concat(${m_name}, ' ', position(..))"}]},
        {"name": "m_n_kids", "type": "calculate", "calculation": "count(${kids})"},
        {"name": "m_kid_ages", "type": "calculate", "calculation": "sum(${k_age})"}]},
      {"name": "all_kids", "type": "calculate", "calculation": "count(${k_name})"},
      {"name": "second_kid", "type": "calculate",
       "calculation": "indexed-repeat(${k_name}, ${members}, 2, ${kids}, 1)"}]})~");
  auto result = submit(form, R"~({"members": [
      {"m_name": "Amina", "m_age": 34, "m_kids": 2, "kids": [{"k_name": "Yusuf", "k_age": 9}, {"k_name": "Sara", "k_age": 6}]},
      {"m_name": "Adam", "m_age": 40, "m_kids": 1, "kids": [{"k_name": "Omar", "k_age": 12}]}]})~");
  REQUIRE_MESSAGE(result.ok(), result.status().message());
  const auto outer = members(form, *result);
  REQUIRE(outer.size() == 2);
  const auto kids = instances(form, *form.find_group("kids"), *result, outer[0]);
  REQUIRE(kids.size() == 2);
  CHECK(kids[1].size() == 2);
  CHECK(answer_key(*form.find_field("k_name"), kids[1]) ==
        "members/" + outer[0][0].instance + "/kids/" + kids[1][1].instance + "/k_name");
  CHECK(at(*result, form, "k_parent", kids[1]) == "Amina 2");
  CHECK(at(*result, form, "m_n_kids", outer[0]) == "2");
  CHECK(at(*result, form, "m_n_kids", outer[1]) == "1");
  CHECK(at(*result, form, "m_kid_ages", outer[0]) == "15");
  CHECK(result->at("all_kids") == "3");
  CHECK(result->at("second_kid") == "Omar");
  CHECK(scopes_of(form, *form.find_field("k_age"), *result).size() == 3);

  // The inner count is per outer instance, and a constraint sees its own outer instance.
  auto wrong = submit(form, R"~({"members": [
      {"m_name": "Amina", "m_age": 34, "m_kids": 2, "kids": [{"k_name": "Yusuf", "k_age": 40}]}]})~");
  REQUIRE_FALSE(wrong.ok());
  const std::string errors = wrong.status().message();
  CAPTURE(errors);
  CHECK(contains(errors, "members #1: kids: 2 instances are expected (its repeat count), not 1"));
  CHECK(contains(errors, "members #1: kids #1: k_age (Age): does not satisfy . < ${m_age}"));
}

TEST_CASE("form repeats: malformed instance keys and answers files are refused naming the key") {
  const FormDefinition form = testing::load_form(kRoster);
  const std::string id = "0123456789abcdef";
  auto check = [&](const Answers& given, const std::string& expected) {
    auto result = validate_submission(form, given, keys_of(given), options());
    REQUIRE_FALSE(result.ok());
    CHECK_MESSAGE(contains(result.status().message(), expected), result.status().message());
  };
  check({{"hh_size", "1"}, {"members/" + id, "1"}, {"members/" + id + "/m_name", "A"}, {"members/" + id + "/m_age", "3"},
         {"members/" + id + "/m_school", "true"}, {"members/" + id + "/nobody", "x"}},
        "unknown field 'members/" + id + "/nobody'");
  check({{"members/zz/m_name", "A"}}, "unknown field 'members/zz/m_name'");
  check({{"members/" + id + "/hh_size", "1"}}, "unknown field 'members/" + id + "/hh_size'");  // not in the repeat
  check({{"m_name", "A"}}, "unknown field 'm_name'");                                       // only in an instance
  check({{"head/" + id + "/m_name", "A"}}, "unknown field 'head/" + id + "/m_name'");       // not a repeat
  check({{"hh_size", "1"}, {"members/" + id, "first"}}, "'members/" + id + "': an instance's marker holds its position");
  check({{"members", "3"}}, "unknown field 'members'");

  auto not_a_list = parse_answers_json(form, R"~({"members": {"m_name": "A"}})~");
  REQUIRE_FALSE(not_a_list.ok());
  CHECK(contains(not_a_list.status().message(), "'members' is a repeat: give a list of objects"));
  auto not_objects = parse_answers_json(form, R"~({"members": ["A"]})~");
  REQUIRE_FALSE(not_objects.ok());
  auto outside = parse_answers_json(form, R"~({"members": [{"head": "A"}]})~");
  REQUIRE_FALSE(outside.ok());
  CHECK(contains(outside.status().message(), "unknown field 'head'"));
  auto inside_at_top = parse_answers_json(form, R"~({"m_name": "A"})~");
  REQUIRE_FALSE(inside_at_top.ok());
  // A record's flat keys are read back as they are.
  auto flat = parse_answers_json(form, R"~({"members/0123456789abcdef": "1", "members/0123456789abcdef/m_name": "A"})~");
  REQUIRE_MESSAGE(flat.ok(), flat.status().message());
  CHECK(flat->at("members/0123456789abcdef/m_name") == "A");
}

TEST_CASE("form repeats: malformed repeats in a definition are refused saying why") {
  auto form_with = [](const std::string& fields) {
    return R"~({"id": "bad", "version": 1, "title": "Bad", "fields": [)~" + fields + "]}";
  };
  const std::string members =
      R"~({"name": "members", "type": "repeat", "fields": [{"name": "m_age", "type": "integer", "label": "Age"}]})~";
  CHECK(contains(testing::form_load_error(form_with(members + R"~(, {"name": "x", "type": "integer", "label": "X", "relevant": "${members} > 1"})~")),
                 "field 'x': relevant: ${members} is a repeat, which has instances, not a value: count(${members}) counts them"));
  // A repeat count is decided before the first instance: it may not look later, nor inside.
  CHECK(contains(testing::form_load_error(form_with(R"~({"name": "r", "type": "repeat", "repeat_count": "${later}", "fields": [
                     {"name": "b", "type": "integer", "label": "B"}]}, {"name": "later", "type": "integer", "label": "L"})~")),
                 "repeat 'r': repeat_count: ${later} must come before 'the repeat's first question'"));
  CHECK(contains(testing::form_load_error(form_with(R"~({"name": "r", "type": "repeat", "repeat_count": "${b}", "fields": [
                     {"name": "b", "type": "integer", "label": "B"}]})~")),
                 "repeat 'r': repeat_count: ${b} must come before"));
  CHECK(contains(testing::form_load_error(form_with(R"~({"name": "r", "type": "repeat", "repeat_count": -1, "fields": [
                     {"name": "b", "type": "integer", "label": "B"}]})~")),
                 "'repeat_count' must be a whole number or an expression"));
  CHECK(contains(testing::form_load_error(form_with(R"~({"name": "r", "type": "repeat", "repeat_count": "${", "fields": [
                     {"name": "b", "type": "integer", "label": "B"}]})~")),
                 "repeat 'r': repeat_count: unterminated field reference"));
  CHECK(contains(testing::form_load_error(form_with(R"~({"name": "r", "type": "repeat", "count": 2, "fields": [
                     {"name": "b", "type": "integer", "label": "B"}]})~")),
                 "repeat 'r': unknown key 'count'"));
  CHECK(contains(testing::form_load_error(form_with(R"~({"name": "g", "type": "group", "repeat_count": 2, "fields": [
                     {"name": "b", "type": "integer", "label": "B"}]})~")),
                 "group 'g': unknown key 'repeat_count'"));
  CHECK(contains(testing::form_load_error(form_with(R"~({"name": "r", "type": "repeat"})~")), "repeat 'r': 'fields' is missing"));
  // A calculation cycle through a repeat: the total from the members, a member's share from the total.
  CHECK(contains(testing::form_load_error(form_with(R"~({"name": "members", "type": "repeat", "fields": [
                     {"name": "m_share", "type": "calculate", "calculation": "${total} div 2"}]},
                     {"name": "total", "type": "calculate", "calculation": "sum(${m_share})"})~")),
                 "calculation cycle: m_share -> total -> m_share"));
  // indexed-repeat() names a field, then repeats holding it.
  CHECK(contains(testing::form_load_error(form_with(members + R"~(, {"name": "x", "type": "calculate", "calculation": "indexed-repeat(${x}, ${members}, 1)"})~")),
                 "indexed-repeat(): ${x} is not a field of the repeat 'members'"));
  CHECK(contains(testing::form_load_error(form_with(members + R"~(, {"name": "y", "type": "integer", "label": "Y"},
                     {"name": "x", "type": "calculate", "calculation": "indexed-repeat(${m_age}, ${y}, 1)"})~")),
                 "indexed-repeat(): ${y} is not a repeat of this form"));
  CHECK(contains(testing::form_load_error(form_with(members + R"~(, {"name": "x", "type": "calculate", "calculation": "indexed-repeat(${m_age}, 'members', 1)"})~")),
                 "indexed-repeat() takes a field, then each repeat and its position"));
}

}  // namespace amana::forms

// The form engine beyond flat questions: groups, calculations (and their cycles),
// cascading selects, labels with answers in them, required messages, read-only questions,
// default expressions, metadata, languages beyond English and Arabic, numeric choice names.
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
  o.now = "2026-11-23T10:15:00+02:00";
  o.device_id = "device-7";
  return o;
}

Result<Answers> validate(const FormDefinition& form, const Answers& given) {
  std::set<std::string, std::less<>> all;
  for (const auto& [name, value] : given) all.insert(name);
  return validate_submission(form, given, all, options());
}

constexpr std::string_view kGroups = R"~({
  "id": "groups", "version": 1, "title": "Groups",
  "fields": [
    {"name": "displaced", "type": "boolean", "label": "Displaced?", "required": true},
    {"name": "displacement", "type": "group", "label": {"en": "Displacement", "ar": "النزوح"},
     "relevant": "${displaced} = 'true'", "appearance": "field-list", "fields": [
      {"name": "arrived", "type": "date", "label": "Arrival date", "required": true},
      {"name": "return", "type": "group", "relevant": "${arrived} < '2026-01-01'", "fields": [
        {"name": "wish_return", "type": "boolean", "label": "Do you wish to return?", "required": true}
      ]}
    ]},
    {"name": "after", "type": "text", "label": "After"}
  ]
})~";

}  // namespace

TEST_CASE("form engine: groups nest, keep the field-list hint, and their relevant applies to all they hold") {
  const FormDefinition form = testing::load_form(kGroups);
  REQUIRE(form.fields.size() == 4);  // flat, in the order asked
  REQUIRE(form.groups.size() == 2);
  CHECK(form.groups[0].field_list);
  CHECK(form.groups[0].label.ar == "النزوح");
  CHECK(form.groups[1].parent == std::optional<std::size_t>(0));
  const Field& wish = *form.find_field("wish_return");
  REQUIRE(form.groups_of(wish).size() == 2);
  CHECK(form.groups_of(wish)[0]->name == "displacement");

  // Not displaced: nothing in the group is asked, and its required questions are not missed.
  auto skipped = validate(form, {{"displaced", "no"}});
  REQUIRE_MESSAGE(skipped.ok(), skipped.status().message());
  CHECK(skipped->count("arrived") == 0);
  // The inner group's own relevance: arrived this year, so no question about returning.
  auto recent = validate(form, {{"displaced", "yes"}, {"arrived", "2026-03-01"}});
  REQUIRE_MESSAGE(recent.ok(), recent.status().message());
  auto earlier = validate(form, {{"displaced", "yes"}, {"arrived", "2025-03-01"}});
  REQUIRE_FALSE(earlier.ok());
  CHECK(contains(earlier.status().message(), "wish_return (Do you wish to return?): is required"));
  // Answering inside a group that is not relevant is refused, naming the group's condition.
  auto refused = validate(form, {{"displaced", "no"}, {"wish_return", "yes"}});
  REQUIRE_FALSE(refused.ok());
  CHECK(contains(refused.status().message(), "(${displaced} = 'true') and (${arrived} < '2026-01-01')"));
  // An answer kept from before is dropped when its group stops being relevant.
  auto dropped = validate_submission(form, {{"displaced", "no"}, {"arrived", "2025-01-01"}}, {"displaced"}, options());
  REQUIRE_MESSAGE(dropped.ok(), dropped.status().message());
  CHECK(dropped->count("arrived") == 0);
}

TEST_CASE("form engine: malformed groups are refused with where and why") {
  CHECK(contains(testing::form_load_error(R"({"id": "g", "version": 1, "title": "G", "fields": [
      {"name": "s", "type": "group", "fields": []}]})"),
                 "group 's': 'fields' must be a non-empty array"));
  CHECK(contains(testing::form_load_error(R"({"id": "g", "version": 1, "title": "G", "fields": [
      {"name": "s", "type": "group", "appearance": "table-list", "fields": [{"name": "a", "type": "text", "label": "A"}]}]})"),
                 "the only appearance of a group is \"field-list\""));
  CHECK(contains(testing::form_load_error(R"({"id": "g", "version": 1, "title": "G", "fields": [
      {"name": "a", "type": "text", "label": "A"},
      {"name": "a", "type": "group", "fields": [{"name": "b", "type": "text", "label": "B"}]}]})"),
                 "'a' appears twice"));
  // A group's relevance may look ahead, but not inside: what is inside depends on it.
  CHECK(contains(testing::form_load_error(R"({"id": "g", "version": 1, "title": "G", "fields": [
      {"name": "s", "type": "group", "relevant": "${b} = 1", "fields": [{"name": "b", "type": "integer", "label": "B"}]}]})"),
                 "cycle: b -> b"));
  CHECK(contains(testing::form_load_error(R"({"id": "g", "version": 1, "title": "G", "fields": [
      {"name": "s", "type": "group", "fields": [{"name": "b", "type": "integer", "label": "B"}]},
      {"name": "c", "type": "integer", "label": "C", "relevant": "${s} = 1"}]})"),
                 "${s} is a group, which has no value"));
  CHECK(contains(testing::form_load_error(R"({"id": "g", "version": 1, "title": "G", "fields": [
      {"name": "r", "type": "repeat", "fields": [{"name": "r2", "type": "repeat", "fields": [
        {"name": "r3", "type": "repeat", "fields": [{"name": "b", "type": "integer", "label": "B"}]}]}]}]})"),
                 "repeat 3: repeats nested deeper than 2"));
  std::string deep = R"({"name": "a", "type": "text", "label": "A"})";
  for (int i = 0; i < 9; ++i) deep = R"({"name": "g)" + std::to_string(i) + R"(", "type": "group", "fields": [)" + deep + "]}";
  CHECK(contains(testing::form_load_error(R"({"id": "g", "version": 1, "title": "G", "fields": [)" + deep + "]}"),
                 "groups nested deeper than 8"));
}

TEST_CASE("form engine: calculations are recomputed as answers change, usable later, and stored") {
  const FormDefinition form = testing::load_form(R"~({
    "id": "calc", "version": 1, "title": "Calc",
    "fields": [
      {"name": "dob", "type": "date", "label": "Date of birth", "required": true},
      {"name": "age", "type": "calculate", "calculation": "int((today() - ${dob}) div 365.25)",
       "disclosure": "age_band"},
      {"name": "adult", "type": "calculate", "calculation": "if(${age} >= 18, 'adult', 'child')"},
      {"name": "guardian", "type": "text", "label": "Guardian of this ${adult}", "relevant": "${adult} = 'child'",
       "required": true},
      {"name": "total", "type": "calculate", "calculation": "${girls} + ${boys}"},
      {"name": "girls", "type": "integer", "label": "Girls"},
      {"name": "boys", "type": "integer", "label": "Boys"},
      {"name": "shown_total", "type": "integer", "label": "Children", "calculation": "${total}"}
    ]})~");
  CHECK(form.fields[1].computed());
  CHECK_FALSE(form.fields[1].asked());
  // The calculation that looks ahead (total) is decided after what it uses.
  const auto& order = form.evaluation_order;
  auto at = [&](std::string_view name) {
    return std::find_if(order.begin(), order.end(), [&](std::size_t i) { return form.fields[i].name == name; }) -
           order.begin();
  };
  CHECK(at("total") > at("boys"));
  CHECK(at("shown_total") > at("total"));

  auto child = validate(form, {{"dob", "2015-06-01"}, {"guardian", "Amna"}, {"girls", "2"}, {"boys", "3"}});
  REQUIRE_MESSAGE(child.ok(), child.status().message());
  CHECK(child->at("age") == "11");
  CHECK(child->at("adult") == "child");
  CHECK(child->at("total") == "5");
  CHECK(child->at("shown_total") == "5");
  auto adult = validate(form, {{"dob", "1990-01-01"}});
  REQUIRE_MESSAGE(adult.ok(), adult.status().message());
  CHECK(adult->at("age") == "36");
  CHECK(adult->count("guardian") == 0);
  CHECK(adult->count("total") == 0);  // '' + '' is NaN: left unanswered

  // A changed answer changes what was computed from it (an edit keeps no stale value).
  Answers edited = *child;
  edited["dob"] = "1980-01-01";
  auto recomputed = validate_submission(form, edited, {"dob"}, options());
  REQUIRE_MESSAGE(recomputed.ok(), recomputed.status().message());
  CHECK(recomputed->at("adult") == "adult");
  CHECK(recomputed->count("guardian") == 0);

  // A computed field takes no answer.
  auto answered = validate(form, {{"dob", "1990-01-01"}, {"age", "12"}});
  REQUIRE_FALSE(answered.ok());
  CHECK(contains(answered.status().message(), "age (age): is computed by the form and takes no answer"));

  // recompute() as a collector goes: later expressions see the current value.
  Answers going{{"dob", "2015-06-01"}};
  recompute(form, going, options());
  CHECK(going.at("adult") == "child");
  CHECK(render_text(form, form.find_field("guardian")->label, going, "en") == "Guardian of this child");
  going["dob"] = "1970-01-01";
  recompute(form, going, options());
  CHECK(going.at("adult") == "adult");
}

TEST_CASE("form engine: a calculation cycle is refused at load naming the fields") {
  const std::string error = testing::form_load_error(R"({"id": "c", "version": 1, "title": "C", "fields": [
      {"name": "a", "type": "calculate", "calculation": "${b} + 1"},
      {"name": "b", "type": "calculate", "calculation": "${c} * 2"},
      {"name": "c", "type": "calculate", "calculation": "${a}"}]})");
  CHECK(contains(error, "calculation cycle: a -> b -> c -> a"));
  CHECK(contains(testing::form_load_error(R"({"id": "c", "version": 1, "title": "C", "fields": [
      {"name": "a", "type": "calculate", "calculation": "${a} + 1"}]})"),
                 "calculation cycle: a -> a"));
  // Through relevance: a calculation that looks at a question whose relevance looks back at it.
  CHECK(contains(testing::form_load_error(R"({"id": "c", "version": 1, "title": "C", "fields": [
      {"name": "k", "type": "calculate", "calculation": "${q} * 2"},
      {"name": "q", "type": "integer", "label": "Q", "relevant": "${k} > 1"}]})"),
                 "calculation cycle: k -> q -> k"));
  CHECK(contains(testing::form_load_error(R"({"id": "c", "version": 1, "title": "C", "fields": [
      {"name": "k", "type": "calculate"}]})"),
                 "a calculate field needs its 'calculation'"));
  CHECK(contains(testing::form_load_error(R"({"id": "c", "version": 1, "title": "C", "fields": [
      {"name": "k", "type": "calculate", "calculation": "1", "required": true}]})"),
                 "is never asked"));
  CHECK(contains(testing::form_load_error(R"({"id": "c", "version": 1, "title": "C", "fields": [
      {"name": "k", "type": "calculate", "calculation": "${nobody}"}]})"),
                 "${nobody} is not a field of this form"));
}

TEST_CASE("form engine: cascading selects offer only the choices their filter keeps") {
  const FormDefinition form = testing::load_form(R"~({
    "id": "places", "version": 1, "title": "Places",
    "fields": [
      {"name": "state", "type": "select_one", "label": "State", "choices": [
        {"name": "central_darfur", "label": "Central Darfur"}, {"name": "south_darfur", "label": "South Darfur"}]},
      {"name": "locality", "type": "select_one", "label": "Locality", "choice_filter": "state = ${state}",
       "choices": [
        {"name": "zalingei", "label": "Zalingei", "columns": {"state": "central_darfur"}},
        {"name": "mukjar", "label": "Mukjar", "columns": {"state": "central_darfur"}},
        {"name": "nyala", "label": "Nyala", "columns": {"state": "south_darfur"}}]}
    ]})~");
  const Field& locality = *form.find_field("locality");
  const auto offered = available_choices(form, locality, {{"state", "central_darfur"}}, "2026-11-23");
  REQUIRE(offered.size() == 2);
  CHECK(offered[1]->name == "mukjar");
  CHECK(available_choices(form, locality, {}, "2026-11-23").empty());

  auto ok = validate(form, {{"state", "central_darfur"}, {"locality", "2"}});  // numbered as offered
  REQUIRE_MESSAGE(ok.ok(), ok.status().message());
  CHECK(ok->at("locality") == "mukjar");
  auto wrong = validate(form, {{"state", "central_darfur"}, {"locality", "nyala"}});
  REQUIRE_FALSE(wrong.ok());
  CHECK(contains(wrong.status().message(), "locality (Locality): must be one of: zalingei (Zalingei), mukjar (Mukjar)"));
  const Answers so_far{{"state", "south_darfur"}};
  CHECK(check_answer(form, locality, "Nyala", so_far, options()).value() == "nyala");

  CHECK(contains(testing::form_load_error(R"({"id": "p", "version": 1, "title": "P", "fields": [
      {"name": "s", "type": "text", "label": "S"},
      {"name": "l", "type": "select_one", "label": "L", "choice_filter": "region = ${s}",
       "choices": [{"name": "a", "label": "A", "columns": {"state": "x"}}]}]})"),
                 "choice_filter: 'region' is not a column of its choices"));
  CHECK(contains(testing::form_load_error(R"({"id": "p", "version": 1, "title": "P", "fields": [
      {"name": "l", "type": "text", "label": "L", "choice_filter": "state = 'x'"}]})"),
                 "only select fields have a 'choice_filter'"));
}

TEST_CASE("form engine: labels with answers, required messages, read-only questions and default expressions") {
  const FormDefinition form = testing::load_form(R"~({
    "id": "texts", "version": 1, "title": "Texts",
    "fields": [
      {"name": "child_name", "type": "text", "label": "Child's name", "required": true},
      {"name": "sex", "type": "select_one", "label": "Sex of ${child_name}",
       "choices": [{"name": "f", "label": {"en": "Girl", "ar": "بنت"}}, {"name": "m", "label": "Boy"}]},
      {"name": "school", "type": "boolean", "label": {"en": "Does ${child_name} (a ${sex}) go to school?",
                                                      "ar": "هل تذهب ${child_name} (${sex}) إلى المدرسة؟"},
       "required": true,
       "required_message": {"en": "Ask about school: it decides the referral", "ar": "اسأل عن المدرسة"}},
      {"name": "programme", "type": "text", "label": "Programme", "read_only": true, "default": "ECHO-2026"},
      {"name": "nickname", "type": "text", "label": "Called", "default_expression": "concat('little ', ${child_name})"}
    ]})~");
  const Answers answers{{"child_name", "Huda"}, {"sex", "f"}};
  CHECK(render_text(form, form.find_field("school")->label, answers, "en") == "Does Huda (a Girl) go to school?");
  CHECK(render_text(form, form.find_field("school")->label, answers, "ar") == "هل تذهب Huda (بنت) إلى المدرسة؟");
  CHECK(render_text(form, form.find_field("sex")->label, {}, "en") == "Sex of ");

  auto missing = validate(form, {{"child_name", "Huda"}});
  REQUIRE_FALSE(missing.ok());
  CHECK(contains(missing.status().message(), "school (Does ${child_name} (a ${sex}) go to school?): Ask about school"));
  CHECK(contains(missing.status().message_in(Language::ar), "اسأل عن المدرسة"));

  auto done = validate(form, {{"child_name", "Huda"}, {"school", "yes"}});
  REQUIRE_MESSAGE(done.ok(), done.status().message());
  CHECK(done->at("programme") == "ECHO-2026");
  CHECK(done->at("nickname") == "little Huda");
  CHECK(default_answer(form, *form.find_field("nickname"), {{"child_name", "Ali"}}, options()) == "little Ali");
  CHECK_FALSE(form.find_field("programme")->asked());

  auto typed = validate(form, {{"child_name", "Huda"}, {"school", "yes"}, {"programme", "other"}});
  REQUIRE_FALSE(typed.ok());
  CHECK(contains(typed.status().message(), "programme (Programme): is read-only"));

  CHECK(contains(testing::form_load_error(R"({"id": "t", "version": 1, "title": "T", "fields": [
      {"name": "a", "type": "text", "label": "About ${nobody}"}]})"),
                 "label: ${nobody} is not a field of this form"));
  CHECK(contains(testing::form_load_error(R"({"id": "t", "version": 1, "title": "T", "fields": [
      {"name": "a", "type": "text", "label": "A", "default_expression": "${b}"},
      {"name": "b", "type": "text", "label": "B"}]})"),
                 "default_expression: ${b} must come before 'a'"));
}

TEST_CASE("form engine: start, end, today and deviceid are filled by the device and kept on edits") {
  const FormDefinition form = testing::load_form(R"~({
    "id": "meta", "version": 1, "title": "Meta",
    "fields": [
      {"name": "started", "type": "start"}, {"name": "ended", "type": "end"},
      {"name": "day", "type": "today"}, {"name": "device", "type": "deviceid"},
      {"name": "q", "type": "text", "label": "Q"}
    ]})~");
  auto first = validate(form, {{"q", "x"}});
  REQUIRE_MESSAGE(first.ok(), first.status().message());
  CHECK(first->at("started") == "2026-11-23T10:15:00+02:00");
  CHECK(first->at("ended") == "2026-11-23T10:15:00+02:00");
  CHECK(first->at("day") == "2026-11-23");
  CHECK(first->at("device") == "device-7");
  // An edit the next day on another device: start, the day and the device stay; end moves.
  ValidationOptions later = options();
  later.today = "2026-11-24";
  later.now = "2026-11-24T08:00:00+02:00";
  later.device_id = "device-9";
  Answers edited = *first;
  edited["q"] = "y";
  auto second = validate_submission(form, edited, {"q"}, later);
  REQUIRE_MESSAGE(second.ok(), second.status().message());
  CHECK(second->at("started") == "2026-11-23T10:15:00+02:00");
  CHECK(second->at("ended") == "2026-11-24T08:00:00+02:00");
  CHECK(second->at("day") == "2026-11-23");
  CHECK(second->at("device") == "device-7");
  CHECK(form.find_field("started")->disclosure == Disclosure::period);
  CHECK(form.find_field("device")->disclosure == Disclosure::dropped);
}

TEST_CASE("form engine: any number of languages are kept, each falling back to English") {
  const FormDefinition form = testing::load_form(R"~({
    "id": "langs", "version": 1, "title": {"en": "Languages", "fr": "Langues", "ps": "ژبې"},
    "fields": [
      {"name": "q", "type": "select_one", "label": {"en": "Sex", "ar": "الجنس", "fr": "Sexe", "prs": "جنسیت"},
       "choices": [{"name": "1", "label": {"en": "Female", "fr": "Femme"}}, {"name": "2", "label": "Male"}]}
    ]})~");
  CHECK(form.languages == std::vector<std::string>{"fr", "ps", "prs"});
  const Field& q = form.fields[0];
  CHECK(q.label.in(std::string_view("fr")) == "Sexe");
  CHECK(q.label.in(std::string_view("prs")) == "جنسیت");
  CHECK(q.label.in(std::string_view("ar")) == "الجنس");
  CHECK(q.label.in(std::string_view("es")) == "Sex");          // no Spanish: English
  CHECK(q.choices[1].label.in(std::string_view("fr")) == "Male");
  CHECK(form.title.in(Language::ar) == "Languages");           // no Arabic title: English, as before
  ValidationOptions french = options();
  french.form_language = "fr";
  CHECK(text_language(french) == "fr");
  CHECK(text_language(options()) == "en");
  // Numeric choice names: read by name, never by place.
  CHECK(canonicalize(q, "2").value() == "2");
  CHECK(canonicalize(q, "Femme").ok() == false);  // labels are matched in English and Arabic only
  CHECK(canonicalize(q, "female").value() == "1");

  CHECK(contains(testing::form_load_error(R"({"id": "l", "version": 1, "title": {"en": "L", "French": "x"}, "fields": [
      {"name": "a", "type": "text", "label": "A"}]})"),
                 "'French' is not a language"));
  CHECK(contains(testing::form_load_error(R"({"id": "l", "version": 1, "title": {"fr": "L"}, "fields": [
      {"name": "a", "type": "text", "label": "A"}]})"),
                 "'en' is missing"));
  CHECK(contains(testing::form_load_error(R"({"id": "l", "version": 1, "title": "L", "fields": [
      {"name": "a", "type": "select_one", "label": "A", "choices": [{"name": "a b", "label": "AB"}]}]})"),
                 "without spaces"));
}

}  // namespace amana::forms

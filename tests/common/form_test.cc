#include "common/form.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "common/answers.h"
#include "common/form_pack.h"
#include "tests/support.h"

namespace amana::forms {
namespace {

// One field of every type, with skip logic, a computed requirement, constraints and
// defaults: the shapes real forms use, independent of the built-in pack.
constexpr std::string_view kTestForm = R"~({
  "id": "test-form",
  "version": 3,
  "title": {"en": "Test form", "ar": "نموذج اختبار"},
  "fields": [
    {"name": "intro", "type": "note", "label": {"en": "Read the consent script.", "ar": "اقرأ نص الموافقة."}},
    {"name": "consent", "type": "boolean", "label": {"en": "Consent", "ar": "الموافقة"}, "required": true},
    {"name": "name", "type": "text", "label": {"en": "Name", "ar": "الاسم"}, "sensitive": true,
     "required": true, "relevant": "${consent} = 'true'"},
    {"name": "age", "type": "integer", "label": {"en": "Age", "ar": "العمر"}, "relevant": "${consent} = 'true'",
     "constraint": ". >= 0 and . <= 120",
     "constraint_message": {"en": "Age must be between 0 and 120", "ar": "يجب أن يكون العمر بين 0 و 120"}},
    {"name": "guardian", "type": "text", "label": "Guardian", "required": "${age} < 18",
     "relevant": "${consent} = 'true'"},
    {"name": "weight", "type": "decimal", "label": "Weight (kg)"},
    {"name": "visit_date", "type": "date", "label": "Visit date", "default": "today",
     "constraint": ". <= today()"},
    {"name": "next_visit", "type": "date", "label": "Next visit", "constraint": ". > ${visit_date}"},
    {"name": "seen_at", "type": "datetime", "label": "Seen at"},
    {"name": "sex", "type": "select_one", "label": "Sex", "choices": [
      {"name": "female", "label": {"en": "Female", "ar": "أنثى"}},
      {"name": "male", "label": {"en": "Male", "ar": "ذكر"}}]},
    {"name": "needs", "type": "select_multiple", "label": "Needs", "constraint": "count-selected(.) <= 2",
     "choices": [{"name": "shelter", "label": "Shelter"}, {"name": "food", "label": "Food"},
                 {"name": "health", "label": "Health"}, {"name": "other", "label": "Other"}]},
    {"name": "needs_other", "type": "text", "label": "Other need", "required": true,
     "relevant": "selected(${needs}, 'other')"},
    {"name": "where", "type": "geopoint", "label": "Location"},
    {"name": "household", "type": "integer", "label": "Household size", "default": "1"}
  ]
})~";

const FormDefinition& test_form() {
  static const FormDefinition form = [] {
    auto parsed = parse_form_definition(kTestForm);
    REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
    return std::move(parsed).value();
  }();
  return form;
}

std::string load_error(std::string_view json) {
  auto parsed = parse_form_definition(json);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == ErrorCode::invalid_argument);
  return parsed.status().message();
}

std::string form_with_field(std::string_view field_json) {
  return R"~({"id": "f", "version": 1, "title": "F", "fields": [)~" + std::string(field_json) + "]}";
}

const ValidationOptions kEnglish{Language::en, "2026-11-23"};
const ValidationOptions kArabic{Language::ar, "2026-11-23"};

Result<std::string> canonical(std::string_view field, std::string_view raw) {
  const Field* f = test_form().find_field(field);
  REQUIRE(f != nullptr);
  return canonicalize(*f, raw);
}

std::string canonical_ok(std::string_view field, std::string_view raw) {
  auto result = canonical(field, raw);
  REQUIRE_MESSAGE(result.ok(), result.status().message());
  return *result;
}

bool refused(std::string_view field, std::string_view raw) { return !canonical(field, raw).ok(); }

Result<Answers> validate(const Answers& given, const ValidationOptions& options = kEnglish) {
  std::set<std::string, std::less<>> explicitly;
  for (const auto& [name, value] : given) explicitly.insert(name);
  return validate_submission(test_form(), given, explicitly, options);
}

}  // namespace

TEST_CASE("a definition loads with its fields, texts and expressions") {
  const FormDefinition& form = test_form();
  CHECK(form.id == "test-form");
  CHECK(form.version == 3);
  CHECK(form.title.in(Language::ar) == "نموذج اختبار");
  REQUIRE(form.fields.size() == 14);
  const Field* name = form.find_field("name");
  REQUIRE(name != nullptr);
  CHECK(name->sensitive);
  CHECK(name->required);
  CHECK(name->relevant->source() == "${consent} = 'true'");
  const Field* guardian = form.find_field("guardian");
  CHECK_FALSE(guardian->required);
  CHECK(guardian->required_if.has_value());
  CHECK(guardian->label.in(Language::ar) == "Guardian");  // falls back to English
  CHECK(form.find_field("sex")->find_choice("male")->label.in(Language::ar) == "ذكر");
  CHECK(form.find_field("nope") == nullptr);
  CHECK(default_answer(*form.find_field("visit_date"), "2026-11-23") == "2026-11-23");
  CHECK(default_answer(*form.find_field("household"), "2026-11-23") == "1");
  CHECK_FALSE(default_answer(*form.find_field("age"), "2026-11-23").has_value());
}

TEST_CASE("broken definitions are refused, saying where") {
  CHECK(load_error("[1]") == "form definition must be a JSON object");
  CHECK(load_error("{") == "form definition is not valid JSON");
  CHECK(load_error(R"~({"id": "f", "version": 1, "title": "F", "fields": [], "extra": 1})~") ==
        "form: unknown key 'extra' (allowed: id, version, title, fields, dated_by)");
  // The form's own date must be one of its date fields.
  CHECK(load_error(R"~({"id": "f", "version": 1, "title": "F", "dated_by": "age",
                        "fields": [{"name": "age", "type": "integer", "label": "Age"}]})~") ==
        "form 'f': 'dated_by' must name a date field of the form, not 'age'");
  CHECK(load_error(R"~({"id": "f", "version": 1, "title": "F", "dated_by": "when",
                        "fields": [{"name": "age", "type": "integer", "label": "Age"}]})~") ==
        "form 'f': 'dated_by' must name a date field of the form, not 'when'");
  CHECK(load_error(R"~({"id": "Bad Id", "version": 1, "title": "F", "fields": []})~").find("form id 'Bad Id'") == 0);
  CHECK(load_error(R"~({"id": "f", "version": 0, "title": "F", "fields": [{}]})~") ==
        "form 'f': 'version' must be a positive whole number");
  CHECK(load_error(form_with_field(R"~({"name": "a", "type": "integer", "label": "A", "constraint": ". >= )"})~")) ==
        "form 'f': field 'a': constraint: unexpected ')' at position 6 in \". >= )\"");
  CHECK(load_error(form_with_field(R"~({"name": "a", "type": "text", "label": "A", "relevant": "${b} = 1"})~")) ==
        "form 'f': field 'a': relevant: ${b} is not a field of this form");
  // relevant and required may look ahead (decided again as answers change); a default
  // may not (form_engine_test.cc), nor a relevant that depends on itself.
  CHECK(parse_form_definition(form_with_field(R"~({"name": "a", "type": "text", "label": "A", "relevant": "${b} = 1",
                                                 "required": "${b} > 2"},
                                                {"name": "b", "type": "integer", "label": "B"})~")).ok());
  CHECK(load_error(form_with_field(R"~({"name": "a", "type": "integer", "label": "A", "relevant": "${b} = 1"},
                                      {"name": "b", "type": "integer", "label": "B", "relevant": "${a} = 1"})~"))
            .find("cycle: ") != std::string::npos);
  CHECK(load_error(form_with_field(R"~({"name": "a", "type": "colour", "label": "A"})~")).find("unknown field type 'colour'") !=
        std::string::npos);
  CHECK(load_error(form_with_field(R"~({"name": "a", "type": "select_one", "label": "A"})~")) ==
        "form 'f': field 'a': a select_one field needs 'choices'");
  CHECK(load_error(form_with_field(R"~({"name": "a", "type": "select_one", "label": "A",
                                      "choices": [{"name": "x", "label": "X"}, {"name": "x", "label": "Y"}]})~")) ==
        "form 'f': field 'a': choice 'x' appears twice");
  CHECK(load_error(form_with_field(R"~({"name": "a", "type": "select_one", "label": "A",
                                      "choices": [{"name": "has space", "label": "X"}]})~"))
            .find("name 'has space' must be at most 128 bytes of UTF-8 without spaces or control characters") !=
        std::string::npos);
  // A name is stored as the form writes it (ODK does): an apostrophe, an accent, Arabic,
  // punctuation; not a no-break space, a tab, a line feed or an em space.
  auto with_choice = [](const std::string& name) {
    return form_with_field(nlohmann::json{{"name", "a"}, {"type", "select_one"}, {"label", "A"},
                                          {"choices", {{{"name", name}, {"label", "X"}}}}}.dump());
  };
  for (const char* name : {"al_sena'a_1", "Ain_el_tin\u00e9", "\u0627\u0644\u0641\u0627\u0634\u0631", "a,b;c\"d"}) {
    CAPTURE(name);
    auto parsed = parse_form_definition(with_choice(name));
    REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
    CHECK(parsed->fields.front().choices.front().name == name);
  }
  for (const char* name : {"no\u00a0break", "tab\there", "line\nfeed", "em\u2003space"}) {
    CAPTURE(name);
    CHECK(amana::testing::contains(load_error(with_choice(name)), "without spaces or control characters"));
  }
  CHECK(load_error(form_with_field(R"~({"name": "a", "type": "text", "label": "A"}, {"name": "a", "type": "text", "label": "B"})~")) ==
        "form 'f': field 'a' appears twice");
  CHECK(load_error(form_with_field(R"~({"name": "a", "type": "text", "label": "A", "colour": "red"})~")).find("unknown key 'colour'") !=
        std::string::npos);
  CHECK(load_error(form_with_field(R"~({"name": "a", "type": "integer", "label": "A", "default": "many"})~")) ==
        "form 'f': field 'a': default: a (A): must be a whole number");
  CHECK(load_error(form_with_field(R"~({"name": "a", "type": "note", "label": "A", "required": true})~"))
            .find("a note takes no answer") != std::string::npos);
  CHECK(load_error(form_with_field(R"~({"name": "a", "type": "text"})~")) == "form 'f': field 'a': 'label' is missing");
  CHECK(load_error(form_with_field(R"~({"name": "9a", "type": "text", "label": "A"})~")).find("name '9a'") !=
        std::string::npos);
}

TEST_CASE("text answers are trimmed and bounded") {
  CHECK(canonical_ok("name", "  Amira  ") == "Amira");
  CHECK(canonical_ok("name", "أمل") == "أمل");
  CHECK(refused("name", std::string(10001, 'x')));
}

TEST_CASE("integer answers") {
  CHECK(canonical_ok("age", "42") == "42");
  CHECK(canonical_ok("age", "007") == "7");
  CHECK(canonical_ok("age", "-0") == "0");
  CHECK(canonical_ok("age", "٤٢") == "42");  // Arabic-Indic digits
  CHECK(canonical_ok("age", "۱۲") == "12");  // Eastern Arabic-Indic digits
  CHECK(refused("age", "4.5"));
  CHECK(refused("age", "forty"));
  CHECK(refused("age", "1e3"));
  CHECK(refused("age", "12345678901234567"));
  CHECK(canonical("age", "x").status().message() == "age (Age): must be a whole number");
}

TEST_CASE("decimal answers") {
  CHECK(canonical_ok("weight", "3.50") == "3.5");
  CHECK(canonical_ok("weight", "-0.25") == "-0.25");
  CHECK(canonical_ok("weight", ".5") == "0.5");
  CHECK(canonical_ok("weight", "12") == "12");
  CHECK(canonical_ok("weight", "٣٫٥") == "3.5");  // Arabic decimal separator
  CHECK(refused("weight", "3,5.1"));
  CHECK(refused("weight", "."));
  CHECK(refused("weight", "1e5"));
}

TEST_CASE("date answers are real calendar dates") {
  CHECK(canonical_ok("visit_date", "2024-02-29") == "2024-02-29");
  CHECK(refused("visit_date", "2023-02-29"));
  CHECK(refused("visit_date", "2026-13-01"));
  CHECK(refused("visit_date", "2026-04-31"));
  CHECK(refused("visit_date", "2026-1-5"));
}

TEST_CASE("datetime answers carry their offset") {
  CHECK(canonical_ok("seen_at", "2026-11-23T14:05Z") == "2026-11-23T14:05:00Z");
  CHECK(canonical_ok("seen_at", "2026-11-23T14:05:09+02:00") == "2026-11-23T14:05:09+02:00");
  CHECK(canonical_ok("seen_at", "2026-11-23 14:05-03:30") == "2026-11-23T14:05:00-03:30");
  CHECK(refused("seen_at", "2026-11-23T14:05"));  // no offset: ambiguous
  CHECK(refused("seen_at", "2026-11-23T24:00Z"));
  CHECK(refused("seen_at", "2026-11-23T10:60Z"));
}

TEST_CASE("select_one answers by name or number") {
  CHECK(canonical_ok("sex", "male") == "male");
  CHECK(canonical_ok("sex", "1") == "female");
  CHECK(refused("sex", "3"));
  CHECK(canonical("sex", "x").status().message() ==
        "sex (Sex): must be one of: female (Female), male (Male) (its number, name or label)");
}

TEST_CASE("select_multiple answers are deduplicated into form order") {
  CHECK(canonical_ok("needs", "food shelter") == "shelter food");
  CHECK(canonical_ok("needs", "3,1, 3") == "shelter health");
  CHECK(refused("needs", "food water"));
  CHECK(refused("needs", ", ,"));
}

TEST_CASE("boolean answers") {
  for (std::string_view yes : {"true", "Yes", "y", "1", "نعم"}) CHECK(canonical_ok("consent", yes) == "true");
  for (std::string_view no : {"false", "NO", "n", "0", "لا"}) CHECK(canonical_ok("consent", no) == "false");
  CHECK(refused("consent", "maybe"));
}

TEST_CASE("geopoint answers") {
  CHECK(canonical_ok("where", "12.5 24.25") == "12.5 24.25");
  CHECK(canonical_ok("where", "12.50, 24.250, 800, 5") == "12.5 24.25 800 5");
  CHECK(refused("where", "91 0"));
  CHECK(refused("where", "0 181"));
  CHECK(refused("where", "12.5"));
  CHECK(refused("where", "1 2 3"));
  CHECK(refused("where", "1 2 3 -4"));
}

TEST_CASE("a note takes no answer") {
  CHECK(refused("intro", "anything"));
}

TEST_CASE("a complete submission is canonicalised and filled with defaults") {
  auto answers = validate({{"consent", "yes"}, {"name", " Amira "}, {"age", "30"}, {"needs", "food"}});
  REQUIRE_MESSAGE(answers.ok(), answers.status().message());
  CHECK(*answers == Answers{{"consent", "true"}, {"name", "Amira"}, {"age", "30"}, {"needs", "food"},
                            {"visit_date", "2026-11-23"}, {"household", "1"}});
}

TEST_CASE("skip logic: without consent the personal questions are not asked") {
  auto answers = validate({{"consent", "no"}});
  REQUIRE_MESSAGE(answers.ok(), answers.status().message());
  CHECK(answers->count("name") == 0);

  auto refused_answer = validate({{"consent", "no"}, {"name", "Amira"}});
  REQUIRE_FALSE(refused_answer.ok());
  CHECK(refused_answer.status().message() ==
        "name (Name): is not asked here: its relevance condition (${consent} = 'true') is false");

  // An answer that was not set explicitly (an edit that withdrew consent) is dropped.
  auto edited = validate_submission(test_form(), {{"consent", "no"}, {"name", "Amira"}}, {"consent"}, kEnglish);
  REQUIRE(edited.ok());
  CHECK(edited->count("name") == 0);
}

TEST_CASE("required, required-if, constraints and cross-field constraints") {
  auto missing = validate({{"consent", "yes"}});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() == "name (Name): is required");

  auto minor = validate({{"consent", "yes"}, {"name", "A"}, {"age", "12"}});
  REQUIRE_FALSE(minor.ok());
  CHECK(minor.status().message() == "guardian (Guardian): is required");

  auto too_old = validate({{"consent", "yes"}, {"name", "A"}, {"age", "130"}});
  REQUIRE_FALSE(too_old.ok());
  CHECK(too_old.status().message() == "age (Age): Age must be between 0 and 120");

  auto future = validate({{"consent", "no"}, {"visit_date", "2027-01-01"}});
  REQUIRE_FALSE(future.ok());
  CHECK(future.status().message() == "visit_date (Visit date): does not satisfy . <= today()");

  auto before = validate({{"consent", "no"}, {"visit_date", "2026-11-20"}, {"next_visit", "2026-11-19"}});
  REQUIRE_FALSE(before.ok());
  CHECK(before.status().message() == "next_visit (Next visit): does not satisfy . > ${visit_date}");

  auto other = validate({{"consent", "no"}, {"needs", "other"}});
  REQUIRE_FALSE(other.ok());
  CHECK(other.status().message() == "needs_other (Other need): is required");

  auto too_many = validate({{"consent", "no"}, {"needs", "food shelter health"}});
  REQUIRE_FALSE(too_many.ok());
  CHECK(too_many.status().message() == "needs (Needs): does not satisfy count-selected(.) <= 2");
}

TEST_CASE("every problem is reported, one per line in form order, in the collector's language") {
  auto result = validate({{"consent", "yes"}, {"age", "abc"}, {"sex", "x"}, {"colour", "red"}}, kArabic);
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().message() ==
        "unknown field 'colour' in form 'test-form'\n"
        "name (Name): is required\n"
        "age (Age): must be a whole number\n"
        "sex (Sex): must be one of: female (Female), male (Male) (its number, name or label)");
  CHECK(result.status().message_in(Language::ar) ==
        "الحقل 'colour' غير موجود في الاستمارة 'test-form'\n"
        "name (الاسم): إجابة مطلوبة\n"
        "age (العمر): يجب أن يكون عددًا صحيحًا\n"
        "sex (Sex): يجب أن يكون أحد الخيارات: أنثى (female)، ذكر (male) (رقمه أو اسمه أو عنوانه)");
}

TEST_CASE("check_answer applies the constraint with the answers so far") {
  const Field& age = *test_form().find_field("age");
  CHECK(*check_answer(test_form(), age, "30", {}, kEnglish) == "30");
  CHECK(check_answer(test_form(), age, "-1", {}, kArabic).status().message_in(Language::ar) ==
        "age (العمر): يجب أن يكون العمر بين 0 و 120");
  const Field& next = *test_form().find_field("next_visit");
  CHECK_FALSE(check_answer(test_form(), next, "2026-11-01", {{"visit_date", "2026-11-02"}}, kEnglish).ok());
  CHECK(check_answer(test_form(), next, "2026-11-03", {{"visit_date", "2026-11-02"}}, kEnglish).ok());
}

TEST_CASE("answers files") {
  auto parsed = parse_answers_json(test_form(),
                                   R"~({"consent": true, "age": 30, "weight": 3.5, "needs": ["food", "health"],
                                       "name": "Amira", "sex": null})~");
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
  CHECK(*parsed == Answers{{"consent", "true"}, {"age", "30"}, {"weight", "3.5"}, {"needs", "food, health"},
                           {"name", "Amira"}});
  CHECK(parse_answers_json(test_form(), R"~({"colour": "red"})~").status().message() ==
        "unknown field 'colour' in form 'test-form' (see `field-client forms` for its fields)");
  CHECK(parse_answers_json(test_form(), "[1, 2]").status().message() ==
        "answers must be a JSON object of field name -> answer");
  CHECK(parse_answers_json(test_form(), R"~({"name": {"first": "A"}})~").status().message() ==
        "field 'name': an answer must be a string, number, boolean, list of choices or null");
  CHECK(parse_answers_json(test_form(), R"~({"needs": [1]})~").status().message() ==
        "field 'needs': a list answer may only hold choice names (strings)");
  CHECK(parse_answers_json(test_form(), R"~({"name": )~").status().message().find("answers are not valid JSON: ") == 0);
}

TEST_CASE("languages") {
  CHECK(*parse_language("ar") == Language::ar);
  CHECK(parse_language("fr").status().message() == "unknown language 'fr'; use en or ar");
}

TEST_CASE("every built-in form loads and its example answers validate") {
  auto pack = FormPack::builtin();
  REQUIRE_MESSAGE(pack.ok(), pack.status().message());
  CHECK(pack->forms().size() == 9);
  for (std::string_view id : {"outreach-identification", "rapid-protection-assessment", "pdm-survey",
                              "case-registration", "case-assessment", "case-plan", "referral", "follow-up",
                              "case-closure"}) {
    auto form = pack->find(id);
    REQUIRE_MESSAGE(form.ok(), form.status().message());
    for (const Field& field : (*form)->fields) {
      CHECK_MESSAGE(!field.label.ar.empty(), id, ": ", field.name, " has no Arabic label");
    }
    CHECK(!(*form)->title.ar.empty());
    const std::string example =
        testing::read_file(std::string(AMANA_SOURCE_DIR) + "/forms/examples/" + std::string(id) + ".answers.json");
    auto raw = parse_answers_json(**form, example);
    REQUIRE_MESSAGE(raw.ok(), raw.status().message());
    std::set<std::string, std::less<>> given;
    for (const auto& [name, value] : *raw) given.insert(name);
    auto answers = validate_submission(**form, *raw, given, kEnglish);
    CHECK_MESSAGE(answers.ok(), id, ": ", answers.status().message());
  }
  CHECK(pack->find("nope").status().message() ==
        "unknown form 'nope'; the forms on this device are: case-assessment, case-closure, case-plan, "
        "case-registration, follow-up, outreach-identification, pdm-survey, rapid-protection-assessment, referral "
        "(see `field-client forms`)");
}

}  // namespace amana::forms

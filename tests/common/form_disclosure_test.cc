// How a form says what a de-identified dataset may show of each field (docs/forms.md).
#include <doctest/doctest.h>

#include "common/form.h"
#include "common/form_pack.h"
#include "tests/support.h"

namespace amana::forms {
namespace {

// A form of one field, given as the JSON of that field.
Result<FormDefinition> with_field(const std::string& field) {
  return parse_form_definition(R"({"id": "f", "version": 1, "title": "F", "fields": [)" + field + "]}");
}

Disclosure disclosure_of(const std::string& field) {
  auto form = with_field(field);
  REQUIRE_MESSAGE(form.ok(), form.status().message());
  return form->fields.front().disclosure;
}

void check_refused(const std::string& field, const std::string& why) {
  auto form = with_field(field);
  REQUIRE_FALSE(form.ok());
  CHECK_MESSAGE(testing::contains(form.status().message(), why), form.status().message());
}

}  // namespace

TEST_CASE("disclosure: by default free text and places are dropped, dates become periods, the rest is kept") {
  CHECK(disclosure_of(R"({"name": "t", "type": "text", "label": "T"})") == Disclosure::dropped);
  CHECK(disclosure_of(R"({"name": "g", "type": "geopoint", "label": "G"})") == Disclosure::dropped);
  CHECK(disclosure_of(R"({"name": "d", "type": "date", "label": "D"})") == Disclosure::period);
  CHECK(disclosure_of(R"({"name": "d", "type": "datetime", "label": "D"})") == Disclosure::period);
  CHECK(disclosure_of(R"({"name": "n", "type": "integer", "label": "N"})") == Disclosure::as_collected);
  CHECK(disclosure_of(R"({"name": "b", "type": "boolean", "label": "B"})") == Disclosure::as_collected);
  CHECK(disclosure_of(R"({"name": "s", "type": "integer", "label": "S", "sensitive": true})") == Disclosure::dropped);
  CHECK(disclosure_of(R"({"name": "a", "type": "integer", "label": "A", "disclosure": "age_band"})") ==
        Disclosure::age_band);
  CHECK(disclosure_of(R"({"name": "p", "type": "text", "label": "P", "disclosure": "as_collected"})") ==
        Disclosure::as_collected);
  auto form = with_field(R"({"name": "site", "type": "text", "label": "Site", "disclosure": "area",
                             "areas": ["Mukjar", {"name": "Um Dukhun", "spellings": ["أم دخن"]}]})");
  REQUIRE(form.ok());
  REQUIRE(form->fields.front().areas.size() == 2);
  CHECK(form->fields.front().areas[1].name == "Um Dukhun");
  CHECK(form->fields.front().areas[1].spellings == std::vector<std::string>{"أم دخن"});
  CHECK(disclosure_name(Disclosure::dropped) == "drop");
}

TEST_CASE("disclosure: a declaration that would leak or cannot apply is refused when the form loads") {
  check_refused(R"({"name": "n", "type": "text", "label": "N", "sensitive": true, "disclosure": "as_collected"})",
                "field 'n': a sensitive field is always dropped from de-identified datasets");
  check_refused(R"({"name": "a", "type": "text", "label": "A", "disclosure": "age_band"})",
                "'age_band' is for integer fields");
  check_refused(R"({"name": "d", "type": "integer", "label": "D", "disclosure": "period"})",
                "'period' is for date and datetime fields");
  check_refused(R"({"name": "s", "type": "text", "label": "S", "disclosure": "area"})",
                "disclosure 'area' needs the list of 'areas'");
  check_refused(R"({"name": "s", "type": "text", "label": "S", "areas": ["Mukjar"]})",
                "'areas' is only for a field whose disclosure is 'area'");
  check_refused(R"({"name": "s", "type": "text", "label": "S", "disclosure": "area", "areas": []})",
                "'areas' must be a list of 1 to 200 places");
  check_refused(R"({"name": "s", "type": "text", "label": "S", "disclosure": "keep"})",
                "unknown disclosure 'keep' (known: as_collected, drop, age_band, period, area, top_coded)");
  check_refused(R"({"name": "t", "type": "text", "label": "T", "disclosure": "top_coded"})",
                "'top_coded' is for integer fields and calculations");
  check_refused(R"({"name": "n", "type": "integer", "label": "N", "top_code": 3})",
                "'top_code' is only for a field whose disclosure is 'top_coded'");
  check_refused(R"({"name": "n", "type": "integer", "label": "N", "disclosure": "top_coded", "top_code": 0})",
                "'top_code' must be a whole number from 1 to 1000");
  check_refused(R"({"name": "n", "type": "integer", "label": "N", "disclosure": "top_coded", "top_code": "3"})",
                "'top_code' must be a whole number from 1 to 1000");
}

TEST_CASE("disclosure: a count may be top-coded, and a repeat's table is unlinked unless declared dropped") {
  auto counted = with_field(R"({"name": "n", "type": "integer", "label": "N", "disclosure": "top_coded"})");
  REQUIRE(counted.ok());
  CHECK(counted->fields.front().disclosure == Disclosure::top_coded);
  CHECK(counted->fields.front().top_code == kDefaultTopCode);
  auto five = with_field(R"({"name": "n", "type": "calculate", "label": "N", "calculation": "1 + 1",
                             "disclosure": "top_coded", "top_code": 5})");
  REQUIRE_MESSAGE(five.ok(), five.status().message());
  CHECK(five->fields.front().top_code == 5);
  CHECK(disclosure_name(Disclosure::top_coded) == "top_coded");

  auto roster = [](const std::string& declared) {
    return parse_form_definition(R"({"id": "f", "version": 1, "title": "F", "fields": [
      {"name": "members", "type": "repeat", "label": "Members")" + declared + R"(, "fields": [
        {"name": "m_sex", "type": "select_one", "label": "Sex", "choices": [{"name": "f", "label": "F"}, {"name": "m", "label": "M"}]},
        {"name": "kids", "type": "repeat", "label": "Kids", "fields": [
          {"name": "k_age", "type": "integer", "label": "Age"}]}]}]})");
  };
  auto unlinked = roster("");
  REQUIRE_MESSAGE(unlinked.ok(), unlinked.status().message());
  for (const Group& group : unlinked->groups) CHECK(group.disclosure == RepeatDisclosure::unlinked);
  auto declared = roster(R"(, "disclosure": "unlinked")");
  REQUIRE(declared.ok());
  CHECK(declared->find_group("members")->disclosure == RepeatDisclosure::unlinked);
  auto dropped = roster(R"(, "disclosure": "drop")");
  REQUIRE(dropped.ok());
  CHECK(dropped->find_group("members")->disclosure == RepeatDisclosure::dropped);
  CHECK(repeat_disclosure_name(RepeatDisclosure::dropped) == "drop");
  auto unknown = roster(R"(, "disclosure": "linked")");
  REQUIRE_FALSE(unknown.ok());
  CHECK_MESSAGE(testing::contains(unknown.status().message(),
                                  "repeat 'members': unknown disclosure 'linked' for a repeat (known: unlinked, drop"),
                unknown.status().message());
  // A group that is not a repeat has no table: it declares no disclosure.
  auto group = parse_form_definition(R"({"id": "f", "version": 1, "title": "F", "fields": [
    {"name": "g", "type": "group", "disclosure": "drop", "fields": [{"name": "n", "type": "integer", "label": "N"}]}]})");
  CHECK_FALSE(group.ok());
}

TEST_CASE("disclosure: in the built-in pack, ages are banded, household size and sensitive fields dropped") {
  auto pack = FormPack::builtin();
  REQUIRE(pack.ok());
  auto field = [&](std::string_view form, std::string_view name) {
    auto found = pack->find(form);
    REQUIRE(found.ok());
    const Field* f = (*found)->find_field(name);
    REQUIRE(f != nullptr);
    return f;
  };
  CHECK(field("outreach-identification", "age")->disclosure == Disclosure::age_band);
  CHECK(field("case-registration", "age")->disclosure == Disclosure::age_band);
  CHECK(field("outreach-identification", "household_size")->disclosure == Disclosure::dropped);
  CHECK(field("outreach-identification", "site")->disclosure == Disclosure::area);
  CHECK(field("case-registration", "consent_obtained_by")->disclosure == Disclosure::dropped);
  CHECK(field("referral", "provider_id")->disclosure == Disclosure::as_collected);
  // The roster's table unlinked, its totals (which bound the household's size) top-coded.
  auto identification = pack->find("outreach-identification");
  REQUIRE(identification.ok());
  CHECK((*identification)->find_group("household_members")->disclosure == RepeatDisclosure::unlinked);
  for (const char* total : {"members_under_18", "members_with_needs"}) {
    CHECK(field("outreach-identification", total)->disclosure == Disclosure::top_coded);
    CHECK(field("outreach-identification", total)->top_code == 3);
  }
  for (const FormDefinition& form : pack->forms()) {
    for (const Field& f : form.fields) {
      CAPTURE(form.id + "." + f.name);
      if (f.sensitive) CHECK(f.disclosure == Disclosure::dropped);
      if (f.type == FieldType::date && !f.sensitive) CHECK(f.disclosure == Disclosure::period);
    }
  }
}

}  // namespace amana::forms

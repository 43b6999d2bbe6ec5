// The built-in outreach identification (forms/outreach-identification.json, version 2):
// the Central Darfur state > locality > site cascade, the household roster (one instance
// per member, no names) and the totals computed from it; and its earlier built-in version
// 1 (forms/earlier/), kept in the pack so that a record collected with it still opens and
// validates against what it was made with.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/answers.h"
#include "common/form_pack.h"
#include "common/repeat_keys.h"
#include "tests/support.h"

namespace amana::forms {
namespace {

using testing::contains;

const FormPack& pack() {
  static const FormPack loaded = std::move(FormPack::builtin()).value();
  return loaded;
}

const FormDefinition& identification() { return **pack().find("outreach-identification"); }

ValidationOptions options() {
  ValidationOptions o;
  o.today = "2026-11-23";
  return o;
}

nlohmann::json example() {
  return nlohmann::json::parse(testing::read_file(testing::kExamples + "outreach-identification.answers.json"));
}

Result<Answers> submit(const FormDefinition& form, const nlohmann::json& answers) {
  AMANA_ASSIGN_OR_RETURN(Answers given, parse_answers_json(form, answers.dump()));
  std::set<std::string, std::less<>> keys;
  for (const auto& [key, value] : given) keys.insert(key);
  return validate_submission(form, given, keys, options());
}

std::string value_or_empty(const Answers& answers, const std::string& key) {
  auto found = answers.find(key);
  return found == answers.end() ? std::string() : found->second;
}

// The values of `field` in each live household member, in order.
std::vector<std::string> member_values(const Answers& answers, const std::string& field) {
  std::vector<std::pair<std::string, std::string>> live;  // position, id
  for (const auto& [key, value] : answers) {
    auto parsed = repeat_keys::parse(key);
    if (parsed && parsed->is_marker() && parsed->path[0].repeat == "household_members" && !value.empty()) {
      live.emplace_back(value, parsed->path[0].instance);
    }
  }
  std::sort(live.begin(), live.end(), [](const auto& a, const auto& b) {
    return repeat_keys::position_before(a.first, a.second, b.first, b.second);
  });
  std::vector<std::string> out;
  for (const auto& [position, id] : live) out.push_back(value_or_empty(answers, "household_members/" + id + "/" + field));
  return out;
}

std::vector<std::string> names_of(const std::vector<const Choice*>& choices) {
  std::vector<std::string> names;
  for (const Choice* c : choices) names.push_back(c->name);
  return names;
}

}  // namespace

TEST_CASE("built-in identification: the example household's roster and its totals") {
  const FormDefinition& form = identification();
  CHECK(form.version == 2);
  auto answers = submit(form, example());
  REQUIRE_MESSAGE(answers.ok(), answers.status().message());
  CHECK(member_values(*answers, "m_relationship") ==
        std::vector<std::string>{"self", "child", "child", "child", "child", "parent"});
  CHECK(member_values(*answers, "m_number") == std::vector<std::string>{"1", "2", "3", "4", "5", "6"});
  CHECK(member_values(*answers, "m_under_18") == std::vector<std::string>{"0", "1", "1", "1", "1", "0"});
  CHECK(member_values(*answers, "m_with_needs") == std::vector<std::string>{"1", "0", "0", "1", "0", "1"});
  CHECK(value_or_empty(*answers, "members_under_18") == "4");  // three ages under 18 and one band under 5
  CHECK(value_or_empty(*answers, "members_with_needs") == "3");
  // A member's age is a number or a band, never both.
  CHECK(member_values(*answers, "m_age") == std::vector<std::string>{"34", "12", "9", "", "2", ""});
  CHECK(member_values(*answers, "m_age_band") == std::vector<std::string>{"", "", "", "age_0_4", "", "age_60_plus"});

  // No field of the roster is a name: what identifies a member is sealed (sensitive) or
  // generalised like the person's own fields.
  for (const Field& field : form.fields) {
    if (field.name.rfind("m_", 0) != 0) continue;
    CAPTURE(field.name);
    CHECK(field.name.find("name") == std::string::npos);
    CHECK(field.type != FieldType::text);
  }
  CHECK(form.find_field("m_specific_needs")->sensitive);
  CHECK(form.find_field("m_age")->disclosure == form.find_field("age")->disclosure);
}

TEST_CASE("built-in identification: a roster that does not match the household size, or a second 'self', is refused") {
  const FormDefinition& form = identification();
  nlohmann::json five = example();
  five["household_members"].erase(5);
  auto short_roster = submit(form, five);
  REQUIRE_FALSE(short_roster.ok());
  CHECK_MESSAGE(contains(short_roster.status().message(), "household_members: 6 instances are expected"),
                short_roster.status().message());
  five["household_size"] = 5;
  CHECK(submit(form, five).ok());

  nlohmann::json two_selves = example();
  two_selves["household_members"][2]["m_relationship"] = "self";
  auto refused = submit(form, two_selves);
  REQUIRE_FALSE(refused.ok());
  CHECK_MESSAGE(contains(refused.status().message(), "household_members #3"), refused.status().message());
  CHECK(contains(refused.status().message(), "The first member is the person identified"));
  nlohmann::json not_first = example();
  not_first["household_members"][0]["m_relationship"] = "spouse";
  CHECK_FALSE(submit(form, not_first).ok());

  // An age and a band on one member: the band is not asked when the age is known.
  nlohmann::json both = example();
  both["household_members"][1]["m_age_band"] = "age_12_17";
  CHECK_FALSE(submit(form, both).ok());
}

TEST_CASE("built-in identification: without consent no household member is recorded") {
  nlohmann::json answers = example();
  answers["consent_recorded"] = false;
  for (const char* personal : {"full_name", "phone", "specific_needs", "risks_observed", "consent_contact",
                               "consent_referral", "household_members"}) {
    answers.erase(personal);
  }
  auto submitted = submit(identification(), answers);
  REQUIRE_MESSAGE(submitted.ok(), submitted.status().message());
  CHECK(member_values(*submitted, "m_sex").empty());
  CHECK(value_or_empty(*submitted, "members_under_18") == "0");
  answers["household_members"] = example()["household_members"];
  CHECK_FALSE(submit(identification(), answers).ok());
}

TEST_CASE("built-in identification: state, locality and site cascade over Central Darfur's places") {
  const FormDefinition& form = identification();
  const Field& locality = *form.find_field("locality");
  const Field& site = *form.find_field("site_choice");
  Answers answers{{"state", "central_darfur"}};
  const auto localities = names_of(available_choices(form, locality, answers, "2026-11-23"));
  CHECK(localities == std::vector<std::string>{"zalingei", "azum", "wadi_salih", "mukjar", "bindisi", "um_dukhun",
                                               "nertiti", "rokoro", "golo"});
  answers["locality"] = "zalingei";
  CHECK(names_of(available_choices(form, site, answers, "2026-11-23")) ==
        std::vector<std::string>{"hamidiya", "hasahisa", "khamsa_dagaig", "taiba", "zalingei_town", "other"});
  answers["locality"] = "wadi_salih";
  CHECK(names_of(available_choices(form, site, answers, "2026-11-23")) ==
        std::vector<std::string>{"garsila", "deleig", "other"});

  // A locality of another state, or a site of another locality, is refused.
  nlohmann::json wrong = example();
  wrong["state"] = "west_darfur";
  CHECK_FALSE(submit(form, wrong).ok());
  wrong = example();
  wrong["site_choice"] = "hamidiya";
  CHECK_FALSE(submit(form, wrong).ok());

  // The site's text starts from the site chosen; "other" leaves it to the collector.
  nlohmann::json chosen = example();
  chosen.erase("site");
  chosen["locality"] = "zalingei";
  chosen["site_choice"] = "hamidiya";
  auto defaulted = submit(form, chosen);
  REQUIRE_MESSAGE(defaulted.ok(), defaulted.status().message());
  CHECK(value_or_empty(*defaulted, "site") == "Hamidiya camp");
  chosen["site_choice"] = "other";
  auto unnamed = submit(form, chosen);
  REQUIRE_FALSE(unnamed.ok());
  CHECK(contains(unnamed.status().message(), "site"));
}

TEST_CASE("built-in identification: version 1 stays in the pack, and its records validate against it") {
  auto first = pack().find("outreach-identification", 1);
  REQUIRE(first.ok());
  CHECK((*first)->version == 1);
  CHECK((*first)->find_group("household_members") == nullptr);
  CHECK(identification().find_group("household_members") != nullptr);
  CHECK((*first)->find_field("state") == nullptr);
  CHECK(pack().versions("outreach-identification").size() == 2);
  CHECK(pack().find("outreach-identification", 2).value()->version == 2);
  // The answers version 1 took (no location cascade, no roster) still validate against it ...
  nlohmann::json old = example();
  for (const char* added : {"state", "locality", "site_choice", "household_members"}) old.erase(added);
  auto submitted = submit(**first, old);
  REQUIRE_MESSAGE(submitted.ok(), submitted.status().message());
  CHECK(value_or_empty(*submitted, "household_size") == "6");
  // ... and not against version 2, which asks for them.
  CHECK_FALSE(submit(identification(), old).ok());
}

}  // namespace amana::forms

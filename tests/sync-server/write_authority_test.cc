// Write authority as a specification: the rule table of sync-server/write_authority.h,
// rule by rule on the pure judge(). Through the real service: write_authority_service_test.cc.
#include "sync-server/write_authority.h"

#include <doctest/doctest.h>

#include "common/case_fields.h"
#include "tests/support.h"
#include "tests/sync-server/in_process.h"

namespace amana::server {
namespace {

using testing::InProcessServer;

constexpr std::int64_t kNow = InProcessServer::kStartMs;
const DeviceId kDevice = new_device_id();
const DeviceId kOtherDevice = new_device_id();
const RecordId kRecord = new_record_id(kNow);
const RecordId kCase = new_record_id(kNow, 1);

pb::Operation op(const std::string& form, std::map<std::string, std::string> values, std::string author = "amina",
                 std::optional<RecordId> case_id = std::nullopt, HlcTime hlc = make_hlc(kNow, 0)) {
  return testing::make_operation({kDevice, kRecord, form, std::move(values), std::move(author), case_id, hlc, kNow});
}

Writer writer(Role role, std::string user = "amina", std::string team = "um-dukhun") {
  return {kDevice, std::move(user), role, std::move(team)};
}

std::string verdict(const Writer& w, const pb::Operation& operation, const WriteInputs& inputs = {}) {
  const auto refusal = judge(w, operation, inputs, kNow);
  return refusal ? std::string(write_rule_name(refusal->rule)) : "ok";
}

WriteInputs held_case(std::string holder, std::string team = "um-dukhun",
                      cases::CaseStatus status = cases::CaseStatus::assessed) {
  return {RecordOrigin{kOtherDevice, "case", std::nullopt}, CaseState{std::move(holder), std::move(team), status}};
}

WriteInputs step_of(std::string holder, std::string team = "um-dukhun",
                    cases::CaseStatus status = cases::CaseStatus::assessed) {
  return {std::nullopt, CaseState{std::move(holder), std::move(team), status}};
}

}  // namespace

TEST_CASE("write authority: which role's device may create which forms, as the table says") {
  const std::map<std::string, std::set<Role>> may_create = {
      {"outreach-identification", {Role::assistant, Role::officer}},
      {"rapid-protection-assessment", {Role::assistant, Role::officer, Role::meal, Role::admin}},
      {"pdm-survey", {Role::assistant, Role::officer, Role::meal, Role::admin}},
      {"case", {Role::assistant, Role::officer}},
  };
  for (const auto& [form, roles] : may_create) {
    for (Role role : {Role::assistant, Role::officer, Role::meal, Role::admin}) {
      CAPTURE(form);
      CAPTURE(role_name(role));
      std::map<std::string, std::string> values{{"x", "1"}};
      if (form == "case") values = {{"status", "identified"}, {"name", "A"}};
      CHECK((verdict(writer(role), op(form, values)) == "ok") == roles.contains(role));
    }
  }
  // A step: of a case the writer holds, by the roles that hold cases.
  for (Role role : {Role::assistant, Role::officer, Role::meal, Role::admin}) {
    const bool holds = role == Role::assistant || role == Role::officer;
    CHECK(verdict(writer(role), op("referral", {{"reason", "r"}}, "amina", kCase), step_of("amina")) ==
          (holds ? "ok" : "role_not_allowed"));
  }
  CHECK(verdict(writer(Role::assistant), op("survey-of-my-own", {{"x", "1"}})) == "unknown_form");
}

TEST_CASE("write authority: a device writes its own form records, the cases its user or team holds, never a transferred one") {
  const Writer amina = writer(Role::assistant);
  const pb::Operation update = op("pdm-survey", {{"satisfaction", "1"}});
  CHECK(verdict(amina, update, {RecordOrigin{kDevice, "pdm-survey", std::nullopt}, std::nullopt}) == "ok");
  CHECK(verdict(amina, update, {RecordOrigin{kOtherDevice, "pdm-survey", std::nullopt}, std::nullopt}) ==
        "not_own_record");

  const pb::Operation case_edit = op("case", {{"risk_level", "low"}});
  CHECK(verdict(amina, case_edit, held_case("amina")) == "ok");  // created on another device of hers
  CHECK(verdict(amina, case_edit, held_case("hawa")) == "case_not_held");  // her teammate's
  const pb::Operation by_omar = op("case", {{"risk_level", "low"}}, "omar");
  CHECK(verdict(writer(Role::officer, "omar"), by_omar, held_case("hawa")) == "ok");  // the team's officer
  CHECK(verdict(writer(Role::officer, "omar", "zalingei"), by_omar, held_case("hawa")) == "case_not_held");
  CHECK(verdict(writer(Role::officer, "omar", ""), by_omar, held_case("hawa", "")) == "case_not_held");
  CHECK(verdict(writer(Role::assistant, "hawa"), op("case", {{"risk_level", "low"}}, "hawa"),
                held_case("omar")) == "case_not_held");  // an assistant has no team reach
  CHECK(verdict(amina, case_edit, held_case("amina", "um-dukhun", cases::CaseStatus::transferred)) == "case_transferred");
  CHECK(verdict(amina, case_edit, {RecordOrigin{kOtherDevice, "case", std::nullopt}, std::nullopt}) == "case_not_held");

  const pb::Operation step = op("follow-up", {{"outcome", "seen"}}, "amina", kCase);
  CHECK(verdict(amina, step, step_of("amina")) == "ok");
  CHECK(verdict(amina, step, step_of("hawa")) == "case_not_held");
  CHECK(verdict(amina, step, {}) == "case_not_held");  // a case the office does not hold
  CHECK(verdict(amina, step, step_of("amina", "um-dukhun", cases::CaseStatus::transferred)) == "case_transferred");
  // A step stays writable after closure (a referral's outcome may come in late).
  CHECK(verdict(amina, step, step_of("amina", "um-dukhun", cases::CaseStatus::closed)) == "ok");
}

TEST_CASE("write authority: only a step names a case, and an update keeps a record's form and case") {
  const Writer amina = writer(Role::assistant);
  CHECK(verdict(amina, op("referral", {{"reason", "r"}})) == "case_link");
  CHECK(verdict(amina, op("pdm-survey", {{"x", "1"}}, "amina", kCase)) == "case_link");
  CHECK(verdict(amina, op("case", {{"status", "identified"}}, "amina", kCase)) == "case_link");
  const WriteInputs own_survey{RecordOrigin{kDevice, "pdm-survey", std::nullopt}, std::nullopt};
  CHECK(verdict(amina, op("case", {{"status", "identified"}}), own_survey) == "record_identity");
  CHECK(verdict(amina, op("pdm-survey", {{"x", "1"}}, "amina", kCase), own_survey) == "record_identity");
  const WriteInputs own_step{RecordOrigin{kDevice, "referral", kCase}, CaseState{"amina", "um-dukhun", {}}};
  CHECK(verdict(amina, op("referral", {{"status", "accepted"}}, "amina", kCase), own_step) == "ok");
  CHECK(verdict(amina, op("referral", {{"status", "accepted"}}, "amina", kRecord), own_step) == "record_identity");
  CHECK(verdict(amina, op("follow-up", {{"status", "accepted"}}, "amina", kCase), own_step) == "record_identity");
}

TEST_CASE("write authority: the office's case fields and statuses are never a device's") {
  const Writer amina = writer(Role::assistant);
  for (const cases::CaseField& field : cases::kCaseFields) {
    if (field.owner != cases::FieldOwner::office) continue;
    CAPTURE(field.name);
    CHECK(verdict(amina, op("case", {{std::string(field.name), "x"}}), held_case("amina")) == "office_owned_field");
    // Nor at creation, where the case would otherwise be born assigned.
    CHECK(verdict(amina, op("case", {{"status", "identified"}, {std::string(field.name), "x"}})) ==
          "office_owned_field");
  }
  CHECK(verdict(amina, op("case", {{"status", "closed"}}), held_case("amina")) == "office_owned_field");
  CHECK(verdict(amina, op("case", {{"status", "transferred"}}), held_case("amina")) == "office_owned_field");
  // Reopening: any status on a closed case.
  CHECK(verdict(amina, op("case", {{"status", "registered"}}), held_case("amina", "um-dukhun", cases::CaseStatus::closed)) ==
        "office_owned_field");
  // What a device writes in each step of the cycle (field-client/cases.cc).
  for (cases::CaseStatus status : {cases::CaseStatus::registered, cases::CaseStatus::assessed, cases::CaseStatus::planned,
                                   cases::CaseStatus::in_progress, cases::CaseStatus::closure_requested}) {
    CHECK(verdict(amina, op("case", {{"status", std::string(cases::status_name(status))}}), held_case("amina")) == "ok");
  }
  CHECK(verdict(amina, op("case", {{"status", "solved"}}), held_case("amina")) == "invalid_case_field");
  CHECK(verdict(amina, op("case", {{"favourite_colour", "blue"}}), held_case("amina")) == "invalid_case_field");
  CHECK(verdict(amina, op("case", {{"name", "A"}})) == "invalid_case_field");  // a new case with no status
  pb::Operation cleared = op("case", {{"status", ""}});
  cleared.mutable_writes(0)->set_cleared(true);
  CHECK(verdict(amina, cleared, held_case("amina")) == "invalid_case_field");
}

TEST_CASE("write authority: the author is the enrolled user, and stamps stop at the server's clock plus the bound") {
  const Writer amina = writer(Role::assistant);
  CHECK(verdict(amina, op("pdm-survey", {{"x", "1"}}, "hawa")) == "claimed_author");
  CHECK(verdict(Writer{kOrgWriter, "amina", Role::assistant, "um-dukhun"}, op("pdm-survey", {{"x", "1"}})) ==
        "claimed_author");
  const HlcTime bound = latest_acceptable_hlc(kNow);
  CHECK(hlc_millis(bound) == kNow + 15 * 3'600'000);
  CHECK(verdict(amina, op("pdm-survey", {{"x", "1"}}, "amina", std::nullopt, bound)) == "ok");
  CHECK(verdict(amina, op("pdm-survey", {{"x", "1"}}, "amina", std::nullopt, next_hlc(bound))) == "future_stamp");
  CHECK(verdict(amina, op("pdm-survey", {{"x", "1"}}, "amina", std::nullopt, kMaxHlc)) == "future_stamp");
  CHECK(verdict(amina, op("pdm-survey", {{"x", "1"}}, "amina", std::nullopt, HlcTime{~0ULL})) == "future_stamp");
  CHECK(verdict(amina, op("pdm-survey", {{"x", "1"}}, "amina", std::nullopt, make_hlc(kNow - 90LL * 86'400'000, 0))) ==
        "ok");  // behind is never refused
  pb::Operation base = op("pdm-survey", {{"x", "1"}});
  base.mutable_writes(0)->set_base_hlc(static_cast<std::uint64_t>(kMaxHlc));
  CHECK(verdict(amina, base) == "future_stamp");
  pb::Operation one_field = op("pdm-survey", {{"x", "1"}, {"y", "2"}});
  one_field.mutable_writes(1)->set_hlc(static_cast<std::uint64_t>(next_hlc(bound)));
  CHECK(verdict(amina, one_field) == "future_stamp");
  pb::Operation created = op("pdm-survey", {{"x", "1"}});
  created.set_created_at_ms(kNow + 16 * 3'600'000);
  CHECK(verdict(amina, created) == "future_stamp");
}

}  // namespace amana::server

#include "sync-server/case_values.h"

namespace amana::server {

TEST_CASE("write authority: the office's table of case values and common/case_fields.h agree on every field and its owner") {
  // Two tables read the case fields: the office's (labels, where each answer comes from)
  // and write authority's (who writes it). The names are declared once; the owners must agree.
  CHECK(case_fields().size() == std::size(cases::kCaseFields));
  for (const server::CaseField& field : case_fields()) {
    CAPTURE(field.name);
    const auto owner = cases::case_field_owner(field.name);
    REQUIRE(owner.has_value());
    CHECK((field.kind == CaseFieldKind::office) == (*owner == cases::FieldOwner::office));
  }
}

}  // namespace amana::server

// Which step owns which case value: the one rule the device and the office both apply.
#include "common/case_sources.h"

#include <doctest/doctest.h>

#include <vector>

#include "common/case_fields.h"

namespace amana::cases {
namespace {

// A step made at `made` (ids order records by when they were made).
RecordId made(std::uint8_t order) {
  RecordId id;
  id.bytes[5] = order;
  return id;
}

}  // namespace

TEST_CASE("case sources: a follow-up's risk now is the case's risk, the latest step by its date winning") {
  const forms::Answers stored{{"status", "in_progress"}, {"risk_level", "high"}, {"name", "Amira"}};
  const forms::Answers assessment{{"assessment_date", "2026-11-21"}, {"risk_level", "high"}};
  const forms::Answers follow_up{{"done_date", "2026-11-22"}, {"client_reached", "true"}, {"risk_level_now", "medium"}};
  const std::vector<StepRecord> steps{{made(1), kAssessmentForm, &assessment}, {made(2), kFollowUpForm, &follow_up}};
  const CaseValues values = case_values(stored, steps);
  CHECK(values.values.at("risk_level") == "medium");
  CHECK(values.set_by.at("risk_level") == made(2));
  CHECK(values.values.at("status") == "in_progress");  // not a step's: the case's own
  CHECK(values.values.at("name") == "Amira");          // no registration yet: as opened

  // The same steps arriving in the other order give the same case.
  const std::vector<StepRecord> reversed{steps[1], steps[0]};
  CHECK(case_values(stored, reversed).values == values.values);

  // An assessment typed in later from paper, dated before the follow-up, does not put its
  // older risk back; one dated after it does.
  const forms::Answers late_paper{{"assessment_date", "2026-11-19"}, {"risk_level", "critical"}};
  std::vector<StepRecord> with_late = steps;
  with_late.push_back({made(3), kAssessmentForm, &late_paper});
  CHECK(case_values(stored, with_late).values.at("risk_level") == "medium");
  const forms::Answers reassessed{{"assessment_date", "2026-11-25"}, {"risk_level", "critical"}};
  with_late.push_back({made(4), kAssessmentForm, &reassessed});
  CHECK(case_values(stored, with_late).values.at("risk_level") == "critical");

  // Two steps of the same day: the one made last.
  const forms::Answers same_day{{"done_date", "2026-11-22"}, {"risk_level_now", "low"}};
  std::vector<StepRecord> same = steps;
  same.push_back({made(5), kFollowUpForm, &same_day});
  CHECK(case_values(stored, same).values.at("risk_level") == "low");
}

TEST_CASE("case sources: a follow-up that did not reach the client leaves the risk as it was") {
  const forms::Answers assessment{{"assessment_date", "2026-11-21"}, {"risk_level", "high"}};
  const forms::Answers not_reached{{"done_date", "2026-11-24"}, {"client_reached", "false"}};
  const std::vector<StepRecord> steps{{made(1), kAssessmentForm, &assessment}, {made(2), kFollowUpForm, &not_reached}};
  CHECK(case_values({}, steps).values.at("risk_level") == "high");
  CHECK(case_values({}, {}).values.empty());
}

TEST_CASE("case sources: registration's person, phone and displacement replace what the identification noted") {
  const forms::Answers identification{{"full_name", "Amira Hassan"}, {"phone", "0912 345"}, {"site", "Block C"},
                                      {"displacement_status", "idp"}, {"household_size", "6"}, {"urgency", "high"},
                                      {"specific_needs", "WR"}, {"consent_recorded", "true"}};
  const forms::Answers opened = values_from_identification(identification);
  CHECK(opened.at("name") == "Amira Hassan");
  CHECK(opened.at("location") == "Block C");
  CHECK(opened.at("phone") == "0912 345");
  CHECK(opened.at("household_size") == "6");
  CHECK(opened.count("consent_recorded") == 0);  // not a case field

  const forms::Answers registration{{"registration_date", "2026-11-20"}, {"full_name", "Amira Hassan Yousif"},
                                    {"phone", "0912345678"},             {"displacement_status", "refugee"},
                                    {"location", "Block D"},             {"consent_referral", "true"}};
  const forms::Answers assessment{{"assessment_date", "2026-11-21"}, {"specific_needs", "WR SP"}};
  const std::vector<StepRecord> steps{{made(1), kRegistrationForm, &registration}, {made(2), kAssessmentForm, &assessment}};
  const forms::Answers values = case_values(opened, steps).values;
  CHECK(values.at("phone") == "0912345678");
  CHECK(values.at("name") == "Amira Hassan Yousif");
  CHECK(values.at("displacement_status") == "refugee");
  CHECK(values.at("location") == "Block D");
  CHECK(values.at("consent_referral") == "true");
  CHECK(values.at("specific_needs") == "WR SP");
  CHECK(values.at("urgency") == "high");        // no step owns it: the identification's stands
  CHECK(values.at("household_size") == "6");
}

TEST_CASE("case sources: every owned field is a case field devices write, and every source form a step's") {
  for (const OwnedField& owned : owned_fields()) {
    CAPTURE(owned.field);
    CHECK(case_field_owner(owned.field) == FieldOwner::device);
    for (const FieldSource& source : owned.steps) {
      if (!source.empty()) CHECK(is_step_form(source.form));
    }
    if (!owned.opening.empty()) CHECK(owned.opening.form == kIdentificationForm);
    CHECK(find_owned_field(owned.field) == &owned);
  }
  CHECK(find_owned_field("status") == nullptr);
  CHECK(find_owned_field("assigned_to") == nullptr);
  for (std::string_view form : kStepForms) CHECK_FALSE(step_date_field(form).empty());
  CHECK(sets_case_values(kFollowUpForm));
  CHECK_FALSE(sets_case_values(kPlanForm));
}

}  // namespace amana::cases

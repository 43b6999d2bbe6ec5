// Protection cases on the device: opening a case (from an outreach identification or
// directly, after checking for the same person identified twice), and recording each
// step of the cycle with its form, as the case worker does it offline.
//
// A case is a record of the internal form "case" holding its status and what the steps
// established (the person, the consents, the risk level); each step is a record of its
// own form (case-registration, case-assessment, case-plan, referral, follow-up,
// case-closure) naming the case. A step and the case's new values are written in one
// transaction and sync like any change. The transitions are those of
// common/case_lifecycle.h; a refused step changes nothing.
//
// Not here yet (the case management issue): the officer's approval of closure,
// assignment and transfer between case workers, and the weekly review.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/case_fields.h"
#include "common/case_lifecycle.h"
#include "common/case_sources.h"
#include "common/case_review.h"
#include "common/form_pack.h"
#include "common/person_match.h"
#include "field-client/store.h"

namespace amana::field {

inline constexpr std::string_view kCaseFormId = cases::kCaseForm;

// A case as its steps establish it (common/case_sources.h): a follow-up's risk, a
// registration's phone.
struct CaseSummary {
  RecordId id;
  cases::CaseStatus status = cases::CaseStatus::identified;
  std::string name;
  std::string risk_level;  // empty until assessed
  std::int64_t opened_at_ms = 0;
  std::map<std::string, std::string, std::less<>> values;  // the case's values, as its steps establish them
};

// Who opens a case: from an identification record, or with the details given.
struct CaseOpening {
  std::optional<RecordId> from_identification;
  cases::PersonKey person;
  // Open even though the person looks like one already identified on this device.
  bool not_a_duplicate = false;
};

struct PossibleDuplicate {
  RecordId record;      // a case, or an identification not yet made a case
  std::string kind;     // "case" or "identification"
  std::string name;
};

// Whether the provider offers the service, by its code or an old code of the same type
// (common/service_types.h).
bool offers(const pb::Provider& provider, std::string_view service);

class CaseBook {
 public:
  CaseBook(Store& store, const forms::FormPack& pack, forms::ValidationOptions options);

  // The new case's id. When the person looks like someone already identified on this
  // device, already_exists listing them (run again with not_a_duplicate once checked).
  // From an identification: already_exists naming the case already opened from it (even
  // with not_a_duplicate); one recorded without the person's consent holds no name, and
  // opens only with the name given (invalid_argument saying so otherwise).
  Result<RecordId> open(const CaseOpening& opening);

  // Cases and identifications on this device that look like `person`.
  Result<std::vector<PossibleDuplicate>> possible_duplicates(const cases::PersonKey& person,
                                                             std::optional<RecordId> except = std::nullopt);

  // Records a step from raw answers, validated with the step's form and the step's rules
  // above, and moves the case on. The events a device records: register, assess, plan, refer, follow_up and
  // request_closure. Returns the step record's id.
  Result<RecordId> record_step(RecordId case_id, cases::CaseEvent event, const forms::Answers& raw_answers);

  // The form a step is recorded with; invalid_argument for events the office records.
  Result<const forms::FormDefinition*> step_form(cases::CaseEvent event) const;

  // What is known before a step's first question, checked before it is asked so that
  // nobody types a whole form for nothing: the case exists, the step follows its status
  // (common/case_lifecycle.h), and a referral has the client's consent to referral.
  Status check_step_can_start(RecordId case_id, cases::CaseEvent event);
  // A step's rule for one answer the form accepts, checked at its question (the
  // interview) and again by record_step. For a referral: sharing identifying data needs
  // the client's consent to information sharing; the provider must be in the device's
  // directory, active, and offer the service asked (any provider for "other").
  Status check_step_answer(RecordId case_id, cases::CaseEvent event, const forms::Field& field,
                           const std::string& answer, const forms::Answers& so_far);
  // Values to offer at a step's free-text question: at a referral's provider question,
  // the active providers offering the service asked. Empty elsewhere.
  std::vector<forms::Choice> step_suggestions(cases::CaseEvent event, const forms::Field& field,
                                              const forms::Answers& so_far);

  // Answers to offer before a step's first question, from what the case already knows, so
  // nobody types them twice: a registration takes the person from the case (the
  // identification's name, sex, age, location, displacement and phone) and the person who
  // obtained consent is the device's user; a follow-up is due when the newest plan or
  // follow-up said. Each is a suggestion the person may change; only answers that are
  // valid for the step's form are given.
  Result<forms::Answers> step_prefill(RecordId case_id, cases::CaseEvent event);

  // Tracks a referral's outcome (see cases::update_referral for the allowed moves).
  Status update_referral(RecordId referral, cases::ReferralStatus status, const std::string& note);

  // The referral as a document for the provider (JSON): the service asked, urgency and
  // reason, and who the client is only when the referral shares identifying data, which
  // record_step allowed only with the client's consent; otherwise sex and age band alone.
  Result<std::string> referral_document(RecordId referral);

  // What the weekly review (and the UI's home) looks at, for every case on this device:
  // each open case's record and steps opened once. A closed or transferred case, which
  // the review passes over, is read from its own record alone (its name and risk as
  // stored, not as its steps establish them).
  Result<std::vector<cases::CaseFacts>> review_facts();

  Result<std::vector<CaseSummary>> list();
  Result<CaseSummary> summary(RecordId case_id);

 private:
  Status referral_consent(const forms::Answers& case_values, bool shares_identifying_data) const;
  // The case record with its values as its steps establish them; invalid_argument for a
  // record that is not a case.
  Result<Record> current_case(RecordId case_id);
  // `stored` with what the case's steps (and `being_recorded`, not yet stored) establish.
  Result<forms::Answers> established_values(RecordId case_id, const forms::Answers& stored,
                                            std::optional<cases::StepRecord> being_recorded);
  Result<std::optional<RecordId>> case_opened_from(RecordId identification);
  // Active providers offering `service` (every active one when empty).
  Result<std::vector<pb::Provider>> providers_of(std::string_view service);
  Store& store_;
  const forms::FormPack& pack_;
  forms::ValidationOptions options_;
};

}  // namespace amana::field

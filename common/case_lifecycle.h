// The protection case management cycle as a state machine: which step may follow which.
// Both the device and the server apply it, so that a change refused on one is refused on
// the other.
//
// Steps follow the inter-agency child protection (2014) and GBV (2017) case management
// guidelines: identification -> registration (with informed consent) -> assessment ->
// case plan -> implementation (referrals, follow-ups) -> closure, which an officer
// approves before it takes effect; a case may be transferred to another organisation,
// and a closed or transferred case reopened.
//
//   identified --register--> registered --assess--> assessed --plan--> planned
//   planned --refer | follow_up--> in_progress
//   any open status --request_closure--> closure_requested
//   closure_requested --approve_closure--> closed
//   closure_requested --reject_closure--> the status it had before the request
//   any open status but closure_requested --transfer--> transferred
//   closed | transferred --reopen--> registered (the situation changed: assess again)
//
// Re-assessing or re-planning later in the cycle is allowed and keeps the later status;
// reassigning to another case worker of the same organisation never changes the status.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace amana::cases {

enum class CaseStatus {
  identified, registered, assessed, planned, in_progress, closure_requested, closed, transferred,
};

enum class CaseEvent {
  reg, assess, plan, refer, follow_up, request_closure, approve_closure, reject_closure, transfer, reassign, reopen,
};

// Every status, in the order of the cycle.
inline constexpr CaseStatus kCaseStatuses[] = {
    CaseStatus::identified, CaseStatus::registered,        CaseStatus::assessed, CaseStatus::planned,
    CaseStatus::in_progress, CaseStatus::closure_requested, CaseStatus::closed,   CaseStatus::transferred,
};

std::string_view status_name(CaseStatus status);
Result<CaseStatus> parse_status(std::string_view name);
std::string_view event_name(CaseEvent event);  // "register", "assess", ... as the CLI verbs
// How a person reads them, in any language (the English is the name above).
Message status_label(CaseStatus status);
Message event_label(CaseEvent event);

bool is_open(CaseStatus status);

// The events allowed in `status`, in the order of the cycle.
std::vector<CaseEvent> allowed_events(CaseStatus status);

// The status after `event`. `before_closure` is the status the case had when closure was
// requested (needed only to reject a closure). An illegal step is invalid_argument naming
// the steps allowed from `status` (translatable), e.g. "cannot refer a case that is 'assessed': make a
// case plan first. From 'assessed' the next steps are: assess, plan, request closure,
// transfer, reassign".
Result<CaseStatus> apply(CaseStatus status, CaseEvent event, std::optional<CaseStatus> before_closure = std::nullopt);

// A referral's own tracking: pending -> accepted -> service_provided, or declined /
// no_response (from pending; declined also after acceptance).
enum class ReferralStatus { pending, accepted, service_provided, declined, no_response };
inline constexpr ReferralStatus kReferralStatuses[] = {ReferralStatus::pending, ReferralStatus::accepted,
                                                       ReferralStatus::service_provided, ReferralStatus::declined,
                                                       ReferralStatus::no_response};
std::string_view referral_status_name(ReferralStatus status);
Message referral_status_label(ReferralStatus status);
Result<ReferralStatus> parse_referral_status(std::string_view name);
// invalid_argument naming the statuses allowed from `from`.
Result<ReferralStatus> update_referral(ReferralStatus from, ReferralStatus to);

// Consent recorded at registration, as it governs referrals.
struct Consent {
  bool services = false;
  bool referral = false;
  bool information_sharing = false;
};

// A referral needs consent to referral; one that carries identifying data outside the
// organisation needs consent to information sharing too. invalid_argument saying which
// consent is missing and what to do.
Status check_referral_consent(const Consent& consent, bool shares_identifying_data);

}  // namespace amana::cases

#include "common/case_lifecycle.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace amana::cases {

TEST_CASE("cases: the cycle runs identification to closure, with an officer's approval") {
  CaseStatus status = CaseStatus::identified;
  for (CaseEvent event : {CaseEvent::reg, CaseEvent::assess, CaseEvent::plan, CaseEvent::refer, CaseEvent::follow_up,
                          CaseEvent::request_closure, CaseEvent::approve_closure}) {
    auto after = apply(status, event);
    REQUIRE_MESSAGE(after.ok(), after.status().message());
    status = *after;
  }
  CHECK(status == CaseStatus::closed);
  CHECK_FALSE(is_open(status));
  CHECK(*apply(status, CaseEvent::reopen) == CaseStatus::registered);
}

TEST_CASE("cases: later re-assessment and re-planning keep the status, reassignment never changes it") {
  CHECK(*apply(CaseStatus::in_progress, CaseEvent::assess) == CaseStatus::in_progress);
  CHECK(*apply(CaseStatus::in_progress, CaseEvent::plan) == CaseStatus::in_progress);
  CHECK(*apply(CaseStatus::planned, CaseEvent::assess) == CaseStatus::planned);
  for (CaseStatus status : {CaseStatus::identified, CaseStatus::registered, CaseStatus::assessed, CaseStatus::planned,
                            CaseStatus::in_progress, CaseStatus::closure_requested}) {
    CHECK(*apply(status, CaseEvent::reassign) == status);
  }
}

TEST_CASE("cases: a rejected closure returns the case to where it was") {
  CHECK(*apply(CaseStatus::closure_requested, CaseEvent::reject_closure, CaseStatus::planned) == CaseStatus::planned);
  CHECK_FALSE(apply(CaseStatus::closure_requested, CaseEvent::reject_closure).ok());
  CHECK_FALSE(apply(CaseStatus::closure_requested, CaseEvent::reject_closure, CaseStatus::closed).ok());
}

TEST_CASE("cases: every illegal step is refused, naming the steps allowed") {
  CHECK(apply(CaseStatus::assessed, CaseEvent::refer).status().message() ==
        "cannot refer a case that is 'assessed': make a case plan first. From 'assessed' the next steps are: "
        "assess, plan, request closure, transfer, reassign");
  CHECK(apply(CaseStatus::identified, CaseEvent::assess).status().message() ==
        "cannot assess a case that is 'identified': register the case, with consent, first. From 'identified' the "
        "next steps are: register, request closure, transfer, reassign");
  CHECK(apply(CaseStatus::closed, CaseEvent::follow_up).status().message() ==
        "cannot follow up a case that is 'closed': reopen the case first. From 'closed' the next steps are: reopen");
  CHECK(apply(CaseStatus::in_progress, CaseEvent::approve_closure).status().message().find(
            "cannot approve closure of a case that is 'in_progress': no closure has been requested") == 0);
  CHECK(apply(CaseStatus::closure_requested, CaseEvent::refer).status().message().find(
            "closure is awaiting an officer's decision") != std::string::npos);

  // Exhaustively: whatever apply() accepts is exactly what allowed_events() lists.
  for (CaseStatus status : {CaseStatus::identified, CaseStatus::registered, CaseStatus::assessed, CaseStatus::planned,
                            CaseStatus::in_progress, CaseStatus::closure_requested, CaseStatus::closed,
                            CaseStatus::transferred}) {
    const auto allowed = allowed_events(status);
    for (CaseEvent event : {CaseEvent::reg, CaseEvent::assess, CaseEvent::plan, CaseEvent::refer, CaseEvent::follow_up,
                            CaseEvent::request_closure, CaseEvent::approve_closure, CaseEvent::reject_closure,
                            CaseEvent::transfer, CaseEvent::reassign, CaseEvent::reopen}) {
      const bool listed = std::find(allowed.begin(), allowed.end(), event) != allowed.end();
      CAPTURE(status_name(status));
      CAPTURE(event_name(event));
      CHECK(apply(status, event, CaseStatus::in_progress).ok() == listed);
    }
  }
}

TEST_CASE("cases: statuses round-trip by name") {
  CHECK(*parse_status("closure_requested") == CaseStatus::closure_requested);
  CHECK_FALSE(parse_status("open").ok());
}

TEST_CASE("cases: referrals need consent, and identifying data needs consent to sharing") {
  CHECK(check_referral_consent({true, true, true}, true).ok());
  CHECK(check_referral_consent({true, true, false}, false).ok());
  CHECK(check_referral_consent({true, true, false}, true).message().find("not consented to sharing") !=
        std::string::npos);
  CHECK(check_referral_consent({true, false, true}, false).message().find("not consented to referral") !=
        std::string::npos);
}

}  // namespace amana::cases

namespace amana::cases {

TEST_CASE("referrals: pending -> accepted -> service provided, or declined / no response, outcomes are final") {
  CHECK(*update_referral(ReferralStatus::pending, ReferralStatus::accepted) == ReferralStatus::accepted);
  CHECK(*update_referral(ReferralStatus::accepted, ReferralStatus::service_provided) == ReferralStatus::service_provided);
  CHECK(*update_referral(ReferralStatus::pending, ReferralStatus::no_response) == ReferralStatus::no_response);
  CHECK(*update_referral(ReferralStatus::accepted, ReferralStatus::declined) == ReferralStatus::declined);
  CHECK(update_referral(ReferralStatus::pending, ReferralStatus::service_provided).status().message() ==
        "a referral that is 'pending' cannot become 'service_provided'; it can become: accepted, declined, no_response");
  CHECK(update_referral(ReferralStatus::declined, ReferralStatus::accepted).status().message() ==
        "a referral that is 'declined' cannot become 'accepted': its outcome is final");
  CHECK(*parse_referral_status("no_response") == ReferralStatus::no_response);
  CHECK_FALSE(parse_referral_status("lost").ok());
}

}  // namespace amana::cases

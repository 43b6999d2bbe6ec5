#include "common/case_lifecycle.h"

#include <algorithm>
#include <string>

#include "common/message_catalogue.h"

namespace amana::cases {
namespace {

constexpr CaseEvent kEvents[] = {
    CaseEvent::reg,             CaseEvent::assess,          CaseEvent::plan,           CaseEvent::refer,
    CaseEvent::follow_up,       CaseEvent::request_closure, CaseEvent::approve_closure, CaseEvent::reject_closure,
    CaseEvent::transfer,        CaseEvent::reassign,        CaseEvent::reopen,
};

// The one transition table; everything else is derived from it. nullopt: not allowed.
// `before_closure` only matters for reject_closure.
std::optional<CaseStatus> next(CaseStatus from, CaseEvent event, std::optional<CaseStatus> before_closure) {
  using S = CaseStatus;
  const bool active = from == S::identified || from == S::registered || from == S::assessed || from == S::planned ||
                      from == S::in_progress;
  switch (event) {
    case CaseEvent::reg:
      if (from == S::identified) return S::registered;
      return std::nullopt;
    case CaseEvent::assess:
      if (from == S::registered) return S::assessed;
      if (from == S::assessed || from == S::planned || from == S::in_progress) return from;
      return std::nullopt;
    case CaseEvent::plan:
      if (from == S::assessed) return S::planned;
      if (from == S::planned || from == S::in_progress) return from;
      return std::nullopt;
    case CaseEvent::refer:
    case CaseEvent::follow_up:
      if (from == S::planned || from == S::in_progress) return S::in_progress;
      return std::nullopt;
    case CaseEvent::request_closure:
      if (active) return S::closure_requested;
      return std::nullopt;
    case CaseEvent::approve_closure:
      if (from == S::closure_requested) return S::closed;
      return std::nullopt;
    case CaseEvent::reject_closure:
      if (from == S::closure_requested && before_closure && *before_closure != S::closure_requested &&
          is_open(*before_closure)) {
        return *before_closure;
      }
      return std::nullopt;
    case CaseEvent::transfer:
      if (active) return S::transferred;
      return std::nullopt;
    case CaseEvent::reassign:
      if (active || from == S::closure_requested) return from;
      return std::nullopt;
    case CaseEvent::reopen:
      if (from == S::closed || from == S::transferred) return S::registered;
      return std::nullopt;
  }
  return std::nullopt;
}

// What to do instead, for the refusals people will meet most.
std::optional<Message> advice(CaseStatus from, CaseEvent event) {
  using S = CaseStatus;
  switch (event) {
    case CaseEvent::assess:
    case CaseEvent::plan:
    case CaseEvent::refer:
    case CaseEvent::follow_up:
      if (from == S::identified) return Message("case.advice.register_first");
      if (from == S::registered && event != CaseEvent::assess) return Message("case.advice.assess_first");
      if (from == S::assessed && event != CaseEvent::plan) return Message("case.advice.plan_first");
      if (from == S::closure_requested) return Message("case.advice.awaiting_officer");
      if (from == S::closed || from == S::transferred) return Message("case.advice.reopen_first");
      return std::nullopt;
    case CaseEvent::approve_closure:
    case CaseEvent::reject_closure:
      return Message("case.advice.no_closure_requested");
    default:
      return std::nullopt;
  }
}

Message verb_phrase(CaseEvent event) {
  switch (event) {
    case CaseEvent::reg: return Message("case.verb.register");
    case CaseEvent::assess: return Message("case.verb.assess");
    case CaseEvent::plan: return Message("case.verb.plan");
    case CaseEvent::refer: return Message("case.verb.refer");
    case CaseEvent::follow_up: return Message("case.verb.follow_up");
    case CaseEvent::request_closure: return Message("case.verb.request_closure");
    case CaseEvent::approve_closure: return Message("case.verb.approve_closure");
    case CaseEvent::reject_closure: return Message("case.verb.reject_closure");
    case CaseEvent::transfer: return Message("case.verb.transfer");
    case CaseEvent::reassign: return Message("case.verb.reassign");
    case CaseEvent::reopen: return Message("case.verb.reopen");
  }
  return Message("case.verb.register");
}

}  // namespace

std::string_view status_name(CaseStatus status) {
  switch (status) {
    case CaseStatus::identified: return "identified";
    case CaseStatus::registered: return "registered";
    case CaseStatus::assessed: return "assessed";
    case CaseStatus::planned: return "planned";
    case CaseStatus::in_progress: return "in_progress";
    case CaseStatus::closure_requested: return "closure_requested";
    case CaseStatus::closed: return "closed";
    case CaseStatus::transferred: return "transferred";
  }
  return "identified";
}

Result<CaseStatus> parse_status(std::string_view name) {
  for (CaseStatus status : kCaseStatuses) {
    if (status_name(status) == name) return status;
  }
  return invalid_argument(Message("case.unknown_status", {{"status", std::string(name)}}));
}

std::string_view event_name(CaseEvent event) {
  switch (event) {
    case CaseEvent::reg: return "register";
    case CaseEvent::assess: return "assess";
    case CaseEvent::plan: return "plan";
    case CaseEvent::refer: return "refer";
    case CaseEvent::follow_up: return "follow-up";
    case CaseEvent::request_closure: return "request closure";
    case CaseEvent::approve_closure: return "approve closure";
    case CaseEvent::reject_closure: return "reject closure";
    case CaseEvent::transfer: return "transfer";
    case CaseEvent::reassign: return "reassign";
    case CaseEvent::reopen: return "reopen";
  }
  return "";
}

Message status_label(CaseStatus status) {
  switch (status) {
    case CaseStatus::identified: return Message("case.status.identified");
    case CaseStatus::registered: return Message("case.status.registered");
    case CaseStatus::assessed: return Message("case.status.assessed");
    case CaseStatus::planned: return Message("case.status.planned");
    case CaseStatus::in_progress: return Message("case.status.in_progress");
    case CaseStatus::closure_requested: return Message("case.status.closure_requested");
    case CaseStatus::closed: return Message("case.status.closed");
    case CaseStatus::transferred: return Message("case.status.transferred");
  }
  return Message("case.status.identified");
}

Message event_label(CaseEvent event) {
  switch (event) {
    case CaseEvent::reg: return Message("case.event.register");
    case CaseEvent::assess: return Message("case.event.assess");
    case CaseEvent::plan: return Message("case.event.plan");
    case CaseEvent::refer: return Message("case.event.refer");
    case CaseEvent::follow_up: return Message("case.event.follow_up");
    case CaseEvent::request_closure: return Message("case.event.request_closure");
    case CaseEvent::approve_closure: return Message("case.event.approve_closure");
    case CaseEvent::reject_closure: return Message("case.event.reject_closure");
    case CaseEvent::transfer: return Message("case.event.transfer");
    case CaseEvent::reassign: return Message("case.event.reassign");
    case CaseEvent::reopen: return Message("case.event.reopen");
  }
  return Message("case.event.register");
}

bool is_open(CaseStatus status) { return status != CaseStatus::closed && status != CaseStatus::transferred; }

std::vector<CaseEvent> allowed_events(CaseStatus status) {
  std::vector<CaseEvent> allowed;
  for (CaseEvent event : kEvents) {
    // A rejection needs to know where to return to; any open status will do to ask.
    if (next(status, event, CaseStatus::in_progress)) allowed.push_back(event);
  }
  return allowed;
}

Result<CaseStatus> apply(CaseStatus status, CaseEvent event, std::optional<CaseStatus> before_closure) {
  if (auto after = next(status, event, before_closure)) return *after;
  std::vector<LocalizedText> steps;
  for (CaseEvent allowed : allowed_events(status)) steps.push_back(event_label(allowed).localized());
  const auto why = advice(status, event);
  return invalid_argument(Message(
      "case.refused_step", {{"verb", verb_phrase(event)},
                            {"status", status_label(status)},
                            {"advice", why ? why->localized() : LocalizedText{}},
                            {"steps", steps.empty() ? Message("case.no_steps").localized() : join_list(steps)}}));
}

namespace {

bool referral_step_allowed(ReferralStatus from, ReferralStatus to) {
  using R = ReferralStatus;
  switch (from) {
    case R::pending: return to == R::accepted || to == R::declined || to == R::no_response;
    case R::accepted: return to == R::service_provided || to == R::declined;
    default: return false;  // the outcome is final
  }
}
}  // namespace

std::string_view referral_status_name(ReferralStatus status) {
  switch (status) {
    case ReferralStatus::pending: return "pending";
    case ReferralStatus::accepted: return "accepted";
    case ReferralStatus::service_provided: return "service_provided";
    case ReferralStatus::declined: return "declined";
    case ReferralStatus::no_response: return "no_response";
  }
  return "pending";
}

Message referral_status_label(ReferralStatus status) {
  switch (status) {
    case ReferralStatus::pending: return Message("referral.status.pending");
    case ReferralStatus::accepted: return Message("referral.status.accepted");
    case ReferralStatus::service_provided: return Message("referral.status.service_provided");
    case ReferralStatus::declined: return Message("referral.status.declined");
    case ReferralStatus::no_response: return Message("referral.status.no_response");
  }
  return Message("referral.status.pending");
}

Result<ReferralStatus> parse_referral_status(std::string_view name) {
  for (ReferralStatus status : kReferralStatuses) {
    if (referral_status_name(status) == name) return status;
  }
  return invalid_argument(Message("referral.unknown_status", {{"status", std::string(name)}}));
}

Result<ReferralStatus> update_referral(ReferralStatus from, ReferralStatus to) {
  if (referral_step_allowed(from, to)) return to;
  std::vector<LocalizedText> allowed;
  for (ReferralStatus candidate : kReferralStatuses) {
    if (referral_step_allowed(from, candidate)) allowed.push_back(referral_status_label(candidate).localized());
  }
  if (allowed.empty()) {
    return invalid_argument(
        Message("referral.final", {{"from", referral_status_label(from)}, {"to", referral_status_label(to)}}));
  }
  return invalid_argument(Message("referral.refused_update", {{"from", referral_status_label(from)},
                                                              {"to", referral_status_label(to)},
                                                              {"allowed", join_list(allowed)}}));
}

Status check_referral_consent(const Consent& consent, bool shares_identifying_data) {
  if (!consent.referral) {
    return invalid_argument(Message("referral.no_consent"));
  }
  if (shares_identifying_data && !consent.information_sharing) {
    return invalid_argument(Message("referral.no_sharing_consent"));
  }
  return Status();
}

}  // namespace amana::cases

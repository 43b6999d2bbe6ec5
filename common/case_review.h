// The weekly case review: which open cases need a supervisor's attention, computed the
// same way on a device and on the server from what each holds.
#pragma once

#include <string>
#include <vector>

#include "common/case_lifecycle.h"

namespace amana::cases {

struct ReferralFacts {
  std::string id;
  std::string date;          // YYYY-MM-DD
  std::string status;        // referral_status_name, "pending" when never updated
  int expected_days = 7;
};

struct CaseFacts {
  std::string id;
  std::string name;
  CaseStatus status = CaseStatus::identified;
  std::string risk_level;    // low, medium, high, critical, or empty
  std::string opened_date;   // YYYY-MM-DD
  std::string next_due;      // the latest follow-up's next due date, else the plan's; may be empty
  bool has_plan = false;
  std::vector<ReferralFacts> referrals;
  int conflicts = 0;         // concurrent edits awaiting an officer (known on the server)
  // The status as stored when it is none the lifecycle knows (a damaged store): `status`
  // then means nothing, and the review says so instead of failing.
  std::string unknown_status;
  std::string closure_reason;  // the reason given when closure was requested
  std::string unheld;          // on the server: why the assigned case worker cannot hold it, or ""
};

struct ReviewOptions {
  std::string today;         // YYYY-MM-DD
  int open_days_limit = 90;  // cases open longer than this are listed
};

struct Finding {
  std::string case_id;
  std::string name;
  std::string what;          // one line, e.g. "follow-up overdue since 2026-11-10"
};

// In case order, the findings of each open case: a closure awaiting an officer's
// decision, a case no case worker can hold, an overdue follow-up, high or critical risk
// without a plan, a referral without response past its expected days, open longer than
// the limit, conflicts awaiting review; and any case whose stored status is unknown.
std::vector<Finding> review_cases(const std::vector<CaseFacts>& cases, const ReviewOptions& options);

// Days from `from` to `to` (YYYY-MM-DD each); 0 when either is not a date.
int days_between(std::string_view from, std::string_view to);

}  // namespace amana::cases

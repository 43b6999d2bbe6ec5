#include "common/case_review.h"

#include <doctest/doctest.h>

namespace amana::cases {

TEST_CASE("review: overdue follow-ups, risky cases without a plan, silent referrals, old cases, conflicts") {
  CHECK(days_between("2026-02-27", "2026-03-01") == 2);
  CHECK(days_between("2024-02-27", "2024-03-01") == 3);  // leap year
  CHECK(days_between("bad", "2026-03-01") == 0);

  std::vector<CaseFacts> cases(4);
  cases[0] = {"c1", "Amira", CaseStatus::in_progress, "medium", "2026-11-01", "2026-11-10", true,
              {{"r-00000001", "2026-11-05", "pending", 7}, {"r-00000002", "2026-11-20", "pending", 7},
               {"r-00000003", "2026-11-01", "accepted", 7}},
              0, "", "", ""};
  cases[1] = {"c2", "Hawa", CaseStatus::assessed, "critical", "2026-11-20", "", false, {}, 2, "", "", ""};
  cases[2] = {"c3", "Old", CaseStatus::planned, "low", "2026-05-01", "2026-12-01", true, {}, 0, "", "", ""};
  cases[3] = {"c4", "Closed", CaseStatus::closed, "critical", "2026-01-01", "2026-01-02", false, {}, 5, "", "", ""};
  const auto findings = review_cases(cases, {"2026-11-23", 90});
  REQUIRE(findings.size() == 5);
  CHECK(findings[0].what == "follow-up overdue since 2026-11-10");
  CHECK(findings[1].what == "referral 00000001 without response for 18 days (expected within 7)");
  CHECK(findings[2].what == "risk is critical and there is no case plan");
  CHECK(findings[3].what == "2 conflicting edits await an officer");
  CHECK(findings[4].what == "open for 206 days");
  CHECK(findings[4].case_id == "c3");
}

TEST_CASE("review: a closure awaiting approval, a case nobody can hold and an unknown status are listed") {
  std::vector<CaseFacts> cases(3);
  cases[0].id = "awaiting";
  cases[0].status = CaseStatus::closure_requested;
  cases[0].closure_reason = "goals_met";
  cases[0].opened_date = "2026-11-20";
  cases[1].id = "unheld";
  cases[1].status = CaseStatus::registered;
  cases[1].opened_date = "2026-11-20";
  cases[1].unheld = "assigned to mona, whose role (meal) cannot hold cases";
  cases[2].id = "damaged";
  cases[2].unknown_status = "asessed";  // status means nothing then, however it reads
  cases[2].status = CaseStatus::closed;
  const auto findings = review_cases(cases, {"2026-11-23", 90});
  REQUIRE(findings.size() == 3);
  CHECK(findings[0].what == "closure requested (goals_met): awaiting an officer's approval");
  CHECK(findings[1].what == "no case worker can hold it: assigned to mona, whose role (meal) cannot hold cases");
  CHECK(findings[2].what == "status 'asessed' is not a known status: the office corrects it (sync-server cases resolve)");
}

}  // namespace amana::cases

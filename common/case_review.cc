#include "common/case_review.h"

#include <charconv>

namespace amana::cases {
namespace {

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
long days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

bool parse_date(std::string_view text, long& days) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  if (std::from_chars(text.data(), text.data() + 4, y).ec != std::errc() ||
      std::from_chars(text.data() + 5, text.data() + 7, m).ec != std::errc() ||
      std::from_chars(text.data() + 8, text.data() + 10, d).ec != std::errc()) {
    return false;
  }
  days = days_from_civil(y, m, d);
  return true;
}

}  // namespace

int days_between(std::string_view from, std::string_view to) {
  long a = 0;
  long b = 0;
  if (!parse_date(from, a) || !parse_date(to, b)) return 0;
  return static_cast<int>(b - a);
}

std::vector<Finding> review_cases(const std::vector<CaseFacts>& cases, const ReviewOptions& options) {
  std::vector<Finding> findings;
  for (const CaseFacts& c : cases) {
    auto add = [&](std::string what) { findings.push_back({c.id, c.name, std::move(what)}); };
    if (!c.unknown_status.empty()) {
      add("status '" + c.unknown_status + "' is not a known status: the office corrects it (sync-server cases resolve)");
      continue;
    }
    if (!is_open(c.status)) continue;
    if (c.status == CaseStatus::closure_requested) {
      add("closure requested" + (c.closure_reason.empty() ? std::string() : " (" + c.closure_reason + ")") +
          ": awaiting an officer's approval");
    }
    if (!c.unheld.empty()) add("no case worker can hold it: " + c.unheld);
    if (!c.next_due.empty() && days_between(c.next_due, options.today) > 0) {
      add("follow-up overdue since " + c.next_due);
    }
    if ((c.risk_level == "high" || c.risk_level == "critical") && !c.has_plan) {
      add("risk is " + c.risk_level + " and there is no case plan");
    }
    for (const ReferralFacts& r : c.referrals) {
      const int waited = days_between(r.date, options.today);
      if (r.status == "pending" && waited > r.expected_days) {
        add("referral " + r.id.substr(r.id.size() > 8 ? r.id.size() - 8 : 0) + " without response for " +
            std::to_string(waited) + " days (expected within " + std::to_string(r.expected_days) + ")");
      }
    }
    const int open_days = days_between(c.opened_date, options.today);
    if (open_days > options.open_days_limit) add("open for " + std::to_string(open_days) + " days");
    if (c.conflicts > 0) add(std::to_string(c.conflicts) + " conflicting edits await an officer");
  }
  return findings;
}

}  // namespace amana::cases

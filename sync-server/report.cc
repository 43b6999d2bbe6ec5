// The report from the counts the store keeps at merge time (report_counts.h): a few
// hundred rows read, whatever the number of records. A --location filter needs each
// record's place, which the counts do not keep: that report reads every record
// (report_scan.cc).
#include "sync-server/report.h"

#include <cstdlib>

#include "sync-server/report_internal.h"

namespace amana::server {

using namespace report_detail;

Result<Report> build_report(CentralStore& store, const ReportOptions& options) {
  if (!valid_period(options.period)) {
    return invalid_argument("--period '" + options.period + "': give a month as YYYY-MM, e.g. 2026-10");
  }
  if (!options.location.empty()) return build_report_by_scan(store, options);
  AMANA_ASSIGN_OR_RETURN(forms::FormPack pack, forms::FormPack::builtin());
  const Labels labels(pack, options.language);
  const std::vector<std::string> periods = last_periods(options.period, 6);
  AMANA_ASSIGN_OR_RETURN(const ReportCounts counts, store.report_counts(periods));
  Report r;
  r.period = options.period;
  r.language = options.language;
  r.narrative = options.narrative;
  const std::string& p = options.period;
  auto count = [&](const std::string& period, std::string_view form, std::string_view breakdown) -> long {
    auto found = counts.find(CountKey{period, std::string(form), std::string(breakdown), {}});
    return found == counts.end() ? 0 : static_cast<long>(found->second);
  };
  // Every key of one breakdown, with its count.
  auto each = [&](const std::string& period, std::string_view form, std::string_view breakdown, auto&& use) {
    for (auto at = counts.lower_bound(CountKey{period, std::string(form), std::string(breakdown), {}});
         at != counts.end() && at->first.period == period && at->first.form == form && at->first.breakdown == breakdown;
         ++at) {
      use(at->first.key, static_cast<long>(at->second));
    }
  };
  auto by_choice = [&](Counts& into, const forms::Field* field, const std::string& period, std::string_view form,
                       std::string_view breakdown) {
    each(period, form, breakdown, [&](const std::string& code, long n) { into[labels.choice(field, code)] += n; });
  };
  auto by_area = [&](Counts& into, const std::string& period, std::string_view form, std::string_view breakdown) {
    each(period, form, breakdown, [&](const std::string& area, long n) { into[labels.area_label(area)] += n; });
  };
  auto histogram = [&](std::map<int, long>& into, std::string_view form, std::string_view breakdown) {
    each(p, form, breakdown, [&](const std::string& days, long n) { into[std::atoi(days.c_str())] += n; });
  };

  constexpr std::string_view ident = "outreach-identification";
  r.identifications = count(p, ident, "total");
  by_choice(r.identified_by, labels.field(ident, "identified_by"), p, ident, "identified_by");
  by_choice(r.identified_sex, labels.field(ident, "sex"), p, ident, "sex");
  each(p, ident, "age_group", [&](const std::string& group, long n) {
    r.identified_age_group[group.empty() ? text("report.unknown", r.language) : group] += n;
  });
  by_choice(r.identified_displacement, labels.field(ident, "displacement_status"), p, ident, "displacement");
  by_area(r.identified_site, p, ident, "site");
  by_choice(r.specific_needs, labels.field(ident, "specific_needs"), p, ident, "specific_need");

  r.cases_active = count("", kCaseFormId, "active");
  r.cases_transferred = count("", kCaseFormId, "transferred");
  r.cases_with_risk = count("", kCaseFormId, "with_risk");
  by_choice(r.risk_levels, labels.case_field("risk_level"), "", kCaseFormId, "risk_level");
  r.cases_opened = count(p, kCaseFormId, "opened");
  by_choice(r.opened_displacement, labels.case_field("displacement_status"), p, kCaseFormId, "opened_displacement");
  by_area(r.opened_site, p, kCaseFormId, "opened_site");

  std::map<int, long> service_days, closure_days;
  r.cases_closed = count(p, "case-closure", "closed");
  by_choice(r.cases_closed_by_reason, labels.field("case-closure", "reason"), p, "case-closure", "reason");
  histogram(closure_days, "case-closure", "closure_days");

  r.referrals = count(p, "referral", "total");
  r.referrals_accepted = count(p, "referral", "accepted");
  r.referrals_completed = count(p, "referral", "completed");
  by_choice(r.referrals_by_service, labels.field("referral", "service_type"), p, "referral", "service");
  histogram(service_days, "referral", "service_days");

  r.followups_done = count(p, "follow-up", "done");
  r.followups_due = count(p, "follow-up", "due");

  r.pdm_surveys = count(p, "pdm-survey", "surveys");
  r.pdm_safety_problems = count(p, "pdm-survey", "safety");
  if (const long answered = count(p, "pdm-survey", "satisfaction_count"); answered > 0) {
    r.pdm_mean_satisfaction =
        static_cast<double>(count(p, "pdm-survey", "satisfaction_sum")) / static_cast<double>(answered);
  }

  constexpr std::string_view assessment = "rapid-protection-assessment";
  const forms::Field* risks = labels.field(assessment, "main_risks");
  each(p, assessment, "risk", [&](const std::string& key, long n) {
    const std::size_t cut = key.find('\n');  // the area, a line break, the risk's code
    r.assessment_risks_by_location[labels.area_label(key.substr(0, cut))][labels.choice(risks, key.substr(cut + 1))] += n;
  });

  r.median_days_to_service = median(service_days);
  r.median_days_to_closure = median(closure_days);
  for (const std::string& period : periods) {
    r.identifications_trend.emplace_back(period, count(period, ident, "total"));
    r.cases_trend.emplace_back(period, count(period, kCaseFormId, "opened"));
  }
  return r;
}

}  // namespace amana::server

// The report by reading every record (report.h build_report_by_scan): one streaming pass,
// for what the counts kept at merge time cannot answer (a --location filter).
#include <sstream>

#include "common/case_lifecycle.h"
#include "common/case_review.h"
#include "common/person_match.h"
#include "sync-server/report.h"
#include "sync-server/report_internal.h"

namespace amana::server {

using namespace report_detail;

Result<Report> build_report_by_scan(CentralStore& store, const ReportOptions& options) {
  if (!valid_period(options.period)) {
    return invalid_argument("--period '" + options.period + "': give a month as YYYY-MM, e.g. 2026-10");
  }
  AMANA_ASSIGN_OR_RETURN(forms::FormPack pack, forms::FormPack::builtin());
  const Labels labels(pack, options.language);
  Report r;
  r.period = options.period;
  r.location = options.location;
  r.language = options.language;
  r.narrative = options.narrative;
  const std::string wanted_place = cases::normalize_name(options.location);
  auto here = [&](const CentralRecord& record, std::string_view field) {
    return wanted_place.empty() || cases::normalize_name(value_of(record, field)).find(wanted_place) != std::string::npos;
  };
  auto month_of = [](const std::string& date) { return date.substr(0, 7); };
  const std::vector<std::string> periods = last_periods(options.period, 6);
  std::map<std::string, long> ident_trend, case_trend;
  std::map<int, long> service_days, closure_days;
  long satisfaction_sum = 0, satisfaction_count = 0;
  const forms::Field* site = labels.field("outreach-identification", "site");

  // The cases first: what places a step (the case's site, whether it is closed, when it
  // was opened) is kept per case, the rest counted and dropped.
  struct CaseFacts {
    bool here = false;
    bool closed = false;
    std::string opened;
  };
  std::map<RecordId, CaseFacts> facts;
  const forms::Field* displacement = labels.case_field("displacement_status");
  const forms::Field* risk = labels.case_field("risk_level");
  AMANA_RETURN_IF_ERROR(store.visit_records(kCaseFormId, [&](const CentralRecord& record) -> Status {
    const std::string opened = record_date(record, nullptr);
    const std::string status = value_of(record, "status");
    const bool case_here = here(record, "location");
    facts[record.id] = {case_here, status == "closed", opened};
    if (!case_here) return Status();
    ++case_trend[month_of(opened)];
    auto parsed = cases::parse_status(status);
    const bool open = parsed.ok() && cases::is_open(*parsed);
    if (open) ++r.cases_active;
    if (status == "transferred") ++r.cases_transferred;
    if (open && !value_of(record, "risk_level").empty()) {
      ++r.cases_with_risk;
      ++r.risk_levels[labels.choice(risk, value_of(record, "risk_level"))];
    }
    if (month_of(opened) == options.period) {
      ++r.cases_opened;
      ++r.opened_displacement[labels.choice(displacement, value_of(record, "displacement_status"))];
      ++r.opened_site[labels.area(site, value_of(record, "location"))];
    }
    return Status();
  }));
  auto case_of = [&](const CentralRecord& step) -> const CaseFacts* {
    if (!step.case_id) return nullptr;
    auto found = facts.find(*step.case_id);
    return found == facts.end() || !found->second.here ? nullptr : &found->second;
  };

  {
    const forms::FormDefinition* form = labels.form("outreach-identification");
    const forms::Field* identified_by = labels.field("outreach-identification", "identified_by");
    const forms::Field* sex = labels.field("outreach-identification", "sex");
    const forms::Field* needs = labels.field("outreach-identification", "specific_needs");
    const forms::Field* displaced = labels.field("outreach-identification", "displacement_status");
    AMANA_RETURN_IF_ERROR(store.visit_records("outreach-identification", [&](const CentralRecord& record) -> Status {
      if (!here(record, "site")) return Status();
      const std::string month = month_of(record_date(record, form));
      ++ident_trend[month];
      if (month != options.period) return Status();
      ++r.identifications;
      ++r.identified_by[labels.choice(identified_by, value_of(record, "identified_by"))];
      ++r.identified_sex[labels.choice(sex, value_of(record, "sex"))];
      const std::string age = value_of(record, "age");
      ++r.identified_age_group[age.empty() ? text("report.unknown", r.language) : age_group(age)];
      ++r.identified_displacement[labels.choice(displaced, value_of(record, "displacement_status"))];
      ++r.identified_site[labels.area(site, value_of(record, "site"))];
      std::istringstream chosen(value_of(record, "specific_needs"));
      for (std::string need; chosen >> need;) ++r.specific_needs[labels.choice(needs, need)];
      return Status();
    }));
  }
  {
    const forms::Field* reason = labels.field("case-closure", "reason");
    AMANA_RETURN_IF_ERROR(store.visit_records("case-closure", [&](const CentralRecord& record) -> Status {
      const CaseFacts* kase = case_of(record);
      const std::string date = value_of(record, "closure_date");
      if (kase == nullptr || !kase->closed || month_of(date) != options.period) return Status();
      ++r.cases_closed;
      ++r.cases_closed_by_reason[labels.choice(reason, value_of(record, "reason"))];
      ++closure_days[cases::days_between(kase->opened, date)];
      return Status();
    }));
  }
  {
    const forms::Field* service = labels.field("referral", "service_type");
    AMANA_RETURN_IF_ERROR(store.visit_records("referral", [&](const CentralRecord& record) -> Status {
      const std::string date = value_of(record, "referral_date");
      if (case_of(record) == nullptr || month_of(date) != options.period) return Status();
      ++r.referrals;
      ++r.referrals_by_service[labels.choice(service, value_of(record, "service_type"))];
      const std::string status = value_of(record, "status");
      if (status == "accepted" || status == "service_provided") ++r.referrals_accepted;
      if (status == "service_provided") {
        ++r.referrals_completed;
        ++service_days[cases::days_between(date, value_of(record, "status_date"))];
      }
      return Status();
    }));
  }
  AMANA_RETURN_IF_ERROR(store.visit_records("follow-up", [&](const CentralRecord& record) -> Status {
    if (case_of(record) == nullptr) return Status();
    if (month_of(value_of(record, "done_date")) == options.period) ++r.followups_done;
    if (month_of(value_of(record, "due_date")) == options.period) ++r.followups_due;
    return Status();
  }));
  {
    const forms::FormDefinition* form = labels.form("pdm-survey");
    AMANA_RETURN_IF_ERROR(store.visit_records("pdm-survey", [&](const CentralRecord& record) -> Status {
      if (!here(record, "site") || value_of(record, "consent") != "true" ||
          month_of(record_date(record, form)) != options.period) {
        return Status();
      }
      ++r.pdm_surveys;
      if (value_of(record, "safety_problem") == "true") ++r.pdm_safety_problems;
      if (auto s = value_of(record, "satisfaction"); !s.empty()) {
        satisfaction_sum += std::atoi(s.c_str());
        ++satisfaction_count;
      }
      return Status();
    }));
  }
  {
    const forms::FormDefinition* form = labels.form("rapid-protection-assessment");
    const forms::Field* location = labels.field("rapid-protection-assessment", "location");
    const forms::Field* risks = labels.field("rapid-protection-assessment", "main_risks");
    AMANA_RETURN_IF_ERROR(store.visit_records("rapid-protection-assessment", [&](const CentralRecord& record) -> Status {
      if (!here(record, "location") || month_of(record_date(record, form)) != options.period) return Status();
      Counts& at = r.assessment_risks_by_location[labels.area(location, value_of(record, "location"))];
      std::istringstream chosen(value_of(record, "main_risks"));
      for (std::string one; chosen >> one;) ++at[labels.choice(risks, one)];
      return Status();
    }));
  }
  r.median_days_to_service = median(service_days);
  r.median_days_to_closure = median(closure_days);
  if (satisfaction_count > 0) {
    r.pdm_mean_satisfaction = static_cast<double>(satisfaction_sum) / static_cast<double>(satisfaction_count);
  }
  for (const std::string& p : periods) {
    r.identifications_trend.emplace_back(p, ident_trend[p]);
    r.cases_trend.emplace_back(p, case_trend[p]);
  }
  return r;
}

}  // namespace amana::server

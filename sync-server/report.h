// The periodic protection report for officers and the MEAL team: case progress and
// protection trends for one month, from the central store, as Markdown or as one
// self-contained HTML file (inline SVG charts, English and Arabic labels) that reads
// offline and prints.
//
// Small-cell suppression: any count from 1 to 4 is shown as "<5", in tables, charts and
// the rates built on them, so that no small group of people can be singled out. (Zero
// reveals no one and is shown as 0.)
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "sync-server/central_store.h"

namespace amana::server {

struct ReportOptions {
  std::string period;    // YYYY-MM
  std::string location;  // optional: only records whose site/location matches (normalised)
};

// A named breakdown: label -> count.
using Counts = std::map<std::string, long>;

struct Report {
  std::string period;
  std::string location;
  // Identifications
  long identifications = 0;
  Counts identified_by, identified_sex, identified_age_group, specific_needs;
  // Cases
  long cases_opened = 0, cases_active = 0, cases_transferred = 0;
  Counts cases_closed_by_reason, risk_levels;
  // Referrals
  long referrals = 0, referrals_accepted = 0, referrals_completed = 0;
  Counts referrals_by_service;
  double median_days_to_service = -1;  // -1: none completed
  // Follow-ups
  long followups_done = 0, followups_due = 0;
  double median_days_to_closure = -1;
  // PDM and assessments
  long pdm_surveys = 0, pdm_safety_problems = 0;
  double pdm_mean_satisfaction = -1;
  std::map<std::string, Counts> assessment_risks_by_location;
  // Trends: the last 6 periods, oldest first
  std::vector<std::pair<std::string, long>> identifications_trend, cases_trend;
};

// invalid_argument for a period that is not YYYY-MM.
Result<Report> build_report(CentralStore& store, const ReportOptions& options);

std::string suppressed(long count);  // "<5" for 1-4
std::string report_markdown(const Report& report);
std::string report_html(const Report& report);

}  // namespace amana::server

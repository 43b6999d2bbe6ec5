// The periodic protection report for officers and the MEAL team: case progress and
// protection trends for one month, from the central store, as Markdown or as one
// self-contained HTML file (inline SVG charts) that reads offline and prints, in English
// or Arabic (right to left).
//
// Answers are shown by their forms' choice labels in the report's language, each count
// beside its share of the section's whole. Records are counted by the date their form
// records (dataset.h record_date), not by the day a device saved them.
//
// Small-cell suppression: any count from 1 to 4 is shown as "<5", in tables, charts and
// the rates built on them, so that no small group of people can be singled out. (Zero
// reveals no one and is shown as 0.)
//
// Built from the counts the store keeps at merge time (CentralStore::report_counts,
// report_counts.h): a few hundred rows, whatever the number of records. A report for one
// location needs each record's place, which the counts do not keep: it is built in one
// streaming pass over the store (CentralStore::visit_records), the cases first, keeping a
// few facts per case (about 80 bytes) to place each step, then each form's records, each
// counted and dropped. Memory grows with the number of cases, not with their records.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "common/message.h"
#include "common/status.h"
#include "sync-server/central_store.h"

namespace amana::server {

// The narrative an officer writes for the period: a short text, bounded.
inline constexpr std::size_t kMaxNarrativeBytes = 64 * 1024;

struct ReportOptions {
  std::string period;    // YYYY-MM
  std::string location;  // optional: only records whose site/location matches (normalised)
  Language language = Language::en;
  std::string narrative;  // shown as written (escaped), split into paragraphs at blank lines
};

// A named breakdown: label (in the report's language) -> count.
using Counts = std::map<std::string, long>;

struct Report {
  std::string period;
  std::string location;
  Language language = Language::en;
  std::string narrative;
  // Identifications
  long identifications = 0;
  Counts identified_by, identified_sex, identified_age_group, specific_needs, identified_displacement,
      identified_site;
  // Cases
  long cases_opened = 0, cases_active = 0, cases_transferred = 0, cases_closed = 0, cases_with_risk = 0;
  Counts cases_closed_by_reason, risk_levels, opened_displacement, opened_site;
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
// The same report by reading every record, whatever the options: what build_report does
// for a location, and what its tests compare the counts with.
Result<Report> build_report_by_scan(CentralStore& store, const ReportOptions& options);

std::string suppressed(long count);  // "<5" for 1-4
// "12 (40%)": a count and its share of `whole`; "<5" alone for a suppressed count.
std::string with_share(long count, long whole);
std::string report_markdown(const Report& report);
std::string report_html(const Report& report);

}  // namespace amana::server

#include "sync-server/report.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "common/case_review.h"
#include "common/hlc.h"
#include "common/person_match.h"

namespace amana::server {
namespace {

std::string value_of(const CentralRecord& record, std::string_view field) {
  auto found = record.values.find(field);
  return found == record.values.end() ? std::string() : found->second;
}

bool valid_period(const std::string& period) {
  return period.size() == 7 && period[4] == '-' && std::isdigit(static_cast<unsigned char>(period[0])) &&
         period.substr(5) >= "01" && period.substr(5) <= "12";
}

// The 6 periods ending with `period`, oldest first.
std::vector<std::string> last_periods(const std::string& period, int count) {
  int year = std::atoi(period.substr(0, 4).c_str());
  int month = std::atoi(period.substr(5, 2).c_str());
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d", year, month);
    out.insert(out.begin(), buffer);
    if (--month == 0) {
      month = 12;
      --year;
    }
  }
  return out;
}

double median(std::vector<int> values) {
  if (values.empty()) return -1;
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2.0;
}

std::string age_group(const std::string& age) {
  if (age.empty()) return "unknown";
  const int years = std::atoi(age.c_str());
  return years < 18 ? "0-17" : years < 60 ? "18-59" : "60+";
}

std::string escape_html(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string rate(long part, long whole) {
  if (whole == 0) return "-";
  if (part > 0 && part < 5) return "<5 of " + suppressed(whole);  // the rate would reveal the small count
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.0f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buffer;
}

std::string days(double value) {
  if (value < 0) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

struct Section {
  std::string title_en;
  std::string title_ar;
  std::vector<std::pair<std::string, std::string>> rows;  // label, value
};

std::vector<Section> sections(const Report& r) {
  std::vector<Section> out;
  auto breakdown = [](Section& section, const std::string& prefix, const Counts& counts) {
    for (const auto& [label, count] : counts) section.rows.emplace_back(prefix + label, suppressed(count));
  };
  Section identifications{"Identifications", "حالات التحديد", {{"total", suppressed(r.identifications)}}};
  breakdown(identifications, "identified by: ", r.identified_by);
  breakdown(identifications, "sex: ", r.identified_sex);
  breakdown(identifications, "age group: ", r.identified_age_group);
  breakdown(identifications, "specific need: ", r.specific_needs);
  out.push_back(std::move(identifications));

  Section cases{"Cases", "الحالات",
                {{"opened", suppressed(r.cases_opened)},
                 {"active", suppressed(r.cases_active)},
                 {"transferred", suppressed(r.cases_transferred)},
                 {"median days to closure", days(r.median_days_to_closure)}}};
  breakdown(cases, "closed: ", r.cases_closed_by_reason);
  breakdown(cases, "risk level: ", r.risk_levels);
  out.push_back(std::move(cases));

  Section referrals{"Referrals", "الإحالات",
                    {{"total", suppressed(r.referrals)},
                     {"accepted", rate(r.referrals_accepted, r.referrals)},
                     {"service provided", rate(r.referrals_completed, r.referrals)},
                     {"median days to service", days(r.median_days_to_service)}}};
  breakdown(referrals, "service: ", r.referrals_by_service);
  out.push_back(std::move(referrals));

  out.push_back({"Follow-ups", "المتابعات",
                 {{"done", suppressed(r.followups_done)}, {"due", suppressed(r.followups_due)}}});
  out.push_back({"Post-distribution monitoring", "رصد ما بعد التوزيع",
                 {{"surveys", suppressed(r.pdm_surveys)},
                  {"mean satisfaction (1-5)", r.pdm_surveys >= 5 ? days(r.pdm_mean_satisfaction) : "-"},
                  {"safety problems reported", rate(r.pdm_safety_problems, r.pdm_surveys)}}});
  Section assessments{"Rapid protection assessments: risks by location", "التقييمات السريعة: المخاطر حسب الموقع", {}};
  for (const auto& [location, risks] : r.assessment_risks_by_location) {
    for (const auto& [risk, count] : risks) assessments.rows.emplace_back(location + ": " + risk, suppressed(count));
  }
  out.push_back(std::move(assessments));
  return out;
}

// A trend as a line: each month a point, a suppressed count drawn hollow at the threshold.
std::string svg_line(const std::vector<std::pair<std::string, long>>& series, const std::string& title) {
  long top = 5;
  for (const auto& [label, value] : series) top = std::max(top, value);
  std::ostringstream svg, points, marks;
  const int width = 60 * static_cast<int>(series.size()) + 20;
  for (std::size_t i = 0; i < series.size(); ++i) {
    const auto& [label, value] = series[i];
    const bool hidden = value > 0 && value < 5;
    const int x = 40 + 60 * static_cast<int>(i);
    const int y = 130 - static_cast<int>(120.0 * static_cast<double>(hidden ? 5 : value) / static_cast<double>(top));
    points << (i == 0 ? "" : " ") << x << "," << y;
    marks << "<circle cx=\"" << x << "\" cy=\"" << y << "\" r=\"4\" fill=\"" << (hidden ? "#fff" : "#c05621")
          << "\" stroke=\"#c05621\"/><text x=\"" << x << "\" y=\"" << y - 8
          << "\" font-size=\"11\" text-anchor=\"middle\">" << suppressed(value) << "</text><text x=\"" << x
          << "\" y=\"150\" font-size=\"11\" text-anchor=\"middle\">" << label << "</text>";
  }
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"170\" role=\"img\" aria-label=\""
      << escape_html(title) << "\"><polyline fill=\"none\" stroke=\"#c05621\" stroke-width=\"2\" points=\""
      << points.str() << "\"/>" << marks.str() << "</svg>";
  return svg.str();
}

std::string svg_bars(const std::vector<std::pair<std::string, long>>& series, const std::string& title) {
  long top = 5;
  for (const auto& [label, value] : series) top = std::max(top, value);
  std::ostringstream svg;
  const int width = 60 * static_cast<int>(series.size()) + 20;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"170\" role=\"img\" aria-label=\""
      << escape_html(title) << "\">";
  for (std::size_t i = 0; i < series.size(); ++i) {
    const auto& [label, value] = series[i];
    // A suppressed count is drawn at the threshold, hatched, so the bar gives nothing away.
    const bool hidden = value > 0 && value < 5;
    const long shown = hidden ? 5 : value;
    const int height = static_cast<int>(120.0 * static_cast<double>(shown) / static_cast<double>(top));
    const int x = 20 + 60 * static_cast<int>(i);
    svg << "<rect x=\"" << x << "\" y=\"" << 130 - height << "\" width=\"40\" height=\"" << height << "\" fill=\""
        << (hidden ? "#bbb" : "#2b6cb0") << "\"/>"
        << "<text x=\"" << x + 20 << "\" y=\"" << 125 - height << "\" font-size=\"11\" text-anchor=\"middle\">"
        << suppressed(value) << "</text>"
        << "<text x=\"" << x + 20 << "\" y=\"150\" font-size=\"11\" text-anchor=\"middle\">" << label << "</text>";
  }
  svg << "</svg>";
  return svg.str();
}

}  // namespace

std::string suppressed(long count) { return count > 0 && count < 5 ? "<5" : std::to_string(count); }

Result<Report> build_report(CentralStore& store, const ReportOptions& options) {
  if (!valid_period(options.period)) {
    return invalid_argument("--period '" + options.period + "': give a month as YYYY-MM, e.g. 2026-10");
  }
  Report r;
  r.period = options.period;
  r.location = options.location;
  const std::string wanted_place = cases::normalize_name(options.location);
  auto here = [&](const CentralRecord& record, std::string_view field) {
    return wanted_place.empty() || cases::normalize_name(value_of(record, field)).find(wanted_place) != std::string::npos;
  };
  auto month_of = [](const std::string& date) { return date.substr(0, 7); };
  AMANA_ASSIGN_OR_RETURN(auto records, store.records(std::nullopt));
  std::map<std::string, const CentralRecord*> case_by_id;
  for (const CentralRecord& record : records) {
    if (record.form_id == "case") case_by_id[record.id.to_string()] = &record;
  }
  auto case_here = [&](const CentralRecord& step) {
    if (!step.case_id) return false;
    auto found = case_by_id.find(step.case_id->to_string());
    return found != case_by_id.end() && here(*found->second, "location");
  };
  const auto periods = last_periods(options.period, 6);
  std::map<std::string, long> ident_trend, case_trend;
  std::vector<int> service_days, closure_days, satisfaction;
  for (const CentralRecord& record : records) {
    const std::string created = local_date(record.created_at_ms);
    const bool in_period = month_of(created) == options.period;
    if (record.form_id == "outreach-identification" && here(record, "site")) {
      ++ident_trend[month_of(created)];
      if (!in_period) continue;
      ++r.identifications;
      ++r.identified_by[value_of(record, "identified_by")];
      ++r.identified_sex[value_of(record, "sex")];
      ++r.identified_age_group[age_group(value_of(record, "age"))];
      std::istringstream needs(value_of(record, "specific_needs"));
      for (std::string need; needs >> need;) ++r.specific_needs[need];
    } else if (record.form_id == "case" && here(record, "location")) {
      ++case_trend[month_of(created)];
      const std::string status = value_of(record, "status");
      auto parsed = cases::parse_status(status);
      if (parsed.ok() && cases::is_open(*parsed)) ++r.cases_active;
      if (status == "transferred") ++r.cases_transferred;
      if (!value_of(record, "risk_level").empty() && parsed.ok() && cases::is_open(*parsed)) {
        ++r.risk_levels[value_of(record, "risk_level")];
      }
      if (in_period) ++r.cases_opened;
    } else if (record.form_id == "case-closure" && case_here(record)) {
      const std::string date = value_of(record, "closure_date");
      auto kase = case_by_id.find(record.case_id->to_string());
      if (month_of(date) != options.period || value_of(*kase->second, "status") != "closed") continue;
      ++r.cases_closed_by_reason[value_of(record, "reason")];
      closure_days.push_back(cases::days_between(local_date(kase->second->created_at_ms), date));
    } else if (record.form_id == "referral" && case_here(record)) {
      const std::string date = value_of(record, "referral_date");
      if (month_of(date) != options.period) continue;
      ++r.referrals;
      ++r.referrals_by_service[value_of(record, "service_type")];
      const std::string status = value_of(record, "status");
      if (status == "accepted" || status == "service_provided") ++r.referrals_accepted;
      if (status == "service_provided") {
        ++r.referrals_completed;
        service_days.push_back(cases::days_between(date, value_of(record, "status_date")));
      }
    } else if (record.form_id == "follow-up" && case_here(record)) {
      if (month_of(value_of(record, "done_date")) == options.period) ++r.followups_done;
      if (month_of(value_of(record, "due_date")) == options.period) ++r.followups_due;
    } else if (record.form_id == "pdm-survey" && here(record, "site") && in_period &&
               value_of(record, "consent") == "true") {
      ++r.pdm_surveys;
      if (value_of(record, "safety_problem") == "true") ++r.pdm_safety_problems;
      if (auto s = value_of(record, "satisfaction"); !s.empty()) satisfaction.push_back(std::atoi(s.c_str()));
    } else if (record.form_id == "rapid-protection-assessment" && here(record, "location") && in_period) {
      std::istringstream risks(value_of(record, "main_risks"));
      for (std::string risk; risks >> risk;) ++r.assessment_risks_by_location[value_of(record, "location")][risk];
    }
  }
  r.median_days_to_service = median(service_days);
  r.median_days_to_closure = median(closure_days);
  if (!satisfaction.empty()) {
    long sum = 0;
    for (int s : satisfaction) sum += s;
    r.pdm_mean_satisfaction = static_cast<double>(sum) / static_cast<double>(satisfaction.size());
  }
  for (const std::string& p : periods) {
    r.identifications_trend.emplace_back(p, ident_trend[p]);
    r.cases_trend.emplace_back(p, case_trend[p]);
  }
  return r;
}

std::string report_markdown(const Report& r) {
  std::ostringstream out;
  out << "# Protection report " << r.period << (r.location.empty() ? "" : " — " + r.location) << "\n\n"
      << "Counts from 1 to 4 are shown as <5.\n";
  for (const Section& section : sections(r)) {
    out << "\n## " << section.title_en << " / " << section.title_ar << "\n\n| | |\n|---|---|\n";
    for (const auto& [label, value] : section.rows) out << "| " << label << " | " << value << " |\n";
  }
  out << "\n## Trends (last 6 months)\n\n| month | identifications | cases opened |\n|---|---|---|\n";
  for (std::size_t i = 0; i < r.identifications_trend.size(); ++i) {
    out << "| " << r.identifications_trend[i].first << " | " << suppressed(r.identifications_trend[i].second) << " | "
        << suppressed(r.cases_trend[i].second) << " |\n";
  }
  return out.str();
}

std::string report_html(const Report& r) {
  std::ostringstream out;
  out << "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Protection report " << r.period
      << "</title><style>body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse}"
         "td{border:1px solid #ccc;padding:.2em .6em}.ar{direction:rtl;unicode-bidi:embed;color:#555}"
         "@media print{section{break-inside:avoid}}</style></head><body>"
      << "<h1>Protection report " << r.period << (r.location.empty() ? "" : " — " + escape_html(r.location))
      << "</h1><p>Counts from 1 to 4 are shown as &lt;5.</p>";
  for (const Section& section : sections(r)) {
    out << "<section><h2>" << escape_html(section.title_en) << " <span class=\"ar\" dir=\"rtl\" lang=\"ar\">"
        << escape_html(section.title_ar) << "</span></h2><table>";
    for (const auto& [label, value] : section.rows) {
      out << "<tr><td>" << escape_html(label) << "</td><td>" << escape_html(value) << "</td></tr>";
    }
    out << "</table></section>";
  }
  out << "<section><h2>Trends <span class=\"ar\" dir=\"rtl\" lang=\"ar\">الاتجاهات</span></h2><h3>Identifications</h3>"
      << svg_bars(r.identifications_trend, "Identifications per month") << "<h3>Cases opened</h3>"
      << svg_line(r.cases_trend, "Cases opened per month") << "</section></body></html>\n";
  return out.str();
}

}  // namespace amana::server

#include "sync-server/report.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "common/case_review.h"
#include "common/form_pack.h"
#include "common/hlc.h"
#include "common/message_catalogue.h"
#include "common/person_match.h"
#include "sync-server/case_values.h"
#include "sync-server/dataset.h"

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

std::string percent(long part, long whole) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.0f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buffer;
}

std::string rate(long part, long whole, Language language) {
  if (whole == 0) return "-";
  if (part > 0 && part < 5) {  // the rate would reveal the small count
    return Message("report.of", {{"part", "<5"}, {"whole", suppressed(whole)}}).in(language);
  }
  return percent(part, whole);
}

std::string days(double value) {
  if (value < 0) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

struct Section {
  std::string title;
  std::string title_ar;  // beside the title in an English report
  std::vector<std::pair<std::string, std::string>> rows;  // label, value
};

std::string text(MessageKey key, Language language) { return Message(key).in(language); }

std::vector<Section> sections(const Report& r) {
  const Language l = r.language;
  auto section = [&](MessageKey key) { return Section{text(key, l), text(key, Language::ar), {}}; };
  std::vector<Section> out;
  auto breakdown = [&](Section& into, MessageKey prefix, const Counts& counts, long whole) {
    for (const auto& [label, count] : counts) into.rows.emplace_back(text(prefix, l) + ": " + label, with_share(count, whole));
  };
  auto row = [&](Section& into, MessageKey key, std::string value) { into.rows.emplace_back(text(key, l), std::move(value)); };
  Section identifications = section("report.section.identifications");
  row(identifications, "report.total", suppressed(r.identifications));
  breakdown(identifications, "report.identified_by", r.identified_by, r.identifications);
  breakdown(identifications, "report.sex", r.identified_sex, r.identifications);
  breakdown(identifications, "report.age_group", r.identified_age_group, r.identifications);
  breakdown(identifications, "report.displacement", r.identified_displacement, r.identifications);
  breakdown(identifications, "report.site", r.identified_site, r.identifications);
  breakdown(identifications, "report.specific_need", r.specific_needs, r.identifications);
  out.push_back(std::move(identifications));

  Section cases = section("report.section.cases");
  row(cases, "report.opened", suppressed(r.cases_opened));
  row(cases, "report.active", suppressed(r.cases_active));
  row(cases, "report.transferred", suppressed(r.cases_transferred));
  row(cases, "report.median_closure", days(r.median_days_to_closure));
  breakdown(cases, "report.opened_displacement", r.opened_displacement, r.cases_opened);
  breakdown(cases, "report.opened_site", r.opened_site, r.cases_opened);
  breakdown(cases, "report.closed", r.cases_closed_by_reason, r.cases_closed);
  breakdown(cases, "report.risk_level", r.risk_levels, r.cases_with_risk);
  out.push_back(std::move(cases));

  Section referrals = section("report.section.referrals");
  row(referrals, "report.total", suppressed(r.referrals));
  row(referrals, "report.accepted", rate(r.referrals_accepted, r.referrals, l));
  row(referrals, "report.service_provided", rate(r.referrals_completed, r.referrals, l));
  row(referrals, "report.median_service", days(r.median_days_to_service));
  breakdown(referrals, "report.service", r.referrals_by_service, r.referrals);
  out.push_back(std::move(referrals));

  Section followups = section("report.section.followups");
  row(followups, "report.done", suppressed(r.followups_done));
  row(followups, "report.due", suppressed(r.followups_due));
  out.push_back(std::move(followups));

  Section pdm = section("report.section.pdm");
  row(pdm, "report.surveys", suppressed(r.pdm_surveys));
  row(pdm, "report.satisfaction", r.pdm_surveys >= 5 ? days(r.pdm_mean_satisfaction) : "-");
  row(pdm, "report.safety", rate(r.pdm_safety_problems, r.pdm_surveys, l));
  out.push_back(std::move(pdm));

  Section assessments = section("report.section.assessments");
  for (const auto& [location, risks] : r.assessment_risks_by_location) {
    for (const auto& [risk, count] : risks) assessments.rows.emplace_back(location + ": " + risk, suppressed(count));
  }
  out.push_back(std::move(assessments));
  return out;
}

// The narrative's paragraphs: split at blank lines, each line's end trimmed.
std::vector<std::string> paragraphs(const std::string& narrative) {
  std::vector<std::string> out;
  std::istringstream lines(narrative);
  std::string current;
  for (std::string line; std::getline(lines, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    if (line.empty()) {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current += (current.empty() ? "" : "\n") + line;
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

// The charts leave room above the tallest mark for its value label, and below the
// baseline for the months: nothing is drawn outside the viewBox.
constexpr int kChartHeight = 180;
constexpr int kBaseline = 140;
constexpr int kPlotHeight = 105;  // the tallest mark's top is at 35, its label's baseline at 27
constexpr int kMonthLine = 160;

std::string svg_open(int width, const std::string& title) {
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << kChartHeight
      << "\" viewBox=\"0 0 " << width << " " << kChartHeight << "\" role=\"img\" aria-label=\"" << escape_html(title)
      << "\">";
  return svg.str();
}

int mark_height(long value, long top) {
  const bool hidden = value > 0 && value < 5;  // drawn at the threshold: the mark gives nothing away
  return static_cast<int>(kPlotHeight * static_cast<double>(hidden ? 5 : value) / static_cast<double>(top));
}

// A trend as a line: each month a point, a suppressed count drawn hollow at the threshold.
std::string svg_line(const std::vector<std::pair<std::string, long>>& series, const std::string& title) {
  long top = 5;
  for (const auto& [label, value] : series) top = std::max(top, value);
  std::ostringstream points, marks;
  const int width = 60 * static_cast<int>(series.size()) + 40;
  for (std::size_t i = 0; i < series.size(); ++i) {
    const auto& [label, value] = series[i];
    const bool hidden = value > 0 && value < 5;
    const int x = 40 + 60 * static_cast<int>(i);
    const int y = kBaseline - mark_height(value, top);
    points << (i == 0 ? "" : " ") << x << "," << y;
    marks << "<circle cx=\"" << x << "\" cy=\"" << y << "\" r=\"4\" fill=\"" << (hidden ? "#fff" : "#c05621")
          << "\" stroke=\"#c05621\"/><text x=\"" << x << "\" y=\"" << y - 8
          << "\" font-size=\"11\" text-anchor=\"middle\">" << suppressed(value) << "</text><text x=\"" << x
          << "\" y=\"" << kMonthLine << "\" font-size=\"11\" text-anchor=\"middle\">" << label << "</text>";
  }
  return svg_open(width, title) + "<polyline fill=\"none\" stroke=\"#c05621\" stroke-width=\"2\" points=\"" +
         points.str() + "\"/>" + marks.str() + "</svg>";
}

std::string svg_bars(const std::vector<std::pair<std::string, long>>& series, const std::string& title) {
  long top = 5;
  for (const auto& [label, value] : series) top = std::max(top, value);
  std::ostringstream svg;
  svg << svg_open(60 * static_cast<int>(series.size()) + 40, title);
  for (std::size_t i = 0; i < series.size(); ++i) {
    const auto& [label, value] = series[i];
    const bool hidden = value > 0 && value < 5;  // hatched grey at the threshold
    const int height = mark_height(value, top);
    const int x = 20 + 60 * static_cast<int>(i);
    svg << "<rect x=\"" << x << "\" y=\"" << kBaseline - height << "\" width=\"40\" height=\"" << height
        << "\" fill=\"" << (hidden ? "#bbb" : "#2b6cb0") << "\"/>"
        << "<text x=\"" << x + 20 << "\" y=\"" << kBaseline - height - 5 << "\" font-size=\"11\" text-anchor=\"middle\">"
        << suppressed(value) << "</text>"
        << "<text x=\"" << x + 20 << "\" y=\"" << kMonthLine << "\" font-size=\"11\" text-anchor=\"middle\">" << label
        << "</text>";
  }
  svg << "</svg>";
  return svg.str();
}

// A median from a histogram of days, which stays small whatever the number of records.
double median(const std::map<int, long>& histogram) {
  long n = 0;
  for (const auto& [value, count] : histogram) n += count;
  if (n == 0) return -1;
  auto at = [&](long k) {
    long seen = 0;
    for (const auto& [value, count] : histogram) {
      seen += count;
      if (k < seen) return value;
    }
    return histogram.rbegin()->first;
  };
  return (at((n - 1) / 2) + at(n / 2)) / 2.0;
}

// What the report shows for the answers it counts: the forms' own labels.
class Labels {
 public:
  Labels(const forms::FormPack& pack, Language language) : pack_(pack), language_(language) {}
  const forms::FormDefinition* form(std::string_view id) const {
    auto found = pack_.find(id);
    return found.ok() ? *found : nullptr;
  }
  const forms::Field* field(std::string_view form_id, std::string_view name) const {
    const forms::FormDefinition* f = form(form_id);
    return f == nullptr ? nullptr : f->find_field(name);
  }
  const forms::Field* case_field(std::string_view name) const {
    const CaseField* declared = find_case_field(name);
    return declared == nullptr ? nullptr : source_field(pack_, *declared);
  }
  std::string choice(const forms::Field* field, const std::string& code) const {
    if (code.empty()) return text("report.unknown", language_);
    const forms::Choice* choice = field == nullptr ? nullptr : field->find_choice(code);
    return choice == nullptr ? code : choice->label.in(language_);
  }
  // A free-text place as the area of `field`'s list it names: never the exact place.
  std::string area(const forms::Field* field, const std::string& place) const {
    if (place.empty()) return text("report.unknown", language_);
    const std::string named = field == nullptr ? "other" : area_of(place, field->areas);
    return named == "other" ? text("report.other_area", language_) : named;
  }

 private:
  const forms::FormPack& pack_;
  Language language_;
};

}  // namespace

std::string suppressed(long count) { return count > 0 && count < 5 ? "<5" : std::to_string(count); }

std::string with_share(long count, long whole) {
  if (count > 0 && count < 5) return "<5";
  if (count == 0 || whole <= 0) return std::to_string(count);
  return std::to_string(count) + " (" + percent(count, whole) + ")";
}

Result<Report> build_report(CentralStore& store, const ReportOptions& options) {
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

std::string report_markdown(const Report& r) {
  const Language l = r.language;
  const bool english = l == Language::en;
  std::ostringstream out;
  out << "# " << Message("report.title", {{"period", r.period}}).in(l) << (r.location.empty() ? "" : " — " + r.location)
      << "\n\n" << text("report.suppression", l) << "\n\n" << text("report.dating", l) << "\n";
  if (!r.narrative.empty()) {
    out << "\n## " << text("report.narrative", l) << "\n\n";
    // Escaped as HTML: Markdown passes HTML through to whatever renders it.
    for (const std::string& paragraph : paragraphs(r.narrative)) out << escape_html(paragraph) << "\n\n";
  }
  for (const Section& section : sections(r)) {
    out << "\n## " << section.title << (english ? " / " + section.title_ar : "") << "\n\n| | |\n|---|---|\n";
    for (const auto& [label, value] : section.rows) out << "| " << label << " | " << value << " |\n";
  }
  out << "\n## " << text("report.trend_heading", l) << "\n\n| " << text("report.month", l) << " | "
      << text("report.identifications", l) << " | " << text("report.cases_opened", l) << " |\n|---|---|---|\n";
  for (std::size_t i = 0; i < r.identifications_trend.size(); ++i) {
    out << "| " << r.identifications_trend[i].first << " | " << suppressed(r.identifications_trend[i].second) << " | "
        << suppressed(r.cases_trend[i].second) << " |\n";
  }
  return out.str();
}

std::string report_html(const Report& r) {
  const Language l = r.language;
  const bool english = l == Language::en;
  const std::string title = Message("report.title", {{"period", r.period}}).in(l);
  std::ostringstream out;
  out << "<!DOCTYPE html><html lang=\"" << language_code(l) << "\"" << (english ? "" : " dir=\"rtl\"")
      << "><head><meta charset=\"utf-8\"><title>" << escape_html(title)
      << "</title><style>body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse}"
         "td{border:1px solid #ccc;padding:.2em .6em}.ar{direction:rtl;unicode-bidi:embed;color:#555}"
         ".narrative{white-space:pre-line}@media print{section{break-inside:avoid}}</style></head><body>"
      << "<h1>" << escape_html(title) << (r.location.empty() ? "" : " — " + escape_html(r.location)) << "</h1><p>"
      << escape_html(text("report.suppression", l)) << "</p><p>" << escape_html(text("report.dating", l)) << "</p>";
  if (!r.narrative.empty()) {
    out << "<section><h2>" << escape_html(text("report.narrative", l)) << "</h2>";
    for (const std::string& paragraph : paragraphs(r.narrative)) {
      out << "<p class=\"narrative\" dir=\"auto\">" << escape_html(paragraph) << "</p>";
    }
    out << "</section>";
  }
  auto heading = [&](const std::string& title_in_language, const std::string& title_ar) {
    std::string h = "<h2>" + escape_html(title_in_language);
    if (english) h += " <span class=\"ar\" dir=\"rtl\" lang=\"ar\">" + escape_html(title_ar) + "</span>";
    return h + "</h2>";
  };
  for (const Section& section : sections(r)) {
    out << "<section>" << heading(section.title, section.title_ar) << "<table>";
    for (const auto& [label, value] : section.rows) {
      out << "<tr><td>" << escape_html(label) << "</td><td>" << escape_html(value) << "</td></tr>";
    }
    out << "</table></section>";
  }
  out << "<section>" << heading(text("report.section.trends", l), text("report.section.trends", Language::ar))
      << "<h3>" << escape_html(text("report.chart_identifications", l)) << "</h3>"
      << svg_bars(r.identifications_trend, text("report.chart_identifications", l)) << "<h3>"
      << escape_html(text("report.chart_cases", l)) << "</h3>" << svg_line(r.cases_trend, text("report.chart_cases", l))
      << "</section></body></html>\n";
  return out.str();
}

}  // namespace amana::server

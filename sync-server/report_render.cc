// The report as Markdown or as one self-contained HTML file (report.h).
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "common/message_catalogue.h"
#include "sync-server/report.h"
#include "sync-server/report_internal.h"

namespace amana::server {
namespace {

using report_detail::text;

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

}  // namespace

std::string suppressed(long count) { return count > 0 && count < 5 ? "<5" : std::to_string(count); }

std::string with_share(long count, long whole) {
  if (count > 0 && count < 5) return "<5";
  if (count == 0 || whole <= 0) return std::to_string(count);
  return std::to_string(count) + " (" + percent(count, whole) + ")";
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

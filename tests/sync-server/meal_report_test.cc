// The monthly report as an officer reads it (issue 18 items 13 and 14): counted by the
// date each form records, labels in the report's language, shares beside counts,
// breakdowns by displacement status and site, the officer's narrative, charts whose value
// labels stay inside the picture.
#include <doctest/doctest.h>

#include <cstdio>
#include <regex>

#include <nlohmann/json.hpp>

#include "common/form_pack.h"
#include "common/hlc.h"
#include "tests/support.h"

using namespace amana::testing;

namespace {

// The month before `month` (YYYY-MM).
std::string month_before(const std::string& month) {
  int year = std::stoi(month.substr(0, 4));
  int m = std::stoi(month.substr(5, 2)) - 1;
  if (m == 0) {
    m = 12;
    --year;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d", year, m);
  return buffer;
}

// The example identification, dated `date` instead of its own date, in a file of `dir`.
std::string identification_dated(const TempDir& dir, const std::string& date) {
  auto answers = nlohmann::json::parse(read_file(kExamples + "outreach-identification.answers.json"));
  answers["identification_date"] = date;
  const std::string path = (dir.path() / ("identification-" + date + ".json")).string();
  write_file(path, answers.dump());
  return path;
}

// The label of a choice in the built-in forms.
std::string label(const std::string& form, const std::string& field, const std::string& choice,
                  amana::Language language) {
  auto pack = amana::forms::FormPack::builtin();
  REQUIRE(pack.ok());
  const auto* definition = *pack->find(form);
  const auto* found = definition->find_field(field)->find_choice(choice);
  REQUIRE(found != nullptr);
  return found->label.in(language);
}

}  // namespace

TEST_CASE("report and export: a record counts by the date its form records, not the day the device saved it") {
  ServerUnderTest server;
  FieldDevice device("amina");
  enroll(server, device, "amina");
  // Identified on the 20th of last month, typed in today.
  const std::string this_month = amana::local_date(amana::system_wall_clock()()).substr(0, 7);
  const std::string last_month = month_before(this_month);
  TempDir dir;
  const std::string answers = identification_dated(dir, last_month + "-20");
  for (int i = 0; i < 6; ++i) REQUIRE(device.run({"collect", "outreach-identification", "--answers", answers}).exit_code == 0);
  REQUIRE(device.run({"sync"}).exit_code == 0);

  const std::string then = (dir.path() / "then.md").string();
  const std::string now = (dir.path() / "now.md").string();
  REQUIRE(server.admin({"report", "--period", last_month, "--format", "md", "--out", then}).exit_code == 0);
  REQUIRE(server.admin({"report", "--period", this_month, "--format", "md", "--out", now}).exit_code == 0);
  CHECK(contains(read_file(then), "## Identifications / حالات التحديد\n\n| | |\n|---|---|\n| total | 6 |"));
  CHECK(contains(read_file(now), "## Identifications / حالات التحديد\n\n| | |\n|---|---|\n| total | 0 |"));
  CHECK(contains(read_file(then), "not by the day a device saved it"));  // the report says how it counts

  const std::string in_period = (dir.path() / "in.csv").string();
  const auto found = server.admin({"export", "--form", "outreach-identification", "--from", last_month + "-01", "--to",
                                   last_month + "-28", "--out", in_period});
  REQUIRE_MESSAGE(found.exit_code == 0, found.err);
  CHECK(contains(found.out, "Wrote 6 rows"));
  const std::string saved_period = (dir.path() / "saved.csv").string();
  const auto none = server.admin({"export", "--form", "outreach-identification", "--from", this_month + "-01", "--to",
                                  this_month + "-31", "--out", saved_period});
  CHECK(contains(none.out, "Wrote 0 rows"));
}

TEST_CASE("report: labels in its language, shares beside counts, by displacement and site, the narrative escaped") {
  ServerUnderTest server;
  FieldDevice device("amina");
  enroll(server, device, "amina");
  for (int i = 0; i < 6; ++i) device.collect("outreach-identification");
  REQUIRE(device.run({"sync"}).exit_code == 0);
  const auto example = nlohmann::json::parse(read_file(kExamples + "outreach-identification.answers.json"));
  const std::string month = example["identification_date"].get<std::string>().substr(0, 7);
  using amana::Language;

  TempDir out;
  const std::string narrative = (out.path() / "narrative.txt").string();
  write_file(narrative, "Access to the camp was cut for a week.\n\n<script>alert(1)</script> & the road reopened.\n");
  const std::string md = (out.path() / "en.md").string();
  const auto written =
      server.admin({"report", "--period", month, "--format", "md", "--narrative", narrative, "--out", md});
  REQUIRE_MESSAGE(written.exit_code == 0, written.err);
  const std::string en = read_file(md);
  CAPTURE(en);
  const std::string by = label("outreach-identification", "identified_by", "outreach_volunteer", Language::en);
  CHECK(contains(en, "| identified by: " + by + " | 6 (100%) |"));
  CHECK(contains(en, "| sex: " + label("outreach-identification", "sex", "female", Language::en) + " | 6 (100%) |"));
  CHECK(contains(en, "| displacement status: " +
                         label("outreach-identification", "displacement_status", "idp", Language::en) + " | 6 (100%) |"));
  CHECK(contains(en, "| site: Um Dukhun | 6 (100%) |"));  // the area, never "block C"
  CHECK(contains(en, "| specific need: " + label("outreach-identification", "specific_needs", "WR", Language::en) +
                         " | 6 (100%) |"));
  CHECK(contains(en, "| age group: 18-59 | 6 (100%) |"));
  CHECK_FALSE(contains(en, "outreach_volunteer"));
  CHECK_FALSE(contains(en, "| specific need: WR |"));
  CHECK_FALSE(contains(en, "block C"));
  CHECK(contains(en, "## Narrative for the period\n\nAccess to the camp was cut for a week.\n\n"
                     "&lt;script&gt;alert(1)&lt;/script&gt; &amp; the road reopened."));

  const std::string ar_md = (out.path() / "ar.md").string();
  REQUIRE(server.admin({"report", "--period", month, "--format", "md", "--lang", "ar", "--out", ar_md}).exit_code == 0);
  const std::string ar = read_file(ar_md);
  CHECK(contains(ar, "# تقرير الحماية " + month));
  CHECK(contains(ar, "| الجنس: " + label("outreach-identification", "sex", "female", Language::ar) + " | 6 (100%) |"));
  CHECK(contains(ar, "| جهة التحديد: " + label("outreach-identification", "identified_by", "outreach_volunteer",
                                                Language::ar) + " | 6 (100%) |"));
  CHECK_FALSE(contains(ar, "identified by"));

  const std::string html = (out.path() / "ar.html").string();
  REQUIRE(server.admin({"report", "--period", month, "--lang", "ar", "--narrative", narrative, "--out", html}).exit_code == 0);
  const std::string page = read_file(html);
  CHECK(contains(page, "<html lang=\"ar\" dir=\"rtl\">"));
  CHECK(contains(page, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; the road reopened."));
  CHECK_FALSE(contains(page, "<script"));

  // Every label of every chart is drawn inside its picture: a text's top (its baseline less
  // the font size) at or below the top edge, its baseline above the bottom edge.
  const std::regex svg("<svg [^>]*viewBox=\"0 0 ([0-9]+) ([0-9]+)\"[^>]*>(.*?)</svg>");
  const std::regex text("<text x=\"([0-9-]+)\" y=\"([0-9-]+)\" font-size=\"([0-9]+)\"");
  int charts = 0, labels = 0;
  for (auto chart = std::sregex_iterator(page.begin(), page.end(), svg); chart != std::sregex_iterator(); ++chart) {
    ++charts;
    const int width = std::stoi((*chart)[1]), height = std::stoi((*chart)[2]);
    const std::string inside = (*chart)[3];
    for (auto t = std::sregex_iterator(inside.begin(), inside.end(), text); t != std::sregex_iterator(); ++t) {
      ++labels;
      const int x = std::stoi((*t)[1]), y = std::stoi((*t)[2]), size = std::stoi((*t)[3]);
      CHECK_MESSAGE(y - size >= 0, (*t)[0]);
      CHECK_MESSAGE(y <= height, (*t)[0]);
      CHECK_MESSAGE((x > 0 && x < width), (*t)[0]);
    }
  }
  CHECK(charts == 2);
  CHECK(labels == 24);  // 6 months, a value and a month each, in both charts
}

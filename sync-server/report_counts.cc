#include "sync-server/report_counts.h"

#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "common/case_lifecycle.h"
#include "common/case_review.h"
#include "common/form_pack.h"
#include "sync-server/case_values.h"
#include "sync-server/dataset.h"

namespace amana::server {
namespace {

std::string value_of(const CentralRecord& record, std::string_view field) {
  auto found = record.values.find(field);
  return found == record.values.end() ? std::string() : found->second;
}

std::string month_of(const std::string& date) { return date.substr(0, 7); }

// The report's forms, as the report labels them (the builtin pack, report.cc).
const forms::FormPack& pack() {
  static const forms::FormPack builtin = [] {
    auto loaded = forms::FormPack::builtin();
    if (!loaded.ok()) throw std::logic_error("the builtin forms do not load: " + loaded.status().message());
    return std::move(*loaded);
  }();
  return builtin;
}

const forms::FormDefinition* form(std::string_view id) {
  auto found = pack().find(id);
  return found.ok() ? *found : nullptr;
}

// A place as the area of `field`'s list it names, "" when empty.
std::string area(std::string_view form_id, std::string_view field_name, const std::string& place) {
  if (place.empty()) return std::string();
  const forms::FormDefinition* f = form(form_id);
  const forms::Field* field = f == nullptr ? nullptr : f->find_field(field_name);
  return field == nullptr ? "other" : area_of(place, field->areas);
}

std::string age_group(const std::string& age) {
  if (age.empty()) return std::string();
  const int years = std::atoi(age.c_str());
  return years < 18 ? "0-17" : years < 60 ? "18-59" : "60+";
}

class Adder {
 public:
  Adder(const CentralRecord& record, int sign, ReportCounts& into) : record_(record), sign_(sign), into_(into) {}
  // Dated counts need a date: a record without one is in no period.
  void add(const std::string& period, std::string_view breakdown, const std::string& key = {}, std::int64_t by = 1) {
    if (period.empty() && !current_) return;
    into_[CountKey{period, record_.form_id, std::string(breakdown), key}] += sign_ * by;
  }
  void add_each(const std::string& period, std::string_view breakdown, const std::string& codes,
                const std::string& prefix = {}) {
    std::istringstream chosen(codes);
    for (std::string code; chosen >> code;) add(period, breakdown, prefix + code);
  }
  void add_current(std::string_view breakdown, const std::string& key = {}) {
    current_ = true;
    add(std::string(), breakdown, key);
    current_ = false;
  }

 private:
  const CentralRecord& record_;
  const int sign_;
  ReportCounts& into_;
  bool current_ = false;
};

}  // namespace

bool is_counted_form(std::string_view form_id) {
  return form_id == kCaseFormId || form_id == "outreach-identification" || form_id == "pdm-survey" ||
         form_id == "rapid-protection-assessment" || counts_follow_case(form_id);
}

bool counts_follow_case(std::string_view form_id) {
  return form_id == "case-closure" || form_id == "referral" || form_id == "follow-up";
}

CaseCountFacts case_count_facts(const CentralRecord& kase) {
  return {value_of(kase, "status") == "closed", record_date(kase, nullptr)};
}

void add_record_counts(const CentralRecord& record, const std::optional<CaseCountFacts>& its_case, int sign,
                       ReportCounts& into) {
  Adder add(record, sign, into);
  const std::string& id = record.form_id;
  if (id == "outreach-identification") {
    const std::string month = month_of(record_date(record, form(id)));
    add.add(month, "total");
    add.add(month, "identified_by", value_of(record, "identified_by"));
    add.add(month, "sex", value_of(record, "sex"));
    add.add(month, "age_group", age_group(value_of(record, "age")));
    add.add(month, "displacement", value_of(record, "displacement_status"));
    add.add(month, "site", area(id, "site", value_of(record, "site")));
    add.add_each(month, "specific_need", value_of(record, "specific_needs"));
  } else if (id == kCaseFormId) {
    const std::string month = month_of(record_date(record, nullptr));
    add.add(month, "opened");
    add.add(month, "opened_displacement", value_of(record, "displacement_status"));
    add.add(month, "opened_site", area("outreach-identification", "site", value_of(record, "location")));
    const std::string status = value_of(record, "status");
    auto parsed = cases::parse_status(status);
    const bool open = parsed.ok() && cases::is_open(*parsed);
    if (open) add.add_current("active");
    if (status == "transferred") add.add_current("transferred");
    if (open && !value_of(record, "risk_level").empty()) {
      add.add_current("with_risk");
      add.add_current("risk_level", value_of(record, "risk_level"));
    }
  } else if (id == "case-closure") {
    if (!its_case || !its_case->closed) return;
    const std::string date = value_of(record, "closure_date");
    add.add(month_of(date), "closed");
    add.add(month_of(date), "reason", value_of(record, "reason"));
    add.add(month_of(date), "closure_days", std::to_string(cases::days_between(its_case->opened, date)));
  } else if (id == "referral") {
    if (!its_case) return;
    const std::string date = value_of(record, "referral_date");
    const std::string month = month_of(date);
    add.add(month, "total");
    add.add(month, "service", value_of(record, "service_type"));
    const std::string status = value_of(record, "status");
    if (status == "accepted" || status == "service_provided") add.add(month, "accepted");
    if (status == "service_provided") {
      add.add(month, "completed");
      add.add(month, "service_days", std::to_string(cases::days_between(date, value_of(record, "status_date"))));
    }
  } else if (id == "follow-up") {
    if (!its_case) return;
    add.add(month_of(value_of(record, "done_date")), "done");
    add.add(month_of(value_of(record, "due_date")), "due");
  } else if (id == "pdm-survey") {
    if (value_of(record, "consent") != "true") return;
    const std::string month = month_of(record_date(record, form(id)));
    add.add(month, "surveys");
    if (value_of(record, "safety_problem") == "true") add.add(month, "safety");
    if (const std::string s = value_of(record, "satisfaction"); !s.empty()) {
      add.add(month, "satisfaction_sum", {}, std::atoi(s.c_str()));
      add.add(month, "satisfaction_count");
    }
  } else if (id == "rapid-protection-assessment") {
    const std::string month = month_of(record_date(record, form(id)));
    // One key per location and risk: the area, a line break, the risk's code.
    add.add_each(month, "risk", value_of(record, "main_risks"),
                 area(id, "location", value_of(record, "location")) + "\n");
  }
}

}  // namespace amana::server

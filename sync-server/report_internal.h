// What the report's two ways of building (report.cc from the counts kept at merge time,
// report_scan.cc by reading every record) share: periods, labels, medians.
#pragma once

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "common/form_pack.h"
#include "common/message_catalogue.h"
#include "sync-server/case_values.h"
#include "sync-server/central_store.h"
#include "sync-server/dataset.h"

namespace amana::server::report_detail {

inline std::string value_of(const CentralRecord& record, std::string_view field) {
  auto found = record.values.find(field);
  return found == record.values.end() ? std::string() : found->second;
}

inline bool valid_period(const std::string& period) {
  return period.size() == 7 && period[4] == '-' && std::isdigit(static_cast<unsigned char>(period[0])) &&
         period.substr(5) >= "01" && period.substr(5) <= "12";
}

// The 6 periods ending with `period`, oldest first.
inline std::vector<std::string> last_periods(const std::string& period, int count) {
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

inline std::string age_group(const std::string& age) {
  if (age.empty()) return "unknown";
  const int years = std::atoi(age.c_str());
  return years < 18 ? "0-17" : years < 60 ? "18-59" : "60+";
}

inline std::string text(MessageKey key, Language language) { return Message(key).in(language); }

// A median from a histogram of days, which stays small whatever the number of records.
inline double median(const std::map<int, long>& histogram) {
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
    return area_label(place.empty() ? std::string() : field == nullptr ? "other" : area_of(place, field->areas));
  }
  // An area as area_of names it ("" for no place).
  std::string area_label(const std::string& named) const {
    if (named.empty()) return text("report.unknown", language_);
    return named == "other" ? text("report.other_area", language_) : named;
  }

 private:
  const forms::FormPack& pack_;
  Language language_;
};

}  // namespace amana::server::report_detail

#include "common/shown_dates.h"

#include "common/hlc.h"

namespace amana {
namespace {

constexpr std::string_view kMonthsEn[] = {"January", "February", "March",     "April",   "May",      "June",
                                          "July",    "August",   "September", "October", "November", "December"};
constexpr std::string_view kMonthsAr[] = {"يناير", "فبراير", "مارس",   "أبريل",  "مايو",   "يونيو",
                                          "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"};

bool digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

}  // namespace

std::string shown_date(std::string_view iso, Language language) {
  if (iso.size() < 10 || iso[4] != '-' || iso[7] != '-') return std::string(iso);
  const std::string_view year = iso.substr(0, 4), month = iso.substr(5, 2), day = iso.substr(8, 2);
  if (!digits(year) || !digits(month) || !digits(day)) return std::string(iso);
  const int m = (month[0] - '0') * 10 + (month[1] - '0');
  if (m < 1 || m > 12) return std::string(iso);
  std::string out(day[0] == '0' ? day.substr(1) : day);
  out += ' ';
  out += language == Language::ar ? kMonthsAr[m - 1] : kMonthsEn[m - 1];
  out += ' ';
  out += year;
  const std::string_view rest = iso.substr(10);
  if (rest.size() >= 6 && (rest[0] == 'T' || rest[0] == ' ') && rest[3] == ':' && digits(rest.substr(1, 2)) &&
      digits(rest.substr(4, 2))) {
    out += language == Language::ar ? "، " : ", ";
    out += rest.substr(1, 5);
  } else if (!rest.empty()) {
    return std::string(iso);
  }
  return out;
}

std::string shown_time(std::int64_t unix_ms, Language language) {
  return shown_date(format_local(unix_ms, "%Y-%m-%d %H:%M"), language);
}

}  // namespace amana

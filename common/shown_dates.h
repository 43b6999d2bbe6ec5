// Dates as people read them on the screens, the field client's and the office console's:
// day, month name, year ("15 January 2030"; in Arabic "15 يناير 2030", with the month names
// used in Sudan), never an ISO string.
// Digits stay 0-9 in both languages, as the forms store them and as ids and ages are shown.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/message.h"

namespace amana {

// A stored date ("2030-01-15") or date and time ("2030-01-15T14:05:00", "2030-01-15 14:05")
// as a person reads it, the time kept as hours and minutes. Anything else is returned as
// it is, so that a value that is not a date is still shown.
std::string shown_date(std::string_view iso, Language language);

// A moment (Unix milliseconds) in the machine's local time, with its hours and minutes.
std::string shown_time(std::int64_t unix_ms, Language language);

}  // namespace amana

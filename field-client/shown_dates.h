// The screens' dates (common/shown_dates.h, shared with the office console), under the
// names the field client's screens use.
#pragma once

#include "common/shown_dates.h"

namespace amana::field {

using amana::shown_date;
using amana::shown_time;

}  // namespace amana::field

// The monthly report's counts kept at merge time (report.h): what one record adds to the
// aggregates the report prints, so that the store can keep them as records change (take a
// record's counts away before a merge, add them back after) and the report reads a few
// hundred rows instead of every record.
//
// Counts only: a key is an answer's code, an area of a form's list, an age group or a
// number of days, never a name, an id or a free-text answer (a place is kept as the area
// it names, as the report prints it). The rules are the report's (report.h): a record is
// counted by the date its form records, a step only while the server holds its case, a
// closure only while its case is closed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sync-server/central_store.h"

namespace amana::server {

// What a step's counts take from its case.
struct CaseCountFacts {
  bool closed = false;
  std::string opened;  // YYYY-MM-DD
  bool operator==(const CaseCountFacts&) const = default;
};

// The forms whose records count; no other record changes a count.
bool is_counted_form(std::string_view form_id);
// Steps whose counts depend on their case (its presence, status or opening).
bool counts_follow_case(std::string_view form_id);

CaseCountFacts case_count_facts(const CentralRecord& kase);

// Adds `sign` (+1 or -1) times what `record` counts to `into`. `its_case` is, for a step,
// its case's facts, nullopt when the server holds no such case (the step counts nothing).
void add_record_counts(const CentralRecord& record, const std::optional<CaseCountFacts>& its_case, int sign,
                       ReportCounts& into);

}  // namespace amana::server

// The conflicts awaiting an officer across the whole store, a page at a time, as the
// office console shows them side by side: each with its case (by name), the step's form,
// the field's label and both versions with who wrote them and when. The officer keeps one
// with resolve_conflict (case_admin.h), which checks the value like any office decision.
//
// Paged by record (CentralStore::records_in_conflict), so that a store with many open
// conflicts is read a page at a time, never all at once and never cut off unsaid. The
// cases are named as the case list names them (list_cases), which reads every case.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/form.h"
#include "common/status.h"
#include "sync-server/central_store.h"

namespace amana::server {

struct QueuedVersion {
  std::string value;   // as stored: what resolve_conflict is given to keep this version
  std::string shown;   // a choice's label, yes/no, or the value, in the language asked for
  bool cleared = false;
  std::int64_t at_ms = 0;  // the wall-clock part of its stamp
  std::string by;      // the user of the device that wrote it, or "office"
};

struct QueuedConflict {
  RecordId case_id;
  std::string case_name;
  RecordId record;         // the case itself or one of its steps
  std::string form_title;  // the step's form, in the language asked for; empty for the case itself
  std::string field;
  std::string label;       // the field's, in the language asked for
  QueuedVersion earlier, later;
};

struct ConflictQueuePage {
  std::vector<QueuedConflict> conflicts;
  std::optional<RecordId> next;  // where the next page starts; nullopt on the last page
};

inline constexpr std::size_t kConflictRecordsPerPage = 20;

// The open conflicts of up to `records` records after `after` (from the first when
// nullopt), in record order. A conflict on a record that is no step of a case is listed
// under the record itself.
Result<ConflictQueuePage> conflict_queue(CentralStore& store, const std::optional<RecordId>& after, std::size_t records,
                                         forms::Language language);

}  // namespace amana::server

// One case as the officer deciding on it reads it (`sync-server cases show`): the case's
// own values, each step with its answers under the form's labels (English or Arabic), the
// history of the case's fields, and, when closure is requested, the closure request with
// its summary. Identified data: the command that shows it is gated by the operator
// passphrase and audited (see main.cc); this module only reads and lays out.
//
// Values nothing accepts (case_values.h) are shown as stored and flagged, never dropped
// and never a reason to fail: the office reads a damaged case in order to correct it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/form.h"
#include "common/status.h"
#include "sync-server/case_admin.h"
#include "sync-server/central_store.h"

namespace amana::server {

struct ShownValue {
  std::string field;
  std::string label;  // in the language asked for
  std::string value;  // as stored
  std::string shown;  // a choice's or a status's label, yes/no, a date as people read it
                      // (common/shown_dates.h), or the value; flagged when not known
  bool known = true;  // a value the forms accept
};

struct CaseStep {
  RecordId id;
  std::string form_id;
  std::string title;  // the form's, in the language asked for
  std::int64_t created_at_ms = 0;
  std::string author;
  std::vector<ShownValue> answers;  // in form order, then what the case code adds
  std::int64_t open_conflicts = 0;
};

struct CaseFile {
  CaseView view;
  std::string unheld;                       // why_unheld for its assignee
  std::vector<ShownValue> values;           // the case record's own, in case_fields() order
  std::int64_t open_conflicts = 0;          // on the case record itself
  std::vector<CaseStep> steps;              // oldest first
  std::optional<CaseStep> closure_request;  // the newest closure step, while closure is requested
  std::vector<HistoryEntry> history;
};

// `value` of `field` of `record` (a case or a step) as a case file shows it, in `language`.
ShownValue shown_value(const forms::FormPack& pack, const CentralRecord& record, const std::string& field,
                       const std::string& value, forms::Language language);

// not_found for an unknown record, invalid_argument for a record that is not a case.
Result<CaseFile> read_case_file(CentralStore& store, const RecordId& case_id, forms::Language language);

std::string render_case_file(const CaseFile& file, forms::Language language);
nlohmann::json case_file_json(const CaseFile& file);

}  // namespace amana::server

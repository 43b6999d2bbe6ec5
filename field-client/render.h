// How records, history and status are shown to a person (text, in their language) or a
// program (JSON). Pure functions: the CLI prints what these return.
#pragma once

#include <string>
#include <vector>

#include "common/form.h"
#include "common/form_pack.h"
#include "field-client/store.h"

namespace amana::field {

// "2026-11-22 10:15" in local time.
std::string format_local_time(std::int64_t unix_ms);

std::string forms_text(const forms::FormPack& pack, forms::Language language);
std::string records_text(const std::vector<RecordSummary>& records, forms::Language language = forms::Language::en);
std::string records_json(const std::vector<RecordSummary>& records);

// `form` may be null when the record's form is not on this device: values are shown raw.
std::string record_text(const Record& record, const forms::FormDefinition* form, forms::Language language);
std::string record_json(const Record& record);

// Each revision with what it changed, and for edits the value it replaced.
std::string history_text(const std::vector<Revision>& history, const forms::FormDefinition* form,
                         forms::Language language);
std::string history_json(const std::vector<Revision>& history);

std::string status_text(const StoreStatus& status, forms::Language language = forms::Language::en);
std::string status_json(const StoreStatus& status);

}  // namespace amana::field

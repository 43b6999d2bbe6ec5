// The records screen's search (GET /api/records?q=, ui_api_records.cc): the records, never
// a case (cases have their own screen), whose id's text or one of whose current answers,
// folded (text::fold), contains the folded query; newest first, at most `limit`.
//
// Two ways that answer the same (tests/field-client/record_search_test.cc holds them to
// it): through the Store's in-memory index (Store::search_records), which the screen
// uses, and by a scan that opens every record (Store::visit_record_values), the reference.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "field-client/store.h"

namespace amana::field {

Result<std::vector<RecordSummary>> search_records_by_index(Store& store, std::optional<std::string_view> form_id,
                                                           std::string_view folded_query, std::size_t limit);
Result<std::vector<RecordSummary>> search_records_by_scan(Store& store, std::optional<std::string_view> form_id,
                                                          std::string_view folded_query, std::size_t limit);

}  // namespace amana::field

// The records screen's search, by index and by scan (record_search.h).
#include "field-client/record_search.h"

#include <string>

#include "common/text_fold.h"
#include "field-client/cases.h"

namespace amana::field {

Result<std::vector<RecordSummary>> search_records_by_index(Store& store, std::optional<std::string_view> form_id,
                                                           std::string_view folded_query, std::size_t limit) {
  std::vector<RecordSummary> out;
  if (limit == 0) return out;
  AMANA_RETURN_IF_ERROR(store.search_records(form_id, folded_query, [&](const RecordSummary& r) -> Result<bool> {
    if (r.form_id == kCaseFormId) return true;
    out.push_back(r);
    return out.size() < limit;
  }));
  return out;
}

Result<std::vector<RecordSummary>> search_records_by_scan(Store& store, std::optional<std::string_view> form_id,
                                                          std::string_view folded_query, std::size_t limit) {
  std::vector<RecordSummary> out;
  if (limit == 0) return out;
  // Opens every record until the page is full (the values are sealed), each once, in one
  // pass over the table.
  AMANA_RETURN_IF_ERROR(store.visit_record_values(
      form_id, [&](const RecordSummary& r, const std::vector<std::string_view>& values) -> Result<bool> {
        if (r.form_id == kCaseFormId) return true;
        bool found = r.id.to_string().find(folded_query) != std::string::npos;
        for (std::size_t i = 0; !found && i < values.size(); ++i) {
          found = text::fold(values[i]).find(folded_query) != std::string::npos;
        }
        if (!found) return true;
        out.push_back(r);
        return out.size() < limit;
      }));
  return out;
}

}  // namespace amana::field

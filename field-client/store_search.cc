// The records search's in-memory index (store_search.h) and the Store's search through it
// (store.h).
#include "field-client/store_search.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "common/text_fold.h"
#include "field-client/store_internal.h"

namespace amana::field {
using namespace store_detail;

namespace store_detail {

namespace {

std::uint32_t read_u32(const std::uint8_t* at) {
  std::uint32_t value = 0;
  std::memcpy(&value, at, sizeof value);
  return value;
}

void write_u32(std::uint8_t* at, std::size_t value) {
  if (value > std::numeric_limits<std::uint32_t>::max()) throw std::length_error("search index: a record over 4 GB");
  const auto narrow = static_cast<std::uint32_t>(value);
  std::memcpy(at, &narrow, sizeof narrow);
}

}  // namespace

void SearchIndex::put(const RecordSummary& summary, const std::vector<std::string_view>& values) {
  if (!started_) return;
  ++writes_;
  std::vector<std::string> folded;
  folded.reserve(values.size());
  std::size_t text = 0;
  for (std::string_view value : values) {
    folded.push_back(text::fold(value));
    text += folded.back().size();
  }
  const std::size_t table = sizeof(std::uint32_t) * (1 + folded.size());
  crypto::SecretBytes packed(table + text, crypto::Memory::wiped);
  write_u32(packed.data(), folded.size());
  std::size_t end = 0;
  for (std::size_t i = 0; i < folded.size(); ++i) {
    std::memcpy(packed.data() + table + end, folded[i].data(), folded[i].size());
    end += folded[i].size();
    write_u32(packed.data() + sizeof(std::uint32_t) * (1 + i), end);
  }
  auto [at, inserted] = entries_.try_emplace(summary.id);
  if (!inserted) text_bytes_ -= at->second.folded.size();
  text_bytes_ += packed.size();
  at->second.summary = summary;
  at->second.folded = std::move(packed);  // the old one zeroed as it goes
}

void SearchIndex::erase(const RecordId& id) {
  if (!started_) return;
  ++writes_;
  if (auto at = entries_.find(id); at != entries_.end()) {
    text_bytes_ -= at->second.folded.size();
    entries_.erase(at);
  }
}

void SearchIndex::drop() {
  entries_.clear();  // each entry's SecretBytes zeroed as it is destroyed
  text_bytes_ = 0;
  started_ = false;
  complete_ = false;
  cursor_.reset();
}

bool SearchIndex::matches(const crypto::SecretBytes& folded, std::string_view query) {
  const std::uint32_t count = read_u32(folded.data());
  const std::size_t table = sizeof(std::uint32_t) * (1 + count);
  const std::string_view text = folded.as_string().substr(table);
  // One search through all the answers at once; a hit that runs from one answer into the
  // next is not one (the scan compares answer by answer), and the search goes on after it.
  for (std::size_t from = 0;;) {
    const std::size_t hit = text.find(query, from);
    if (hit == std::string_view::npos) return false;
    std::uint32_t lo = 0;
    std::uint32_t hi = count;  // the first answer ending after `hit`
    while (lo < hi) {
      const std::uint32_t mid = lo + (hi - lo) / 2;
      if (read_u32(folded.data() + sizeof(std::uint32_t) * (1 + mid)) <= hit) lo = mid + 1;
      else hi = mid;
    }
    if (lo < count && hit + query.size() <= read_u32(folded.data() + sizeof(std::uint32_t) * (1 + lo))) return true;
    from = hit + 1;
  }
}

Status SearchIndex::search(std::optional<std::string_view> form_id, std::string_view folded_query,
                           const std::function<Result<bool>(const RecordSummary&)>& visit) const {
  for (const auto& [id, entry] : entries_) {
    if (form_id && entry.summary.form_id != *form_id) continue;
    if (!matches(entry.folded, folded_query) && id.to_string().find(folded_query) == std::string::npos) continue;
    AMANA_ASSIGN_OR_RETURN(bool more, visit(entry.summary));
    if (!more) break;
  }
  return Status::success();
}

}  // namespace store_detail

Result<bool> Store::build_search_index(std::size_t max_records) {
  SearchIndex& index = state_->search;
  if (index.complete()) return true;
  index.start();
  std::size_t read = 0;
  std::optional<RecordId> last;
  auto visited = visit_values(*state_, std::nullopt, index.cursor(), max_records,
                              [&](const RecordSummary& summary, const std::vector<std::string_view>& values) -> Result<bool> {
                                index.put(summary, values);
                                last = summary.id;
                                ++read;
                                return true;
                              });
  if (!visited.ok()) {
    index.drop();
    return visited;
  }
  if (last) index.advance(*last);
  if (read < max_records) index.finish();
  return index.complete();
}

Status Store::search_records(std::optional<std::string_view> form_id, std::string_view folded_query,
                             const std::function<Result<bool>(const RecordSummary&)>& visit) {
  AMANA_ASSIGN_OR_RETURN(bool complete, build_search_index(std::numeric_limits<std::size_t>::max()));
  (void)complete;
  return state_->search.search(form_id, folded_query, visit);
}

Store::SearchIndexSize Store::search_index_size() const {
  return {state_->search.size(), state_->search.text_bytes(), state_->search.complete()};
}

}  // namespace amana::field

// The records search's index, kept in the memory of an unlocked Store only (store.h,
// Store::search_records; docs/security.md, "Searching a sealed store").
//
// What it holds: for each record, its clear columns (as the disk shows them) and its
// current answers folded as the search compares them (text::fold), each record's in one
// crypto::SecretBytes (wiped memory: zeroed when the entry is replaced, removed or
// dropped). Nothing of it is ever written to the disk. It goes with the Store's State: at
// every lock (the idle lock, the lock button, a duress unlock, which opens another Store,
// a wipe), and when the Store is destroyed.
//
// When: nothing until the first search or the first build step (Store::build_search_index).
// From then on, every record write of the Store keeps it in step, in the write's own
// transaction: a write that does not commit drops the whole index (it is built again at
// the next search), so that it never holds what the disk does not.
//
// Thread safety: as the Store, one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "common/crypto.h"
#include "common/status.h"
#include "field-client/store.h"

namespace amana::field::store_detail {

class SearchIndex {
 public:
  // Building has begun: from now on every write is applied here.
  bool started() const { return started_; }
  // Every record of the store is in it.
  bool complete() const { return complete_; }
  // Where the build goes on: the records below this id are still to be read (none: from
  // the newest).
  const std::optional<RecordId>& cursor() const { return cursor_; }
  void start() { started_ = true; }
  void advance(const RecordId& last_read) { cursor_ = last_read; }
  void finish() { complete_ = true; }

  // A record as it is now (its current, not cleared, answers): replaces what was kept.
  // Nothing is kept before the build has started.
  void put(const RecordSummary& summary, const std::vector<std::string_view>& values);
  void erase(const RecordId& id);
  // Everything kept goes, its memory zeroed; the next search builds it again.
  void drop();

  // Records in it (0 before the first search and after a lock).
  std::size_t size() const { return entries_.size(); }
  // Bytes of folded answers held (for the benchmark's figure).
  std::size_t text_bytes() const { return text_bytes_; }

  // Newest first, the records (of `form_id` only, when given) whose id's text or one of
  // whose folded answers contains `folded_query` (not empty), until `visit` answers false.
  // `visit` must not change the store.
  Status search(std::optional<std::string_view> form_id, std::string_view folded_query,
                const std::function<Result<bool>(const RecordSummary&)>& visit) const;

  // Around one write of the Store: unless committed() was called, a write applied here
  // since the guard began drops the index (the transaction it belonged to rolled back).
  class WriteGuard {
   public:
    explicit WriteGuard(SearchIndex& index) : index_(index), writes_(index.writes_) {}
    ~WriteGuard() {
      if (!committed_ && index_.writes_ != writes_) index_.drop();
    }
    WriteGuard(const WriteGuard&) = delete;
    WriteGuard& operator=(const WriteGuard&) = delete;
    void committed() { committed_ = true; }

   private:
    SearchIndex& index_;
    std::uint64_t writes_;
    bool committed_ = false;
  };

 private:
  struct Entry {
    RecordSummary summary;
    // The folded answers one after the other, after a table of where each ends:
    // u32 count, count x u32 end offset (from the start of the text), the text.
    crypto::SecretBytes folded;
  };
  static bool matches(const crypto::SecretBytes& folded, std::string_view query);

  std::map<RecordId, Entry, std::greater<>> entries_;  // newest first, as the scan reads
  std::size_t text_bytes_ = 0;
  std::uint64_t writes_ = 0;
  bool started_ = false;
  bool complete_ = false;
  std::optional<RecordId> cursor_;
};

}  // namespace amana::field::store_detail

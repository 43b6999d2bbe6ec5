// Drafts: a form being filled in on this device, kept so that nothing typed is lost.
//
// An interview saves its answers to a draft after every question (InterviewHooks::
// on_progress); a form that is interrupted (the input ends, Ctrl-C) or refused at the end
// stays a draft, and a later session resumes it where it stopped. A draft that became a
// record is discarded. The CLI and the field web app keep their drafts here, in the
// device's store, never in a browser or a temporary file.
//
// What is in clear: the draft's random id and when it was last saved. Everything else
// (its form, its case, every answer) is sealed under the store's data key like the
// answers of records, bound to the draft's id. Drafts never sync: they stay on the device
// and go with it when the store is wiped (or its duress passphrase is given).
//
// Thread safety: like the Store it uses, one thread.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/answers.h"
#include "common/ids.h"
#include "field-client/store.h"

namespace amana::field {

struct DraftTag {};
using DraftId = Id128<DraftTag>;

enum class DraftReason { interrupted, refused };

struct Draft {
  DraftId id;                       // nil until first saved
  std::string form_id;
  std::uint32_t form_version = 0;
  std::optional<RecordId> case_id;  // a case step's draft: its case
  std::string step;                 // and the step ("refer", as the CLI names it)
  forms::Answers answers;           // canonical answers given so far
  std::set<std::string, std::less<>> passed;  // questions answered or skipped
  DraftReason reason = DraftReason::interrupted;
  std::int64_t updated_at_ms = 0;
  // Answers the engine cleared (a locality its changed state no longer offers), whose note
  // stays beside the question until it is answered again.
  std::set<std::string, std::less<>> cleared = {};
};

class Drafts {
 public:
  explicit Drafts(Store& store);

  // Saves `draft` (a new one gets its id), sealed, in one transaction.
  Status save(Draft& draft);
  Result<Draft> load(DraftId id);
  // A full id, or at least 8 hex digits from its start or its end matching one draft.
  Result<DraftId> resolve(std::string_view id_or_part);
  // Newest first.
  Result<std::vector<Draft>> list();
  // Removes it (secure_delete overwrites it); not_found when there is no such draft.
  Status discard(DraftId id);

 private:
  Store& store_;
};

}  // namespace amana::field

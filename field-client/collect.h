// Collecting and editing records: the steps between what a user typed and the store.
// Everything is validated before the store is touched, so a rejected submission or edit
// leaves the store exactly as it was.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/answers.h"
#include "common/form.h"
#include "field-client/store.h"

namespace amana::field {

// Answers files are small; anything bigger is a mistake or an attack.
inline constexpr std::size_t kMaxAnswersFileBytes = 1 << 20;

// The home directory: the --home flag, else $AMANA_HOME, else ~/.amana.
std::filesystem::path resolve_home(const std::optional<std::string>& flag);

// Reads and validates an answers file for `form` (see answers.h for its format). Errors
// name the file.
Result<forms::Answers> answers_from_file(const forms::FormDefinition& form, const std::filesystem::path& path,
                                         const forms::ValidationOptions& options);

// Applies `assignments` ("field=value", as given to `edit --set`) to the record and
// validates the result like a submission; the set fields must be relevant, fields that
// stop being relevant are cleared. Returns false when nothing changed.
Result<bool> edit_record(Store& store, const forms::FormDefinition& form, RecordId id,
                         const std::vector<std::string>& assignments, const forms::ValidationOptions& options);

}  // namespace amana::field

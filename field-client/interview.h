// Interactive collection: asks each relevant question of a form in turn, in the chosen
// language, and re-asks until the answer is valid, the way ODK Collect walks a form.
//
// Input is line based so that it works over a plain terminal, a serial console, or a
// pipe (tests drive it with a script of answers). On each question:
//   an answer          checked for type and constraint; re-asked with the reason if invalid
//   an empty line      skips an optional question, or takes the default shown
//   end of input       abandons the form: cancelled, and nothing is saved
#pragma once

#include <iosfwd>

#include "common/answers.h"
#include "common/form.h"
#include "common/status.h"

namespace amana::field {

// Returns the validated canonical answers (ready for Store::add_record).
Result<forms::Answers> interview(const forms::FormDefinition& form, const forms::ValidationOptions& options,
                                 std::istream& in, std::ostream& out);

}  // namespace amana::field

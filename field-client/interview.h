// Interactive collection: asks each relevant question of a form in turn, in the chosen
// language, and re-asks until the answer is valid, the way ODK Collect walks a form.
//
// Input is line based so that it works over a plain terminal, a serial console, or a
// pipe (tests drive it with a script of answers). On each question:
//   an answer          checked for type and constraint, then by the caller's own rules
//                      (InterviewHooks::check); re-asked with the reason if refused
//   an empty line      skips an optional question, or takes the default shown
//   end of input       stops: cancelled. What was answered has already gone to
//                      InterviewHooks::on_progress (the caller keeps it as a draft)
// When the whole form is answered, rules that look across questions are checked; a
// question they refuse is asked again, with the reason.
//
// Every line printed is in the collector's language (common/message_catalogue.h).
#pragma once

#include <functional>
#include <iosfwd>
#include <set>
#include <string>
#include <vector>

#include "common/answers.h"
#include "common/form.h"
#include "common/status.h"

namespace amana::field {

using FieldNames = std::set<std::string, std::less<>>;

struct InterviewHooks {
  // A resumed draft: the answers it holds and the questions already passed (answered or
  // skipped). A passed question whose answer is still valid is not asked again; an answer
  // to a question not passed yet (a case step's prefill, CaseBook::step_prefill) is asked
  // with that answer as its default, which an empty line keeps.
  forms::Answers given;
  FieldNames passed;
  // Called after each question is answered or skipped, with everything so far. An error
  // stops the interview with that error.
  std::function<Status(const forms::Answers& answers, const FieldNames& passed)> on_progress;
  // The caller's rules for an answer the form accepts (a case step's consent, a provider
  // from the directory): an error is shown at the question, which is asked again.
  std::function<Status(const forms::Field& field, const std::string& answer, const forms::Answers& so_far)> check;
  // For a free-text question, values to offer (the providers of the service asked), shown
  // numbered: typing a number or a label gives that value's name.
  std::function<std::vector<forms::Choice>(const forms::Field& field, const forms::Answers& so_far)> suggestions;
};

// Returns the validated canonical answers (ready for Store::add_record); cancelled when
// the input ends first.
Result<forms::Answers> interview(const forms::FormDefinition& form, const forms::ValidationOptions& options,
                                 std::istream& in, std::ostream& out, const InterviewHooks& hooks = {});

}  // namespace amana::field

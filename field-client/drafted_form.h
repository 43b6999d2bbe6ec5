// An interactive form in a terminal that loses nothing: the interview (interview.h) with
// its answers saved to a draft (drafts.h) after every question, Ctrl-C telling where they
// are, and the draft removed only once the record it became is saved. The CLI's; the web
// app keeps drafts through drafts.h the same way, without signals.
#pragma once

#include <functional>
#include <string>

#include "common/answers.h"
#include "common/form.h"
#include "field-client/drafts.h"
#include "field-client/interview.h"

namespace amana::field {

// The last 8 characters of an id, as the CLI shows drafts and cases.
std::string short_id(const std::string& id);

// The command that goes on with `draft`: "field-client collect --resume 3f9e20c1" or
// "field-client case refer 7d41be09 --resume 3f9e20c1".
std::string resume_command(const Draft& draft);

// `status`, followed by a line saying where the answers are kept (or that nothing was).
Status with_draft_note(const Status& status, const Draft& draft);

// Asks the form question by question on standard input and output, saving every answer
// in `draft` as it is given (a new draft is created at the first answer). While it runs,
// SIGINT prints where the answers are and ends the process with status 130. On failure
// the draft stays and the error says how to resume it.
Result<forms::Answers> interview_keeping_draft(Drafts& drafts, Draft& draft, const forms::FormDefinition& form,
                                               const forms::ValidationOptions& validation, InterviewHooks hooks);

// After the form was answered: `save` makes the record, and the draft goes only once it
// has (SIGINT held meanwhile, so Ctrl-C cannot leave both). A refusal keeps the draft,
// marked refused, and says how to resume it.
Result<RecordId> save_from_draft(Drafts& drafts, Draft& draft, const std::function<Result<RecordId>()>& save);

}  // namespace amana::field

#include "field-client/drafted_form.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iostream>

#include "common/message_catalogue.h"

namespace amana::field {
namespace {

// ---- interrupting an interactive form ----
//
// Answers are saved to the draft as they are given, so Ctrl-C loses at most the line
// being typed. The handler only tells the person where their answers are (the message is
// prepared after each save, as write(2) is all a handler may safely call) and ends.
char g_interrupt_message[2048];
volatile sig_atomic_t g_interrupt_length = 0;

void on_interrupt(int) {
  [[maybe_unused]] auto written = ::write(STDERR_FILENO, g_interrupt_message, static_cast<std::size_t>(g_interrupt_length));
  ::_exit(130);
}

void prepare_interrupt_message(const std::string& text) {
  g_interrupt_length = 0;
  const std::size_t length = std::min(text.size(), sizeof g_interrupt_message);
  std::memcpy(g_interrupt_message, text.data(), length);
  g_interrupt_length = static_cast<sig_atomic_t>(length);
}

// SIGINT held back while a record and its draft's removal are written, so that Ctrl-C
// cannot leave both a record and the draft it came from.
class InterruptsHeld {
 public:
  InterruptsHeld() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, &saved_);
  }
  ~InterruptsHeld() { sigprocmask(SIG_SETMASK, &saved_, nullptr); }

 private:
  sigset_t saved_{};
};


}  // namespace

std::string short_id(const std::string& id) { return id.substr(id.size() - 8); }

std::string resume_command(const Draft& draft) {
  if (draft.case_id) {
    return "field-client case " + draft.step + " " + short_id(draft.case_id->to_string()) + " --resume " +
           short_id(draft.id.to_string());
  }
  return "field-client collect --resume " + short_id(draft.id.to_string());
}

Status with_draft_note(const Status& status, const Draft& draft) {
  std::vector<Message> lines = status.lines();
  if (lines.empty()) lines.push_back(Message("cli.text", {{"text", status.message()}}));
  if (draft.id.is_nil()) {
    lines.push_back(Message("drafts.nothing_kept"));
  } else {
    lines.push_back(Message("drafts.kept", {{"draft", short_id(draft.id.to_string())}, {"command", resume_command(draft)}}));
  }
  return Status(status.code(), std::move(lines));
}

Result<forms::Answers> interview_keeping_draft(Drafts& drafts, Draft& draft, const forms::FormDefinition& form,
                                               const forms::ValidationOptions& validation, InterviewHooks hooks) {
  hooks.given = draft.answers;
  hooks.passed = draft.passed;
  const Language language = validation.language;
  auto kept_message = [&] {
    return "\n" + Message("cli.error", {{"message", with_draft_note(Status(ErrorCode::cancelled, Message("cli.stopped")), draft)
                                                        .message_in(language)}})
                      .in(language) +
           "\n";
  };
  hooks.on_progress = [&](const forms::Answers& answers, const FieldNames& passed) {
    draft.answers = answers;
    draft.passed = passed;
    draft.reason = DraftReason::interrupted;
    AMANA_RETURN_IF_ERROR(drafts.save(draft));
    prepare_interrupt_message(kept_message());
    return Status::success();
  };
  prepare_interrupt_message(kept_message());
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  struct sigaction previous {};
  sigaction(SIGINT, &action, &previous);
  auto answers = interview(form, validation, std::cin, std::cout, hooks);
  sigaction(SIGINT, &previous, nullptr);
  if (!answers.ok()) return with_draft_note(answers.status(), draft);
  return answers;
}

Result<RecordId> save_from_draft(Drafts& drafts, Draft& draft, const std::function<Result<RecordId>()>& save) {
  InterruptsHeld held;
  auto saved = save();
  if (!saved.ok()) {
    if (draft.id.is_nil()) return saved;
    draft.reason = DraftReason::refused;
    AMANA_RETURN_IF_ERROR(drafts.save(draft));
    return with_draft_note(saved.status(), draft);
  }
  if (!draft.id.is_nil()) AMANA_RETURN_IF_ERROR(drafts.discard(draft.id));
  return saved;
}

}  // namespace amana::field

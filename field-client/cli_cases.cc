// `field-client case ...` and `cases`: a protection case on the device, step by step.
#include <iostream>

#include "common/case_fields.h"
#include "common/cli.h"
#include "common/files.h"
#include "common/message_catalogue.h"
#include "common/passphrase.h"
#include "common/service_types.h"
#include "field-client/cli_commands.h"
#include "field-client/collect.h"
#include "field-client/drafted_form.h"
#include "field-client/drafts.h"
#include "field-client/interview.h"
#include "field-client/render.h"

namespace amana::field::cli {

Status run_case_open(const forms::FormPack& pack, const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(forms::ValidationOptions validation, validation_options(args));
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  CaseBook book(store, pack, validation);
  CaseOpening opening;
  if (args.from) {
    AMANA_ASSIGN_OR_RETURN(opening.from_identification, store.resolve(*args.from));
  }
  opening.person = {args.person_name.value_or(""), args.person_sex.value_or(""), args.person_age,
                    args.person_location.value_or("")};
  opening.not_a_duplicate = args.not_a_duplicate;
  AMANA_ASSIGN_OR_RETURN(RecordId id, book.open(opening));
  say(args, Message("cli.case_opened", {{"id", id.to_string()}, {"short", id.to_string().substr(28)}}));
  return Status::success();
}

// The verb of a step's command: a device requests closure with `case close`.
std::string cli_verb(cases::CaseEvent event) {
  return event == cases::CaseEvent::request_closure ? "close" : std::string(cases::event_name(event));
}

Status run_case_step(const forms::FormPack& pack, const Arguments& args, cases::CaseEvent event) {
  AMANA_ASSIGN_OR_RETURN(forms::ValidationOptions validation, validation_options(args));
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  CaseBook book(store, pack, validation);
  AMANA_ASSIGN_OR_RETURN(RecordId case_id, store.resolve(args.record_ref));
  AMANA_ASSIGN_OR_RETURN(const forms::FormDefinition* form, book.step_form(event));
  RecordId step;
  if (args.answers_file) {
    AMANA_ASSIGN_OR_RETURN(std::string text, read_file_bounded(*args.answers_file, kMaxAnswersFileBytes));
    auto parsed = forms::parse_answers_json(*form, text);
    if (!parsed.ok()) return parsed.status().with_context(*args.answers_file);
    AMANA_ASSIGN_OR_RETURN(step, book.record_step(case_id, event, *parsed));
  } else {
    // What is known before the first question is checked before it is asked.
    AMANA_RETURN_IF_ERROR(book.check_step_can_start(case_id, event));
    Drafts drafts(store);
    AMANA_ASSIGN_OR_RETURN(Draft draft, draft_for(drafts, args, *form, case_id, cli_verb(event)));
    // The same suggestions the screens offer (the registration from the identification, the
    // follow-up's due date from the plan), each the default of its question.
    if (!args.resume) {
      AMANA_ASSIGN_OR_RETURN(draft.answers, book.step_prefill(case_id, event));
    }
    InterviewHooks hooks;
    hooks.check = [&](const forms::Field& field, const std::string& answer, const forms::Answers& so_far) {
      return book.check_step_answer(case_id, event, field, answer, so_far);
    };
    hooks.suggestions = [&](const forms::Field& field, const forms::Answers& so_far) {
      return book.step_suggestions(event, field, so_far);
    };
    AMANA_ASSIGN_OR_RETURN(forms::Answers answers, interview_keeping_draft(drafts, draft, *form, validation, hooks));
    AMANA_ASSIGN_OR_RETURN(step, save_from_draft(drafts, draft, [&] { return book.record_step(case_id, event, answers); }));
  }
  AMANA_ASSIGN_OR_RETURN(CaseSummary summary, book.summary(case_id));
  say(args, Message("cli.step_recorded", {{"form", form->title},
                                          {"step", step.to_string()},
                                          {"case", case_id.to_string()},
                                          {"status", cases::status_label(summary.status)}}));
  return Status::success();
}

Status run_cases(const forms::FormPack& pack, const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(forms::ValidationOptions validation, validation_options(args));
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  CaseBook book(store, pack, validation);
  AMANA_ASSIGN_OR_RETURN(auto list, book.list());
  if (list.empty()) say(args, Message("cli.no_cases"));
  for (const CaseSummary& c : list) {
    std::string status = cases::status_label(c.status).in(args.lang);
    status.resize(std::max<std::size_t>(status.size(), 18), ' ');
    std::string risk = c.risk_level.empty() ? "-" : c.risk_level;
    risk.resize(std::max<std::size_t>(risk.size(), 9), ' ');
    std::cout << c.id.to_string() << "  " << status << risk << format_local_time(c.opened_at_ms) << "  " << c.name
              << "\n";
  }
  return Status::success();
}

Status run_case_show(const forms::FormPack& pack, const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(forms::ValidationOptions validation, validation_options(args));
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  CaseBook book(store, pack, validation);
  AMANA_ASSIGN_OR_RETURN(RecordId case_id, store.resolve(args.record_ref));
  AMANA_ASSIGN_OR_RETURN(CaseSummary summary, book.summary(case_id));
  say(args, Message("cli.case_header", {{"id", case_id.to_string()},
                                        {"status", cases::status_label(summary.status)},
                                        {"opened", format_local_time(summary.opened_at_ms)}}));
  for (const auto& [field, value] : summary.values) {
    if (field != "status") std::cout << "  " << field << ": " << value << "\n";
  }
  std::vector<LocalizedText> next;
  for (cases::CaseEvent event : cases::allowed_events(summary.status)) {
    if (!book.step_form(event).ok()) continue;  // decided at the office
    // The CLI verb: a device requests closure with `case close`.
    next.push_back(event == cases::CaseEvent::request_closure ? LocalizedText{"close", Message("case.event.close").in(Language::ar)}
                                                              : cases::event_label(event).localized());
  }
  say(args, Message("cli.next_steps", {{"steps", next.empty() ? Message("case.no_steps").localized() : join_list(next)}}));
  say(args, Message("cli.steps_header"));
  AMANA_ASSIGN_OR_RETURN(auto steps, store.records(std::nullopt, case_id));
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    std::cout << "  " << format_local_time(it->created_at_ms) << "  " << it->form_id << "  " << it->id.to_string()
              << "\n";
  }
  return Status::success();
}

Status run_referral_update(const forms::FormPack& pack, const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(cases::ReferralStatus status, cases::parse_referral_status(args.referral_status));
  AMANA_ASSIGN_OR_RETURN(forms::ValidationOptions validation, validation_options(args));
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  CaseBook book(store, pack, validation);
  AMANA_ASSIGN_OR_RETURN(RecordId referral, store.resolve(args.record_ref));
  AMANA_RETURN_IF_ERROR(book.update_referral(referral, status, args.note));
  say(args, Message("cli.referral_now", {{"id", referral.to_string()}, {"status", cases::referral_status_label(status)}}));
  return Status::success();
}

Status run_referral_export(const forms::FormPack& pack, const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(forms::ValidationOptions validation, validation_options(args));
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  CaseBook book(store, pack, validation);
  AMANA_ASSIGN_OR_RETURN(RecordId referral, store.resolve(args.record_ref));
  AMANA_ASSIGN_OR_RETURN(std::string document, book.referral_document(referral));
  AMANA_RETURN_IF_ERROR(write_file_atomically(args.file, document));
  const bool withheld = document.find("withheld") != std::string::npos;
  say(args, Message(withheld ? MessageKey("cli.referral_written_withheld") : MessageKey("cli.referral_written"),
                    {{"file", args.file}}));
  return Status::success();
}

Status run_case_review(const forms::FormPack& pack, const Arguments& args) {
  AMANA_ASSIGN_OR_RETURN(forms::ValidationOptions validation, validation_options(args));
  AMANA_ASSIGN_OR_RETURN(Store store, unlock(args));
  CaseBook book(store, pack, validation);
  AMANA_ASSIGN_OR_RETURN(auto facts, book.review_facts());
  const auto findings = cases::review_cases(facts, {validation.today, args.open_days});
  if (findings.empty()) say(args, Message("cli.review_clear", {{"count", static_cast<std::int64_t>(facts.size())}}));
  for (const cases::Finding& f : findings) {
    std::cout << f.case_id << "  " << f.name << ": " << (f.message ? f.message->in(args.lang) : f.what) << "\n";
  }
  return Status::success();
}

}  // namespace amana::field::cli

// The JSON API's internals (ui_api.h is the contract), named here for its source files,
// one per aspect: routing and home (ui_api.cc), drafts (ui_api_drafts.cc), records
// (ui_api_records.cc), cases (ui_api_cases.cc) and the form as the engine sees it while
// a person types (ui_form_view.cc).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "field-client/drafted_form.h"
#include "field-client/drafts.h"
#include "field-client/shown_dates.h"
#include "field-client/ui_api.h"

namespace amana::field::ui::detail {

using cases::CaseEvent;
using forms::Answers;
using forms::Field;
using forms::FieldType;

std::string value_of(const Answers& values, std::string_view name);
std::string trimmed(std::string_view s);
Json choices_json(std::span<const forms::Choice> choices, Language language);
// The body's "answers" as raw answers and "passed" as names, bounded.
Result<std::pair<Answers, FieldNames>> answers_of(const Json& body);
std::string body_string(const Json& body, const char* key);
// A canonical answer as a person reads it: a choice by its label.
std::string shown_value(const Field* field, const std::string& value, Language language);
Json draft_json(const Draft& draft, const forms::FormPack& pack, Language language);

// Repeats as the screens change them (ui_repeats.cc).
// The answers as the engine reads them for relevance: each answer of an asked field (at the
// top level or in an instance) in canonical form, the instances' markers, and calculations.
Answers typed_answers(const forms::FormDefinition& form, const Answers& raw, const forms::ValidationOptions& options);
// A repeat's list as the view names it: "members", or "members/<id>/children" in an instance.
std::string list_key(const forms::Group& repeat, const forms::Scope& parent);
// The instances its repeat_count asks for in `parent`; nullopt when it is open-ended.
std::optional<std::size_t> expected_instances(const forms::FormDefinition& form, const forms::Group& repeat,
                                              const Answers& typed, const forms::ValidationOptions& options,
                                              const forms::Scope& parent);
// "Household members #2" (nested: "Household members #2 › Children #1").
std::string instance_label(const forms::FormDefinition& form, const forms::Scope& scope, const Answers& typed,
                           Language language);
// What is wrong, as a person reads it: the engine's line without the field's name and label
// it starts with ("m_age (Age): must be a whole number" -> "must be a whole number"), which
// the page shows beside the question already. Lines of other shapes are kept whole.
std::string plain_problem(const Message& line, Language language);
// A new instance at the end of the list `list` (refused when its count is reached).
Status add_instance(const forms::FormDefinition& form, Answers& raw, std::string_view list,
                    const forms::ValidationOptions& options);
// The instance whose marker is `marker`, with everything in it (refused at a fixed count).
Status remove_instance(const forms::FormDefinition& form, Answers& raw, std::string_view marker,
                       const forms::ValidationOptions& options);
// Entries the engine removed from one repeat's list (its list key), and the note saying so.
struct Removed {
  std::string list;
  Message note;
};
// Every relevant repeat fitted to its computed count: instances created up to it; past it,
// the instances in which nothing was answered removed, the last first (as Enketo removes
// the last ones), each named in `removed`. An instance with answers is never removed here:
// the repeat's page says the list is too long and the person chooses (as ODK Collect, which
// never removes one when the count goes down).
void fit_to_counts(const forms::FormDefinition& form, Answers& raw, const forms::ValidationOptions& options,
                   std::vector<Removed>* removed = nullptr);
// What a call's body asks of the instances before its view is made: {"add": list key},
// {"remove": marker key}, and, with `grow` or {"grow": true}, fit_to_counts.
Status change_instances(const forms::FormDefinition& form, Answers& raw, const Json& body,
                        const forms::ValidationOptions& options, bool grow, std::vector<Removed>* removed = nullptr);
// The notes of `removed` on their repeats' items of `view` ("removed").
void note_removed(Json& view, const std::vector<Removed>& removed, Language language);
// The body's "cleared": the questions whose note (an answer the engine cleared) still stands.
FieldNames notes_of(const Json& body);

// One call: what it asks of the Store, CaseBook, Drafts and the forms engine.
class Handler {
 public:
  Handler(Store& store, const forms::FormPack& pack, const ApiCall& call)
      : store_(store), pack_(pack), call_(call), options_{call.language, store.today()},
        book_(store, pack, options_), drafts_(store) {}

  ApiReply route();

 private:
  static std::vector<std::string> split(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t start = 1;
    while (start <= path.size()) {
      std::size_t end = path.find('/', start);
      if (end == std::string::npos) end = path.size();
      if (end > start) parts.push_back(path.substr(start, end - start));
      start = end + 1;
    }
    return parts;
  }
  static ApiReply wrap(Result<Json> result) {
    if (!result.ok()) return {result.status(), {}};
    return {Status::success(), std::move(*result)};
  }
  Language language() const { return call_.language; }
  std::string query(std::string_view name) const {
    auto it = call_.query.find(name);
    return it == call_.query.end() ? std::string() : it->second;
  }

  struct Opened {
    Draft draft;
    const forms::FormDefinition* form = nullptr;
    std::optional<StepRules> rules;
  };

  // ui_api.cc
  Result<Json> home();
  Result<Json> forms_list();
  Result<Json> providers();

  // ui_api_drafts.cc
  Result<Draft> new_draft(const forms::FormDefinition& form, std::optional<RecordId> case_id, std::string step,
                          Answers prefill);
  Result<Json> draft_new();
  Result<Opened> open_draft(DraftId id);
  Json view_of(const Opened& o, const Answers& raw, const FieldNames& passed, Answers* valid = nullptr,
               FieldNames* notes = nullptr);
  Result<Json> draft_show(DraftId id);
  ApiReply draft_update(DraftId id, bool evaluate_only);
  ApiReply draft_finish(DraftId id);
  Result<RecordId> save_record(const forms::FormDefinition& form, const Answers& answers);
  Result<Json> draft_discard(DraftId id);
  // Every question of the view counts as passed (at the end: a required one left empty says so).
  static FieldNames all_questions(const Json& view);

  // ui_api_records.cc
  Json summary_json(const RecordSummary& r);
  Result<Json> records();
  Result<Json> record_show(RecordId id);
  Result<std::pair<Record, const forms::FormDefinition*>> editable(RecordId id);
  Result<Json> record_evaluate(RecordId id);
  ApiReply record_edit(RecordId id);
  // The referral as the provider gets it: what CaseBook::referral_document allows (the
  // client's identity only with their consent to share it), with the provider's details.
  Result<Json> referral_sheet(RecordId id);

  // ui_api_cases.cc
  Result<Json> case_list();
  Result<Json> case_open();
  // A case value is shown as the step question that sets it (the registration's "Full
  // name" for the case's name); the case form itself is internal and has no labels.
  const Field* case_value_field(std::string_view name) const;
  std::vector<std::string> case_value_order(const Answers& values) const;
  Result<Json> case_file(RecordId id);
  Result<Json> case_step(RecordId id, const std::string& verb);

  Store& store_;
  const forms::FormPack& pack_;
  const ApiCall& call_;
  forms::ValidationOptions options_;
  CaseBook book_;
  Drafts drafts_;
};

}  // namespace amana::field::ui::detail

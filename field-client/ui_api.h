// The JSON API of the field client's local web screens (field-client/ui_app.h serves it):
// what each screen asks of the Store, CaseBook, Drafts and the forms engine, as JSON.
//
// The page never evaluates form logic. While a person types, it sends the answers as
// typed (Arabic-Indic digits, day-first dates, choice names) and gets back from the C++
// engine which questions are relevant now, which are required, each answer's canonical
// form or the error to show beside its question, the providers to offer at a referral's
// provider question and whether the client's consent allows what was answered
// (form_view below). Drafts are kept in the device's store (drafts.h), so a form survives
// closing the browser and restarting `field-client ui`.
//
// Routes (all JSON; {id} is a full id; every POST body is a JSON object):
//   GET  /api/home                         follow-ups due, review items, drafts, records waiting to sync
//   GET  /api/forms                        the forms a person may fill in alone
//   POST /api/drafts                       {form}: a new draft of that form
//   GET  /api/drafts/{id}                  the draft with its form's view
//   POST /api/drafts/{id}/evaluate         {answers, passed}: the view, nothing saved (as the person types)
//   POST /api/drafts/{id}                  {answers, passed}: saves the valid answers, returns the view;
//                                          instances are created up to a computed repeat_count
//     both also take {cleared} (the notes of cleared answers that stood), {add: list key} (a new
//     instance of that repeat), {remove: marker key} (an instance and everything in it), {grow}
//   POST /api/drafts/{id}/finish           {answers, passed}: the record (or the case step) from it;
//                                          refused with the view and each error at its question
//   POST /api/drafts/{id}/discard
//   GET  /api/records?q=&form=             newest first, at most kListLimit; q searches the values
//   GET  /api/records/{id}                 values with labels, and the history
//   POST /api/records/{id}/evaluate        {answers, passed}: the view for editing it
//   POST /api/records/{id}/edit            {answers}: validated like a submission, then saved
//   GET  /api/records/{id}/sheet           a referral as its provider gets it (identity only with consent)
//   GET  /api/cases?q=&status=             q: the name, in Arabic or Latin letters (it sounds alike)
//   POST /api/cases                        {name, sex, age, location, not_a_duplicate}: opens a case
//   GET  /api/cases/{id}                   the case file: values, timeline, next steps, referrals
//   POST /api/cases/{id}/steps/{verb}      a draft of that step (register, assess, plan, refer,
//                                          follow-up, close), checked before its first question and
//                                          prefilled from what the case knows
//   GET  /api/providers?service=           the directory
// A user-causable refusal is a Status (its code picks the HTTP status); the body is then
// {"error": {"code", "message"}} with the message in the caller's language, and for a
// form refused at the end also the "view".
//
// Thread safety: none; the caller (ui_app.h) holds the one mutex that owns the Store.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "common/form.h"
#include "common/form_pack.h"
#include "field-client/cases.h"
#include "field-client/interview.h"
#include "field-client/store.h"

namespace amana::field::ui {

using Json = nlohmann::json;

inline constexpr std::size_t kListLimit = 200;           // rows a list answers with
inline constexpr std::size_t kMaxAnswerBytes = 64 * 1024;  // one typed answer

struct ApiCall {
  std::string method;  // GET or POST
  std::string path;    // "/api/cases/…", without the query
  std::map<std::string, std::string, std::less<>> query;
  Json body = Json::object();
  Language language = Language::en;
};

// A refusal that carries more than its Status (a form refused at the end: its view).
struct ApiReply {
  Status status;
  Json body;  // the answer when status is ok; extra error detail otherwise
};

// Rules a case step adds to its form's own (CaseBook::check_step_answer, step_suggestions).
struct StepRules {
  CaseBook* book = nullptr;
  RecordId case_id;
  cases::CaseEvent event = cases::CaseEvent::reg;
};

// The form as it stands with `raw` answers: for every relevant question in form order,
// its label, hint, type, choices (and suggestions), whether it is required, the answer
// as typed, its canonical form or the error to show beside it. A passed question that is
// required and unanswered carries the "required" error. `valid` receives the canonical
// answers that stand (relevant and accepted). "complete" is true when nothing is missing
// or refused.
// Repeats: where a repeat is, an item {"type": "repeat", "name": its list key ("members",
// "members/<id>/children"), "instances": [{key, position, label, summary, first}],
// "count" (its repeat_count now), "can_add", "can_remove"}, then each instance's questions
// under their flat keys ("members/<id>/m_age") with "instance" ("Household members #2")
// and "instance_key"; an error in an instance names it ("members #2: ..."). "answers" is
// the answers as the engine left them (instances added or removed, cleared answers gone).
// Cascading selects: an answer the choice filter no longer offers (the locality of a state
// no longer chosen) is cleared, and its key stays in `notes` ("cleared"; in: the notes that
// stood, out: those that still do) with a "note" beside its question until it is answered.
Json form_view(const forms::FormDefinition& form, const forms::Answers& raw, const FieldNames& passed,
               const forms::ValidationOptions& options, const StepRules* step, forms::Answers* valid = nullptr,
               FieldNames* notes = nullptr);

// The CLI verb of a step a device records ("follow-up", "close"), and back.
std::string step_verb(cases::CaseEvent event);
Result<cases::CaseEvent> parse_step_verb(std::string_view verb);

class Api {
 public:
  Api(Store& store, const forms::FormPack& pack);

  // Routes one call (see above); not_found for an unknown route.
  ApiReply call(const ApiCall& call);

 private:
  Store& store_;
  const forms::FormPack& pack_;
};

}  // namespace amana::field::ui

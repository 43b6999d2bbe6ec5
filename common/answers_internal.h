// What the parts of the answers engine share (answers_canonical.cc, answers_context.cc,
// answers_validate.cc, answers_json.cc). Not part of the contract in answers.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/answers.h"
#include "common/message.h"

namespace amana::forms::detail {

// Long enough for any narrative a case worker types in the field; short enough that a
// pasted file cannot bloat every sync.
constexpr std::size_t kMaxTextBytes = 10000;

// "name (label): ...": how every answer error starts, so the collector sees which question.
Status field_error(const Field& field, MessageKey key, std::vector<MessageArg> more = {});
std::string_view trim(std::string_view s);
// A canonical answer as expressions see it (expr.h: numbers, booleans, strings).
expr::Value typed_value(const Field& field, const std::string& canonical);
// The canonical answer ${field} reads from `scope` (answers.h "Repeats": the first node when
// it stands for several); nullptr when unanswered.
const std::string* answer_in(const FormDefinition& form, const Answers& answers, const Field& field,
                             const Scope& scope);

// Repeats in validate_submission (answers_repeats.cc).
// Every key of `given` is a field of the form or an instance's key of a repeat of the form
// (the errors, one line each); the live instances' markers are copied into `answers`.
std::vector<Message> check_keys(const FormDefinition& form, const Answers& given,
                                const std::set<std::string, std::less<>>& explicitly_set, Answers& answers);
// A repeat with more than kMaxInstances live instances in one enclosing instance.
std::optional<Status> too_many_instances(const FormDefinition& form, const Answers& answers);
// Each live instance's position, to say which instance an error is about.
class Positions {
 public:
  Positions(const FormDefinition& form, const Answers& answers);
  // `line` as about the instance `scope` ("members #2: ..."); unchanged at the top level.
  Message about(const Scope& scope, const Message& line) const;

 private:
  std::map<std::string, std::int64_t, std::less<>> positions_;  // marker key -> 1-based
};
// Each relevant repeat whose number of live instances is not its repeat_count: the index of
// the repeat's first field (where the error is reported) and the error.
std::vector<std::pair<std::size_t, Message>> repeat_count_errors(const FormDefinition& form, const Answers& answers,
                                                                 const ValidationOptions& options,
                                                                 const Positions& positions);

}  // namespace amana::forms::detail

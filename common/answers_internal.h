// What the parts of the answers engine share (answers_canonical.cc, answers_context.cc,
// answers_validate.cc, answers_json.cc). Not part of the contract in answers.h.
#pragma once

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

}  // namespace amana::forms::detail

// What the XLSForm import tests share: a conversion's warnings as one text, and an example
// submission checked as a device would save it (on a fixed day and device).
#pragma once

#include <set>
#include <string>

#include "common/answers.h"
#include "common/xlsform.h"

namespace amana::testing {

inline std::string warnings_of(const xlsform::Conversion& conversion, Language language = Language::en) {
  std::string out;
  for (const Message& message : conversion.warnings) out += message.in(language) + "\n";
  return out;
}

inline Result<forms::Answers> collect(const forms::FormDefinition& form, const std::string& answers_json) {
  auto given = forms::parse_answers_json(form, answers_json);
  if (!given.ok()) return given.status();
  std::set<std::string, std::less<>> keys;
  for (const auto& [key, value] : *given) keys.insert(key);
  forms::ValidationOptions options;
  options.today = "2026-12-04";
  options.device_id = "device-1";
  return forms::validate_submission(form, *given, keys, options);
}

}  // namespace amana::testing

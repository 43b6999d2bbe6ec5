// Answers files (common/answers.h): JSON a user hands to `field-client collect --answers`,
// parsed against a built-in form and validated as a submission. Byte 0 picks the form.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "common/answers.h"
#include "common/form_pack.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace amana::forms;
  if (size == 0) return 0;
  static const FormPack pack = FormPack::builtin().value();
  const FormDefinition& form = pack.forms()[data[0] % pack.forms().size()];
  auto given = parse_answers_json(form, std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  if (!given.ok()) return 0;
  std::set<std::string, std::less<>> set;
  for (const auto& [name, value] : *given) set.insert(name);
  const ValidationOptions options{Language::ar, "2026-12-01"};
  (void)validate_submission(form, *given, set, options);
  return 0;
}

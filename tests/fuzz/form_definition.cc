// Form definitions (common/form.h): JSON that arrives from forms/ today and from the
// server later. A definition that loads must be safe to collect with, so each one that
// parses is also validated against an empty submission (relevance, requiredness and
// defaults evaluate every expression it holds).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/answers.h"
#include "common/form.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace amana::forms;
  auto form = parse_form_definition(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!form.ok()) return 0;
  const ValidationOptions options{Language::en, "2026-12-01"};
  (void)validate_submission(*form, {}, {}, options);
  return 0;
}

// The questions the case cycle and the reports read by name (common/case_form_contract.h).
#include <doctest/doctest.h>

#include "common/case_form_contract.h"
#include "common/case_sources.h"
#include "common/form_pack.h"

using namespace amana;

TEST_CASE("case form contract: every declared question is in its built-in form") {
  auto pack = forms::FormPack::builtin();
  REQUIRE(pack.ok());
  for (const cases::DeclaredField& declared : cases::declared_fields()) {
    auto form = pack->find(declared.form);
    REQUIRE_MESSAGE(form.ok(), declared.form);
    CHECK_MESSAGE((*form)->find_field(declared.field) != nullptr, declared.form, ".", declared.field);
  }
  // What the case's values are taken from is declared: a step's owned field and the
  // identification's opening sources.
  for (const cases::OwnedField& owned : cases::owned_fields()) {
    for (const cases::FieldSource& source : owned.steps) {
      if (source.empty()) continue;
      bool found = false;
      for (const auto& declared : cases::declared_fields()) {
        found = found || (declared.form == source.form && declared.field == source.form_field);
      }
      CHECK_MESSAGE(found, source.form, ".", source.form_field);
    }
  }
}

TEST_CASE("case form contract: a version dropping or retyping a declared question is refused, saying why") {
  auto pack = forms::FormPack::builtin();
  REQUIRE(pack.ok());
  const forms::FormDefinition& closure = **pack->find("case-closure");
  CHECK(cases::check_declared_fields(closure, closure).ok());

  forms::FormDefinition changed = closure;
  std::erase_if(changed.fields, [](const forms::Field& f) { return f.name == "reason"; });
  for (forms::Field& field : changed.fields) {
    if (field.name == "closure_date") field.type = forms::FieldType::text;
  }
  const Status refused = cases::check_declared_fields(closure, changed);
  CHECK(refused.code() == ErrorCode::invalid_argument);
  CHECK(refused.message().find("drops the question 'reason' (select_one)") != std::string::npos);
  CHECK(refused.message().find("makes the question 'closure_date' text") != std::string::npos);
  CHECK(refused.message_in(Language::ar).find("closure_date") != std::string::npos);

  // A form without declared questions is not checked.
  CHECK_FALSE(cases::has_declared_fields("site-check"));
  CHECK(cases::has_declared_fields("referral"));
}

// The form pack: the form definitions a device can collect with. For now the built-in
// pack compiled from forms/*.json; later issues add forms synced down from the server.
#pragma once

#include <string_view>
#include <vector>

#include "common/form.h"
#include "common/status.h"

namespace amana::forms {

class FormPack {
 public:
  // Parses every built-in form. A built-in form that fails to parse is reported with its
  // file name (the test suite loads the pack, so this cannot ship unnoticed).
  static Result<FormPack> builtin();

  // The form with this id, or not_found naming the forms that exist.
  Result<const FormDefinition*> find(std::string_view id) const;
  const std::vector<FormDefinition>& forms() const { return forms_; }

 private:
  std::vector<FormDefinition> forms_;  // sorted by id
};

}  // namespace amana::forms

#include "common/form_pack.h"

#include <algorithm>

#include "common/embedded.h"
#include "common/message_catalogue.h"

namespace amana::forms {

std::vector<EmbeddedFile> builtin_form_files();  // generated from forms/*.json

Result<FormPack> FormPack::builtin() {
  FormPack pack;
  for (const EmbeddedFile& file : builtin_form_files()) {
    auto form = parse_form_definition(file.contents);
    if (!form.ok()) return form.status().with_context("built-in form " + std::string(file.name));
    pack.forms_.push_back(std::move(form).value());
  }
  std::sort(pack.forms_.begin(), pack.forms_.end(),
            [](const FormDefinition& a, const FormDefinition& b) { return a.id < b.id; });
  return pack;
}

Result<const FormDefinition*> FormPack::find(std::string_view id) const {
  for (const FormDefinition& form : forms_) {
    if (form.id == id) return &form;
  }
  std::string names;
  for (const FormDefinition& form : forms_) names += (names.empty() ? "" : ", ") + form.id;
  return not_found(Message("form.unknown_form", {{"form", std::string(id)}, {"forms", names}}));
}

}  // namespace amana::forms

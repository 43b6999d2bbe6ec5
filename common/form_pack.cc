#include "common/form_pack.h"

#include <algorithm>
#include <tuple>

#include "common/embedded.h"
#include "common/message_catalogue.h"

namespace amana::forms {

std::vector<EmbeddedFile> builtin_form_files();  // generated from forms/*.json

Result<FormPack> FormPack::builtin() {
  FormPack pack;
  for (const EmbeddedFile& file : builtin_form_files()) {
    auto form = parse_form_definition(file.contents);
    if (!form.ok()) return form.status().with_context("built-in form " + std::string(file.name));
    pack.all_.push_back(std::move(form).value());
  }
  std::sort(pack.all_.begin(), pack.all_.end(), [](const FormDefinition& a, const FormDefinition& b) {
    return std::tie(a.id, a.version) < std::tie(b.id, b.version);
  });
  pack.rebuild();
  return pack;
}

std::vector<FormPack::Source> FormPack::builtin_sources() {
  std::vector<Source> sources;
  for (const EmbeddedFile& file : builtin_form_files()) sources.push_back({file.name, file.contents});
  return sources;
}

void FormPack::add_version(FormDefinition form) {
  auto at = std::lower_bound(all_.begin(), all_.end(), form, [](const FormDefinition& a, const FormDefinition& b) {
    return std::tie(a.id, a.version) < std::tie(b.id, b.version);
  });
  if (at != all_.end() && at->id == form.id && at->version == form.version) *at = std::move(form);
  else all_.insert(at, std::move(form));
  rebuild();
}

void FormPack::set_archived(std::set<std::string, std::less<>> form_ids) {
  archived_ = std::move(form_ids);
  rebuild();
}

void FormPack::rebuild() {
  forms_.clear();
  for (std::size_t i = 0; i < all_.size(); ++i) {
    const bool newest = i + 1 == all_.size() || all_[i + 1].id != all_[i].id;
    if (newest && !archived_.contains(all_[i].id)) forms_.push_back(all_[i]);
  }
}

Result<const FormDefinition*> FormPack::find(std::string_view id) const {
  for (const FormDefinition& form : forms_) {
    if (form.id == id) return &form;
  }
  if (archived_.contains(id) && !versions(id).empty()) {
    return not_found(Message("form.archived_form", {{"form", std::string(id)}}));
  }
  std::string names;
  for (const FormDefinition& form : forms_) names += (names.empty() ? "" : ", ") + form.id;
  return not_found(Message("form.unknown_form", {{"form", std::string(id)}, {"forms", names}}));
}

Result<const FormDefinition*> FormPack::find(std::string_view id, std::uint32_t version) const {
  const auto known = versions(id);
  if (known.empty()) return find(id);
  for (const FormDefinition* form : known) {
    if (form->version == version) return form;
  }
  return known.back();
}

std::vector<const FormDefinition*> FormPack::versions(std::string_view id) const {
  std::vector<const FormDefinition*> out;
  for (const FormDefinition& form : all_) {
    if (form.id == id) out.push_back(&form);
  }
  return out;
}

}  // namespace amana::forms

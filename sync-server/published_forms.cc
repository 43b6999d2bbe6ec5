#include "sync-server/published_forms.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <map>
#include <stdexcept>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "common/case_form_contract.h"
#include "common/message_catalogue.h"

namespace amana::server {
namespace {

std::string joined_warnings(const std::vector<Message>& warnings) {
  std::string out;
  for (const Message& warning : warnings) out += (out.empty() ? "" : "\n") + warning.in(Language::en);
  return out;
}

const forms::FormPack& builtin_pack() {
  static const forms::FormPack pack = [] {
    auto loaded = forms::FormPack::builtin();
    // The test suite loads the built-in pack: a pack that does not load cannot ship.
    if (!loaded.ok()) throw std::logic_error(loaded.status().message());
    return std::move(loaded).value();
  }();
  return pack;
}

// The built-in version of `form_id`, if the form is built in.
const forms::FormDefinition* builtin_version(std::string_view form_id) {
  const auto versions = builtin_pack().versions(form_id);
  return versions.empty() ? nullptr : versions.back();
}

Status check_size(const PublishedForm& form) {
  if (form.definition.size() <= forms::kMaxPublishedFormBytes) return Status();
  return invalid_argument(Message("forms.too_large", {{"form", form.form_id},
                                                      {"version", static_cast<std::int64_t>(form.version)},
                                                      {"size", static_cast<std::int64_t>(form.definition.size())},
                                                      {"limit", static_cast<std::int64_t>(forms::kMaxPublishedFormBytes)}}));
}

pb::FormVersion to_wire(const PublishedForm& form) {
  pb::FormVersion out;
  out.set_form_id(form.form_id);
  out.set_version(form.version);
  out.set_definition(form.definition);
  out.set_digest(form.digest.data(), form.digest.size());
  out.set_signature(form.signature.data(), form.signature.size());
  return out;
}

}  // namespace

crypto::Bytes form_signed_message(std::string_view form_id, std::uint32_t version,
                                  const std::array<std::uint8_t, 32>& digest) {
  static constexpr std::string_view kDomain = "amana/form/v1";
  crypto::Bytes message(kDomain.begin(), kDomain.end());
  const auto length = static_cast<std::uint32_t>(form_id.size());
  for (int shift = 24; shift >= 0; shift -= 8) message.push_back(static_cast<std::uint8_t>(length >> shift));
  message.insert(message.end(), form_id.begin(), form_id.end());
  for (int shift = 24; shift >= 0; shift -= 8) message.push_back(static_cast<std::uint8_t>(version >> shift));
  message.insert(message.end(), digest.begin(), digest.end());
  return message;
}

bool verify_published_form(const PublishedForm& form, const crypto::PublicKey& org_sign_key) {
  if (crypto::hash(crypto::as_bytes(form.definition)) != form.digest) return false;
  return crypto::verify(org_sign_key, form_signed_message(form.form_id, form.version, form.digest), form.signature);
}

Result<PublishOutcome> convert_next_version(CentralStore& store, std::string_view file_name, std::string_view bytes) {
  // The built-in forms are published versions too: their next version may be published.
  xlsform::ImportLimits limits;
  limits.builtin_ids = true;
  // Converted once to learn the form id, then numbered after the versions it already has,
  // and after the built-in version this server carries (never the same number twice).
  AMANA_ASSIGN_OR_RETURN(xlsform::Conversion first, xlsform::convert_xlsform(bytes, file_name, 1, limits));
  AMANA_ASSIGN_OR_RETURN(auto versions, store.form_versions(first.form.id));
  const forms::FormDefinition* builtin = builtin_version(first.form.id);
  const std::uint32_t next =
      std::max(versions.empty() ? 0u : versions.back().version, builtin ? builtin->version : 0u) + 1;
  xlsform::Conversion conversion = std::move(first);
  if (next != 1) {
    AMANA_ASSIGN_OR_RETURN(conversion, xlsform::convert_xlsform(bytes, file_name, next, limits));
  }
  // The questions the case cycle and the reports read by name stay, with their types.
  if (builtin != nullptr && cases::has_declared_fields(conversion.form.id)) {
    AMANA_RETURN_IF_ERROR(cases::check_declared_fields(*builtin, conversion.form));
  }
  PublishOutcome outcome;
  outcome.form.form_id = conversion.form.id;
  outcome.form.version = next;
  outcome.form.definition = conversion.definition_json;
  outcome.form.digest = crypto::hash(crypto::as_bytes(conversion.definition_json));
  std::string name(file_name);
  if (const auto slash = name.find_last_of('/'); slash != std::string::npos) name = name.substr(slash + 1);
  outcome.form.source_name = name;
  outcome.form.source_digest = crypto::hash(crypto::as_bytes(bytes));
  outcome.form.source_version = conversion.source_version;
  outcome.form.warnings = joined_warnings(conversion.warnings);
  AMANA_RETURN_IF_ERROR(check_size(outcome.form));
  outcome.conversion = std::move(conversion);
  if (!versions.empty()) {
    // Compared as JSON values, not as text: a version published indented (before
    // definitions were stored compact) is still seen as unchanged.
    auto newest = nlohmann::json::parse(versions.back().definition, nullptr, false);
    auto converted = nlohmann::json::parse(outcome.form.definition, nullptr, false);
    if (!newest.is_discarded() && !converted.is_discarded()) {
      newest["version"] = next;
      if (newest == converted) outcome.unchanged_since = versions.back().version;
    }
  }
  return outcome;
}

Result<PublishOutcome> publish_form(CentralStore& store, const OrgKeys& keys, std::string_view file_name,
                                    std::string_view bytes, const std::string& by, std::int64_t now_ms) {
  AMANA_ASSIGN_OR_RETURN(PublishOutcome outcome, convert_next_version(store, file_name, bytes));
  AMANA_ASSIGN_OR_RETURN(auto versions, store.form_versions(outcome.form.form_id));
  if (outcome.unchanged_since && !versions.empty() && !versions.back().archived_at_ms) {
    return Status(ErrorCode::already_exists, "form '" + outcome.form.form_id + "' is unchanged since version " +
                                                 std::to_string(*outcome.unchanged_since) + ": nothing published");
  }
  PublishedForm& form = outcome.form;
  form.published_at_ms = now_ms;
  form.published_by = by;
  form.signature = crypto::sign(keys.sign.secret_key, form_signed_message(form.form_id, form.version, form.digest));
  const Status stored = store.in_one_transaction([&]() -> Status {
    AMANA_RETURN_IF_ERROR(store.add_form_version(form));
    return store.append_audit({now_ms, by, "form-publish", form.form_id,
                               "version " + std::to_string(form.version) + ", digest " +
                                   crypto::to_hex(form.digest) + ", from " + form.source_name + ", " +
                                   std::to_string(outcome.conversion.warnings.size()) + " warnings"});
  });
  if (!stored.ok()) return stored;
  return outcome;
}

Status archive_published_form(CentralStore& store, std::string_view form_id, const std::string& by,
                              std::int64_t now_ms) {
  return store.in_one_transaction([&]() -> Status {
    AMANA_RETURN_IF_ERROR(store.archive_form(form_id, now_ms));
    return store.append_audit({now_ms, by, "form-archive", std::string(form_id), "every version kept"});
  });
}

namespace {

constexpr std::string_view kBuiltinSourcePrefix = "built-in ";

struct BuiltinVersion {
  forms::FormDefinition definition;
  forms::FormPack::Source source;
  std::array<std::uint8_t, 32> digest;
};

// Every built-in version, the earlier ones (forms/earlier/) too, by id then version: a record
// an older binary collected names its version, and the server must have published it.
Result<std::vector<BuiltinVersion>> builtin_versions() {
  std::vector<BuiltinVersion> builtin;
  for (const forms::FormPack::Source& source : forms::FormPack::builtin_sources()) {
    AMANA_ASSIGN_OR_RETURN(forms::FormDefinition definition, forms::parse_form_definition(source.json));
    builtin.push_back({std::move(definition), source, crypto::hash(crypto::as_bytes(source.json))});
  }
  std::sort(builtin.begin(), builtin.end(), [](const BuiltinVersion& a, const BuiltinVersion& b) {
    return std::tie(a.definition.id, a.definition.version) < std::tie(b.definition.id, b.definition.version);
  });
  return builtin;
}

bool is_builtin_version(const PublishedForm& form, const std::vector<BuiltinVersion>& builtin) {
  if (form.source_name.starts_with(kBuiltinSourcePrefix)) return true;
  return std::any_of(builtin.begin(), builtin.end(), [&](const BuiltinVersion& b) { return b.digest == form.digest; });
}

Status publish_builtin_version(CentralStore& store, const OrgKeys& keys, const BuiltinVersion& builtin,
                               const std::string& by, std::int64_t now_ms) {
  PublishedForm form;
  form.form_id = builtin.definition.id;
  form.version = builtin.definition.version;
  form.definition = std::string(builtin.source.json);
  form.digest = builtin.digest;
  form.signature = crypto::sign(keys.sign.secret_key, form_signed_message(form.form_id, form.version, form.digest));
  form.source_name = std::string(kBuiltinSourcePrefix) + std::string(builtin.source.file);
  form.source_digest = form.digest;
  form.published_at_ms = now_ms;
  form.published_by = by;
  AMANA_RETURN_IF_ERROR(check_size(form));
  return store.in_one_transaction([&]() -> Status {
    AMANA_RETURN_IF_ERROR(store.add_form_version(form));
    return store.append_audit({now_ms, by, "form-publish", form.form_id,
                               "version " + std::to_string(form.version) + ", digest " +
                                   crypto::to_hex(form.digest) + ", the built-in form"});
  });
}

}  // namespace

Result<std::vector<BuiltinUpdate>> update_builtin_forms(CentralStore& store, const OrgKeys& keys,
                                                        const std::string& by, std::int64_t now_ms) {
  AMANA_ASSIGN_OR_RETURN(std::vector<BuiltinVersion> builtin, builtin_versions());
  std::vector<BuiltinUpdate> updates;
  for (std::size_t first = 0; first < builtin.size();) {
    std::size_t last = first;
    while (last + 1 < builtin.size() && builtin[last + 1].definition.id == builtin[first].definition.id) ++last;
    const std::string& id = builtin[first].definition.id;
    const auto newest_builtin = static_cast<std::int64_t>(builtin[last].definition.version);
    BuiltinUpdate update{id, {}, false, Message("forms.builtin_current", {{"form", id}, {"version", newest_builtin}})};
    AMANA_ASSIGN_OR_RETURN(auto versions, store.form_versions(id));
    // The built-in versions to publish: all of them on a store without the form, else those
    // numbered above its newest, when that one is built in and the form is offered.
    std::uint32_t above = 0;
    bool publish = true;
    if (!versions.empty()) {
      const PublishedForm& newest = versions.back();
      above = newest.version;
      const bool held = std::any_of(versions.begin(), versions.end(), [&](const PublishedForm& v) {
        return v.version == builtin[last].definition.version && is_builtin_version(v, builtin);
      });
      if (held || (is_builtin_version(newest, builtin) && builtin[last].definition.version <= newest.version)) {
        publish = false;  // up to date
      } else if (!is_builtin_version(newest, builtin)) {
        update.message = Message("forms.builtin_own_version", {{"form", id},
                                                                {"version", static_cast<std::int64_t>(newest.version)},
                                                                {"builtin", newest_builtin}});
        publish = false;
        update.declined = true;
      } else if (newest.archived_at_ms) {
        update.message = Message("forms.builtin_archived", {{"form", id}, {"builtin", newest_builtin}});
        publish = false;
        update.declined = true;
      }
    }
    for (std::size_t i = first; publish && i <= last; ++i) {
      if (!versions.empty() && builtin[i].definition.version <= above) continue;
      AMANA_RETURN_IF_ERROR(publish_builtin_version(store, keys, builtin[i], by, now_ms));
      update.published.push_back(builtin[i].definition.version);
    }
    if (!update.published.empty()) {
      update.message = versions.empty()
                           ? Message("forms.builtin_first", {{"form", id}, {"version", newest_builtin}})
                           : Message("forms.builtin_published", {{"form", id},
                                                                 {"version", newest_builtin},
                                                                 {"had", static_cast<std::int64_t>(above)}});
    }
    updates.push_back(std::move(update));
    first = last + 1;
  }
  return updates;
}

Status publish_builtin_pack(CentralStore& store, const OrgKeys& keys, const std::string& by, std::int64_t now_ms) {
  return update_builtin_forms(store, keys, by, now_ms).status();
}

Result<FormsPage> forms_page(CentralStore& store, const google::protobuf::RepeatedPtrField<pb::FormHeld>& held,
                             std::size_t max_bytes) {
  AMANA_ASSIGN_OR_RETURN(auto catalogue, store.form_catalogue());
  std::map<std::string, const pb::FormHeld*, std::less<>> holds;
  for (const pb::FormHeld& form : held) holds[form.form_id()] = &form;
  FormsPage page;
  bool same = holds.size() == catalogue.size();
  std::size_t bytes = 0;
  for (const FormCatalogueEntry& entry : catalogue) {
    auto found = holds.find(entry.form_id);
    const std::uint32_t has = found == holds.end() ? 0 : found->second->version();
    if (found == holds.end() || has != entry.newest || found->second->archived() != entry.archived) same = false;
    if (has >= entry.newest || page.more) continue;
    // Only the forms a device lacks are read whole, and only the versions it lacks are sent.
    AMANA_ASSIGN_OR_RETURN(auto versions, store.form_versions(entry.form_id));
    for (const PublishedForm& version : versions) {
      if (version.version <= has) continue;
      if (!page.versions.empty() && bytes + version.definition.size() > max_bytes) {
        page.more = true;
        break;
      }
      bytes += version.definition.size();
      page.versions.push_back(to_wire(version));
    }
  }
  if (!same) {
    pb::FormCatalogue& out = page.catalogue.emplace();
    for (const FormCatalogueEntry& entry : catalogue) {
      pb::FormHeld* form = out.add_forms();
      form->set_form_id(entry.form_id);
      form->set_version(entry.newest);
      form->set_archived(entry.archived);
    }
  }
  return page;
}

Result<forms::FormPack> server_form_pack(CentralStore& store) {
  forms::FormPack pack = builtin_pack();
  AMANA_ASSIGN_OR_RETURN(auto versions, store.form_versions(""));
  for (const PublishedForm& version : versions) {
    // A version this build cannot load (made by a newer engine) leaves its records shown
    // with the version before it, rather than stopping every export.
    auto definition = forms::parse_form_definition(version.definition);
    if (definition.ok()) pack.add_version(std::move(definition).value());
  }
  return pack;
}

Result<forms::FormPack> export_form_pack(CentralStore& store) {
  forms::FormPack pack = builtin_pack();
  AMANA_ASSIGN_OR_RETURN(auto versions, store.form_versions(""));
  for (const PublishedForm& version : versions) {
    const auto builtin = builtin_pack().versions(version.form_id);
    const bool builtin_here = std::any_of(builtin.begin(), builtin.end(), [&](const forms::FormDefinition* form) {
      return form->version == version.version;
    });
    if (builtin_here && version.source_name.starts_with(kBuiltinSourcePrefix)) continue;  // this binary's text
    auto definition = forms::parse_form_definition(version.definition);
    if (definition.ok()) pack.add_version(std::move(definition).value());
  }
  return pack;
}

Result<std::vector<PublishedForm>> newest_versions(CentralStore& store) {
  AMANA_ASSIGN_OR_RETURN(auto versions, store.form_versions(""));
  std::vector<PublishedForm> newest;
  for (PublishedForm& form : versions) {
    if (!newest.empty() && newest.back().form_id == form.form_id) newest.back() = std::move(form);
    else newest.push_back(std::move(form));
  }
  return newest;
}

Result<PublishedForm> find_published_form(CentralStore& store, std::string_view form_id,
                                          std::optional<std::uint32_t> version) {
  AMANA_ASSIGN_OR_RETURN(auto versions, store.form_versions(form_id));
  if (versions.empty()) {
    return not_found("no published form '" + std::string(form_id) + "' (see `sync-server forms list`)");
  }
  if (!version) return versions.back();
  for (PublishedForm& form : versions) {
    if (form.version == *version) return std::move(form);
  }
  return not_found("form '" + std::string(form_id) + "' has no version " + std::to_string(*version) +
                   " (it has 1 to " + std::to_string(versions.back().version) + ")");
}

Result<bool> is_known_version(CentralStore& store, std::string_view form_id, std::uint32_t version) {
  for (const forms::FormDefinition* form : builtin_pack().versions(form_id)) {
    if (form->version == version) return true;
  }
  AMANA_ASSIGN_OR_RETURN(auto versions, store.form_versions(form_id));
  return std::any_of(versions.begin(), versions.end(),
                     [version](const PublishedForm& form) { return form.version == version; });
}

Result<forms::Answers> try_answers(const forms::FormDefinition& form, std::string_view answers_json,
                                   const std::string& today) {
  AMANA_ASSIGN_OR_RETURN(forms::Answers given, forms::parse_answers_json(form, answers_json));
  std::set<std::string, std::less<>> explicitly_set;
  for (const auto& [name, value] : given) explicitly_set.insert(name);
  forms::ValidationOptions options;
  options.today = today;
  return forms::validate_submission(form, given, explicitly_set, options);
}

}  // namespace amana::server

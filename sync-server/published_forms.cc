#include "sync-server/published_forms.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace amana::server {
namespace {

std::string joined_warnings(const std::vector<Message>& warnings) {
  std::string out;
  for (const Message& warning : warnings) out += (out.empty() ? "" : "\n") + warning.in(Language::en);
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
  // Converted once to learn the form id, then numbered after the versions it already has.
  AMANA_ASSIGN_OR_RETURN(xlsform::Conversion first, xlsform::convert_xlsform(bytes, file_name));
  AMANA_ASSIGN_OR_RETURN(auto versions, store.form_versions(first.form.id));
  const std::uint32_t next = versions.empty() ? 1 : versions.back().version + 1;
  xlsform::Conversion conversion = std::move(first);
  if (next != 1) {
    AMANA_ASSIGN_OR_RETURN(conversion, xlsform::convert_xlsform(bytes, file_name, next));
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
  outcome.conversion = std::move(conversion);
  if (!versions.empty()) {
    // Both are nlohmann's dump of the same structure: equal text is equal meaning.
    auto newest = nlohmann::json::parse(versions.back().definition, nullptr, false);
    if (!newest.is_discarded()) {
      newest["version"] = next;
      if (newest.dump(2) == outcome.form.definition) outcome.unchanged_since = versions.back().version;
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

#include "field-client/published_forms.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/message_catalogue.h"

namespace amana::field {
namespace {

// sync-server/published_forms.h's form_signed_message(), which the org signs.
crypto::Bytes signed_message(const pb::FormVersion& version) {
  static constexpr std::string_view kDomain = "amana/form/v1";
  crypto::Bytes message(kDomain.begin(), kDomain.end());
  const auto length = static_cast<std::uint32_t>(version.form_id().size());
  for (int shift = 24; shift >= 0; shift -= 8) message.push_back(static_cast<std::uint8_t>(length >> shift));
  message.insert(message.end(), version.form_id().begin(), version.form_id().end());
  for (int shift = 24; shift >= 0; shift -= 8) message.push_back(static_cast<std::uint8_t>(version.version() >> shift));
  message.insert(message.end(), version.digest().begin(), version.digest().end());
  return message;
}

std::vector<MessageArg> naming(const pb::FormVersion& version) {
  return {{"form", version.form_id()}, {"version", static_cast<std::int64_t>(version.version())}};
}

}  // namespace

Status check_form_version(const pb::FormVersion& version, const crypto::PublicKey& org_sign_key) {
  if (version.definition().size() > forms::kMaxPublishedFormBytes || version.form_id().size() > 64) {
    std::vector<MessageArg> args = naming(version);
    args.emplace_back("size", static_cast<std::int64_t>(version.definition().size()));
    args.emplace_back("limit", static_cast<std::int64_t>(forms::kMaxPublishedFormBytes));
    return invalid_argument(Message("forms.too_large", std::move(args)));
  }
  const auto digest = crypto::hash(crypto::as_bytes(version.definition()));
  if (!crypto::constant_time_equal(crypto::ByteView(digest), crypto::as_bytes(version.digest()))) {
    return Status(ErrorCode::corrupt, Message("forms.bad_digest", naming(version)));
  }
  if (!crypto::verify(org_sign_key, signed_message(version), crypto::as_bytes(version.signature()))) {
    return Status(ErrorCode::corrupt, Message("forms.bad_signature", naming(version)));
  }
  return Status();
}

Result<std::size_t> take_published_forms(Store& store, const pb::DeviceUpdate& update,
                                         const crypto::PublicKey& org_sign_key) {
  if (update.forms_size() == 0 && !update.has_form_catalogue()) return std::size_t{0};
  std::vector<pb::FormVersion> versions;
  for (const pb::FormVersion& version : update.forms()) {
    AMANA_RETURN_IF_ERROR(check_form_version(version, org_sign_key));
    versions.push_back(version);
  }
  std::optional<std::vector<std::string>> archived;
  if (update.has_form_catalogue()) {
    archived.emplace();
    for (const pb::FormHeld& form : update.form_catalogue().forms()) {
      if (form.archived()) archived->push_back(form.form_id());
    }
  }
  AMANA_ASSIGN_OR_RETURN(auto held, store.published_forms());
  std::set<std::pair<std::string, std::uint32_t>> had;
  for (const pb::FormVersion& version : held) had.emplace(version.form_id(), version.version());
  const auto fresh = static_cast<std::size_t>(std::count_if(versions.begin(), versions.end(), [&](const auto& v) {
    return !had.contains({v.form_id(), v.version()});
  }));
  AMANA_RETURN_IF_ERROR(store.keep_published_forms(versions, archived));
  return fresh;
}

Result<std::vector<pb::FormHeld>> forms_held(Store& store) {
  AMANA_ASSIGN_OR_RETURN(auto versions, store.published_forms());
  AMANA_ASSIGN_OR_RETURN(auto archived_list, store.archived_forms());
  const std::set<std::string> archived(archived_list.begin(), archived_list.end());
  std::map<std::string, std::uint32_t> newest;
  for (const pb::FormVersion& version : versions) {
    newest[version.form_id()] = std::max(newest[version.form_id()], version.version());
  }
  std::vector<pb::FormHeld> out;
  for (const auto& [id, version] : newest) {
    pb::FormHeld& held = out.emplace_back();
    held.set_form_id(id);
    held.set_version(version);
    held.set_archived(archived.contains(id));
  }
  return out;
}

forms::FormPack device_form_pack(forms::FormPack builtin, const Store::FormsOnDisk& stored) {
  if (!stored.org_sign_key) return builtin;  // not enrolled: nothing can be trusted yet
  for (const pb::FormVersion& version : stored.versions) {
    if (!check_form_version(version, *stored.org_sign_key).ok()) continue;
    auto definition = forms::parse_form_definition(version.definition());
    // A version made by a newer engine than this one does not load: the one before it stays.
    if (!definition.ok() || definition->id != version.form_id() || definition->version != version.version()) continue;
    builtin.add_version(std::move(definition).value());
  }
  builtin.set_archived({stored.archived.begin(), stored.archived.end()});
  return builtin;
}

Result<forms::FormPack> device_form_pack(const std::filesystem::path& home) {
  AMANA_ASSIGN_OR_RETURN(forms::FormPack builtin, forms::FormPack::builtin());
  AMANA_ASSIGN_OR_RETURN(Store::FormsOnDisk stored, Store::read_published_forms(home));
  return device_form_pack(std::move(builtin), stored);
}

}  // namespace amana::field

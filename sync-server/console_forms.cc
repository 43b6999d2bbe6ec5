// The console's forms page: publish an XLSForm (the converter's errors and warnings shown
// to the person who sent it), every version of every form, and archiving. Publishing signs
// with the organisation's key the operator unlocked at `serve`; both are audited
// (published_forms.h) under the signed-in administrator.
#include "common/form_pack.h"
#include "sync-server/console_internal.h"
#include "sync-server/published_forms.h"

namespace amana::server {

using namespace console_detail;

namespace {

Console::Impl::json messages_json(const std::vector<Message>& messages) {
  Console::Impl::json out = Console::Impl::json::array();
  for (const Message& m : messages) out.push_back({{"en", m.in(Language::en)}, {"ar", m.in(Language::ar)}});
  return out;
}

}  // namespace

HttpResponse Console::Impl::forms() {
  AMANA_ASSIGN_OR_RETURN_RESPONSE(auto versions, store().form_versions(""));
  AMANA_ASSIGN_OR_RETURN_RESPONSE(forms::FormPack pack, server_form_pack(store()));
  const Language lang = language();
  json list = json::array();
  for (const PublishedForm& v : versions) {
    if (list.empty() || list.back()["id"] != v.form_id) {
      const auto known = pack.versions(v.form_id);
      list.push_back({{"id", v.form_id},
                      {"title", known.empty() ? v.form_id : known.back()->title.in(lang)},
                      {"archived", v.archived_at_ms.has_value()},
                      {"versions", json::array()}});
    }
    list.back()["versions"].push_back({{"version", v.version},
                                       {"published", format_time_utc(v.published_at_ms)},
                                       {"published_shown", shown_moment(v.published_at_ms, lang)},
                                       {"by", v.published_by},
                                       {"file", v.source_name},
                                       {"warnings", v.warnings}});
  }
  return json_response(200, {{"forms", list}});
}

HttpResponse Console::Impl::form_publish() {
  const std::string file = param("name").substr(0, 200);
  if (file.empty()) return error_response(invalid_argument("choose the XLSForm file (.xlsx) to publish"));
  AMANA_ASSIGN_OR_RETURN_RESPONSE(PublishOutcome published,
                                  publish_form(store(), c.keys_, file, request.body, session->user.name, now()));
  return json_response(200, {{"form", published.form.form_id},
                             {"version", published.form.version},
                             {"warnings", messages_json(published.conversion.warnings)}});
}

HttpResponse Console::Impl::form_archive() {
  return done(archive_published_form(store(), text_field(body, "form"), session->user.name, now()));
}

}  // namespace amana::server

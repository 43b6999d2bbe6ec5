// The console's provider directory: the list (inactive entries too), one entry added or
// edited, and a CSV file imported whole or not at all, its problems shown line by line.
// Audited under the signed-in user (providers.h).
#include "common/service_types.h"
#include "sync-server/console_internal.h"
#include "sync-server/providers.h"

namespace amana::server {

using namespace console_detail;

HttpResponse Console::Impl::providers() {
  AMANA_ASSIGN_OR_RETURN_RESPONSE(auto list, store().providers(true));
  json rows = json::array();
  for (const Provider& p : list) {
    json shown = json::array();
    for (const std::string& code : p.services) shown.push_back(services::label(code).in(language()));
    rows.push_back({{"id", p.id}, {"name", p.name}, {"services", p.services}, {"services_shown", shown}, {"location", p.location},
                    {"contact", p.contact}, {"hours", p.hours}, {"criteria", p.criteria}, {"active", p.active}});
  }
  json types = json::array();
  const Language lang = language();
  for (std::string_view code : service_types()) {
    types.push_back({{"code", code}, {"label", services::label(code).in(lang)}});
  }
  return json_response(200, {{"providers", rows}, {"services", types}});
}

HttpResponse Console::Impl::provider_save() {
  const auto active = body.find("active");
  AMANA_ASSIGN_OR_RETURN_RESPONSE(
      Provider provider,
      make_provider(text_field(body, "id"), text_field(body, "name"), text_field(body, "services"),
                    text_field(body, "location"), text_field(body, "contact"), text_field(body, "hours"),
                    text_field(body, "criteria"), active == body.end() || !active->is_boolean() || active->get<bool>(),
                    now()));
  const auto fresh = body.find("new");
  const bool is_new = fresh != body.end() && fresh->is_boolean() && fresh->get<bool>();
  return done(save_provider(store(), provider, is_new, session->user.name), {{"ok", true}, {"id", provider.id}});
}

HttpResponse Console::Impl::provider_import() {
  const std::string source = param("name").substr(0, 200);
  const ProviderCsv read = read_providers_csv(request.body, now());
  if (read.problem_count) {
    json problems = json::array();
    for (const CsvProblem& p : read.problems) {
      problems.push_back({{"line", p.line},
                          {"message", {{"en", p.status.message_in(Language::en)}, {"ar", p.status.message_in(Language::ar)}}}});
    }
    HttpResponse refused = error_response(
        invalid_argument(std::to_string(read.problem_count) + " lines of the file need correcting: nothing was imported"));
    json answer = json::parse(refused.body);
    answer["problems"] = problems;
    answer["problem_count"] = read.problem_count;
    refused.body = answer.dump();
    return refused;
  }
  AMANA_ASSIGN_OR_RETURN_RESPONSE(std::size_t added,
                                  import_provider_list(store(), read.providers, source, session->user.name, now()));
  return json_response(200, {{"imported", read.providers.size()}, {"added", added}});
}

}  // namespace amana::server

// The console's MEAL outputs: the monthly report, and datasets per form or per case,
// de-identified for every role that may download (access.h console_meal), identified only
// for the roles allowed them (export_identified). Each download is audited by
// export_dataset, naming the signed-in user and that it left through the console.
#include "common/form_pack.h"
#include "sync-server/console_internal.h"
#include "sync-server/dataset.h"
#include "sync-server/published_forms.h"
#include "sync-server/report.h"

namespace amana::server {

using namespace console_detail;

HttpResponse Console::Impl::report() {
  ReportOptions options;
  options.period = param("period");
  options.language = language();
  AMANA_ASSIGN_OR_RETURN_RESPONSE(Report built, build_report(store(), options));
  AMANA_RETURN_RESPONSE_IF_ERROR(audit("report", options.period, "monthly report downloaded from the console"));
  return download(report_html(built), "text/html; charset=utf-8", "amana-report-" + options.period + ".html");
}

HttpResponse Console::Impl::export_sources() {
  AMANA_ASSIGN_OR_RETURN_RESPONSE(forms::FormPack pack, server_form_pack(store()));
  const Language lang = language();
  json sources = json::array();
  sources.push_back({{"id", std::string(kCasesSource)}, {"title", lang == Language::ar ? "الحالات" : "Cases"}});
  for (const forms::FormDefinition& form : pack.forms()) {
    sources.push_back({{"id", form.id}, {"title", form.title.in(lang)}});
  }
  return json_response(200, {{"sources", sources}, {"identified", allowed(session->user.role, Operation::export_identified)}});
}

HttpResponse Console::Impl::export_dataset() {
  DatasetRequest wanted;
  wanted.source = param("source");
  wanted.filter.identified = param("identified") == "1";
  wanted.filter.labels = param("labels") == "1" ? std::optional<Language>(language()) : std::nullopt;
  if (const std::string from = param("from"); !from.empty()) wanted.filter.from = from;
  if (const std::string to = param("to"); !to.empty()) wanted.filter.to = to;
  if (wanted.filter.identified && !allowed(session->user.role, Operation::export_identified)) {
    return error_response(Status(ErrorCode::permission_denied,
                                 Message("console.identified_refused", {{"role", std::string(role_name(session->user.role))}})));
  }
  wanted.requested_by = session->user.name;
  wanted.channel = "console download";
  const bool codebook = param("part") == "codebook";
  DatasetText text(DatasetFormat::csv);
  AMANA_RETURN_RESPONSE_IF_ERROR(server::export_dataset(store(), c.keys_.data_key, wanted, now(), text).status());
  // The source is a form id or "cases": [a-z0-9-] only, safe in a header.
  const std::string name = "amana-" + wanted.source + (wanted.filter.identified ? "-IDENTIFIED" : "") +
                           (codebook ? "-codebook" : "") + ".csv";
  return download(codebook ? text.codebook() : text.data(), "text/csv; charset=utf-8", name);
}

}  // namespace amana::server

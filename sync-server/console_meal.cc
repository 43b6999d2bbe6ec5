// The console's MEAL outputs: the monthly report, and datasets per form or per case,
// de-identified for every role that may download (access.h console_meal), identified only
// for the roles allowed them (export_identified). Each download is audited by
// export_dataset, naming the signed-in user and that it left through the console.
//
// A dataset is one table at a time, the files `sync-server export` writes: the form's own
// (a row per record), or one of its repeats' (a row per instance), or the codebook. It is
// streamed as it is made (HttpResponse::stream): the export holds one record at a time and
// the connection at most a bounded buffer, so a download takes the same memory whatever
// the store's size.
#include <algorithm>

#include "common/csv.h"
#include "common/form_pack.h"
#include "sync-server/console_internal.h"
#include "sync-server/dataset.h"
#include "sync-server/published_forms.h"
#include "sync-server/report.h"

namespace amana::server {

using namespace console_detail;

namespace {

// The repeat tables of a form, as the export makes them (dataset_repeats.cc): every
// version's repeats, the newest version's in its order, then those only older ones had.
std::vector<std::string> repeat_tables(const forms::FormPack& pack, std::string_view form) {
  std::vector<std::string> names;
  const auto versions = pack.versions(form);
  for (auto version = versions.rbegin(); version != versions.rend(); ++version) {
    for (const forms::Group& group : (*version)->groups) {
      if (group.repeat && std::find(names.begin(), names.end(), group.name) == names.end()) names.push_back(group.name);
    }
  }
  return names;
}

// One table of the dataset as CSV into the response as it comes, in pieces of about 16 KiB.
class CsvTableSink final : public DatasetSink {
 public:
  // `repeat` empty: the form's own table.
  CsvTableSink(BodyWriter& out, std::string repeat, bool codebook)
      : out_(out), repeat_(std::move(repeat)), codebook_(codebook) {}

  Status begin(const DatasetLayout& layout) override {
    if (codebook_) {
      batch_ = codebook_csv(layout);
      return flush();
    }
    if (repeat_.empty()) {
      batch_ = csv::format_row(layout.columns);
      return Status();
    }
    for (std::size_t i = 0; i < layout.repeats.size(); ++i) {
      if (layout.repeats[i].name != repeat_) continue;
      table_ = i;
      batch_ = csv::format_row(layout.repeats[i].columns);
      return Status();
    }
    return not_found("the form has no repeat '" + repeat_ + "'");
  }
  Status row(const std::vector<std::string>& cells) override {
    ++rows_;
    return codebook_ || !repeat_.empty() ? Status() : add(cells);
  }
  Status repeat_row(std::size_t repeat, const std::vector<std::string>& cells) override {
    return codebook_ || !table_ || *table_ != repeat ? Status() : add(cells);
  }
  Status flush() {
    const Status written = out_.write(batch_);
    batch_.clear();
    return written;
  }
  std::uint64_t rows() const { return rows_; }

 private:
  static constexpr std::size_t kBatchBytes = 16 * 1024;
  Status add(const std::vector<std::string>& cells) {
    batch_ += csv::format_row(cells);
    return batch_.size() >= kBatchBytes ? flush() : Status();
  }
  BodyWriter& out_;
  std::string repeat_;
  bool codebook_;
  std::optional<std::size_t> table_;
  std::string batch_;
  std::uint64_t rows_ = 0;
};

}  // namespace

HttpResponse Console::Impl::report() {
  ReportOptions options;
  options.period = param("period");
  options.language = language();
  AMANA_ASSIGN_OR_RETURN_RESPONSE(Report built, build_report(store(), options));
  AMANA_RETURN_RESPONSE_IF_ERROR(audit("report", options.period, "monthly report downloaded from the console"));
  return download(report_html(built), "text/html; charset=utf-8", "amana-report-" + options.period + ".html");
}

HttpResponse Console::Impl::export_sources() {
  AMANA_ASSIGN_OR_RETURN_RESPONSE(forms::FormPack pack, export_form_pack(store()));
  const Language lang = language();
  json sources = json::array();
  sources.push_back({{"id", std::string(kCasesSource)},
                     {"title", lang == Language::ar ? "الحالات" : "Cases"},
                     {"tables", json::array()}});
  // The tables this user may download: one a form drops from de-identified datasets only
  // for a role that may have identified data.
  const bool identified = allowed(session->user.role, Operation::export_identified);
  DatasetFilter deidentified;
  for (const forms::FormDefinition& form : pack.forms()) {
    std::vector<std::string> tables = repeat_tables(pack, form.id);
    if (!identified) {
      std::erase_if(tables, [&](const std::string& t) { return repeat_dropped(pack.versions(form.id), t, deidentified); });
    }
    sources.push_back({{"id", form.id}, {"title", form.title.in(lang)}, {"tables", tables}});
  }
  return json_response(200, {{"sources", sources}, {"identified", identified}});
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
  const std::string table = codebook ? std::string() : param("table");
  // What can be refused is refused here, before the answer starts: once the header is out,
  // the status is sent. The role is checked again by export_dataset, which audits a refusal
  // (and the download then stops before its first row).
  AMANA_ASSIGN_OR_RETURN_RESPONSE(forms::FormPack pack, export_form_pack(store()));
  if (wanted.source != kCasesSource) AMANA_RETURN_RESPONSE_IF_ERROR(pack.find(wanted.source).status());
  if (!table.empty()) {
    const auto tables = wanted.source == kCasesSource ? std::vector<std::string>() : repeat_tables(pack, wanted.source);
    if (std::find(tables.begin(), tables.end(), table) == tables.end()) {
      return error_response(not_found("the dataset " + wanted.source + " has no table " + table));
    }
    // A table the form drops from de-identified datasets: refused here, not cut off after the header.
    if (repeat_dropped(pack.versions(wanted.source), table, wanted.filter)) {
      return error_response(Status(ErrorCode::not_found, Message("console.table_dropped", {{"table", table}})));
    }
  }
  // The page asks first (check=1), so that a refusal is shown on it, in its language, instead
  // of replacing it; the download itself then follows.
  if (param("check") == "1") return json_response(200, {{"ok", true}});
  // The source is a form id or "cases", a table a repeat's name: [a-z0-9_-] only, safe in a header.
  const std::string name = "amana-" + wanted.source + (table.empty() ? "" : "-" + table) +
                           (wanted.filter.identified ? "-IDENTIFIED" : "") + (codebook ? "-codebook" : "") + ".csv";
  HttpResponse response = download("", "text/csv; charset=utf-8", name);
  CentralStore& central = store();
  const crypto::SecretBytes& data_key = c.keys_.data_key;
  const std::int64_t at = now();
  response.stream = [&central, &data_key, wanted, table, codebook, at](BodyWriter& out) -> Status {
    CsvTableSink sink(out, table, codebook);
    auto exported = server::export_dataset(central, data_key, wanted, at, sink);
    if (exported.ok()) return sink.flush();
    if (exported.status().code() == ErrorCode::permission_denied) return exported.status();  // audited as refused
    // A download cut off midway (the browser went away) left with some rows: audited too.
    const Status audited = central.append_audit(
        {at, wanted.requested_by, "export", wanted.source,
         "interrupted after " + std::to_string(sink.rows()) + " rows (" + exported.status().message() + "), " +
             (wanted.filter.identified ? "IDENTIFIED" : "de-identified") + ", " + wanted.channel});
    return audited.ok() ? exported.status() : audited;
  };
  return response;
}

}  // namespace amana::server

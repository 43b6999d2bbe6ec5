// `sync-server export` and `report`: what the MEAL team takes away, de-identified by default.
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/cli.h"
#include "common/files.h"
#include "common/form_pack.h"
#include "common/repeat_keys.h"
#include "sync-server/admin.h"
#include "sync-server/cli_commands.h"
#include "sync-server/dataset.h"
#include "sync-server/output_files.h"
#include "sync-server/providers.h"
#include "sync-server/report.h"

namespace amana::server::cli {

using nlohmann::json;

Status run_export(const Arguments& args) {
  const int chosen = (!args.export_form.empty()) + args.export_cases + args.export_referrals + args.export_followups;
  if (chosen != 1) return invalid_argument("choose one of --form F, --cases, --referrals, --followups");
  const std::string codebook = args.out + ".codebook.csv";
  AMANA_RETURN_IF_ERROR(check_output_paths(resolve_data_dir(args.data), {args.out, codebook}, args.force));
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  DatasetRequest request;
  request.source = args.export_cases       ? std::string(kCasesSource)
                   : args.export_referrals ? "referral"
                   : args.export_followups ? "follow-up"
                                           : args.export_form;
  request.filter = {args.from, args.to, args.identified, args.dates == "week" ? DatePeriod::iso_week : DatePeriod::month,
                    std::nullopt};
  if (!args.labels.empty()) {
    AMANA_ASSIGN_OR_RETURN(request.filter.labels, forms::parse_language(args.labels));
  }
  request.requested_by = args.officer;
  request.channel = "file " + args.out;
  const DatasetFormat format = args.format == "xlsx"    ? DatasetFormat::xlsx
                               : args.format == "jsonl" ? DatasetFormat::jsonl
                                                        : DatasetFormat::csv;
  AMANA_ASSIGN_OR_RETURN(auto files, DatasetFiles::open(format, args.out, existing_policy(args.force)));
  AMANA_ASSIGN_OR_RETURN(std::uint64_t rows,
                         export_dataset(*server.store, server.keys.data_key, request, system_wall_clock()(), *files));
  AMANA_RETURN_IF_ERROR(files->finish());
  std::cout << "Wrote " << rows << " rows to " << args.out
            << (args.identified ? " (IDENTIFIED: names and ids in clear; keep it encrypted, delete it after use)"
                                : " (de-identified)")
            << " and the codebook to " << codebook << "\n";
  for (const RepeatLayout& repeat : files->layout().repeats) {
    std::cout << "The repeat " << repeat.name << ": "
              << (format == DatasetFormat::xlsx ? "its sheet in " + args.out
                                                : "a row per instance in " + forms::repeat_keys::table_path(args.out, repeat.name).value_or("").string())
              << "\n";
  }
  return Status();
}

Status run_report(const Arguments& args) {
  AMANA_RETURN_IF_ERROR(check_output_paths(resolve_data_dir(args.data), {args.out}, args.force));
  AMANA_ASSIGN_OR_RETURN(forms::Language language, forms::parse_language(args.lang));
  ReportOptions options{args.period, args.report_location, language, ""};
  if (!args.narrative.empty()) {
    AMANA_ASSIGN_OR_RETURN(options.narrative, read_file_bounded(args.narrative, kMaxNarrativeBytes));
  }
  AMANA_ASSIGN_OR_RETURN(Unlocked server, unlock(args));
  AMANA_ASSIGN_OR_RETURN(Report report, build_report(*server.store, options));
  AMANA_RETURN_IF_ERROR(write_file_atomically(
      args.out, args.report_format == "md" ? report_markdown(report) : report_html(report), existing_policy(args.force)));
  std::cout << "Wrote the " << args.period << " report to " << args.out << "\n";
  return Status();
}

}  // namespace amana::server::cli

// amana-bench-console: what the office console's case views cost against a large store
// made by amana-gen-data (issue 13), in this process through the library calls the console
// makes (case_admin.h, case_file.h, report.h), on the store as the server opens it:
//   - the first page of the case list (list_case_page, 50 cases), and a page filtered by
//     status;
//   - the whole case list with its step counts (list_cases);
//   - one case file: find_case by its whole id, then read_case_file (p50/p99 over
//     --files cases spread over the store);
//   - finding a case by 8 digits of its id (find_case);
//   - the monthly report from the counts kept at merge time (build_report and its HTML),
//     and the same report by reading every record (build_report_by_scan) beside it.
// Besides the sentences, each figure is printed as a line "@ key value" for tools/bench.
//
//   amana-bench-console --data DIR [--files 50] [--period YYYY-MM]
// The operator passphrase comes from AMANA_SERVER_PASSPHRASE, as for amana-gen-data.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "common/passphrase.h"
#include "sync-server/admin.h"
#include "sync-server/case_admin.h"
#include "sync-server/case_file.h"
#include "sync-server/org_keys.h"
#include "sync-server/report.h"
#include "tools/bench_fleet.h"

namespace {

using namespace amana;
using namespace amana::bench;

void figure(const char* key, double value) { std::printf("@ %s %.6g\n", key, value); }

template <class F>
double timed_ms(F&& f) {
  const auto start = Clock::now();
  f();
  return seconds_since(start) * 1000;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The office console's case views against a large generated store"};
  std::string data;
  int files = 50;
  std::string period = this_month_utc();
  app.add_option("--data", data, "Server data directory made by amana-gen-data")->required();
  app.add_option("--files", files, "Case files read")->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_option("--period", period, "The report's month")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const auto passphrase = must(read_passphrase(kServerPassphraseVariable));
  auto store = must(server::open_server_store(data));
  must(server::unlock_org_keys(*store, passphrase.as_string()).status());
  const server::StoreCounts counts = must(store->counts());
  std::printf("store: %lld records\n", static_cast<long long>(counts.records));
  figure("records", static_cast<double>(counts.records));

  server::CaseListPage first;
  const double page_ms = timed_ms([&] { first = must(server::list_case_page(*store, {})); });
  std::printf("case list, first page: %zu cases in %.1f ms\n", first.cases.size(), page_ms);
  figure("case_page_ms", page_ms);
  server::CasePageQuery open_ones;
  open_ones.status = "in_progress";
  server::CaseListPage filtered;
  const double filtered_ms = timed_ms([&] { filtered = must(server::list_case_page(*store, open_ones)); });
  std::printf("case list, first page of in_progress cases: %zu cases in %.1f ms\n", filtered.cases.size(), filtered_ms);
  figure("case_page_filtered_ms", filtered_ms);

  std::vector<server::CaseView> all;
  const double all_ms = timed_ms([&] { all = must(server::list_cases(*store, server::StepCounts::counted)); });
  std::printf("whole case list (list_cases, steps counted): %zu cases in %.1f ms\n", all.size(), all_ms);
  figure("cases", static_cast<double>(all.size()));
  figure("case_list_all_ms", all_ms);

  if (!all.empty()) {
    std::vector<double> ms;
    for (int i = 0; i < files; ++i) {
      const server::CaseView& kase = all[static_cast<std::size_t>(i) * all.size() / static_cast<std::size_t>(files)];
      ms.push_back(timed_ms([&] {
        const RecordId id = must(server::find_case(*store, kase.id.to_string()));
        must(server::read_case_file(*store, id, forms::Language::en).status());
      }));
    }
    std::printf("case file (find_case by id, read_case_file), %d cases: p50 %.1f ms, p99 %.1f ms\n", files,
                percentile(ms, 0.5), percentile(ms, 0.99));
    figure("case_file_p50_ms", percentile(ms, 0.5));
    figure("case_file_p99_ms", percentile(ms, 0.99));
    const std::string part = server::case_reference(all.back().id);
    const double part_ms = timed_ms([&] { must(server::find_case(*store, part).status()); });
    std::printf("find_case by 8 digits: %.1f ms\n", part_ms);
    figure("find_case_part_ms", part_ms);
  }

  server::ReportOptions options;
  options.period = period;
  const double counted_ms = timed_ms([&] { (void)server::report_html(must(server::build_report(*store, options))); });
  std::printf("report of %s from the counts: %.1f ms\n", period.c_str(), counted_ms);
  figure("report_counts_ms", counted_ms);
  const double scanned_ms =
      timed_ms([&] { (void)server::report_html(must(server::build_report_by_scan(*store, options))); });
  std::printf("the same report reading every record: %.1f ms\n", scanned_ms);
  figure("report_scan_ms", scanned_ms);
  return 0;
}

// The benchmark programs still run: each at a tiny size, checked for exit status 0 and the
// lines tools/bench and docs/benchmarks.md rely on. For breakage only: nothing here is
// timed, and no figure is asserted (tests never time anything; docs/benchmarks.md).
#include <doctest/doctest.h>

#include <sstream>

#include "tests/support.h"

namespace {

using namespace amana::testing;

const std::string kBin = AMANA_BENCH_BIN_DIR;
const std::string kExamples = std::string(AMANA_SOURCE_DIR) + "/forms/examples";

CommandResult bench(const std::string& program, std::vector<std::string> args) {
  args.insert(args.begin(), kBin + "/" + program);
  args.insert(args.end(), {"--examples", kExamples});
  return run_command(args);
}

}  // namespace

TEST_CASE("bench: amana-bench-sync prints wire bytes for the three forms, throughput and latency") {
  const auto run = bench("amana-bench-sync", {"--wire-records", "6", "--devices", "1", "--records", "30",
                                              "--concurrent", "3", "--concurrent-records", "2"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  for (const char* line : {"wire outreach-identification", "wire rapid-protection-assessment", "wire pdm-survey",
                           "amana/odk", "throughput records merged 30 ", "latency sync time p50"}) {
    CHECK_MESSAGE(contains(run.out, line), line, "\n", run.out);
  }
}

TEST_CASE("bench: amana-bench-dictionary trains on one seed and prints a row per form and size, bytes positive") {
  const auto run = bench("amana-bench-dictionary", {"--train-records", "40", "--test-records", "10", "--sizes", "1,5",
                                                    "--dict-kib", "2,4", "--min-seconds", "0"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  CHECK_MESSAGE(contains(run.out, "dict form "), run.out);
  CHECK_MESSAGE(contains(run.out, " 2 KiB B/rec  ratio | "), run.out);
  CHECK_MESSAGE(contains(run.out, "serialized pdm-survey"), run.out);
  int rows = 0;
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("dict ", 0) != 0 || contains(line, "dict form ")) continue;
    ++rows;
    // dict FORM RECORDS PUSHES | NONE | 2KIB RATIO | 4KIB RATIO | SAVED | TIMES...
    std::istringstream row(line);
    std::string word, form, bar;
    int records = 0, pushes = 0;
    double none = 0, with2 = 0, ratio2 = 0, with4 = 0, ratio4 = 0;
    row >> word >> form >> records >> pushes >> bar >> none >> bar >> with2 >> ratio2 >> bar >> with4 >> ratio4;
    REQUIRE_MESSAGE(!row.fail(), line);
    CHECK_MESSAGE(none > 0, line);
    CHECK_MESSAGE(with2 > 0, line);
    CHECK_MESSAGE(with4 > 0, line);
    CHECK_MESSAGE(pushes == 10 / records, line);
  }
  CHECK_MESSAGE(rows == 3 * 2, run.out);  // three forms, two sizes
}

TEST_CASE("bench: amana-bench-dictionary refuses to measure on its training seed") {
  const auto run = bench("amana-bench-dictionary", {"--train-seed", "7", "--test-seed", "7"});
  CHECK(run.exit_code != 0);
  CHECK_MESSAGE(contains(run.err, "must differ"), run.err);
}

TEST_CASE("bench: amana-bench-merge merges every record and prints the bulk insert beside it") {
  const auto run = bench("amana-bench-merge", {"--devices", "2", "--records", "20"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  CHECK_MESSAGE(contains(run.out, "merge amana "), run.out);
  CHECK_MESSAGE(contains(run.out, "(40 records in"), run.out);
  CHECK_MESSAGE(contains(run.out, "the bulk insert's time"), run.out);
}

TEST_CASE("bench: amana-loadgen syncs every device against a sync-server process with no error") {
  const auto run = bench("amana-loadgen", {"--devices", "4", "--records", "2", "--server-bin", AMANA_SYNC_SERVER_BIN});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err, run.out);
  CHECK_MESSAGE(contains(run.out, "load devices 4, errors 0, records merged 8 of 8"), run.out);
  CHECK_MESSAGE(contains(run.out, "server peak RSS"), run.out);
}

TEST_CASE("bench: amana-bench-client collects, reopens and lists") {
  const auto run = bench("amana-bench-client", {"--records", "9"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  for (const char* line : {"time per collected record", "open and list 9 records", "client peak RSS"}) {
    CHECK_MESSAGE(contains(run.out, line), line, "\n", run.out);
  }
}

TEST_CASE("bench: amana-gen-data makes a small store and amana-bench-scale and amana-bench-console print every figure of tools/bench's table") {
  TempDir dir;
  const std::string data = (dir.path() / "server").string();
  const std::string homes = (dir.path() / "devices").string();
  const auto generated = run_command({AMANA_GEN_DATA_BIN, "--data", data, "--devices", "3", "--records", "12",
                                      "--device-homes", homes},
                                     kPassphrases);
  REQUIRE_MESSAGE(generated.exit_code == 0, generated.err);
  for (const char* line : {"@ generate_s ", "@ generate_disk_bytes_per_record "}) {
    CHECK_MESSAGE(contains(generated.out, line), line, "\n", generated.out);
  }
  const auto run = run_command({kBin + "/amana-bench-scale", "--data", data, "--device-homes", homes, "--syncs", "2",
                                "--push-records", "20", "--examples", amana::testing::kExamples, "--server-bin",
                                AMANA_SYNC_SERVER_BIN},
                               kPassphrases);
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  for (const char* figure :
       {"records", "nothing_new_p99_ms", "nothing_new_bytes_up", "ten_new_p99_ms", "officer_pull_pages",
        "push_records_per_s", "push_disk_bytes_per_record", "store_bytes_per_record", "export_s",
        "export_peak_rss_mib", "report_s", "report_peak_rss_mib", "list_cases_s"}) {
    CHECK_MESSAGE(contains(run.out, "@ " + std::string(figure) + " "), figure, "\n", run.out);
  }
  const auto console = run_command({kBin + "/amana-bench-console", "--data", data, "--files", "2"}, kPassphrases);
  REQUIRE_MESSAGE(console.exit_code == 0, console.err);
  for (const char* figure : {"case_page_ms", "case_list_all_ms", "case_file_p99_ms", "find_case_part_ms",
                             "report_counts_ms", "report_scan_ms"}) {
    CHECK_MESSAGE(contains(console.out, "@ " + std::string(figure) + " "), figure, "\n", console.out);
  }
}

TEST_CASE("bench: amana-bench-forms validates and saves records of a 500-question form in 20 groups") {
  const auto run = run_command({kBin + "/amana-bench-forms", "--records", "3"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  for (const char* line : {"in 20 groups", "load and check the definition", "validate a submission",
                           "validate and save"}) {
    CHECK_MESSAGE(contains(run.out, line), line, "\n", run.out);
  }
}

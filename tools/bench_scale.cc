// amana-bench-scale: what syncs cost against a large store made by amana-gen-data (issue
// 13). It opens the server data directory, serves it in this process on loopback behind a
// byte-counting proxy, and measures, in one run:
//   - an assistant's sync with nothing new, and with 10 new changes to its cases made at
//     the office, on one of the generated devices (DIR/generated-devices): p50/p99 time,
//     HTTP bytes each way;
//   - an officer's first full pull of its team on a new device: time, pages, bytes;
//   - a fresh push of --push-records identifications from a new device: records merged per
//     second, and bytes the server wrote to disk per merged record (/proc/self/io; the
//     new devices live under --device-homes, a RAM disk in tools/bench, so the figure is
//     the central store's: its WAL frames and the checkpoint that copies them home, which
//     is forced after the push so that every push pays for its own);
//   - store bytes per record (central.db after that checkpoint, over the records);
//   - the export of the largest form and the monthly report, each a `sync-server` process
//     of its own (--server-bin): wall time and peak RSS (wait4's ru_maxrss);
//   - what the pull's need-to-know cost before issue 13: opening every case (list_cases).
// Besides the sentences, each figure is printed as a line "@ key value" for tools/bench,
// which tabulates them across store sizes with their ratio.
// Run through tools/bench scale, which builds the stores first.
//
//   amana-bench-scale --data DIR [--device gen-assistant-1] [--syncs 20] [--push-records 2000]
//                     [--server-bin build/release/sync-server/sync-server]
// The operator passphrase comes from AMANA_SERVER_PASSPHRASE, as for amana-gen-data.
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>

#include "common/sqlite.h"

#include "common/passphrase.h"
#include "field-client/sync_client.h"
#include "common/form_pack.h"
#include "sync-server/admin.h"
#include "sync-server/case_admin.h"
#include "tools/bench_fleet.h"

namespace {

using namespace amana;
using namespace amana::bench;
namespace fs = std::filesystem;

constexpr std::string_view kGeneratedDevicePassphrase = "generated device passphrase";

struct Served {
  std::unique_ptr<server::CentralStore> store;
  server::OrgKeys keys;
  std::shared_ptr<server::Metrics> metrics = std::make_shared<server::Metrics>();
  std::unique_ptr<server::SyncService> service;
  std::unique_ptr<server::HttpServer> http;
};

Served serve(const fs::path& data, std::string_view passphrase) {
  Served s;
  s.store = must(server::open_server_store(data));
  s.keys = must(server::unlock_org_keys(*s.store, passphrase));
  s.service = std::make_unique<server::SyncService>(*s.store, s.keys, s.metrics);
  server::HttpOptions options;
  options.listen = "127.0.0.1:0";
  options.threads = 2;
  options.handler_threads = 4;
  options.log_requests = false;
  s.http = must(server::HttpServer::start(
      options, [&service = *s.service](const server::HttpRequest& r) { return service.handle(r); }, s.metrics));
  return s;
}

// Bytes this process has caused to be written to storage so far (/proc/self/io).
std::uint64_t write_bytes() {
  std::ifstream io("/proc/self/io");
  std::string key;
  std::uint64_t value = 0;
  while (io >> key >> value) {
    if (key == "write_bytes:") return value;
  }
  return 0;
}

// A figure for tools/bench's table: one line, "@ key value".
void figure(const char* key, double value) { std::printf("@ %s %.6g\n", key, value); }

// Flushes the WAL into central.db and empties it, from a connection of its own.
void checkpoint(const fs::path& data) {
  auto db = must(sql::Database::open(data / "central.db", sql::OpenMode::existing));
  must(db->checkpoint_truncate());
}

struct ChildRun {
  double seconds = 0;
  double peak_rss_mib = 0;
};

// Runs `argv` to its end, its output to /dev/null: its wall time and peak RSS.
ChildRun run_child(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const auto start = Clock::now();
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) {
    fail(Status(ErrorCode::io, "cannot start " + argv[0]));
  }
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fail(Status(ErrorCode::io, argv[0] + " " + argv[3] + " failed"));
  }
  return {seconds_since(start), static_cast<double>(usage.ru_maxrss) / 1024.0};
}

field::Store new_device(Served& served, const fs::path& dir, const std::string& user, const std::string& url) {
  field::StoreOptions options;
  options.kdf = kBenchKdf;
  fs::remove_all(dir / user);
  auto device = must(field::Store::create(dir / user, kPassphrase, user, options));
  const auto code = must(server::issue_enrollment_code(*served.store, user, std::chrono::hours(1), system_wall_clock()()));
  must(field::enroll_device(device, code.code, url).status());
  return device;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The cost of one sync against a large generated store"};
  std::string data;
  std::string device_name = "gen-assistant-1";
  int syncs = 20;
  int push_records = 2000;
  std::string officer = "gen-officer-1";
  std::string examples = "forms/examples";
  std::string device_homes;
  std::string server_bin = "build/release/sync-server/sync-server";
  app.add_option("--server-bin", server_bin, "The sync-server binary that runs the export and the report")
      ->capture_default_str();
  app.add_option("--data", data, "Server data directory made by amana-gen-data")->required();
  app.add_option("--device", device_name, "Generated device to sync")->capture_default_str();
  app.add_option("--syncs", syncs, "Syncs with nothing new")->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_option("--push-records", push_records, "Records in the fresh push")->capture_default_str();
  app.add_option("--device-homes", device_homes, "Where amana-gen-data put the device stores (default: DATA/generated-devices)");
  app.add_option("--examples", examples, "Directory of example answers")->capture_default_str();
  app.add_option("--officer", officer, "Generated officer whose team is pulled whole")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const auto passphrase = must(read_passphrase(kServerPassphraseVariable));
  Served served = serve(data, passphrase.as_string());
  const server::StoreCounts counts = must(served.store->counts());
  CountingProxy proxy(served.http->port());
  const std::string url = "http://127.0.0.1:" + std::to_string(proxy.port());

  const fs::path homes = device_homes.empty() ? fs::path(data) / "generated-devices" : fs::path(device_homes);
  auto device = must(field::Store::open(homes / device_name, kGeneratedDevicePassphrase));
  field::SyncOptions options;
  options.server_url = url;
  must(field::sync_device(device, options).status());  // whatever was pending: not measured
  must(field::sync_device(device, options).status());  // a store from before issue 13 lists its cases once
  const auto held_cases = must(device.held_cases());
  auto timed_syncs = [&](int count, const std::function<void()>& before) {
    std::vector<double> ms;
    const std::uint64_t up0 = proxy.bytes_up(), down0 = proxy.bytes_down();
    std::size_t received = 0;
    for (int i = 0; i < count; ++i) {
      before();
      const auto start = Clock::now();
      received += must(field::sync_device(device, options)).changes_received;
      ms.push_back(seconds_since(start) * 1000);
    }
    const double up = static_cast<double>(proxy.bytes_up() - up0) / count;
    const double down = static_cast<double>(proxy.bytes_down() - down0) / count;
    std::printf("  p50 %.1f ms, p99 %.1f ms; HTTP bytes per sync: up %.0f, down %.0f; changes received %zu\n",
                percentile(ms, 0.5), percentile(ms, 0.99), up, down, received);
    return std::array<double, 4>{percentile(ms, 0.5), percentile(ms, 0.99), up, down};
  };
  std::printf("store: %lld records, %lld field versions; device %s holds %zu cases\n",
              static_cast<long long>(counts.records), static_cast<long long>(counts.field_versions),
              device_name.c_str(), held_cases.size());
  figure("records", static_cast<double>(counts.records));
  figure("held_cases", static_cast<double>(held_cases.size()));
  std::printf("assistant's sync with nothing new (%d syncs):\n", syncs);
  const auto idle = timed_syncs(syncs, [] {});
  figure("nothing_new_p50_ms", idle[0]);
  figure("nothing_new_p99_ms", idle[1]);
  figure("nothing_new_bytes_up", idle[2]);
  figure("nothing_new_bytes_down", idle[3]);
  std::printf("assistant's sync with 10 new changes from the office (%d syncs):\n", syncs);
  std::size_t turn = 0;
  const auto ten = timed_syncs(syncs, [&] {
    for (int c = 0; c < 10 && !held_cases.empty(); ++c) {
      const RecordId& kase = held_cases[turn++ % held_cases.size()];
      must(served.store->write_as_org(kase, {{"office_note", "seen " + std::to_string(turn)}}, "bench",
                                      system_wall_clock()()));
    }
  });
  figure("ten_new_p50_ms", ten[0]);
  figure("ten_new_p99_ms", ten[1]);
  figure("ten_new_bytes_down", ten[3]);

  {
    // Beside the generated devices: on a RAM disk when tools/bench put them there, so that
    // what this process writes to disk is the server's.
    const fs::path scratch = homes / "bench-scale-devices";
    auto full = new_device(served, scratch, officer, url);
    std::size_t pages = 0;
    field::SyncOptions paged = options;
    const std::uint64_t up0 = proxy.bytes_up(), down0 = proxy.bytes_down();
    const auto start = Clock::now();
    const auto report = must(field::sync_device(full, paged));
    pages = report.pages;
    figure("officer_pull_s", seconds_since(start));
    figure("officer_pull_cases", static_cast<double>(must(full.held_cases()).size()));
    figure("officer_pull_pages", static_cast<double>(pages));
    figure("officer_pull_bytes_down", static_cast<double>(proxy.bytes_down() - down0));
    std::printf("officer %s's first full pull: %zu cases, %zu changes in %.2f s, %zu pages; HTTP up %llu, down %llu "
                "bytes\n",
                officer.c_str(), must(full.held_cases()).size(), report.changes_received, seconds_since(start), pages,
                static_cast<unsigned long long>(proxy.bytes_up() - up0),
                static_cast<unsigned long long>(proxy.bytes_down() - down0));

    const std::string pusher = "bench-scale-pusher";
    const Status added = served.store->add_user({pusher, server::Role::assistant, "bench-scale"});
    if (!added.ok() && added.code() != ErrorCode::already_exists) fail(added);
    auto fresh = new_device(served, scratch, pusher, url);
    auto pack = must(forms::FormPack::builtin());
    AnswerSource answers(pack, examples, 5);
    const forms::FormDefinition& form = answers.form("outreach-identification");
    const std::uint64_t collected0 = write_bytes();
    for (int i = 0; i < push_records; ++i) must(fresh.add_record(form, answers.next(form)).status());
    const std::uint64_t collected = write_bytes() - collected0;
    checkpoint(data);  // what came before is not the push's
    const std::uint64_t written0 = write_bytes();
    const auto push_start = Clock::now();
    must(field::sync_device(fresh, options).status());
    const double push_s = seconds_since(push_start);
    checkpoint(data);  // the push's WAL frames, copied home
    const std::uint64_t written = write_bytes() - written0;
    std::printf("fresh push of %d records: %.0f records/s merged; %.0f bytes written to disk per merged record "
                "(/proc/self/io, the WAL and its checkpoint)\n",
                push_records, push_records / push_s, static_cast<double>(written) / push_records);
    if (collected > 0) {
      std::printf("  collecting them on the device (one durable commit each) wrote %.0f bytes per record\n",
                  static_cast<double>(collected) / push_records);
    }
    figure("push_records_per_s", push_records / push_s);
    figure("push_disk_bytes_per_record", static_cast<double>(written) / push_records);
    fs::remove_all(scratch);
  }
  {
    const auto after = must(served.store->counts());
    const double bytes = static_cast<double>(fs::file_size(fs::path(data) / "central.db"));
    std::printf("store: central.db %.1f MB, %.0f bytes per record\n", bytes / 1e6,
                bytes / static_cast<double>(after.records));
    figure("store_bytes_per_record", bytes / static_cast<double>(after.records));
  }
  {
    const fs::path out = homes / "bench-scale-out";
    fs::create_directories(out);
    const ChildRun exported = run_child({server_bin, "--data", data, "export", "--form", "outreach-identification",
                                         "--out", (out / "export.csv").string(), "--force"});
    std::printf("export of outreach-identification: %.2f s, peak RSS %.1f MiB\n", exported.seconds,
                exported.peak_rss_mib);
    figure("export_s", exported.seconds);
    figure("export_peak_rss_mib", exported.peak_rss_mib);
    const ChildRun reported = run_child({server_bin, "--data", data, "report", "--period", this_month_utc(), "--out",
                                         (out / "report.html").string(), "--force"});
    std::printf("report of %s: %.2f s, peak RSS %.1f MiB\n", this_month_utc().c_str(), reported.seconds,
                reported.peak_rss_mib);
    figure("report_s", reported.seconds);
    figure("report_peak_rss_mib", reported.peak_rss_mib);
    fs::remove_all(out);
  }

  const auto list_start = Clock::now();
  const auto cases = must(server::list_cases(*served.store, server::StepCounts::skipped));
  const double listed_s = seconds_since(list_start);
  std::printf("before issue 13 every pull opened every case: list_cases of %zu cases takes %.2f s\n", cases.size(),
              listed_s);
  figure("list_cases_s", listed_s);
  served.http->stop();
  return 0;
}

// amana-bench-scale: what syncs cost against a large store made by amana-gen-data (issue
// 13). It opens the server data directory, serves it in this process on loopback behind a
// byte-counting proxy, and measures, in one run:
//   - an assistant's sync with nothing new, and with 10 new changes to its cases made at
//     the office, on one of the generated devices (DIR/generated-devices): p50/p99 time,
//     HTTP bytes each way;
//   - an officer's first full pull of its team on a new device: time, pages, bytes;
//   - a fresh push of --push-records identifications from a new device: records merged per
//     second, and bytes this process wrote to disk per record (/proc/self/io);
//   - what the pull's need-to-know cost before issue 13: opening every case (list_cases).
// Run through tools/bench scale, which builds the stores first.
//
//   amana-bench-scale --data DIR [--device gen-assistant-1] [--syncs 20] [--push-records 2000]
// The operator passphrase comes from AMANA_SERVER_PASSPHRASE, as for amana-gen-data.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>

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
    std::printf("  p50 %.1f ms, p99 %.1f ms; HTTP bytes per sync: up %.0f, down %.0f; changes received %zu\n",
                percentile(ms, 0.5), percentile(ms, 0.99), static_cast<double>(proxy.bytes_up() - up0) / count,
                static_cast<double>(proxy.bytes_down() - down0) / count, received);
  };
  std::printf("store: %lld records, %lld field versions; device %s holds %zu cases\n",
              static_cast<long long>(counts.records), static_cast<long long>(counts.field_versions),
              device_name.c_str(), held_cases.size());
  std::printf("assistant's sync with nothing new (%d syncs):\n", syncs);
  timed_syncs(syncs, [] {});
  std::printf("assistant's sync with 10 new changes from the office (%d syncs):\n", syncs);
  std::size_t turn = 0;
  timed_syncs(syncs, [&] {
    for (int c = 0; c < 10 && !held_cases.empty(); ++c) {
      const RecordId& kase = held_cases[turn++ % held_cases.size()];
      must(served.store->write_as_org(kase, {{"office_note", "seen " + std::to_string(turn)}}, "bench",
                                      system_wall_clock()()));
    }
  });

  {
    const fs::path scratch = fs::path(data) / "bench-scale-devices";
    auto full = new_device(served, scratch, officer, url);
    std::size_t pages = 0;
    field::SyncOptions paged = options;
    const std::uint64_t up0 = proxy.bytes_up(), down0 = proxy.bytes_down();
    const auto start = Clock::now();
    const auto report = must(field::sync_device(full, paged));
    pages = report.pages;
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
    const std::uint64_t written0 = write_bytes();
    const auto push_start = Clock::now();
    must(field::sync_device(fresh, options).status());
    const double push_s = seconds_since(push_start);
    const std::uint64_t written = write_bytes() - written0;
    std::printf("fresh push of %d records: %.0f records/s merged; %.0f bytes written to disk per record (server and "
                "device, /proc/self/io)\n",
                push_records, push_records / push_s, static_cast<double>(written) / push_records);
    std::printf("  collecting them on the device (one durable commit each) wrote %.0f bytes per record\n",
                static_cast<double>(collected) / push_records);
    fs::remove_all(scratch);
  }

  const auto list_start = Clock::now();
  const auto cases = must(server::list_cases(*served.store, server::StepCounts::skipped));
  std::printf("before issue 13 every pull opened every case: list_cases of %zu cases takes %.2f s\n", cases.size(),
              seconds_since(list_start));
  served.http->stop();
  return 0;
}

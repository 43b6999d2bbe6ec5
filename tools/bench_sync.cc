// amana-bench-sync: sync figures for docs/benchmarks.md, each beside its baseline.
//   wire:       bytes on the wire per record (every byte of HTTP both ways, headers
//               included, counted by a loopback proxy) for each field form, next to the
//               same answers as ODK OpenRosa submissions (one multipart POST each, with
//               headers), raw and gzip'd;
//   throughput: records merged per second end to end: N devices push their records at
//               once over loopback HTTP (sealed, signed, compressed changesets; durable
//               merge), from the first request to the last acknowledgement;
//   latency:    p50 / p99 time of one device's sync while M devices sync at once.
// Devices are real field stores; the server is the real HTTP front, service and SQLite
// central store, in this process. Run through tools/bench, which builds it first.
#include <CLI/CLI.hpp>

#include <iostream>

#include "field-client/sync_client.h"
#include "tools/bench_fleet.h"

namespace {

using namespace amana;
using namespace amana::bench;
namespace fs = std::filesystem;

// Runs one sync per device, all at once; returns each one's duration in seconds.
std::vector<double> sync_all(std::vector<field::Store>& devices, const std::string& server_url = "") {
  std::vector<double> durations(devices.size());
  std::vector<std::thread> threads;
  std::vector<Status> failures(devices.size());
  for (std::size_t i = 0; i < devices.size(); ++i) {
    threads.emplace_back([&, i] {
      const auto start = Clock::now();
      field::SyncOptions options;
      options.timeout = std::chrono::minutes(10);
      if (!server_url.empty()) options.server_url = server_url;
      auto report = field::sync_device(devices[i], options);
      durations[i] = seconds_since(start);
      if (!report.ok()) failures[i] = report.status();
    });
  }
  for (auto& thread : threads) thread.join();
  for (const Status& failure : failures) {
    if (!failure.ok()) fail(failure);
  }
  return durations;
}

void wire(const fs::path& dir, AnswerSource& answers, int records) {
  Fleet fleet(dir);
  std::cout << "== wire: " << records << " records per form, one device each, every HTTP byte both ways\n";
  for (const char* id : kFieldForms) {
    const forms::FormDefinition& form = answers.form(id);
    field::Store device = fleet.enrolled_device(std::string("wire-") + id);
    OpenRosaBytes odk;
    for (int i = 0; i < records; ++i) {
      const forms::Answers record = answers.next(form);
      const OpenRosaBytes one = openrosa_submission(form, record);
      odk.xml += one.xml;
      odk.exchange += one.exchange;
      odk.exchange_gzip += one.exchange_gzip;
      must(device.add_record(form, record).status());
    }
    CountingProxy proxy(fleet.http->port());
    std::vector<field::Store> one_device;
    one_device.push_back(std::move(device));
    sync_all(one_device, "http://127.0.0.1:" + std::to_string(proxy.port()));
    const double n = records;
    const double amana = static_cast<double>(proxy.bytes_up() + proxy.bytes_down()) / n;
    const double raw = static_cast<double>(odk.exchange) / n;
    const double gz = static_cast<double>(odk.exchange_gzip) / n;
    std::printf("wire %-28s amana %7.1f B/record (%.1f up, %.1f down) | odk xml %7.1f B raw, %7.1f B gzip "
                "(instance alone %.1f B) | amana/odk %.3f raw, %.3f gzip\n",
                id, amana, static_cast<double>(proxy.bytes_up()) / n, static_cast<double>(proxy.bytes_down()) / n,
                raw, gz, static_cast<double>(odk.xml) / n, amana / raw, amana / gz);
  }
}

void throughput(const fs::path& dir, AnswerSource& answers, int devices, int records_per_device) {
  Fleet fleet(dir);
  std::cout << "== throughput: " << devices << " devices x " << records_per_device
            << " records (the three field forms in turn), loopback HTTP\npreparing devices..." << std::endl;
  std::vector<field::Store> stores;
  for (int i = 0; i < devices; ++i) {
    stores.push_back(fleet.enrolled_device("device-" + std::to_string(i)));
    for (int r = 0; r < records_per_device; ++r) {
      const forms::FormDefinition& form = answers.form(kFieldForms[r % 3]);
      must(stores.back().add_record(form, answers.next(form)).status());
    }
  }
  const auto start = Clock::now();
  const auto durations = sync_all(stores);
  const double elapsed = seconds_since(start);
  const auto total = static_cast<std::int64_t>(devices) * records_per_device;
  const auto counts = must(fleet.store->counts());
  if (counts.records != total) {
    fail(Status(ErrorCode::corrupt, "the server holds " + std::to_string(counts.records) + " records, not " +
                                        std::to_string(total)));
  }
  std::printf("throughput records merged %lld in %.2f s: %.0f records/s; per device sync p50 %.0f ms, p99 %.0f ms\n",
              static_cast<long long>(counts.records), elapsed, static_cast<double>(total) / elapsed,
              percentile(durations, 0.50) * 1000, percentile(durations, 0.99) * 1000);
}

void latency(const fs::path& dir, AnswerSource& answers, int devices, int records_per_device) {
  Fleet fleet(dir);
  std::cout << "== latency: " << devices << " devices syncing at once, " << records_per_device
            << " records each\npreparing devices..." << std::endl;
  const forms::FormDefinition& form = answers.form("pdm-survey");
  std::vector<field::Store> stores;
  for (int i = 0; i < devices; ++i) {
    stores.push_back(fleet.enrolled_device("device-" + std::to_string(i)));
    for (int r = 0; r < records_per_device; ++r) must(stores.back().add_record(form, answers.next(form)).status());
  }
  const auto durations = sync_all(stores);
  std::printf("latency sync time p50 %.0f ms, p99 %.0f ms, max %.0f ms\n", percentile(durations, 0.50) * 1000,
              percentile(durations, 0.99) * 1000, percentile(durations, 1.0) * 1000);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Sync benchmark"};
  int wire_records = 1000;
  int devices = 10;
  int records_per_device = 10000;
  int concurrent_devices = 200;
  int records_per_concurrent_device = 50;
  std::string examples = "forms/examples";
  app.add_option("--wire-records", wire_records, "Records per form in the wire run (0: skip)")->capture_default_str();
  app.add_option("--devices", devices, "Devices pushing in the throughput run")->capture_default_str();
  app.add_option("--records", records_per_device, "Records per device in the throughput run (0: skip)")
      ->capture_default_str();
  app.add_option("--concurrent", concurrent_devices, "Devices syncing at once in the latency run (0: skip)")
      ->capture_default_str();
  app.add_option("--concurrent-records", records_per_concurrent_device, "Records per device in the latency run")
      ->capture_default_str();
  app.add_option("--examples", examples, "Directory of example answers files")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const auto pack = must(forms::FormPack::builtin());
  AnswerSource answers(pack, examples, 20261123);  // fixed seed: every run syncs the same records
  const fs::path dir = fs::temp_directory_path() / ("amana-bench-sync-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  if (wire_records > 0) wire(dir / "wire", answers, wire_records);
  if (records_per_device > 0 && devices > 0) throughput(dir / "throughput", answers, devices, records_per_device);
  if (concurrent_devices > 0) latency(dir / "latency", answers, concurrent_devices, records_per_concurrent_device);
  fs::remove_all(dir);
  return 0;
}

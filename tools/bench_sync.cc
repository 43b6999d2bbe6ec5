// amana-bench-sync: sync figures for docs/benchmarks.md.
//   1. records merged per second end to end: N devices push their records at once to a
//      sync server over loopback HTTP (sealed, signed, compressed changesets; durable
//      merge), from the first request to the last acknowledgement;
//   2. bytes on the wire per record, next to the same answers as an ODK (OpenRosa) XML
//      submission;
//   3. p50 / p99 time of one device's sync while M devices sync at once.
// Devices are real field stores (with a cheap KDF: unlocking is not what is measured); the
// server is the real HTTP front, service and SQLite central store, in this process.
// Run through tools/bench, which builds it first.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <cstdio>
#include <iostream>
#include <random>
#include <thread>

#include "common/answers.h"
#include "common/files.h"
#include "common/form_pack.h"
#include "field-client/store.h"
#include "field-client/sync_client.h"
#include "sync-server/admin.h"
#include "sync-server/http_server.h"
#include "sync-server/service.h"

namespace {

using namespace amana;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr crypto::KdfParams kBenchKdf{1, 8192};
constexpr std::string_view kPassphrase = "benchmark passphrase";

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

[[noreturn]] void fail(const Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  std::exit(1);
}

template <class T>
T must(Result<T> result) {
  if (!result.ok()) fail(result.status());
  return std::move(result).value();
}

void must(const Status& status) {
  if (!status.ok()) fail(status);
}

// Realistic variety: identical records would compress to almost nothing and flatter the
// bytes-per-record figure. Every record gets its own site, dates, ratings, uses and a
// free-text comment of 5-25 words.
forms::Answers varied_answers(const forms::FormDefinition& form, std::mt19937& random) {
  static const char* kWords[] = {"queue", "long", "staff", "respectful", "distribution", "late", "water", "children",
                                 "market", "prices", "rent", "medicine", "clinic", "far", "walk", "safe", "night",
                                 "women", "elderly", "help", "cash", "enough", "family", "school", "fees", "thanks"};
  auto pick = [&](int low, int high) { return std::uniform_int_distribution<int>(low, high)(random); };
  forms::Answers raw;
  raw["consent"] = "yes";
  raw["site"] = "Um Dukhun distribution point " + std::to_string(pick(1, 40));
  raw["assistance_type"] = std::to_string(pick(1, 3));
  char date[11];
  std::snprintf(date, sizeof date, "2026-%02d-%02d", pick(1, 10), pick(1, 28));
  raw["received_date"] = date;
  raw["on_time"] = pick(0, 1) ? "yes" : "no";
  raw["sufficient"] = pick(0, 1) ? "yes" : "no";
  std::string uses;
  for (int use = 1; use <= 6; ++use) {
    if (pick(0, 2) == 0) uses += std::to_string(use) + " ";
  }
  raw["use"] = uses.empty() ? "1" : uses;
  raw["safety_problem"] = "no";
  raw["asked_to_pay"] = pick(0, 9) == 0 ? "yes" : "no";
  raw["knows_feedback"] = pick(0, 1) ? "yes" : "no";
  raw["satisfaction"] = std::to_string(pick(1, 5));
  std::string comment;
  for (int i = pick(5, 25); i > 0; --i) comment += std::string(kWords[pick(0, 25)]) + (i > 1 ? " " : ".");
  raw["comments"] = comment;
  std::set<std::string, std::less<>> given;
  for (const auto& [name, value] : raw) given.insert(name);
  return must(forms::validate_submission(form, raw, given, {forms::Language::en, "2026-11-23"}));
}

// The same answers as ODK Collect would submit them: an OpenRosa XML instance.
std::string openrosa_xml(const forms::FormDefinition& form, const forms::Answers& answers) {
  std::string xml = "<?xml version='1.0' ?><data id=\"" + form.id + "\" version=\"" + std::to_string(form.version) +
                    "\" xmlns:jr=\"http://openrosa.org/javarosa\" xmlns:orx=\"http://openrosa.org/xforms\">";
  for (const forms::Field& field : form.fields) {
    auto answer = answers.find(field.name);
    if (field.type == forms::FieldType::note) {
      xml += "<" + field.name + "/>";
    } else if (answer == answers.end()) {
      xml += "<" + field.name + "/>";
    } else {
      std::string value = answer->second;
      if (field.type == forms::FieldType::boolean) value = value == "true" ? "yes" : "no";
      xml += "<" + field.name + ">" + value + "</" + field.name + ">";
    }
  }
  xml += "<meta><instanceID>uuid:" + new_record_id(0).to_string() + "</instanceID></meta></data>";
  return xml;
}

// The multipart/form-data body ODK Collect posts to /submission around that XML.
std::size_t openrosa_post_bytes(const std::string& xml) {
  const std::string boundary = "----------------------------" + std::string(24, '7');
  const std::string body = "--" + boundary +
                           "\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; "
                           "filename=\"xml_submission_file.xml\"\r\nContent-Type: text/xml; charset=utf-8\r\n\r\n" +
                           xml + "\r\n--" + boundary + "--\r\n";
  return body.size();
}

struct Fleet {
  fs::path dir;
  std::unique_ptr<server::CentralStore> store;
  server::OrgKeys keys;
  std::shared_ptr<server::Metrics> metrics = std::make_shared<server::Metrics>();
  std::unique_ptr<server::SyncService> service;
  std::unique_ptr<server::HttpServer> http;
  std::string url;

  explicit Fleet(const fs::path& where) : dir(where) {
    must(server::init_server(dir / "server", "operator passphrase", kBenchKdf));
    store = must(server::open_server_store(dir / "server"));
    keys = must(server::unlock_org_keys(*store, "operator passphrase"));
    store->set_data_key(crypto::SecretBytes::copy_of(keys.data_key.view()));
    must(store->add_user({"bench", server::Role::assistant, "bench"}));
    service = std::make_unique<server::SyncService>(*store, keys, metrics);
    server::HttpOptions options;
    options.listen = "127.0.0.1:0";
    options.threads = 2;
    options.handler_threads = 4;
    options.log_requests = false;
    http = must(server::HttpServer::start(
        options, [this](const server::HttpRequest& r) { return service->handle(r); }, metrics));
    url = "http://127.0.0.1:" + std::to_string(http->port());
  }

  field::Store device(int index, const forms::FormDefinition& form, int records, std::mt19937& random,
                      std::size_t* openrosa_bytes = nullptr) {
    field::StoreOptions options;
    options.kdf = kBenchKdf;
    auto store_for_device =
        must(field::Store::create(dir / ("device-" + std::to_string(index)), kPassphrase, "bench", options));
    const auto code = must(server::issue_enrollment_code(*store, "bench", std::chrono::hours(1),
                                                         system_wall_clock()()));
    must(field::enroll_device(store_for_device, code.code, url).status());
    for (int i = 0; i < records; ++i) {
      const forms::Answers answers = varied_answers(form, random);
      if (openrosa_bytes) *openrosa_bytes += openrosa_post_bytes(openrosa_xml(form, answers));
      must(store_for_device.add_record(form, answers).status());
    }
    return store_for_device;
  }
};

// Runs one sync per device, all at once; returns each one's duration in seconds.
std::vector<double> sync_all(std::vector<field::Store>& devices) {
  std::vector<double> durations(devices.size());
  std::vector<std::thread> threads;
  std::vector<Status> failures(devices.size());
  for (std::size_t i = 0; i < devices.size(); ++i) {
    threads.emplace_back([&, i] {
      const auto start = Clock::now();
      field::SyncOptions options;
      options.timeout = std::chrono::minutes(10);
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

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Sync benchmark"};
  int devices = 10;
  int records_per_device = 10000;
  int concurrent_devices = 200;
  int records_per_concurrent_device = 50;
  app.add_option("--devices", devices, "Devices pushing in the throughput run")->capture_default_str();
  app.add_option("--records", records_per_device, "Records per device in the throughput run")->capture_default_str();
  app.add_option("--concurrent", concurrent_devices, "Devices syncing at once in the latency run")
      ->capture_default_str();
  app.add_option("--concurrent-records", records_per_concurrent_device, "Records per device in the latency run")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto pack = must(forms::FormPack::builtin());
  const forms::FormDefinition& form = *must(pack.find("pdm-survey"));
  std::mt19937 random(20261123);  // fixed: every run syncs the same records

  const fs::path dir = fs::temp_directory_path() / ("amana-bench-sync-" + std::to_string(::getpid()));
  fs::remove_all(dir);

  {
    Fleet fleet(dir / "throughput");
    std::cout << "== throughput: " << devices << " devices x " << records_per_device << " records (pdm-survey)\n"
              << "preparing devices..." << std::endl;
    std::vector<field::Store> stores;
    std::size_t openrosa_bytes = 0;
    for (int i = 0; i < devices; ++i) stores.push_back(fleet.device(i, form, records_per_device, random, &openrosa_bytes));
    const std::uint64_t bytes_in_before = fleet.metrics->value("amana_http_received_bytes_total");
    const std::uint64_t bytes_out_before = fleet.metrics->value("amana_http_sent_bytes_total");
    const auto start = Clock::now();
    sync_all(stores);
    const double elapsed = seconds_since(start);
    const auto total = static_cast<double>(devices) * records_per_device;
    const auto counts = must(fleet.store->counts());
    if (counts.records != static_cast<std::int64_t>(total)) {
      fail(Status(ErrorCode::corrupt, "the server holds " + std::to_string(counts.records) + " records, not " +
                                          std::to_string(static_cast<std::int64_t>(total))));
    }
    const double bytes_up = static_cast<double>(fleet.metrics->value("amana_http_received_bytes_total") - bytes_in_before);
    const double bytes_down = static_cast<double>(fleet.metrics->value("amana_http_sent_bytes_total") - bytes_out_before);
    std::cout << "records merged             " << counts.records << " in " << elapsed << " s\n"
              << "records merged per second  " << total / elapsed << "\n"
              << "bytes on the wire / record " << (bytes_up + bytes_down) / total << " B (request and response bodies: "
              << bytes_up / total << " up, " << bytes_down / total << " down)\n"
              << "same answers as OpenRosa   " << static_cast<double>(openrosa_bytes) / total
              << " B per record: the multipart/form-data body ODK Collect posts (one submission per record, "
                 "XML uncompressed)\n";
  }
  {
    Fleet fleet(dir / "latency");
    std::cout << "== latency: " << concurrent_devices << " devices syncing at once, " << records_per_concurrent_device
              << " records each\npreparing devices..." << std::endl;
    std::vector<field::Store> stores;
    for (int i = 0; i < concurrent_devices; ++i) {
      stores.push_back(fleet.device(i, form, records_per_concurrent_device, random));
    }
    const auto durations = sync_all(stores);
    std::cout << "sync time p50              " << percentile(durations, 0.50) * 1000 << " ms\n"
              << "sync time p99              " << percentile(durations, 0.99) * 1000 << " ms\n"
              << "sync time max              " << percentile(durations, 1.0) * 1000 << " ms\n";
  }
  fs::remove_all(dir);
  return 0;
}

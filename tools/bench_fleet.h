// What the benchmark programs (bench_*.cc, loadgen.cc) share: failing loudly, timing,
// realistic varied answers for the three field forms, the same answers as an ODK
// (OpenRosa) submission, a byte-counting loopback proxy, peak RSS, and an in-process
// server with enrolled device stores.
//
// Benchmarks are not the product: an error here ends the program with a message, since
// there is nobody to hand a Status to.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/answers.h"
#include "common/crypto.h"
#include "common/form_pack.h"
#include "common/status.h"
#include "field-client/store.h"
#include "sync-server/central_store.h"
#include "sync-server/http_server.h"
#include "sync-server/metrics.h"
#include "sync-server/org_keys.h"
#include "sync-server/service.h"

namespace amana::bench {

using Clock = std::chrono::steady_clock;

// Device stores use a cheap KDF: unlocking is not what is measured.
inline constexpr crypto::KdfParams kBenchKdf{1, 8192};
inline constexpr std::string_view kPassphrase = "benchmark passphrase";
inline constexpr std::string_view kOperatorPassphrase = "operator passphrase";
// The three forms filled in the field, in the order the figures are printed.
inline constexpr const char* kFieldForms[] = {"outreach-identification", "rapid-protection-assessment", "pdm-survey"};

[[noreturn]] void fail(const Status& status);
template <class T>
T must(Result<T> result) {
  if (!result.ok()) fail(result.status());
  return std::move(result).value();
}
void must(const Status& status);

double seconds_since(Clock::time_point start);
// CPU seconds used by this process so far (all threads). Beside wall time, it shows how
// much of a figure is waiting: for the disk, or for a core shared with other work.
double cpu_seconds();
// p in [0, 1], nearest rank; `values` must not be empty.
double percentile(std::vector<double> values, double p);
// This month in UTC, YYYY-MM: the report the benchmarks ask for.
std::string this_month_utc();
// VmHWM of a process (0: this one) in KiB, from /proc/PID/status; 0 when unreadable.
std::uint64_t peak_rss_kib(int pid = 0);

// Answers to `form` that differ per record the way real ones do (dates, places, counts,
// free text, subsets of the chosen options), starting from forms/examples/<form>.answers.json:
// identical records would compress to almost nothing and flatter the wire figures.
// Validated against the form; the same seed gives the same answers.
class AnswerSource {
 public:
  AnswerSource(const forms::FormPack& pack, const std::filesystem::path& examples, std::uint32_t seed);
  forms::Answers next(const forms::FormDefinition& form);
  const forms::FormDefinition& form(std::string_view id) const;

 private:
  const forms::FormPack& pack_;
  std::vector<std::pair<std::string, forms::Answers>> examples_;
  std::mt19937 random_;
};

// The same answers as ODK Collect submits them to ODK Central: the OpenRosa XML instance in
// a multipart/form-data POST, and the server's 201 OpenRosaResponse. Headers included
// (Collect's own set, without any Authorization: the app-user token is in the path).
struct OpenRosaBytes {
  std::size_t xml = 0;           // the XML instance alone
  std::size_t exchange = 0;      // request + response, headers and bodies, XML as is
  std::size_t exchange_gzip = 0; // the same with the multipart body gzip'd (Content-Encoding: gzip)
};
OpenRosaBytes openrosa_submission(const forms::FormDefinition& form, const forms::Answers& answers);

// A loopback TCP proxy that counts every byte each way (headers, bodies, chunking: all of
// HTTP), so that wire figures are measured rather than estimated. Blocking sockets, two
// threads per connection: for a handful of devices, not for load.
class CountingProxy {
 public:
  explicit CountingProxy(std::uint16_t upstream_port);
  ~CountingProxy();
  CountingProxy(const CountingProxy&) = delete;
  CountingProxy& operator=(const CountingProxy&) = delete;
  std::uint16_t port() const { return port_; }
  std::uint64_t bytes_up() const { return up_; }
  std::uint64_t bytes_down() const { return down_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::uint16_t port_ = 0;
  std::atomic<std::uint64_t> up_{0}, down_{0};
};

// The real HTTP front, sync service and SQLite central store, in this process, with one
// assistant user "bench".
struct Fleet {
  std::filesystem::path dir;
  std::unique_ptr<server::CentralStore> store;
  server::OrgKeys keys;
  std::shared_ptr<server::Metrics> metrics = std::make_shared<server::Metrics>();
  std::unique_ptr<server::SyncService> service;
  std::unique_ptr<server::HttpServer> http;
  std::string url;

  explicit Fleet(const std::filesystem::path& where);
  // A new device store in dir/name, enrolled through /v1/enroll.
  field::Store enrolled_device(const std::string& name);
};

}  // namespace amana::bench

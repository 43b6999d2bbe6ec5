// amana-loadgen: N devices (default 1,000) syncing at once against one real
// `sync-server serve` process on loopback, as after a distribution day when every team
// comes back in range. Reports errors, p50 / p99 / max sync time per device and the
// server's peak RSS (VmHWM from /proc/PID/status: the server is a separate process so
// that its memory is its own).
//
// Every device is a real field store, enrolled through /v1/enroll before the clock
// starts, holding `records` PDM surveys; then all of them call sync_device at the same
// instant, one thread each, one connection at a time each (as a device does), so the
// server sees up to N connections at once: below HttpOptions::max_connections (1024).
// They all come from 127.0.0.1, as from one huge NAT'd office, so the server is started
// with --max-connections-per-address 1024 (its default, 128, fits a real office).
// With --data, the server serves an existing store (one made by amana-gen-data: the
// 1,000,000-record store of docs/benchmarks.md 6e) unlocked with the operator passphrase
// of AMANA_SERVER_PASSPHRASE, and the devices are enrolled into it as user "bench"; the
// store is kept, with what they pushed.
// Run through tools/bench, which builds it first.
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <latch>

#include "common/passphrase.h"
#include "field-client/sync_client.h"
#include "sync-server/admin.h"
#include "tools/bench_fleet.h"

namespace {

using namespace amana;
using namespace amana::bench;
namespace fs = std::filesystem;

struct LoadgenOptions {
  int devices = 1000;
  int records = 20;                         // per device: a day's PDM surveys by one enumerator
  std::string server_bin = "build/release/sync-server/sync-server";
  std::string examples = "forms/examples";
  std::string data;                         // empty: a new store, removed at the end
  int prepare_threads = 4;                  // enrolling and filling devices is setup, not measured
  std::chrono::seconds sync_timeout{300};   // per device: a queue of 1,000 at the store is slow, not broken
  std::chrono::seconds start_timeout{30};   // for the server's "listening on" line
};

// Each device holds a SQLite store (database, WAL, shared memory: 3 descriptors) and a
// socket; the server, inheriting this limit, holds a socket per device.
void raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

struct ServerProcess {
  pid_t pid = -1;
  std::uint16_t port = 0;
};

// Starts `sync-server --data DIR serve --listen 127.0.0.1:0` and reads its port from the
// "listening on HOST:PORT" line it prints. Its request log (a line per request on
// stderr) goes to `log`, shown in part when a sync fails.
ServerProcess start_server(const LoadgenOptions& options, const fs::path& data, const std::string& passphrase,
                           const fs::path& log) {
  int out[2];
  if (pipe(out) != 0) fail(Status(ErrorCode::io, "pipe failed"));
  const pid_t pid = fork();
  if (pid < 0) fail(Status(ErrorCode::io, "fork failed"));
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    const int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (log_fd >= 0) dup2(log_fd, STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    setenv(kServerPassphraseVariable, passphrase.c_str(), 1);
    const std::string data_arg = data.string();
    execl(options.server_bin.c_str(), options.server_bin.c_str(), "--data", data_arg.c_str(), "serve", "--listen",
          "127.0.0.1:0", "--max-connections-per-address", "1024", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  // The listening line follows the one that says what is served (plain HTTP here).
  std::string printed;
  auto listening_line = [&] {
    const auto at = printed.rfind("listening on ", printed.size() > 0 ? printed.size() - 1 : 0);
    const bool whole = at != std::string::npos && (at == 0 || printed[at - 1] == '\n') &&
                       printed.find('\n', at) != std::string::npos;
    return whole ? printed.substr(at, printed.find('\n', at) - at) : std::string();
  };
  const auto deadline = Clock::now() + options.start_timeout;
  while (listening_line().empty() && Clock::now() < deadline) {
    pollfd ready{out[0], POLLIN, 0};
    if (poll(&ready, 1, 1000) <= 0) continue;
    char buffer[256];
    const ssize_t n = read(out[0], buffer, sizeof buffer);
    if (n <= 0) break;
    printed.append(buffer, static_cast<std::size_t>(n));
  }
  close(out[0]);  // the server writes one more line when it stops: SIGPIPE is ignored below
  const std::string line = listening_line().empty() ? printed : listening_line();
  const auto colon = line.rfind(':');
  if (line.rfind("listening on ", 0) != 0 || colon == std::string::npos) {
    kill(pid, SIGKILL);
    fail(Status(ErrorCode::io, "the server did not start: '" + line + "'"));
  }
  return {pid, static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)))};
}

int stop_server(const ServerProcess& server) {
  kill(server.pid, SIGTERM);
  int status = 0;
  waitpid(server.pid, &status, 0);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  LoadgenOptions options;
  CLI::App app{"Load generator: many devices syncing at once against one sync-server process"};
  app.add_option("--devices", options.devices, "Devices syncing at once")->capture_default_str()->check(
      CLI::Range(1, 1000));
  app.add_option("--records", options.records, "Records per device")->capture_default_str();
  app.add_option("--server-bin", options.server_bin, "The sync-server binary")->capture_default_str();
  app.add_option("--examples", options.examples, "Directory of example answers files")->capture_default_str();
  app.add_option("--data", options.data,
                 "An existing server data directory to serve (its operator passphrase in AMANA_SERVER_PASSPHRASE), "
                 "kept at the end; default: a new one, removed");
  CLI11_PARSE(app, argc, argv);
  signal(SIGPIPE, SIG_IGN);
  raise_file_limit();

  const fs::path dir = fs::temp_directory_path() / ("amana-loadgen-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const fs::path data = options.data.empty() ? dir / "server" : fs::path(options.data);
  std::string passphrase(kOperatorPassphrase);
  std::vector<std::string> codes;
  std::int64_t merged_before = 0;
  {
    if (options.data.empty()) {
      must(server::init_server(data, kOperatorPassphrase, kBenchKdf));
    } else {
      const char* given = std::getenv(kServerPassphraseVariable);
      if (given == nullptr) fail(invalid_argument("--data: set the store's operator passphrase in AMANA_SERVER_PASSPHRASE"));
      passphrase = given;
    }
    auto store = must(server::open_server_store(data));
    merged_before = must(store->counts()).records;
    if (!store->user("bench").ok()) must(store->add_user({"bench", server::Role::assistant, "bench"}));
    for (int i = 0; i < options.devices; ++i) {
      codes.push_back(must(server::issue_enrollment_code(*store, "bench", std::chrono::hours(2),
                                                         system_wall_clock()())).code);
    }
  }
  fs::create_directories(dir);
  const ServerProcess server = start_server(options, data, passphrase, dir / "server.log");
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port);
  std::cout << "== load: " << options.devices << " devices x " << options.records
            << " records syncing at once against sync-server pid " << server.pid << " on " << url
            << "\npreparing devices..." << std::endl;

  const auto pack = must(forms::FormPack::builtin());
  const forms::FormDefinition& form = *must(pack.find("pdm-survey"));
  std::vector<std::optional<field::Store>> devices(static_cast<std::size_t>(options.devices));
  {
    std::vector<std::thread> workers;
    for (int w = 0; w < options.prepare_threads; ++w) {
      workers.emplace_back([&, w] {
        AnswerSource answers(pack, options.examples, 20261125u + static_cast<std::uint32_t>(w));
        for (int i = w; i < options.devices; i += options.prepare_threads) {
          field::StoreOptions store_options;
          store_options.kdf = kBenchKdf;
          auto device = must(field::Store::create(dir / ("device-" + std::to_string(i)), kPassphrase, "bench",
                                                  store_options));
          must(field::enroll_device(device, codes[static_cast<std::size_t>(i)], url).status());
          for (int r = 0; r < options.records; ++r) must(device.add_record(form, answers.next(form)).status());
          devices[static_cast<std::size_t>(i)].emplace(std::move(device));
        }
      });
    }
    for (auto& worker : workers) worker.join();
  }
  const std::uint64_t rss_before_kib = peak_rss_kib(server.pid);

  std::vector<double> durations(devices.size());
  std::vector<Status> results(devices.size());
  std::latch start_line(static_cast<std::ptrdiff_t>(devices.size()) + 1);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < devices.size(); ++i) {
    threads.emplace_back([&, i] {
      start_line.arrive_and_wait();
      const auto start = Clock::now();
      field::SyncOptions sync;
      sync.timeout = options.sync_timeout;
      results[i] = field::sync_device(*devices[i], sync).status();
      durations[i] = seconds_since(start);
    });
  }
  const auto start = Clock::now();
  start_line.arrive_and_wait();
  for (auto& thread : threads) thread.join();
  const double wall = seconds_since(start);
  const std::uint64_t rss_kib = peak_rss_kib(server.pid);
  const int exit_status = stop_server(server);

  int errors = 0;
  for (const Status& result : results) {
    if (!result.ok() && errors++ < 5) std::cerr << "sync error: " << result.message() << "\n";
  }
  if (errors > 0) {
    std::ifstream log(dir / "server.log");
    std::vector<std::string> lines;
    for (std::string line; std::getline(log, line) && lines.size() < 100'000;) lines.push_back(line);
    std::cerr << "the server's last log lines:\n";
    for (std::size_t i = lines.size() > 10 ? lines.size() - 10 : 0; i < lines.size(); ++i) {
      std::cerr << lines[i] << "\n";
    }
  }
  devices.clear();
  std::int64_t merged = 0;
  {
    auto store = must(server::open_server_store(data));
    merged = must(store->counts()).records;
  }
  merged -= merged_before;
  const std::int64_t expected = static_cast<std::int64_t>(options.devices) * options.records;
  std::printf("load devices %d, errors %d, records merged %lld of %lld in %.2f s | sync p50 %.0f ms, p99 %.0f ms, "
              "max %.0f ms | server peak RSS %.1f MiB (%.1f MiB before the syncs), exit status %d\n",
              options.devices, errors, static_cast<long long>(merged), static_cast<long long>(expected), wall,
              percentile(durations, 0.50) * 1000, percentile(durations, 0.99) * 1000, percentile(durations, 1.0) * 1000,
              static_cast<double>(rss_kib) / 1024.0, static_cast<double>(rss_before_kib) / 1024.0, exit_status);
  // The same figures as "@ key value" lines, for tools/bench scale's table.
  std::printf("@ load_devices %d\n@ load_errors %d\n@ load_wall_s %.6g\n@ load_sync_p99_ms %.6g\n",
              options.devices, errors, wall, percentile(durations, 0.99) * 1000);
  fs::remove_all(dir);
  return errors == 0 && merged == expected ? 0 : 1;
}

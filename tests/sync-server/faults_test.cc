// Faults, end to end with the real binaries (docs/reliability.md): a flaky link, either
// side killed with SIGKILL at random instants, a full disk on the server (device clocks
// off by days: faults_clock_test.cc). After each, the stores are intact and the central store holds every
// record exactly once. Every random choice comes from a fixed seed.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <random>
#include <thread>

#include "common/http_client.h"
#include "field-client/store.h"
#include "tests/support.h"

using namespace amana::testing;

namespace {

const std::filesystem::path kCentral = "central.db";

std::uint16_t port_of(const std::string& url) {
  return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

// A TCP relay on 127.0.0.1 between a device and the server that misbehaves on purpose.
// Each connection gets one fault, drawn in accept order from a seeded generator: passed
// through cleanly, delayed chunk by chunk, cut after a random number of bytes (either
// direction), or the server's reply truncated after the request went through whole (the
// server acted, the device never hears it did: the case that exactly once is about).
class FlakyLink {
 public:
  enum class Fault { clean, delayed, cut, truncated };

  FlakyLink(std::uint16_t upstream_port, std::uint32_t seed) : upstream_port_(upstream_port), random_(seed) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = loopback(0);
    REQUIRE(bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(listen(listener_, 16) == 0);
    socklen_t length = sizeof address;
    REQUIRE(getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~FlakyLink() {
    stopping_ = true;
    acceptor_.join();
    for (auto& relay : relays_) relay.join();
    close(listener_);
  }
  FlakyLink(const FlakyLink&) = delete;
  FlakyLink& operator=(const FlakyLink&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int count(Fault fault) const { return counts_[static_cast<int>(fault)]; }

 private:
  static sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
  }

  void accept_loop() {
    while (!stopping_) {
      pollfd waiting{listener_, POLLIN, 0};
      if (poll(&waiting, 1, 50) <= 0) continue;
      const int device = accept(listener_, nullptr, nullptr);
      if (device < 0) continue;
      const int roll = std::uniform_int_distribution<int>(0, 99)(random_);
      const Fault fault = roll < 40 ? Fault::clean : roll < 60 ? Fault::delayed : roll < 80 ? Fault::cut : Fault::truncated;
      // Cuts land anywhere in a push of a few hundred records; truncation inside the reply.
      const std::size_t limit = fault == Fault::cut ? std::uniform_int_distribution<std::size_t>(0, 8'000)(random_)
                                                    : std::uniform_int_distribution<std::size_t>(0, 200)(random_);
      const std::uint32_t relay_seed = static_cast<std::uint32_t>(random_());
      ++counts_[static_cast<int>(fault)];
      relays_.emplace_back([this, device, fault, limit, relay_seed] { relay(device, fault, limit, relay_seed); });
    }
  }

  // Copies bytes both ways until either side closes or the fault strikes, then closes both.
  void relay(int device, Fault fault, std::size_t limit, std::uint32_t seed) {
    std::mt19937 random(seed);
    const int server = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = loopback(upstream_port_);
    if (connect(server, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
      std::size_t moved = 0;      // both directions, for cut
      std::size_t replied = 0;    // server to device, for truncated
      char buffer[1024];
      bool open = true;
      while (open && !stopping_) {
        pollfd ends[2] = {{device, POLLIN, 0}, {server, POLLIN, 0}};
        if (poll(ends, 2, 50) <= 0) continue;
        for (int side = 0; side < 2 && open; ++side) {
          if ((ends[side].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
          const int from = ends[side].fd;
          const int to = side == 0 ? server : device;
          ssize_t got = recv(from, buffer, sizeof buffer, 0);
          if (got <= 0) {
            open = false;
            break;
          }
          auto size = static_cast<std::size_t>(got);
          if (fault == Fault::cut && moved + size >= limit) {
            size = limit - moved;
            open = false;
          }
          if (fault == Fault::truncated && side == 1 && replied + size >= limit) {
            size = limit - replied;
            open = false;
          }
          if (fault == Fault::delayed) {
            std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(1, 20)(random)));
          }
          if (size > 0 && send(to, buffer, size, MSG_NOSIGNAL) != static_cast<ssize_t>(size)) open = false;
          moved += size;
          if (side == 1) replied += size;
        }
      }
    }
    close(server);
    close(device);
  }

  std::uint16_t upstream_port_;
  std::uint16_t port_ = 0;
  int listener_ = -1;
  std::mt19937 random_;  // the accept thread's alone
  std::atomic<bool> stopping_{false};
  std::atomic<int> counts_[4] = {0, 0, 0, 0};
  std::vector<std::thread> relays_;  // touched by the accept thread, joined after it ends
  std::thread acceptor_;
};

int rounds_from_environment(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && std::atoi(value) > 0 ? std::atoi(value) : fallback;
}

// A failed sync must be an error a person can read, not a crash.
void check_clean_failure(const CommandResult& result) {
  CHECK_MESSAGE(result.exit_code < 128, result.err);
  CHECK_MESSAGE(contains(result.err, "error: "), result.err);
}

int microseconds_since(std::chrono::steady_clock::time_point start) {
  return static_cast<int>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count());
}

std::int64_t merged_operations(const std::filesystem::path& central_db) {
  return query_int(central_db, "SELECT coalesce(sum(operations), 0) FROM changesets");
}

}  // namespace

TEST_CASE("faults: a device syncs through a link that drops and delays and truncates until all is through once") {
  ServerUnderTest server;
  FieldDevice device("amina", 0);
  enroll(server, device, "amina");
  FlakyLink link(port_of(server.url()), 7);
  constexpr int kWaves = 8;
  constexpr int kPerWave = 150;
  int attempts = 0;
  int failures = 0;
  for (int wave = 0; wave < kWaves; ++wave) {
    device.add_surveys(kPerWave);
    bool through = false;
    for (int attempt = 0; attempt < 100 && !through; ++attempt) {
      ++attempts;
      const auto synced = device.run({"sync", "--server", link.url()});
      through = synced.exit_code == 0;
      if (!through) {
        ++failures;
        check_clean_failure(synced);
      }
    }
    REQUIRE_MESSAGE(through, "wave " << wave << " never got through in 100 attempts");
  }
  CHECK(device.pending_operations() == 0);
  CHECK(contains(device.run({"status"}).out, "Waiting to sync: 0 operations"));
  check_central_exactly_once(server.data_dir() / kCentral, kWaves * kPerWave);
  using F = FlakyLink::Fault;
  // The faults must actually have happened, or this test proves nothing.
  CHECK(link.count(F::cut) > 0);
  CHECK(link.count(F::truncated) > 0);
  CHECK(failures > 0);
  // ... including a push merged whose answer was lost: resent, it was recognised.
  const auto metrics = amana::http::request(*amana::http::Url::parse(server.url()), "GET", "/metrics", "");
  REQUIRE(metrics.ok());
  const std::string resent_key = "amana_changesets_total{outcome=\"already_applied\"} ";
  const auto at = metrics->body.find(resent_key);
  const int resent = at == std::string::npos ? 0 : std::stoi(metrics->body.substr(at + resent_key.size()));
  CHECK(resent > 0);
  MESSAGE(attempts << " syncs (" << failures << " failed) over " << link.count(F::clean) << " clean, "
                   << link.count(F::delayed) << " delayed, " << link.count(F::cut) << " cut, "
                   << link.count(F::truncated) << " truncated connections; " << resent
                   << " changesets resent after a lost acknowledgement");
}

TEST_CASE("faults: the server killed with SIGKILL at random instants under load from three devices") {
  // AMANA_CRASH_ROUNDS=100 for the long variant (docs/reliability.md).
  const int rounds = rounds_from_environment("AMANA_CRASH_ROUNDS", 10);
  ServerUnderTest server;
  const auto central = server.data_dir() / kCentral;
  std::vector<std::unique_ptr<FieldDevice>> devices;
  for (const char* user : {"amina", "hawa", "amina"}) {
    devices.push_back(std::make_unique<FieldDevice>(user, 0));
    enroll(server, *devices.back(), user);
  }
  REQUIRE(server.process().stop(SIGTERM) == 0);

  constexpr int kPerRound = 60;
  std::mt19937 random(20261123);
  std::int64_t collected = 0;
  int interrupted = 0;
  std::vector<std::int64_t> merged_at_kills;
  // What left a device's outbox was acknowledged: once the server has restarted (and
  // recovered its WAL), it must be there, each operation in one changeset, each record once.
  auto check_acknowledged_kept = [&] {
    std::int64_t acknowledged = collected;
    for (const auto& device : devices) acknowledged -= device->pending_operations();
    CHECK(integrity_check(central) == "ok");
    const std::int64_t merged = merged_operations(central);
    CHECK(merged >= acknowledged);
    CHECK(query_int(central, "SELECT count(*) FROM records") == merged);
    merged_at_kills.push_back(merged);
  };
  for (int round = 0; round < rounds; ++round) {
    CAPTURE(round);
    const std::string url = server.restart();
    check_acknowledged_kept();
    for (const auto& device : devices) device->add_surveys(kPerRound);
    collected += kPerRound * static_cast<std::int64_t>(devices.size());
    std::vector<std::unique_ptr<BackgroundProcess>> syncs;
    for (const auto& device : devices) {
      syncs.push_back(std::make_unique<BackgroundProcess>(device->command({"sync", "--server", url}), kPassphrases));
    }
    usleep(static_cast<useconds_t>(std::uniform_int_distribution<int>(0, 800'000)(random)));
    server.process().stop(SIGKILL);
    for (const auto& sync : syncs) {
      if (sync->wait() != 0) ++interrupted;
    }
  }
  const std::string url = server.restart();
  check_acknowledged_kept();
  for (const auto& device : devices) {
    const auto finished = device->run({"sync", "--server", url});
    REQUIRE_MESSAGE(finished.exit_code == 0, finished.err);
    CHECK(device->pending_operations() == 0);
  }
  check_central_exactly_once(central, collected);
  CHECK(server.status()["records"] == collected);
  std::string progress;
  for (std::int64_t merged : merged_at_kills) progress += " " + std::to_string(merged);
  MESSAGE(interrupted << " of " << rounds * 3 << " syncs were cut by the kill; " << collected
                      << " records; merged after each kill:" << progress);
}

TEST_CASE("faults: a device killed with SIGKILL while collecting keeps a consistent store that syncs once") {
  ServerUnderTest server;
  FieldDevice device("amina", 0);
  enroll(server, device, "amina");
  std::mt19937 random(11);
  // Kill instants scale with how long one collect takes on this machine (ASan is several
  // times slower), so that kills land before, during and after the commit wherever it runs.
  const auto started = std::chrono::steady_clock::now();
  device.collect("pdm-survey");
  const int span_us = microseconds_since(started) * 3 / 2;
  constexpr int kKills = 20;
  int completed = 1;
  for (int kill = 0; kill < kKills; ++kill) {
    BackgroundProcess collect(
        device.command({"collect", "pdm-survey", "--answers", kExamples + "pdm-survey.answers.json"}), kPassphrases);
    usleep(static_cast<useconds_t>(std::uniform_int_distribution<int>(0, span_us)(random)));
    if (collect.stop(SIGKILL) == 0) ++completed;
  }
  CHECK(integrity_check(device.home() / "store.db") == "ok");
  std::size_t held = 0;
  {
    auto store = amana::field::Store::open(device.home(), kPassphrases.at("AMANA_PASSPHRASE"));
    REQUIRE_MESSAGE(store.ok(), store.status().message());
    const auto records = store->records();
    REQUIRE(records.ok());
    held = records->size();
    for (const auto& summary : *records) {
      const auto record = store->record(summary.id);
      REQUIRE_MESSAGE(record.ok(), record.status().message());
      CHECK(record->values.size() == survey_answers().size());
    }
    // Every record has its operation in the outbox and no operation lacks its record.
    CHECK(store->status()->pending_operations == static_cast<std::int64_t>(held));
  }
  CHECK(held >= static_cast<std::size_t>(completed));
  CHECK(held <= static_cast<std::size_t>(kKills + 1));
  const auto synced = device.run({"sync"});
  REQUIRE_MESSAGE(synced.exit_code == 0, synced.err);
  check_central_exactly_once(server.data_dir() / kCentral, static_cast<std::int64_t>(held));
  MESSAGE((completed - 1) << " of " << kKills << " collects finished before the kill (window " << span_us / 1000
                       << " ms); " << held << " records held, 1 from the timed collect");
}

TEST_CASE("faults: a device killed with SIGKILL while syncing keeps a consistent store and resyncs once") {
  ServerUnderTest server;
  FieldDevice device("hawa", 200);
  enroll(server, device, "hawa");
  // As for collect: kill instants scale with one whole sync of a batch here.
  const auto started = std::chrono::steady_clock::now();
  REQUIRE(device.run({"sync"}).exit_code == 0);
  const int span_us = microseconds_since(started) * 6 / 5;
  std::mt19937 random(12);
  constexpr int kKills = 8;
  constexpr int kBatch = 200;
  std::int64_t collected = kBatch;
  int cut = 0;
  std::string progress;
  for (int kill = 0; kill < kKills; ++kill) {
    CAPTURE(kill);
    device.add_surveys(kBatch);
    collected += kBatch;
    BackgroundProcess sync(device.command({"sync"}), kPassphrases);
    usleep(static_cast<useconds_t>(std::uniform_int_distribution<int>(0, span_us)(random)));
    if (sync.stop(SIGKILL) != 0) ++cut;
    CHECK(integrity_check(device.home() / "store.db") == "ok");
    const std::int64_t acknowledged = collected - device.pending_operations();
    const std::int64_t merged = merged_operations(server.data_dir() / kCentral);
    CHECK(merged >= acknowledged);
    progress += " " + std::to_string(merged);
  }
  const auto synced = device.run({"sync"});
  REQUIRE_MESSAGE(synced.exit_code == 0, synced.err);
  CHECK(device.pending_operations() == 0);
  check_central_exactly_once(server.data_dir() / kCentral, collected);
  MESSAGE(cut << " of " << kKills << " syncs were killed before they finished (window " << span_us / 1000
              << " ms); " << collected << " records; merged after each kill:" << progress);
}

namespace {

// A tmpfs of `bytes` mounted on a temp dir (needs root), unmounted when destroyed.
class SmallFileSystem {
 public:
  explicit SmallFileSystem(std::size_t bytes) {
    mounted_ = mount("amana-test", dir_.path().c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
                     ("size=" + std::to_string(bytes)).c_str()) == 0;
  }
  ~SmallFileSystem() {
    if (mounted_) umount2(dir_.path().c_str(), MNT_DETACH);
  }
  SmallFileSystem(const SmallFileSystem&) = delete;
  SmallFileSystem& operator=(const SmallFileSystem&) = delete;
  bool mounted() const { return mounted_; }
  const std::filesystem::path& path() const { return dir_.path(); }
  std::size_t free_bytes() const {
    struct statvfs stats {};
    REQUIRE(statvfs(dir_.path().c_str(), &stats) == 0);
    return static_cast<std::size_t>(stats.f_bavail) * stats.f_frsize;
  }

 private:
  TempDir dir_;
  bool mounted_ = false;
};

}  // namespace

TEST_CASE("faults: a full disk on the server is a clear error that loses nothing and sync resumes once space is back") {
  SmallFileSystem disk(16u << 20);
  if (!disk.mounted()) {
    MESSAGE("skipped: cannot mount a tmpfs (needs root); the disk-full test did not run");
    return;
  }
  ServerUnderTest server(disk.path() / "server");
  const auto central = server.data_dir() / kCentral;
  FieldDevice device("amina", 500);
  enroll(server, device, "amina");
  REQUIRE(device.run({"sync"}).exit_code == 0);  // acknowledged: must survive what follows
  // Leave room for one more changeset of 500 records, not for two.
  const auto ballast = disk.path() / "ballast";
  REQUIRE(disk.free_bytes() > (4u << 20));
  write_file(ballast, std::string(disk.free_bytes() - (1u << 20), 'x'));
  device.add_surveys(1000);

  const auto refused = device.run({"sync"});
  CHECK(refused.exit_code != 0);
  check_clean_failure(refused);
  CHECK_MESSAGE(contains(refused.err, "disk may be full"), refused.err);
  const auto health = amana::http::request(*amana::http::Url::parse(server.url()), "GET", "/healthz", "");
  REQUIRE_MESSAGE(health.ok(), health.status().message());
  CHECK(health->status == 200);
  CHECK(integrity_check(central) == "ok");
  const std::int64_t merged = merged_operations(central);
  CHECK(merged >= 1500 - device.pending_operations());
  CHECK(merged >= 500);
  CHECK(query_int(central, "SELECT count(*) FROM records") == merged);

  std::filesystem::remove(ballast);
  const auto resumed = device.run({"sync"});
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.err);
  CHECK(device.pending_operations() == 0);
  check_central_exactly_once(central, 1500);
  MESSAGE(merged << " of 1500 records were merged when the disk filled; the sync said: " << refused.err);
}

// Pulls in bounded pages (protocol version 5, issue 13), end to end: real field stores
// syncing with the real sync service and central store behind the HTTP front on
// 127.0.0.1. An officer's first pull of a large team arrives in several pages, each
// applied before the next; a connection cut in the middle resumes from the last page
// applied; a sync with nothing new sends the held cases as a digest, not a list.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>

#include "common/form_pack.h"
#include "field-client/cases.h"
#include "field-client/store.h"
#include "field-client/sync_client.h"
#include "sync-server/admin.h"
#include "tests/sync-server/in_process.h"
#include "tests/sync-server/loopback.h"

using namespace amana;
using namespace amana::testing;

namespace {

constexpr std::size_t kCases = 30;

struct PagedServer {
  InProcessServer base;
  std::unique_ptr<server::SyncService> service;
  std::unique_ptr<LoopbackHttpServer> http;

  explicit PagedServer(std::size_t max_pull_bytes) {
    server::ServiceLimits limits;
    limits.max_pull_bytes = max_pull_bytes;
    service = std::make_unique<server::SyncService>(*base.store, base.keys, base.metrics, system_wall_clock(), limits);
    start();
  }
  void start() {
    server::HttpOptions options;
    options.log_requests = false;
    http = std::make_unique<LoopbackHttpServer>(
        options, [this](const server::HttpRequest& request) { return service->handle(request); });
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(http->server->port()); }

  field::Store device(const TempDir& dir, const std::string& name, const std::string& user) {
    field::StoreOptions options;
    options.kdf = kCheapKdf;
    auto store = field::Store::create(dir.path() / name, "device passphrase", user, options);
    REQUIRE(store.ok());
    auto code = server::issue_enrollment_code(*base.store, user, std::chrono::hours(1), system_wall_clock()());
    REQUIRE(code.ok());
    REQUIRE(field::enroll_device(*store, code->code, url()).ok());
    return std::move(store).value();
  }
};

Result<field::SyncReport> sync(field::Store& store, const std::string& url, std::vector<std::string>* lines = nullptr,
                               std::function<void(const std::string&)> on_line = {}) {
  field::SyncOptions options;
  options.server_url = url;
  options.progress = [&](const std::string& line) {
    if (lines) lines->push_back(line);
    if (on_line) on_line(line);
  };
  return field::sync_device(store, options);
}

// Amina opens kCases cases on her device and syncs: they are her team's.
void open_team_cases(PagedServer& server, const TempDir& dir) {
  auto amina = server.device(dir, "amina", "amina");
  auto pack = forms::FormPack::builtin();
  REQUIRE(pack.ok());
  field::CaseBook book(amina, *pack, {forms::Language::en, amina.today()});
  for (std::size_t i = 0; i < kCases; ++i) {
    field::CaseOpening opening;
    opening.person = {"Person " + std::to_string(i), i % 2 ? "female" : "male", static_cast<int>(20 + i), "Um Dukhun"};
    opening.not_a_duplicate = true;
    REQUIRE(book.open(opening).ok());
  }
  REQUIRE(sync(amina, server.url()).ok());
}

std::size_t held(field::Store& store) { return store.held_cases()->size(); }

}  // namespace

TEST_CASE("pull pages: an officer's first pull of a large team comes in several bounded pages, with a progress line") {
  TempDir dir;
  PagedServer server(1024);
  REQUIRE(server.base.store->add_user({"omar", server::Role::officer, "um-dukhun"}).ok());
  open_team_cases(server, dir);

  auto omar = server.device(dir, "omar", "omar");
  std::vector<std::string> lines;
  auto report = sync(omar, server.url(), &lines);
  REQUIRE_MESSAGE(report.ok(), report.status().message());
  CHECK(held(omar) == kCases);
  CHECK(report->pages >= 3);
  const auto progress = std::count_if(lines.begin(), lines.end(), [](const std::string& line) {
    return line.starts_with("received page ") && line.find("cases still to come") != std::string::npos;
  });
  CHECK(progress == static_cast<long>(report->pages) - 1);

  // Nothing new: one page, nothing received, and the held cases went up as a digest.
  auto again = sync(omar, server.url());
  REQUIRE(again.ok());
  CHECK(again->pages == 1);
  CHECK(again->changes_received == 0);
  CHECK(held(omar) == kCases);
}

TEST_CASE("pull pages: a connection cut between pages resumes from the last page applied, not from the start") {
  TempDir dir;
  PagedServer server(1024);
  REQUIRE(server.base.store->add_user({"omar", server::Role::officer, "um-dukhun"}).ok());
  REQUIRE(server.base.store->add_user({"nadia", server::Role::officer, "um-dukhun"}).ok());
  open_team_cases(server, dir);

  // The whole pull, uncut, on another officer's device: what a fresh pull costs.
  auto nadia = server.device(dir, "nadia", "nadia");
  auto whole = sync(nadia, server.url());
  REQUIRE(whole.ok());
  REQUIRE(whole->pages >= 3);

  auto omar = server.device(dir, "omar", "omar");
  // The link drops after the second page is applied: the server goes away mid-sync.
  auto cut = sync(omar, server.url(), nullptr, [&](const std::string& line) {
    if (line.starts_with("received page 2:")) server.http->server->stop();
  });
  CHECK_FALSE(cut.ok());
  const std::size_t kept = held(omar);
  CHECK(kept > 0);
  CHECK(kept < kCases);

  server.start();  // the link comes back (on another port)
  auto resumed = sync(omar, server.url());
  REQUIRE_MESSAGE(resumed.ok(), resumed.status().message());
  CHECK(held(omar) == kCases);
  // What the two first pages brought is not sent again.
  CHECK(resumed->pages < whole->pages);
  CHECK(resumed->changes_received < whole->changes_received);
  CHECK(resumed->changes_received > 0);
}

TEST_CASE("pull pages: a device whose digest the server does not recognise lists its cases once, then is believed") {
  TempDir dir;
  PagedServer server(1 << 20);
  open_team_cases(server, dir);
  // Amina's device made the cases: the server believes she holds them (device_cases).
  // What it believes is forgotten, as for a store from before protocol version 5.
  REQUIRE(server.base.store->replace_device_cases(server.base.store->devices()->front().id, {}).ok());
  auto amina = field::Store::open(dir.path() / "amina", "device passphrase");
  REQUIRE(amina.ok());
  const std::size_t audited = server.base.store->audit_log()->size();
  auto first = sync(*amina, server.url());
  REQUIRE(first.ok());
  auto log = *server.base.store->audit_log();
  REQUIRE(log.size() >= audited + 2);
  CHECK(log[audited].event.detail == "asked for the list of held cases");
  CHECK(server.base.store->device_cases(server.base.store->devices()->front().id)->size() == kCases);
  const std::size_t after_first = log.size();
  REQUIRE(sync(*amina, server.url()).ok());
  log = *server.base.store->audit_log();
  REQUIRE(log.size() == after_first + 1);  // one pull, believed at once
  CHECK(log.back().event.detail.find("asked for the list") == std::string::npos);
}

TEST_CASE("pull pages: a device a few changes behind gets its cases' changes and nobody else's") {
  TempDir dir;
  PagedServer server(1 << 20);
  REQUIRE(server.base.store->add_user({"hawa", server::Role::assistant, "zalingei"}).ok());
  open_team_cases(server, dir);
  auto amina = field::Store::open(dir.path() / "amina", "device passphrase");
  REQUIRE(amina.ok());

  // Hawa, of another team, opens a case: fewer new changes in the log than Amina holds
  // cases, so her pull reads the log after her cursor rather than seeking case by case.
  auto hawa = server.device(dir, "hawa", "hawa");
  auto pack = forms::FormPack::builtin();
  REQUIRE(pack.ok());
  field::CaseBook book(hawa, *pack, {forms::Language::en, hawa.today()});
  field::CaseOpening opening;
  opening.person = {"Someone Else", "female", 40, "Zalingei"};
  opening.not_a_duplicate = true;
  REQUIRE(book.open(opening).ok());
  REQUIRE(sync(hawa, server.url()).ok());

  auto quiet = sync(*amina, server.url());
  REQUIRE(quiet.ok());
  CHECK(quiet->changes_received == 0);
  CHECK(held(*amina) == kCases);

  // The office raises the risk of one of Amina's cases: that change, and only it, comes.
  const auto held_cases = amina->held_cases();
  REQUIRE(held_cases.ok());
  REQUIRE(server.base.store->write_as_org(held_cases->front(), {{"risk_level", "high"}}, "amina",
                                          system_wall_clock()()).ok());
  REQUIRE(sync(hawa, server.url()).ok());  // and Hawa's device syncs again in between
  auto one = sync(*amina, server.url());
  REQUIRE(one.ok());
  CHECK(one->changes_received == 1);
  CHECK(held(*amina) == kCases);
}

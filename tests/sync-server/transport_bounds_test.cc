// The HTTP front's bounds under attack, on real loopback sockets: a flood of connections
// from one address, held large bodies, a trickling body. Each test drives the condition,
// then checks what the honest clients got and what /metrics counted; a second loopback
// address (127.0.0.2, ...; Linux routes all of 127/8 to lo) plays another client.
#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "common/http_client.h"
#include "sync-server/http_server.h"
#include "tests/support.h"
#include "tests/sync-server/loopback.h"

namespace amana::server {
namespace {

using testing::eventually;
using testing::LoopbackClient;
using testing::starts_with;

std::string post_header(std::size_t length) {
  return "POST /v1/push HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-protobuf\r\nContent-Length: " +
         std::to_string(length) + "\r\nConnection: close\r\n\r\n";
}

struct Echo : testing::LoopbackHttpServer {
  explicit Echo(HttpOptions options)
      : LoopbackHttpServer(quiet(std::move(options)), [](const HttpRequest& request) {
          return HttpResponse{200, "text/plain", "echo " + std::to_string(request.body.size()), ""};
        }) {}
  static HttpOptions quiet(HttpOptions options) {
    options.log_requests = false;
    return options;
  }
  std::uint64_t metric(const std::string& name, const std::string& labels = "") const {
    return metrics->value(name, labels);
  }
  std::uint64_t rejections(const std::string& reason) const {
    return metric("amana_http_rejections_total", "reason=\"" + reason + "\"");
  }
};

std::uint64_t metric_in(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  return at == std::string::npos ? 0 : std::stoull(text.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE("bounds: 1,100 connections from one address sending headers and no body do not stop a device at another address from syncing") {
  testing::ServerUnderTest server;
  testing::FieldDevice amina("amina", 5);
  testing::enroll(server, amina, "amina");
  const auto url = *http::Url::parse(server.url());
  const auto port = static_cast<std::uint16_t>(std::stoi(url.port));

  // More than the server's 1,024 connections in all: half declare a 1 MB body they never
  // send, half say nothing. Before per-address limits this gave everyone else 503 for two
  // minutes.
  std::vector<std::unique_ptr<LoopbackClient>> flood;
  for (int i = 0; i < 1100; ++i) {
    flood.push_back(std::make_unique<LoopbackClient>(port, "127.0.0.2"));
    if (i % 2 == 0) static_cast<void>(flood.back()->send(post_header(1'000'000)));
  }
  const auto synced = amina.run({"sync"});
  CHECK_MESSAGE(synced.exit_code == 0, synced.err);
  CHECK(amina.pending_operations() == 0);
  CHECK(server.status()["records"] == 5);

  auto metrics = http::request(url, "GET", "/metrics", "");
  REQUIRE(metrics.ok());
  CHECK(metric_in(metrics->body, "amana_http_rejections_total{reason=\"too_many_connections_from_address\"}") > 0);
  CHECK(metric_in(metrics->body, "amana_http_rejections_total{reason=\"too_many_connections\"}") == 0);
  // One address holds at most its share of connections and of the body budget.
  CHECK(metric_in(metrics->body, "amana_http_open_connections") <= 128 + 1);
  CHECK(metric_in(metrics->body, "amana_http_buffered_body_bytes_peak") <= (64u << 20) + (1u << 20));
}

TEST_CASE("bounds: a second address is still served while one address holds its connection limit") {
  HttpOptions options;
  options.max_connections_per_address = 3;
  Echo front(options);
  std::vector<std::unique_ptr<LoopbackClient>> holders;
  for (int i = 0; i < 3; ++i) holders.push_back(std::make_unique<LoopbackClient>(front.server->port(), "127.0.0.2"));
  REQUIRE(eventually([&] { return front.metric("amana_http_open_connections") == 3; }));

  LoopbackClient fourth(front.server->port(), "127.0.0.2");
  const std::string refused = fourth.read_until_closed();
  CHECK(starts_with(refused, "HTTP/1.1 503"));
  CHECK(testing::contains(refused, "Retry-After: 10\r\n"));
  CHECK(front.rejections("too_many_connections_from_address") == 1);

  LoopbackClient other(front.server->port(), "127.0.0.3");
  REQUIRE(other.send(post_header(5) + "hello"));
  CHECK(testing::contains(other.read_until_closed(), "echo 5"));
}

TEST_CASE("bounds: held large bodies never push buffered bytes past the budget, and one address gets only its share") {
  HttpOptions options;
  options.max_buffered_body_bytes = 1000'000;
  options.max_buffered_body_bytes_per_address = 500'000;
  Echo front(options);
  constexpr std::size_t kBody = 300'000;
  const std::string held_part(200'000, 'b');

  // Each holder declares 300 kB and sends two thirds of it, then holds.
  std::vector<std::unique_ptr<LoopbackClient>> holders;
  std::vector<std::string> refusals;
  std::uint64_t reserved = 0;
  for (const char* address : {"127.0.0.2", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"}) {
    // Counted before the header goes out: the server may refuse it before this thread looks again.
    const std::uint64_t before_refusals =
        front.rejections("buffers_full_for_address") + front.rejections("buffers_full");
    auto client = std::make_unique<LoopbackClient>(front.server->port(), address);
    REQUIRE(client->send(post_header(kBody)));
    REQUIRE(eventually([&] {
      return front.metric("amana_http_buffered_body_bytes") > reserved ||
             front.rejections("buffers_full_for_address") + front.rejections("buffers_full") > before_refusals;
    }));
    if (front.metric("amana_http_buffered_body_bytes") > reserved) {
      reserved = front.metric("amana_http_buffered_body_bytes");
      static_cast<void>(client->send(held_part));
      holders.push_back(std::move(client));
    } else {
      refusals.push_back(client->read_until_closed());
    }
  }
  // 127.0.0.2's second body is past its share; 127.0.0.5's is past the whole budget.
  CHECK(holders.size() == 3);
  CHECK(front.rejections("buffers_full_for_address") == 1);
  CHECK(front.rejections("buffers_full") == 1);
  for (const std::string& refusal : refusals) {
    CHECK(starts_with(refusal, "HTTP/1.1 503"));
    CHECK(testing::contains(refusal, "Retry-After: 10\r\n"));
  }
  CHECK(front.metric("amana_http_buffered_body_bytes") == 3 * kBody);
  CHECK(front.metric("amana_http_buffered_body_bytes_peak") <= options.max_buffered_body_bytes);

  // A small body still fits beside them, from yet another address.
  LoopbackClient small(front.server->port(), "127.0.0.6");
  REQUIRE(small.send(post_header(100) + std::string(100, 's')));
  CHECK(testing::contains(small.read_until_closed(), "echo 100"));

  // A holder that finishes its body is served and gives its share back; the ones that
  // leave give theirs back too.
  REQUIRE(holders[0]->send(std::string(kBody - held_part.size(), 'b')));
  CHECK(testing::contains(holders[0]->read_until_closed(), "echo 300000"));
  holders.clear();
  CHECK(eventually([&] { return front.metric("amana_http_buffered_body_bytes") == 0; }));
  CHECK(front.metric("amana_http_buffered_body_bytes_peak") <= options.max_buffered_body_bytes);
}

TEST_CASE("bounds: a body trickling below the transfer floor is cut, one moving above it is served however long it takes") {
  HttpOptions options;
  options.transfer_window = std::chrono::milliseconds(500);
  options.min_transfer_bytes = 200;
  Echo front(options);

  LoopbackClient trickle(front.server->port(), "127.0.0.2");
  REQUIRE(trickle.send(post_header(10'000) + std::string(10, 't')));
  CHECK(trickle.read_until_closed().empty());  // cut without an answer
  CHECK(eventually([&] { return front.rejections("too_slow") == 1; }));
  CHECK(eventually([&] { return front.metric("amana_http_buffered_body_bytes") == 0; }));

  // 100 bytes every 50 ms is ten times the floor, for six windows: the old single body
  // deadline of this length would have cut it.
  LoopbackClient steady(front.server->port(), "127.0.0.3");
  REQUIRE(steady.send(post_header(6'000)));
  for (int i = 0; i < 60; ++i) {
    REQUIRE(steady.send(std::string(100, 's')));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(testing::contains(steady.read_until_closed(), "echo 6000"));
  CHECK(front.rejections("too_slow") == 1);
}

TEST_CASE("bounds: a chunked request body, whose size is not declared, is refused with 411") {
  Echo front(HttpOptions{});
  LoopbackClient chunked(front.server->port());
  REQUIRE(chunked.send("POST /v1/push HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
  CHECK(starts_with(chunked.read_until_closed(), "HTTP/1.1 411"));
  CHECK(front.rejections("length_required") == 1);
}

}  // namespace amana::server

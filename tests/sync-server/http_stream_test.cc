// Streamed responses of the HTTP front (HttpResponse::stream) on a real loopback socket: a
// body made while it is sent comes chunked, whole and in order; one that fails midway ends
// without the last chunk, so the client knows it is incomplete; and a client that reads
// nothing holds the producer back (it does not run ahead into memory) until the connection
// is let go, after which the server serves on.
#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <memory>

#include "tests/support.h"
#include "tests/sync-server/loopback.h"

namespace amana::server {
namespace {

using testing::LoopbackClient;
using testing::starts_with;

std::string get(const std::string& path) {
  return "GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
}

// The body of a chunked response (after its header), and whether it ended with the last chunk.
std::pair<std::string, bool> dechunk(const std::string& response) {
  std::size_t at = response.find("\r\n\r\n");
  REQUIRE(at != std::string::npos);
  at += 4;
  std::string body;
  while (at < response.size()) {
    const std::size_t line_end = response.find("\r\n", at);
    if (line_end == std::string::npos) break;
    const std::size_t size = std::stoul(response.substr(at, line_end - at), nullptr, 16);
    if (size == 0) return {body, response.compare(line_end, 4, "\r\n\r\n") == 0};
    if (line_end + 2 + size + 2 > response.size()) break;
    body += response.substr(line_end + 2, size);
    at = line_end + 2 + size + 2;
  }
  return {body, false};
}

std::string piece(std::size_t i) { return "row " + std::to_string(i) + std::string(100, 'x') + "\n"; }

struct Outcome {
  std::promise<std::pair<Status, std::size_t>> done;
};

struct Fixture : testing::LoopbackHttpServer {
  explicit Fixture(std::shared_ptr<Outcome> outcome, HttpOptions options = {})
      : LoopbackHttpServer(std::move(options), [outcome](const HttpRequest& request) -> HttpResponse {
          HttpResponse response{200, "text/csv", "", "", {{"Content-Disposition", "attachment; filename=\"t.csv\""}}};
          if (request.target == "/whole") {
            response.stream = [](BodyWriter& out) {
              for (std::size_t i = 0; i < 20'000; ++i) AMANA_RETURN_IF_ERROR(out.write(piece(i)));
              return Status();
            };
          } else if (request.target == "/broken") {
            response.stream = [](BodyWriter& out) {
              for (std::size_t i = 0; i < 100; ++i) AMANA_RETURN_IF_ERROR(out.write(piece(i)));
              return Status(ErrorCode::io, "the store failed midway");
            };
          } else {
            // As much as it may: 512 MiB, unless the connection holds it back.
            response.stream = [outcome](BodyWriter& out) {
              const std::string block(64 * 1024, 'y');
              std::size_t written = 0;
              Status status;
              while (written < (512u << 20)) {
                status = out.write(block);
                if (!status.ok()) break;
                written += block.size();
              }
              outcome->done.set_value({status, written});
              return status;
            };
          }
          return response;
        }) {}
};

}  // namespace

TEST_CASE("http stream: a body made while it is sent comes chunked and whole, and a failure midway lacks the last chunk") {
  auto outcome = std::make_shared<Outcome>();
  Fixture f(outcome);
  {
    LoopbackClient client(f.server->port());
    REQUIRE(client.send(get("/whole")));
    const std::string response = client.read_until_closed();
    CHECK(starts_with(response, "HTTP/1.1 200 OK"));
    CHECK(response.find("Transfer-Encoding: chunked") != std::string::npos);
    CHECK(response.find("Content-Disposition: attachment; filename=\"t.csv\"") != std::string::npos);
    const auto [body, ended] = dechunk(response);
    CHECK(ended);
    std::string expected;
    for (std::size_t i = 0; i < 20'000; ++i) expected += piece(i);
    CHECK(body.size() == expected.size());
    CHECK(body == expected);
  }
  {
    LoopbackClient client(f.server->port());
    REQUIRE(client.send(get("/broken")));
    const std::string response = client.read_until_closed();
    CHECK(starts_with(response, "HTTP/1.1 200 OK"));
    const auto [body, ended] = dechunk(response);
    CHECK_FALSE(ended);  // closed without the last chunk: the client sees it incomplete
    CHECK(body.starts_with(piece(0)));
    CHECK(f.metrics->value("amana_http_rejections_total", "reason=\"stream_failed\"") == 1);
  }
  CHECK(f.metrics->value("amana_http_requests_total", "route=\"other\",status=\"200\"") == 2);
}

TEST_CASE("http stream: a client that reads nothing holds the producer back, and the server serves on once it is let go") {
  auto outcome = std::make_shared<Outcome>();
  HttpOptions options;
  options.transfer_window = std::chrono::milliseconds(300);  // the rate floor lets a stalled client go soon
  Fixture f(outcome, options);
  auto finished = outcome->done.get_future();
  LoopbackClient stalled(f.server->port());
  REQUIRE(stalled.send(get("/endless")));
  // The client reads nothing: the producer is stopped, having written no more than the
  // connection's buffer and the sockets' (a few MiB on loopback), not its 512 MiB.
  const auto [status, written] = finished.get();
  CHECK_FALSE(status.ok());
  CHECK(status.code() == ErrorCode::cancelled);
  CHECK(written < (64u << 20));
  // Others are served meanwhile and after.
  LoopbackClient other(f.server->port());
  REQUIRE(other.send(get("/whole")));
  CHECK(dechunk(other.read_until_closed()).second);
}

}  // namespace amana::server

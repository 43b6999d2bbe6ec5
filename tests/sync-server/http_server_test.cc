// The HTTP front on a real loopback socket: what a well-behaved device sees, and what a
// malformed, oversized or stalled client gets while other connections carry on.
#include "sync-server/http_server.h"

#include <doctest/doctest.h>

#include <stdexcept>
#include <thread>

#include "tests/support.h"
#include "tests/sync-server/loopback.h"

namespace amana::server {
namespace {

using testing::LoopbackClient;
using testing::starts_with;

std::string exchange(std::uint16_t port, const std::string& request) {
  LoopbackClient client(port);
  REQUIRE(client.send(request));
  return client.read_until_closed();
}

std::string get(const std::string& path) {
  return "GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
}

std::string post(const std::string& path, const std::string& body, bool close = true) {
  return "POST " + path + " HTTP/1.1\r\nHost: test\r\nContent-Type: application/x-protobuf\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n" + body;
}

struct Fixture : testing::LoopbackHttpServer {
  explicit Fixture(HttpOptions options = {})
      : LoopbackHttpServer(std::move(options), [](const HttpRequest& request) -> HttpResponse {
          if (request.target == "/v1/explode") throw std::runtime_error("handler bug");
          if (request.target == "/v1/headers") {
            return {200, "text/plain", "origin=" + std::string(request.header("ORIGIN")) +
                                           " cookie=" + std::string(request.header("cookie")) +
                                           " absent=" + std::string(request.header("x-absent")),
                    "", {{"Set-Cookie", "s=1; HttpOnly"}, {"Cache-Control", "no-store"}}};
          }
          if (request.target != "/v1/push") return {404, "text/plain", "no such route\n", "unknown_route"};
          return {200, "application/x-protobuf", "echo:" + request.body, ""};
        }) {}
};

}  // namespace

TEST_CASE("http: healthz and metrics are served, and requests are counted") {
  Fixture f;
  const std::string health = exchange(f.server->port(), get("/healthz"));
  CHECK(starts_with(health, "HTTP/1.1 200 OK"));
  CHECK(health.find("\r\n\r\nok\n") != std::string::npos);
  const std::string metrics = exchange(f.server->port(), get("/metrics"));
  CHECK(starts_with(metrics, "HTTP/1.1 200 OK"));
  CHECK(metrics.find("# TYPE amana_http_requests_total counter") != std::string::npos);
  CHECK(metrics.find("amana_http_requests_total{route=\"/healthz\",status=\"200\"} 1") != std::string::npos);
}

TEST_CASE("http: other requests reach the handler, several on one keep-alive connection") {
  Fixture f;
  LoopbackClient client(f.server->port());
  REQUIRE(client.send(post("/v1/push", "first", false)));
  CHECK(client.read_response().find("echo:first") != std::string::npos);
  REQUIRE(client.send(post("/v1/push", "second", false)));
  CHECK(client.read_response().find("echo:second") != std::string::npos);
  CHECK(f.metrics->value("amana_http_requests_total", "route=\"/v1/push\",status=\"200\"") == 2);
  CHECK(f.metrics->value("amana_http_received_bytes_total") == 11);

  const std::string unknown = exchange(f.server->port(), get("/v1/../../etc/passwd"));
  CHECK(starts_with(unknown, "HTTP/1.1 404"));
  CHECK(f.metrics->value("amana_http_requests_total", "route=\"other\",status=\"404\"") == 1);
  CHECK(f.metrics->value("amana_http_rejections_total", "reason=\"unknown_route\"") == 1);
}

TEST_CASE("http: the handler reads request headers by any case and adds its own response headers") {
  Fixture f;
  const std::string answer = exchange(
      f.server->port(), "GET /v1/headers HTTP/1.1\r\nHost: test\r\nOrigin: http://127.0.0.1:9\r\nCookie: a=b\r\n"
                        "Connection: close\r\n\r\n");
  CHECK(starts_with(answer, "HTTP/1.1 200"));
  CHECK(testing::contains(answer, "origin=http://127.0.0.1:9 cookie=a=b absent="));
  CHECK(testing::contains(answer, "Set-Cookie: s=1; HttpOnly\r\n"));
  CHECK(testing::contains(answer, "Cache-Control: no-store\r\n"));
}

TEST_CASE("http: oversized, malformed and failing requests get specific errors") {
  HttpOptions options;
  options.max_body_bytes = 1024;
  options.max_header_bytes = 512;
  Fixture f(options);
  CHECK(starts_with(exchange(f.server->port(), post("/v1/push", std::string(5000, 'x'))), "HTTP/1.1 413"));
  CHECK(f.metrics->value("amana_http_rejections_total", "reason=\"oversized_body\"") == 1);

  const std::string huge_header =
      "GET /healthz HTTP/1.1\r\nHost: test\r\nX-Padding: " + std::string(2000, 'p') + "\r\n\r\n";
  CHECK(starts_with(exchange(f.server->port(), huge_header), "HTTP/1.1 431"));
  CHECK(f.metrics->value("amana_http_rejections_total", "reason=\"oversized_header\"") == 1);

  CHECK(starts_with(exchange(f.server->port(), "GARBAGE\r\n\r\n"), "HTTP/1.1 400"));
  CHECK(f.metrics->value("amana_http_rejections_total", "reason=\"malformed\"") == 1);

  CHECK(starts_with(exchange(f.server->port(), post("/v1/explode", "x")), "HTTP/1.1 500"));
  CHECK(starts_with(exchange(f.server->port(), get("/healthz")), "HTTP/1.1 200"));  // still serving
}

TEST_CASE("http: a client that stalls in its headers is cut off while others are served") {
  HttpOptions options;
  options.header_timeout = std::chrono::milliseconds(300);
  Fixture f(options);
  LoopbackClient slow(f.server->port());
  REQUIRE(slow.send("POST /v1/push HTTP/1.1\r\nHost: te"));
  CHECK(starts_with(exchange(f.server->port(), get("/healthz")), "HTTP/1.1 200"));
  CHECK(slow.read_until_closed().empty());  // the server closed it without a response
  // The stream closes the socket as its timer fires, just before the server's handler
  // runs and counts it: wait for the count rather than race it.
  for (int i = 0; i < 500 && f.metrics->value("amana_http_rejections_total", "reason=\"timeout\"") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(f.metrics->value("amana_http_rejections_total", "reason=\"timeout\"") == 1);
}

TEST_CASE("http: bad listen addresses and a port in use are clear errors") {
  auto handler = [](const HttpRequest&) { return HttpResponse{}; };
  HttpOptions options;
  options.listen = "localhost";
  CHECK(HttpServer::start(options, handler, nullptr).status().code() == ErrorCode::invalid_argument);
  options.listen = "example.org:80";
  CHECK(HttpServer::start(options, handler, nullptr).status().message().find("not an IP address") !=
        std::string::npos);
  options.listen = "127.0.0.1:99999";
  CHECK(HttpServer::start(options, handler, nullptr).status().code() == ErrorCode::invalid_argument);

  Fixture f;
  options.listen = "127.0.0.1:" + std::to_string(f.server->port());
  auto clash = HttpServer::start(options, handler, nullptr);
  CHECK(clash.status().code() == ErrorCode::io);
  CHECK(clash.status().message().find("cannot listen on 127.0.0.1:") == 0);
}

}  // namespace amana::server

// The sync server's HTTP/1.1 front: Boost.Beast on Boost.Asio, asynchronous, N threads.
//
// It owns everything about bytes on a socket and nothing about sync: it bounds and times
// every connection, answers GET /healthz and GET /metrics itself, and hands every other
// complete, well-formed request to the RequestHandler. A malformed, oversized or slow
// request gets an error response (or a closed connection) and every other connection
// carries on.
//
// Threads: `threads` io_context threads run the sockets; the handler may block (it merges
// into SQLite) and is called on a separate worker pool of `handler_threads`, so that a
// slow merge never stalls reads and writes of other connections.
//
// Limits (HttpOptions, each with its reason):
//   max_header_bytes  8 KiB    our clients send a handful of short headers
//   max_body_bytes    32 MiB   the largest changeset batch a device sends; bigger is refused (413)
//   header_timeout    10 s     a client must finish its headers (slowloris)
//   body_timeout      120 s    a 32 MiB body over a slow link; less for a smaller body is fine
//   idle_timeout      30 s     keep-alive connections with nothing to say are closed
//   max_connections   1024     past it, new connections are accepted and closed at once (503)
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "sync-server/metrics.h"

namespace amana::server {

struct HttpOptions {
  std::string listen = "127.0.0.1:8443";  // host:port; port 0 picks a free one
  int threads = 2;
  int handler_threads = 2;
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 32u << 20;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{120'000};
  std::chrono::milliseconds idle_timeout{30'000};
  std::size_t max_connections = 1024;
  bool log_requests = true;  // one JSON line per request on stderr
};

struct HttpRequest {
  std::string method;  // "GET", "POST"
  std::string target;  // path and query, e.g. "/v1/push"
  std::string content_type;
  std::string body;
  std::string remote;  // "127.0.0.1:53122", for logs
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/x-protobuf";
  std::string body;
  // A short machine-readable reason for rejections ("oversized", "forged", "replayed",
  // "revoked", ...): counted in /metrics and logged; never personal data.
  std::string rejection;
};

// Called on a worker thread for every request other than /healthz and /metrics.
// Must not throw; a thrown exception is a bug, answered with 500 and logged.
using RequestHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  // Binds and starts serving in the background. io error when the address cannot be
  // bound, invalid_argument for a malformed listen address.
  static Result<std::unique_ptr<HttpServer>> start(const HttpOptions& options, RequestHandler handler,
                                                   std::shared_ptr<Metrics> metrics);
  ~HttpServer();  // stops and joins
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (useful with port 0).
  std::uint16_t port() const;
  // Stops accepting, closes every connection, joins the threads. Idempotent.
  void stop();
  // Blocks until stop(), called from another thread, has finished.
  void wait();

  struct Impl;  // the sockets and threads; defined in http_server.cc

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace amana::server

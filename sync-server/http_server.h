// The sync server's HTTP/1.1 front: Boost.Beast on Boost.Asio, asynchronous, N threads,
// over plain TCP or TLS (OpenSSL; common/tls.h sets the protocol policy).
//
// It owns everything about bytes on a socket and nothing about sync: it bounds and times
// every connection, answers GET /healthz and GET /metrics itself, and hands every other
// complete, well-formed request to the RequestHandler. A malformed, oversized or slow
// request gets an error response (or a closed connection) and every other connection
// carries on. What one address does cannot use up what the others need: connections and
// buffered bodies are limited per address as well as in total (an IPv6 address counts by
// its /64, which one host usually holds whole).
//
// Threads: `threads` io_context threads run the sockets; the handler may block (it merges
// into SQLite) and is called on a separate worker pool of `handler_threads`, so that a
// slow merge never stalls reads and writes of other connections.
//
// Limits (HttpOptions, each with its reason):
//   max_header_bytes     8 KiB   our clients send a handful of short headers
//   max_body_bytes       32 MiB  the largest changeset batch a device sends; bigger is refused (413)
//   handshake_timeout    20 s    a TLS handshake moves about 2 KB in a few round trips: about
//                                8 s on a 2.4 kbit/s satellite link with 600 ms round trips
//   header_timeout       10 s    a client must finish its headers (slowloris)
//   min_transfer_bytes   1 KiB   a request body, and a response, must move at least this much in
//   transfer_window      30 s    every window, else it is cut (closed, counted `too_slow`): about
//                                34 B/s (270 bit/s), a ninth of a 2.4 kbit/s satellite link and
//                                a hundredth of GPRS, so an honest slow device may take hours over a
//                                large body while a stalled or trickling peer is let go within
//                                30 s (one long body timeout did the opposite: it cut a 32 MiB
//                                push over satellite, and let a staller hold its buffer 120 s)
//   idle_timeout         30 s    keep-alive connections with nothing to say are closed
//   max_connections      1024    past it, new connections get 503 and are closed at once
//   max_connections_per_address  128  a field office's 40 laptops behind one NAT address hold
//                                one connection each while syncing, plus a few browsers on the
//                                console (6 each): three times that, and eight addresses are
//                                needed to fill the server
//   max_buffered_body_bytes  256 MiB  request bodies held in memory at once, all connections
//                                together (the parser reserves a body's declared length): eight
//                                of the largest. Past it a new body gets 503 with Retry-After
//   max_buffered_body_bytes_per_address  64 MiB  a quarter of that per address, so that one
//                                address holding large bodies cannot take the others' share
//   retry_after          10 s    what a 503 (busy, buffers full, store unavailable) tells a client
// A request body must declare its length (chunked bodies get 411): the budget is taken
// when the headers arrive, before a byte of the body is buffered. A response may be
// streamed (HttpResponse::stream): it holds one worker thread and at most about twice
// kStreamBufferBytes while it is sent, and is under the same rate floor as any write.
//
// /metrics gauges: amana_http_open_connections, amana_http_buffered_body_bytes and its
// peak since start, amana_http_buffered_body_bytes_peak; refusals are counted in
// amana_http_rejections_total by reason (too_many_connections[_from_address],
// buffers_full[_for_address], too_slow, timeout, tls_handshake, length_required, ...).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "sync-server/metrics.h"
#include "sync-server/tls_certificate.h"

namespace amana::server {

struct HttpOptions {
  std::string listen = "127.0.0.1:8443";  // host:port; port 0 picks a free one
  TlsFiles tls;                           // both empty: plain HTTP
  int threads = 2;
  int handler_threads = 2;
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 32u << 20;
  std::chrono::milliseconds handshake_timeout{20'000};
  std::chrono::milliseconds header_timeout{10'000};
  std::size_t min_transfer_bytes = 1024;
  std::chrono::milliseconds transfer_window{30'000};
  std::chrono::milliseconds idle_timeout{30'000};
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_address = 128;
  std::size_t max_buffered_body_bytes = 256u << 20;
  std::size_t max_buffered_body_bytes_per_address = 64u << 20;
  std::chrono::seconds retry_after{10};
  bool log_requests = true;  // one JSON line per request on stderr
};

struct HttpRequest {
  std::string method;  // "GET", "POST"
  std::string target;  // path and query, e.g. "/v1/push"
  std::string content_type;
  std::string body;
  std::string remote;  // "127.0.0.1:53122", for logs
  // Every request header as sent (bounded by max_header_bytes); the web screens check
  // Host, Origin and Cookie. Names compare case-insensitively through header().
  std::vector<std::pair<std::string, std::string>> headers = {};

  // The first header of that name, or "" when there is none.
  std::string_view header(std::string_view name) const;
};

// Where a response body made while it is sent goes (HttpResponse::stream).
class BodyWriter {
 public:
  virtual ~BodyWriter() = default;
  // Returns once `piece` is taken. While kStreamBufferBytes are not yet sent it waits, so
  // that the body's memory stays flat whatever its size; cancelled once the connection is
  // gone (a client too slow for the rate floor is let go as for any answer) or the server
  // is stopping.
  virtual Status write(std::string_view piece) = 0;
};
inline constexpr std::size_t kStreamBufferBytes = 64 * 1024;

// A body made while it is sent (a dataset of any size). Called on the worker pool once
// the headers are out, it writes the body in pieces; the response goes chunked
// (Transfer-Encoding: chunked). When it fails midway (a non-ok Status), the connection is
// closed without the last chunk, so the client sees an incomplete download, never a
// short file that looks whole.
using BodyStream = std::function<Status(BodyWriter&)>;

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/x-protobuf";
  std::string body;
  // A short machine-readable reason for rejections ("oversized", "forged", "replayed",
  // "revoked", ...): counted in /metrics and logged; never personal data.
  std::string rejection;
  // Further response headers (Set-Cookie, Content-Security-Policy, Cache-Control, ...).
  std::vector<std::pair<std::string, std::string>> headers = {};
  // When set, the body is made by it as it is sent, and `body` is ignored.
  BodyStream stream = nullptr;
};

// Called on a worker thread for every request other than /healthz and /metrics.
// Must not throw; a thrown exception is a bug, answered with 500 and logged.
using RequestHandler = std::function<HttpResponse(const HttpRequest&)>;

// One component of a query string or form body, decoded: '+' is a space and %XX a byte; a
// '%' not followed by two hex digits is kept as it is.
std::string url_decode(std::string_view text);

// Raises this process's soft limit on open files to its hard limit: every connection holds
// a descriptor, and the usual soft limit (1,024) is below what a country office's devices
// open at once. HttpServer::start calls it; best effort.
void raise_open_file_limit();

class HttpServer {
 public:
  // Binds and starts serving in the background. Out of descriptors, the listener backs off
  // (10 ms, doubling to 1 s) instead of failing its accepts in a loop, counting
  // amana_http_accept_errors_total, and accepts again once a connection has closed. io
  // error when the address cannot be bound, invalid_argument for a malformed listen address or a TLS certificate or key
  // that cannot be used (named, with why), not_found for a missing one.
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

#include "sync-server/http_server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <condition_variable>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

namespace amana::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// Routes are a fixed set; anything else is counted as "other" so that a scanner probing
// random paths cannot grow the metrics without bound.
std::string route_label(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  for (std::string_view known : {"/healthz", "/metrics", "/v1/org-keys", "/v1/nonce", "/v1/enroll", "/v1/push", "/v1/pull", "/v1/dataset"}) {
    if (path == known) return std::string(known);
  }
  return "other";
}

// JSON string contents for the log line; our fields are short and mostly ASCII already.
std::string json_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

struct HttpServer::Impl {
  Impl(HttpOptions options_in, RequestHandler handler_in, std::shared_ptr<Metrics> metrics_in)
      : options(std::move(options_in)),
        handler(std::move(handler_in)),
        metrics(std::move(metrics_in)),
        acceptor(io),
        handler_pool(static_cast<std::size_t>(std::max(1, options.handler_threads))) {}

  // Declared first so that they outlive the io_context, whose destruction destroys the
  // sessions that still refer to them.
  HttpOptions options;
  RequestHandler handler;
  std::shared_ptr<Metrics> metrics;
  std::atomic<std::size_t> connections{0};
  std::mutex stop_mutex;
  std::condition_variable finished_signal;
  bool stop_requested = false;
  bool finished = false;

  net::io_context io;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  net::thread_pool handler_pool;

  void accept();
  void log(const HttpRequest& request, const HttpResponse& response, std::size_t bytes_in, std::size_t bytes_out,
           Clock::time_point started) const;
  void count_rejection(const std::string& reason) const {
    metrics->add("amana_http_rejections_total", "reason=\"" + reason + "\"");
  }
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl& server) : stream_(std::move(socket)), server_(server) {
    ++server_.connections;
    beast::error_code ec;
    const auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  }
  ~Session() { --server_.connections; }

  void start() { read_header(server_.options.header_timeout); }

 private:
  void read_header(std::chrono::milliseconds timeout) {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    stream_.expires_after(timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    started_ = Clock::now();
    stream_.expires_after(server_.options.body_timeout);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code read_ec, std::size_t) {
      self->on_body(read_ec);
    });
  }

  void on_read_error(beast::error_code ec) {
    // A client that goes away, or an idle keep-alive connection, is normal: just close.
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
        ec == net::error::operation_aborted) {
      return close();
    }
    if (ec == beast::error::timeout) {
      server_.count_rejection("timeout");
      return close();
    }
    if (ec == http::error::header_limit) return reject(431, "oversized_header", "request headers are too large");
    if (ec == http::error::body_limit) return reject(413, "oversized_body", "request body is too large");
    return reject(400, "malformed", "malformed HTTP request");
  }

  void reject(int status, const std::string& reason, const std::string& message) {
    HttpRequest request;
    request.remote = remote_;
    if (parser_ && parser_->is_header_done()) {
      request.method = std::string(parser_->get().method_string());
      request.target = std::string(parser_->get().target());
    }
    HttpResponse response;
    response.status = status;
    response.content_type = "text/plain; charset=utf-8";
    response.body = message + "\n";
    response.rejection = reason;
    keep_alive_ = false;
    respond(request, std::move(response), 0);
  }

  void on_body(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    auto message = parser_->release();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.content_type = std::string(message[http::field::content_type]);
    request.body = std::move(message.body());
    request.remote = remote_;
    keep_alive_ = message.keep_alive();
    const std::size_t bytes_in = request.body.size();
    stream_.expires_never();  // the handler may take its time; the write sets its own timeout

    const std::string route = route_label(request.target);
    if (request.method == "GET" && route == "/healthz") {
      return respond(request, {200, "text/plain; charset=utf-8", "ok\n", ""}, bytes_in);
    }
    if (request.method == "GET" && route == "/metrics") {
      return respond(request, {200, "text/plain; version=0.0.4", server_.metrics->render(), ""}, bytes_in);
    }
    // The handler may block on the store: run it on the worker pool, then come back to
    // this connection's strand to write.
    net::post(server_.handler_pool, [self = shared_from_this(), request = std::move(request), bytes_in]() mutable {
      HttpResponse response;
      try {
        response = self->server_.handler(request);
      } catch (const std::exception& e) {
        std::cerr << "{\"level\":\"error\",\"event\":\"handler_exception\",\"what\":\"" << json_escape(e.what())
                  << "\"}\n";
        response = {500, "text/plain; charset=utf-8", "internal error\n", "internal_error"};
      }
      net::post(self->stream_.get_executor(),
                [self, request = std::move(request), response = std::move(response), bytes_in]() mutable {
                  self->respond(request, std::move(response), bytes_in);
                });
    });
  }

  void respond(const HttpRequest& request, HttpResponse response, std::size_t bytes_in) {
    auto message = std::make_shared<http::response<http::string_body>>();
    message->version(11);
    message->result(static_cast<unsigned>(response.status));
    message->set(http::field::server, "amana-sync-server");
    message->set(http::field::content_type, response.content_type);
    message->keep_alive(keep_alive_);
    message->body() = std::move(response.body);
    message->prepare_payload();

    server_.metrics->add("amana_http_requests_total", "route=\"" + route_label(request.target) + "\",status=\"" +
                                                           std::to_string(response.status) + "\"");
    server_.metrics->add("amana_http_received_bytes_total", "", bytes_in);
    server_.metrics->add("amana_http_sent_bytes_total", "", message->body().size());
    if (!response.rejection.empty()) server_.count_rejection(response.rejection);
    server_.log(request, response, bytes_in, message->body().size(), started_);

    stream_.expires_after(server_.options.body_timeout);
    http::async_write(stream_, *message, [self = shared_from_this(), message](beast::error_code ec, std::size_t) {
      if (ec || !self->keep_alive_) return self->close();
      self->read_header(self->server_.options.idle_timeout);
    });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  HttpServer::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
  bool keep_alive_ = true;
  Clock::time_point started_ = Clock::now();
};

}  // namespace

void HttpServer::Impl::accept() {
  acceptor.async_accept(net::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;  // stopping
    if (!ec) {
      metrics->add("amana_http_connections_total");
      if (connections.load() >= options.max_connections) {
        // Tell the client why before closing, so that it backs off rather than retrying
        // blind. The write is non-blocking: a fresh socket's send buffer takes these
        // few bytes at once, and a client that does not read cannot hold up the acceptor.
        count_rejection("too_many_connections");
        static constexpr std::string_view kBusy =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 20\r\nConnection: close\r\n\r\nserver is too busy\r\n";
        beast::error_code ignored;
        socket.non_blocking(true, ignored);
        socket.write_some(net::buffer(kBusy), ignored);
        socket.shutdown(tcp::socket::shutdown_send, ignored);
        socket.close(ignored);
      } else {
        std::make_shared<Session>(std::move(socket), *this)->start();
      }
    }
    accept();
  });
}

void HttpServer::Impl::log(const HttpRequest& request, const HttpResponse& response, std::size_t bytes_in,
                           std::size_t bytes_out, Clock::time_point started) const {
  if (!options.log_requests) return;
  // One line per request. The route, never the query, body or headers: nothing personal.
  const auto ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  std::ostringstream line;
  line << "{\"event\":\"request\",\"remote\":\"" << json_escape(request.remote) << "\",\"method\":\""
       << json_escape(request.method) << "\",\"route\":\"" << route_label(request.target)
       << "\",\"status\":" << response.status << ",\"bytes_in\":" << bytes_in
       << ",\"bytes_out\":" << bytes_out << ",\"ms\":" << ms;
  if (!response.rejection.empty()) line << ",\"rejection\":\"" << json_escape(response.rejection) << "\"";
  line << "}\n";
  std::cerr << line.str() << std::flush;
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(const HttpOptions& options, RequestHandler handler,
                                                      std::shared_ptr<Metrics> metrics) {
  const auto colon = options.listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return invalid_argument("--listen '" + options.listen + "': expected HOST:PORT, e.g. 127.0.0.1:8443");
  }
  beast::error_code ec;
  const auto address = net::ip::make_address(options.listen.substr(0, colon), ec);
  if (ec) return invalid_argument("--listen '" + options.listen + "': not an IP address");
  const std::string port_text = options.listen.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos || std::stoi(port_text) > 65535) {
    return invalid_argument("--listen '" + options.listen + "': the port must be 0-65535");
  }
  if (options.threads < 1 || options.handler_threads < 1) {
    return invalid_argument("--threads must be at least 1");
  }

  auto impl = std::make_unique<Impl>(options, std::move(handler), metrics ? metrics : std::make_shared<Metrics>());
  const tcp::endpoint endpoint(address, static_cast<std::uint16_t>(std::stoi(port_text)));
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return io_error("cannot listen on " + options.listen + ": " + ec.message());

  impl->accept();
  for (int i = 0; i < options.threads; ++i) {
    impl->threads.emplace_back([io = &impl->io] { io->run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { stop(); }

std::uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::stop() {
  {
    std::lock_guard lock(impl_->stop_mutex);
    if (impl_->stop_requested) return;
    impl_->stop_requested = true;
  }
  net::post(impl_->io, [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  // Handlers in flight finish first, so that a clean stop never cuts a merge half way.
  impl_->handler_pool.join();
  impl_->io.stop();
  for (std::thread& thread : impl_->threads) thread.join();
  {
    std::lock_guard lock(impl_->stop_mutex);
    impl_->finished = true;
  }
  impl_->finished_signal.notify_all();
}

void HttpServer::wait() {
  std::unique_lock lock(impl_->stop_mutex);
  impl_->finished_signal.wait(lock, [this] { return impl_->finished; });
}

}  // namespace amana::server

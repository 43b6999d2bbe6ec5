// One connection of the HTTP front, plain or TLS: one session type over either stream.
//
//   [TLS handshake] -> read header -> (reserve the body's budget) -> read body under the
//   rate floor -> handler on the worker pool -> write under the rate floor -> keep-alive:
//   read header (idle timeout) | close
//
// One strand per connection (the acceptor makes the socket on one), one read or write in
// flight; the session owns itself through shared_from_this and ends with its last handler.
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <iostream>
#include <sstream>
#include <type_traits>

#include "sync-server/http_server_internal.h"

namespace amana::server {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

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

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  Session(tcp::socket socket, HttpServer::Impl& server, std::string address)
      : stream_(open(std::move(socket), server)), server_(server), address_(std::move(address)) {
    beast::error_code ec;
    const auto endpoint = this->socket().socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  }
  ~Session() {
    release_body();
    server_.release_connection(address_);
  }

  void start() {
    if constexpr (kTls) {
      socket().expires_after(server_.options.handshake_timeout);
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (!ec) return self->read_header(self->server_.options.header_timeout);
        // A client that connects and goes away is no event; anything else is counted.
        if (ec != net::error::eof && ec != net::error::connection_reset) {
          self->server_.count_rejection(ec == beast::error::timeout ? "timeout" : "tls_handshake");
        }
        self->close();
      });
    } else {
      read_header(server_.options.header_timeout);
    }
  }

 private:
  static Stream open(tcp::socket socket, HttpServer::Impl& server) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *server.tls);
    } else {
      return Stream(std::move(socket));
    }
  }
  beast::tcp_stream& socket() { return beast::get_lowest_layer(stream_); }

  void read_header(std::chrono::milliseconds timeout) {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    socket().expires_after(timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    started_ = SteadyClock::now();
    if (parser_->chunked()) {
      return reject(411, "length_required", "send the request body with a Content-Length");
    }
    const std::size_t length = static_cast<std::size_t>(parser_->content_length().value_or(0));
    if (length > 0) {
      // The parser reserves the declared length as soon as the body starts: take it from
      // the budget first, and refuse while there is none (a device retries later).
      if (auto refused = server_.reserve_body(address_, length)) {
        return reject(503, *refused, "the server is busy receiving other uploads; retry later");
      }
      reserved_ = length;
    }
    start_window();
    read_body();
  }

  // The rate floor: at least min_transfer_bytes moved in every transfer_window.
  void start_window() {
    window_bytes_ = 0;
    window_ends_ = SteadyClock::now() + server_.options.transfer_window;
  }
  void count_progress(std::size_t bytes) {
    window_bytes_ += bytes;
    if (window_bytes_ >= server_.options.min_transfer_bytes) start_window();
  }

  void read_body() {
    if (parser_->is_done()) return on_body();
    socket().expires_at(window_ends_);
    http::async_read_some(stream_, buffer_, *parser_,
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t bytes) {
                            if (ec == beast::error::timeout) return self->too_slow();
                            if (ec) return self->on_read_error(ec);
                            self->count_progress(bytes);
                            self->read_body();
                          });
  }

  void too_slow() {
    server_.count_rejection("too_slow");
    close();
  }

  void on_read_error(beast::error_code ec) {
    // A client that goes away, or an idle keep-alive connection, is normal: just close.
    // Over TLS a client that closes without close_notify (ours does) truncates the stream;
    // one that goes away mid-body (a dropped link) leaves a partial message.
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
        ec == net::error::operation_aborted || ec == ssl::error::stream_truncated ||
        ec == http::error::partial_message) {
      return close();
    }
    if (ec == beast::error::timeout) {
      server_.count_rejection("timeout");
      return close();
    }
    if (ec.category() == net::error::get_ssl_category()) {
      server_.count_rejection("tls_error");
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
    keep_alive_ = false;
    respond(request, {status, "text/plain; charset=utf-8", message + "\n", reason}, 0);
  }

  void on_body() {
    auto message = parser_->release();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.content_type = std::string(message[http::field::content_type]);
    request.body = std::move(message.body());
    request.remote = remote_;
    for (const auto& field : message) request.headers.emplace_back(field.name_string(), field.value());
    keep_alive_ = message.keep_alive();
    const std::size_t bytes_in = request.body.size();
    socket().expires_never();  // the handler may take its time; the write keeps its own floor

    const std::string route = route_label(request.target);
    if (request.method == "GET" && route == "/healthz") {
      return respond(request, {200, "text/plain; charset=utf-8", "ok\n", ""}, bytes_in);
    }
    if (request.method == "GET" && route == "/metrics") {
      return respond(request, {200, "text/plain; version=0.0.4", server_.metrics->render(), ""}, bytes_in);
    }
    // The handler may block on the store: run it on the worker pool, then come back to
    // this connection's strand to write. The body's budget is held until then.
    net::post(server_.handler_pool,
              [self = this->shared_from_this(), request = std::move(request), bytes_in]() mutable {
                HttpResponse response;
                try {
                  response = self->server_.handler(request);
                } catch (const std::exception& e) {
                  std::cerr << "{\"level\":\"error\",\"event\":\"handler_exception\",\"what\":\""
                            << json_escape(e.what()) << "\"}\n";
                  response = {500, "text/plain; charset=utf-8", "internal error\n", "internal_error"};
                }
                net::post(self->stream_.get_executor(),
                          [self, request = std::move(request), response = std::move(response), bytes_in]() mutable {
                            self->respond(request, std::move(response), bytes_in);
                            request.body = std::string();
                            self->release_body();
                          });
              });
  }

  void respond(const HttpRequest& request, HttpResponse response, std::size_t bytes_in) {
    response_.emplace();
    response_->version(11);
    response_->result(static_cast<unsigned>(response.status));
    response_->set(http::field::server, "amana-sync-server");
    response_->set(http::field::content_type, response.content_type);
    if (response.status == 503) {
      response_->set(http::field::retry_after, std::to_string(server_.options.retry_after.count()));
    }
    for (const auto& [name, value] : response.headers) response_->insert(name, value);
    response_->keep_alive(keep_alive_);
    response_->body() = std::move(response.body);
    response_->prepare_payload();

    server_.metrics->add("amana_http_requests_total", "route=\"" + route_label(request.target) + "\",status=\"" +
                                                          std::to_string(response.status) + "\"");
    server_.metrics->add("amana_http_received_bytes_total", "", bytes_in);
    server_.metrics->add("amana_http_sent_bytes_total", "", response_->body().size());
    if (!response.rejection.empty()) server_.count_rejection(response.rejection);
    server_.log(request, response, bytes_in, response_->body().size(), started_);

    serializer_.emplace(*response_);
    start_window();
    write_some();
  }

  void write_some() {
    socket().expires_at(window_ends_);
    http::async_write_some(stream_, *serializer_,
                           [self = this->shared_from_this()](beast::error_code ec, std::size_t bytes) {
                             if (ec == beast::error::timeout) return self->too_slow();
                             if (ec) return self->close();
                             self->count_progress(bytes);
                             if (!self->serializer_->is_done()) return self->write_some();
                             self->serializer_.reset();
                             self->response_.reset();
                             if (!self->keep_alive_) return self->close();
                             self->read_header(self->server_.options.idle_timeout);
                           });
  }

  void release_body() {
    if (reserved_ == 0) return;
    server_.release_body(address_, reserved_);
    reserved_ = 0;
  }

  void close() {
    // No TLS close_notify: every response is framed by its Content-Length, and a peer
    // that does not answer the alert would hold the session open.
    beast::error_code ignored;
    socket().socket().shutdown(tcp::socket::shutdown_send, ignored);
    socket().close();
  }

  Stream stream_;
  HttpServer::Impl& server_;
  std::string address_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  std::optional<http::response_serializer<http::string_body>> serializer_;
  std::string remote_;
  bool keep_alive_ = true;
  std::size_t reserved_ = 0;  // bytes of the body budget this session holds
  std::size_t window_bytes_ = 0;
  SteadyClock::time_point window_ends_;
  SteadyClock::time_point started_ = SteadyClock::now();
};

}  // namespace

void start_session(tcp::socket socket, HttpServer::Impl& server, std::string address) {
  if (server.tls) {
    std::make_shared<Session<TlsStream>>(std::move(socket), server, std::move(address))->start();
  } else {
    std::make_shared<Session<PlainStream>>(std::move(socket), server, std::move(address))->start();
  }
}

void HttpServer::Impl::log(const HttpRequest& request, const HttpResponse& response, std::size_t bytes_in,
                           std::size_t bytes_out, SteadyClock::time_point started) const {
  if (!options.log_requests) return;
  // One line per request. The route, never the query, body or headers: nothing personal.
  const auto ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - started).count();
  std::ostringstream line;
  line << "{\"event\":\"request\",\"remote\":\"" << json_escape(request.remote) << "\",\"method\":\""
       << json_escape(request.method) << "\",\"route\":\"" << route_label(request.target)
       << "\",\"status\":" << response.status << ",\"bytes_in\":" << bytes_in << ",\"bytes_out\":" << bytes_out
       << ",\"ms\":" << ms;
  if (!response.rejection.empty()) line << ",\"rejection\":\"" << json_escape(response.rejection) << "\"";
  line << "}\n";
  std::cerr << line.str() << std::flush;
}

}  // namespace amana::server

// One connection of the HTTP front, plain or TLS: one session type over either stream.
//
//   [TLS handshake] -> read header -> (reserve the body's budget) -> read body under the
//   rate floor -> handler on the worker pool -> write under the rate floor -> keep-alive:
//   read header (idle timeout) | close
//
// A streamed response (HttpResponse::stream): the header, then the producer on the worker
// pool fills a buffer of at most about kStreamBufferBytes that this strand sends as chunks,
// the producer waiting while it is full; the last chunk once it is done (or, when it failed,
// the connection closed without one).
//
// One strand per connection (the acceptor makes the socket on one), one read or write in
// flight; the session owns itself through shared_from_this and ends with its last handler.
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <condition_variable>
#include <iostream>
#include <mutex>
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

// What a streamed body's producer (a worker thread) and its connection's strand share.
struct StreamChannel {
  std::mutex mutex;
  std::condition_variable space;
  std::string pending;     // written, not yet taken by the strand
  bool pump_posted = false;  // a pump is on its way to the strand
  bool finished = false;   // the producer returned
  bool ok = true;          // ... with an ok Status
  bool closed = false;     // the connection is gone: the producer stops

  void close() {
    {
      std::lock_guard lock(mutex);
      closed = true;
    }
    space.notify_all();
  }
};

class ChannelWriter final : public BodyWriter {
 public:
  // `stopping` says whether the server is stopping; a client too slow for the rate floor
  // is let go by its connection, which closes the channel.
  ChannelWriter(std::shared_ptr<StreamChannel> channel, std::function<void()> wake, std::function<bool()> stopping)
      : channel_(std::move(channel)), wake_(std::move(wake)), stopping_(std::move(stopping)) {}
  Status write(std::string_view piece) override {
    if (piece.empty()) return Status();
    bool wake = false;
    {
      std::unique_lock lock(channel_->mutex);
      while (!channel_->space.wait_for(lock, std::chrono::seconds(1), [&] {
        return channel_->closed || channel_->pending.size() < kStreamBufferBytes;
      })) {
        if (stopping_()) return Status(ErrorCode::cancelled, "the server is stopping: the download was cut short");
      }
      if (channel_->closed) return Status(ErrorCode::cancelled, "the client went away before the download finished");
      channel_->pending.append(piece);
      wake = !channel_->pump_posted;
      channel_->pump_posted = true;
    }
    if (wake) wake_();
    return Status();
  }

 private:
  std::shared_ptr<StreamChannel> channel_;
  std::function<void()> wake_;
  std::function<bool()> stopping_;
};

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
    if (channel_) channel_->close();
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
    if (response.stream) return respond_streamed(request, std::move(response), bytes_in);
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

  // The header now, the body as the producer makes it (see the top of this file).
  void respond_streamed(const HttpRequest& request, HttpResponse response, std::size_t bytes_in) {
    header_.emplace();
    header_->version(11);
    header_->result(static_cast<unsigned>(response.status));
    header_->set(http::field::server, "amana-sync-server");
    header_->set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) header_->insert(name, value);
    header_->keep_alive(keep_alive_);
    header_->chunked(true);
    streamed_request_ = {request.method, request.target, "", {}, request.remote, {}};
    streamed_response_ = {response.status, response.content_type, "", response.rejection, {}, nullptr};
    streamed_bytes_in_ = bytes_in;
    streamed_bytes_out_ = 0;
    channel_ = std::make_shared<StreamChannel>();
    header_serializer_.emplace(*header_);
    start_window();
    socket().expires_at(window_ends_);
    http::async_write_header(
        stream_, *header_serializer_,
        [self = this->shared_from_this(), produce = std::move(response.stream)](beast::error_code ec, std::size_t bytes) mutable {
          if (ec) return self->stream_failed(ec);
          self->count_progress(bytes);
          self->streamed_bytes_out_ += bytes;
          self->socket().expires_never();  // until the producer has something to send
          net::post(self->server_.handler_pool, [self, produce = std::move(produce)]() {
            const std::shared_ptr<StreamChannel> channel = self->channel_;
            HttpServer::Impl& server = self->server_;
            ChannelWriter writer(
                channel, [self] { net::post(self->stream_.get_executor(), [self] { self->pump(); }); },
                [&server] {
                  std::lock_guard lock(server.stop_mutex);
                  return server.stop_requested;
                });
            Status status;
            try {
              status = produce(writer);
            } catch (const std::exception& e) {
              std::cerr << "{\"level\":\"error\",\"event\":\"stream_exception\",\"what\":\"" << json_escape(e.what())
                        << "\"}\n";
              status = Status(ErrorCode::io, "the download failed");
            }
            {
              std::lock_guard lock(channel->mutex);
              channel->finished = true;
              channel->ok = status.ok();
            }
            net::post(self->stream_.get_executor(), [self] { self->pump(); });
          });
        });
  }

  // On the strand: sends what the producer wrote, then the last chunk once it is done.
  void pump() {
    if (writing_ || !channel_) return;
    bool finished = false, ok = true;
    chunk_.clear();
    {
      std::lock_guard lock(channel_->mutex);
      chunk_.swap(channel_->pending);
      channel_->pump_posted = false;
      finished = channel_->finished;
      ok = channel_->ok;
    }
    channel_->space.notify_all();
    if (!chunk_.empty()) {
      writing_ = true;
      if (SteadyClock::now() >= window_ends_) start_window();  // the wait was the producer's
      socket().expires_at(window_ends_);
      net::async_write(stream_, http::make_chunk(net::buffer(chunk_)),
                       [self = this->shared_from_this()](beast::error_code ec, std::size_t bytes) {
                         self->writing_ = false;
                         if (ec) return self->stream_failed(ec);
                         self->count_progress(bytes);
                         self->streamed_bytes_out_ += bytes;
                         self->pump();
                       });
      return;
    }
    if (!finished) {
      socket().expires_never();
      return;
    }
    if (!ok) {
      // No last chunk: the client sees the download incomplete.
      streamed_response_.rejection = "stream_failed";
      return end_stream(false);
    }
    writing_ = true;
    socket().expires_at(window_ends_);
    net::async_write(stream_, http::make_chunk_last(),
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t bytes) {
                       self->writing_ = false;
                       if (ec) return self->stream_failed(ec);
                       self->streamed_bytes_out_ += bytes;
                       self->end_stream(true);
                     });
  }

  void stream_failed(beast::error_code ec) {
    streamed_response_.rejection = ec == beast::error::timeout ? "too_slow" : "stream_write_failed";
    end_stream(false);
  }

  void end_stream(bool whole) {
    server_.metrics->add("amana_http_requests_total", "route=\"" + route_label(streamed_request_.target) +
                                                          "\",status=\"" + std::to_string(streamed_response_.status) + "\"");
    server_.metrics->add("amana_http_received_bytes_total", "", streamed_bytes_in_);
    server_.metrics->add("amana_http_sent_bytes_total", "", streamed_bytes_out_);
    if (!streamed_response_.rejection.empty()) server_.count_rejection(streamed_response_.rejection);
    server_.log(streamed_request_, streamed_response_, streamed_bytes_in_, streamed_bytes_out_, started_);
    channel_->close();
    channel_.reset();
    header_serializer_.reset();
    header_.reset();
    chunk_ = std::string();
    if (!whole || !keep_alive_) return close();
    read_header(server_.options.idle_timeout);
  }

  void release_body() {
    if (reserved_ == 0) return;
    server_.release_body(address_, reserved_);
    reserved_ = 0;
  }

  void close() {
    if (channel_) channel_->close();
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
  // A streamed response, while it is sent.
  std::optional<http::response<http::empty_body>> header_;
  std::optional<http::response_serializer<http::empty_body>> header_serializer_;
  std::shared_ptr<StreamChannel> channel_;
  std::string chunk_;  // the piece being written
  bool writing_ = false;
  HttpRequest streamed_request_;  // for the log line at its end: method, target, remote
  HttpResponse streamed_response_;
  std::size_t streamed_bytes_in_ = 0, streamed_bytes_out_ = 0;
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

// Internals of the HTTP front shared by http_server.cc (listener, accounting, start and
// stop) and http_session.cc (one connection). Not a contract: see http_server.h.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "sync-server/http_server.h"

namespace amana::server {

using SteadyClock = std::chrono::steady_clock;

// What the limits count against, for one client address (an IPv6 one by its /64).
struct AddressLoad {
  std::size_t connections = 0;
  std::size_t buffered_bytes = 0;
};

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
  std::optional<boost::asio::ssl::context> tls;  // set when serving TLS
  std::mutex stop_mutex;
  std::condition_variable finished_signal;
  bool stop_requested = false;
  bool finished = false;

  // The limits' accounting, under load_mutex; published as gauges on every change.
  std::mutex load_mutex;
  std::unordered_map<std::string, AddressLoad> load;
  std::size_t open_connections = 0;
  std::size_t buffered_bytes = 0;
  std::size_t buffered_bytes_peak = 0;

  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor;
  // Out of descriptors (or buffers), accepting again at once fails again at once: the
  // listener waits, longer each time up to a second, and every open connection goes on.
  boost::asio::steady_timer accept_pause{io};
  std::chrono::milliseconds accept_backoff{0};
  std::vector<std::thread> threads;
  boost::asio::thread_pool handler_pool;

  void accept();
  // Counts a new connection from `address`, or returns why it is refused (a rejection
  // reason) and counts nothing.
  std::optional<std::string> admit(const std::string& address);
  void release_connection(const std::string& address);
  // Takes `bytes` of the body budget for `address`, or returns why not.
  std::optional<std::string> reserve_body(const std::string& address, std::size_t bytes);
  void release_body(const std::string& address, std::size_t bytes);

  void log(const HttpRequest& request, const HttpResponse& response, std::size_t bytes_in, std::size_t bytes_out,
           SteadyClock::time_point started) const;
  void count_rejection(const std::string& reason) const {
    metrics->add("amana_http_rejections_total", "reason=\"" + reason + "\"");
  }
  void publish_load();  // REQUIRES: load_mutex held
};

// What the per-address limits count by: the address, an IPv4-mapped IPv6 one as IPv4, an
// IPv6 one by its /64.
std::string address_key(const boost::asio::ip::address& address);

// Starts serving one admitted connection from `address` (plain or TLS as `server` does);
// the session releases its admission when it ends.
void start_session(boost::asio::ip::tcp::socket socket, HttpServer::Impl& server, std::string address);

// Routes are a fixed set; anything else is "other", so that a scanner probing random
// paths cannot grow the metrics without bound.
std::string route_label(std::string_view target);

}  // namespace amana::server

// The HTTP front on a real socket on 127.0.0.1, for its tests: a server on a port of its
// own and a raw TCP client to talk to it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "sync-server/http_server.h"
#include "sync-server/metrics.h"

namespace amana::testing {

// An HttpServer serving `handler` on 127.0.0.1 with an ephemeral port (whatever
// `options.listen` said), its metrics kept for the test to read. Starting is checked with
// doctest's REQUIRE.
struct LoopbackHttpServer {
  LoopbackHttpServer(server::HttpOptions options, server::RequestHandler handler);

  std::shared_ptr<server::Metrics> metrics = std::make_shared<server::Metrics>();
  std::unique_ptr<server::HttpServer> server;
};

// A raw TCP client on 127.0.0.1. It sends exactly the bytes it is given, so one class plays
// a well-behaved device, a malformed request, a slowloris dripping a byte at a time or one
// connection of a flood.
class LoopbackClient {
 public:
  // Connects at once to 127.0.0.1 from `source` (another loopback address, such as
  // 127.0.0.2, plays another client address); throws when nothing listens on `port`.
  explicit LoopbackClient(std::uint16_t port, const std::string& source = "127.0.0.1");
  LoopbackClient(const LoopbackClient&) = delete;
  LoopbackClient& operator=(const LoopbackClient&) = delete;

  // False once the server has closed the connection.
  [[nodiscard]] bool send(const std::string& bytes);
  // Everything the server sends until it closes the connection.
  std::string read_until_closed();
  // One response whose body is sized by Content-Length (for keep-alive exchanges); throws
  // when the connection closes first.
  std::string read_response();

 private:
  void read_some(std::string& out);

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
};

}  // namespace amana::testing

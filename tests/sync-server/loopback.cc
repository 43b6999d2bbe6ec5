#include "tests/sync-server/loopback.h"

#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace amana::testing {

namespace net = boost::asio;
using tcp = net::ip::tcp;

LoopbackHttpServer::LoopbackHttpServer(server::HttpOptions options, server::RequestHandler handler) {
  options.listen = "127.0.0.1:0";
  auto started = server::HttpServer::start(options, std::move(handler), metrics);
  REQUIRE_MESSAGE(started.ok(), started.status().message());
  server = std::move(started).value();
}

LoopbackClient::LoopbackClient(std::uint16_t port, const std::string& source) : socket_(io_) {
  socket_.open(tcp::v4());
  socket_.bind(tcp::endpoint(net::ip::make_address(source), 0));
  socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
}

bool LoopbackClient::send(const std::string& bytes) {
  boost::system::error_code ec;
  net::write(socket_, net::buffer(bytes), ec);
  return !ec;
}

std::string LoopbackClient::read_until_closed() {
  std::string out;
  boost::system::error_code ec;
  net::read(socket_, net::dynamic_buffer(out), ec);
  return out;
}

std::string LoopbackClient::read_response() {
  std::string out;
  std::size_t header_end = 0;
  while ((header_end = out.find("\r\n\r\n")) == std::string::npos) read_some(out);
  const auto length_at = out.find("Content-Length: ");
  const std::size_t length = length_at == std::string::npos ? 0 : std::stoul(out.substr(length_at + 16));
  while (out.size() < header_end + 4 + length) read_some(out);
  return out;
}

void LoopbackClient::read_some(std::string& out) {
  char buffer[4096];
  const std::size_t n = socket_.read_some(net::buffer(buffer));
  out.append(buffer, n);
}

}  // namespace amana::testing

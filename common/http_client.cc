#include "common/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace amana::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

}  // namespace

Result<Url> Url::parse(std::string_view text) {
  std::string_view rest = text;
  if (rest.rfind("https://", 0) == 0) {
    return invalid_argument("'" + std::string(text) + "': use http:// (bodies are sealed end to end; "
                            "put a TLS proxy in front of the server if you also want TLS)");
  }
  if (rest.rfind("http://", 0) == 0) rest.remove_prefix(7);
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  const auto colon = authority.rfind(':');
  if (authority.empty() || colon == std::string_view::npos || colon == 0 || colon + 1 == authority.size() ||
      authority.substr(colon + 1).find_first_not_of("0123456789") != std::string_view::npos) {
    return invalid_argument("'" + std::string(text) + "' is not a server address like http://10.0.0.5:8443");
  }
  return Url{std::string(authority.substr(0, colon)), std::string(authority.substr(colon + 1)), std::string(path)};
}

Result<Reply> request(const Url& url, const std::string& method, const std::string& target, const std::string& body,
                      const RequestOptions& options) {
  net::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> message(bhttp::string_to_verb(method), url.base_path + target, 11);
  message.set(bhttp::field::host, url.host);
  message.set(bhttp::field::user_agent, "amana-field-client");
  message.set(bhttp::field::content_type, "application/x-protobuf");
  message.body() = body;
  message.prepare_payload();
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(options.max_body_bytes);

  beast::error_code failure;
  const char* stage = "resolve";
  stream.expires_after(options.timeout);
  resolver.async_resolve(url.host, url.port, [&](beast::error_code ec, tcp::resolver::results_type endpoints) {
    if (ec) return void(failure = ec);
    stage = "connect";
    stream.async_connect(endpoints, [&](beast::error_code connect_ec, const tcp::endpoint&) {
      if (connect_ec) return void(failure = connect_ec);
      stage = "send";
      bhttp::async_write(stream, message, [&](beast::error_code write_ec, std::size_t) {
        if (write_ec) return void(failure = write_ec);
        stage = "receive";
        bhttp::async_read(stream, buffer, parser, [&](beast::error_code read_ec, std::size_t) {
          failure = read_ec;
        });
      });
    });
  });
  io.run();
  if (failure) {
    const std::string why = failure == beast::error::timeout ? "no answer within " +
                                                                   std::to_string(options.timeout.count() / 1000) + " s"
                                                             : failure.message();
    return io_error("cannot reach the server at " + url.host + ":" + url.port + " (" + stage + ": " + why +
                    "); check the address and the network, then retry: nothing acknowledged is sent twice");
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return Reply{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
}

}  // namespace amana::http

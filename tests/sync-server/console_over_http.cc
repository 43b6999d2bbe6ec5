#include "tests/sync-server/console_over_http.h"

#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "common/http_client.h"
#include "tests/sync-server/console_client.h"

namespace amana::testing {

namespace beast = boost::beast;
using tcp = boost::asio::ip::tcp;

ConsoleOverHttp::ConsoleOverHttp(const ServerUnderTest& server, const std::string& user) {
  const auto url = http::Url::parse(server.url());
  REQUIRE(url.ok());
  REQUIRE_FALSE(url->tls);
  host_ = url->host;
  port_ = url->port;
  const auto invited = server.admin({"users", "invite", user});
  REQUIRE_MESSAGE(invited.exit_code == 0, invited.err);
  const std::size_t at = invited.out.find(": ");
  REQUIRE(at != std::string::npos);
  const std::string code = invited.out.substr(at + 2, 19);
  const auto accepted = call("POST", "/console/api/accept-invitation",
                             nlohmann::json{{"code", code}, {"password", kConsolePassword}}.dump());
  REQUIRE_MESSAGE(accepted.status == 200, accepted.body);
  std::string set_cookie;
  const auto signed_in = call("POST", "/console/api/sign-in",
                              nlohmann::json{{"user", user}, {"password", kConsolePassword}}.dump(), &set_cookie);
  REQUIRE_MESSAGE(signed_in.status == 200, signed_in.body);
  REQUIRE(set_cookie.starts_with("amana-console="));
  cookie_ = set_cookie.substr(0, set_cookie.find(';'));
}

ConsoleOverHttp::Answer ConsoleOverHttp::get(const std::string& target) const { return call("GET", target, ""); }

ConsoleOverHttp::Answer ConsoleOverHttp::call(const std::string& method, const std::string& target,
                                              const std::string& body, std::string* set_cookie) const {
  boost::asio::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(resolver.resolve(host_, port_));
  beast::http::request<beast::http::string_body> request(beast::http::string_to_verb(method), target, 11);
  const std::string authority = host_ + ":" + port_;
  request.set(beast::http::field::host, authority);
  request.set(beast::http::field::origin, "http://" + authority);
  if (!cookie_.empty()) request.set(beast::http::field::cookie, cookie_);
  request.set(beast::http::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  beast::http::write(stream, request);
  beast::flat_buffer buffer;
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(256u << 20);
  beast::http::read(stream, buffer, parser);
  const auto& response = parser.get();
  if (set_cookie) {
    const auto value = response[beast::http::field::set_cookie];
    set_cookie->assign(value.data(), value.size());
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return {static_cast<int>(response.result_int()), response.body(), response.chunked()};
}

}  // namespace amana::testing

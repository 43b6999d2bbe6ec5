#include "common/http_client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace amana::http {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

bool is_ip_address(const std::string& host) {
  beast::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

// The pin of the key the server presented in this TLS session.
Result<tls::KeyPin> presented_key(SSL* connection) {
  X509* peer = SSL_get1_peer_certificate(connection);
  if (peer == nullptr) return invalid_argument("the server presented no certificate");
  unsigned char* der = nullptr;
  const int length = i2d_X509(peer, &der);
  X509_free(peer);
  if (length <= 0) return invalid_argument("the server's certificate does not encode");
  auto pin = tls::key_pin_of_der(crypto::ByteView(der, static_cast<std::size_t>(length)));
  OPENSSL_free(der);
  return pin;
}

// Sets up how `stream` will judge the server's certificate (see the header).
void configure_trust(ssl::context& context, beast::ssl_stream<beast::tcp_stream>& stream, const Url& url,
                     const TlsTrust& trust) {
  SSL* connection = stream.native_handle();
  // SNI carries host names only (RFC 6066 forbids address literals).
  if (!is_ip_address(url.host)) SSL_set_tlsext_host_name(connection, url.host.c_str());
  if (trust.mode != TlsTrust::Mode::system) {
    // Judged after the handshake by its key alone: the organisation vouches for the key,
    // not for any name or chain (pinned), or the answer is checked another way (learn).
    stream.set_verify_mode(ssl::verify_none);
    return;
  }
  beast::error_code ignored;
  context.set_default_verify_paths(ignored);
  stream.set_verify_mode(ssl::verify_peer, ignored);
  X509_VERIFY_PARAM* param = SSL_get0_param(connection);
  if (is_ip_address(url.host)) {
    X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str());
  } else {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), 0);
  }
}

// Why the handshake failed, as a person can act on it.
Status handshake_failure(beast::error_code ec, SSL* connection, const Url& url, const TlsTrust& trust,
                         std::chrono::milliseconds timeout) {
  const std::string where = "the server at " + url.authority();
  if (trust.mode == TlsTrust::Mode::system) {
    const long verdict = SSL_get_verify_result(connection);
    if (verdict == X509_V_ERR_HOSTNAME_MISMATCH || verdict == X509_V_ERR_IP_ADDRESS_MISMATCH) {
      return Status(ErrorCode::permission_denied,
                    "the TLS certificate of " + where + " is not made out to '" + url.host +
                        "': check the address (use the name the certificate is for); nothing was sent");
    }
    if (verdict != X509_V_OK) {
      return Status(ErrorCode::permission_denied,
                    "the TLS certificate of " + where + " is not trusted by this device (" +
                        X509_verify_cert_error_string(verdict) +
                        "); nothing was sent. A server with a certificate of its own should serve it itself "
                        "(`sync-server serve`): it then signs the key, and a device enrolled over https pins it");
    }
  }
  if (ec == beast::error::timeout) {
    return io_error("no TLS handshake with " + where + " within " + std::to_string(timeout.count() / 1000) +
                    " s; check the network, then retry");
  }
  if (ec.category() == net::error::get_ssl_category() &&
      ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_WRONG_VERSION_NUMBER) {
    return io_error(where + " does not speak TLS: if it serves plain HTTP, use an http:// address");
  }
  return io_error("the TLS handshake with " + where + " failed (" + ec.message() +
                  "); the server may be too busy, or not serving https: check the address, then retry");
}

Status reach_failure(beast::error_code ec, const char* stage, const Url& url, std::chrono::milliseconds timeout) {
  const std::string why = ec == beast::error::timeout || ec == net::error::operation_aborted
                              ? "no answer within " + std::to_string(timeout.count() / 1000) + " s"
                              : ec.message();
  // A TLS server answers plain HTTP with an alert and a close: say what would work.
  const bool maybe_tls = !url.tls && std::string_view(stage) == "receive" && ec != beast::error::timeout;
  return io_error("cannot reach the server at " + url.authority() + " (" + stage + ": " + why + ")" +
                  (maybe_tls ? " (if the server serves https, use an https:// address)" : "") +
                  "; check the address and the network, then retry: nothing acknowledged is sent twice");
}

// Connects `stream` (plain or TLS), runs `secure` (the handshake and the trust check, or
// nothing), then writes the request and reads the reply, all before `deadline`.
template <class Stream, class Secure>
Result<Reply> exchange(net::io_context& io, Stream& stream, const tcp::resolver::results_type& endpoints,
                       Clock::time_point deadline, const Url& url, bhttp::request<bhttp::string_body>& message,
                       const RequestOptions& options, Secure secure) {
  auto& socket = beast::get_lowest_layer(stream);
  socket.expires_at(deadline);
  beast::error_code failure;
  auto run = [&]() {
    io.restart();
    io.run();
    return failure;
  };
  socket.async_connect(endpoints, [&](beast::error_code ec, const tcp::endpoint&) { failure = ec; });
  if (run()) return reach_failure(failure, "connect", url, options.timeout);

  Reply reply;
  AMANA_RETURN_IF_ERROR(secure(reply));

  bhttp::async_write(stream, message, [&](beast::error_code ec, std::size_t) { failure = ec; });
  if (run()) return reach_failure(failure, "send", url, options.timeout);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(options.max_body_bytes);
  bhttp::async_read(stream, buffer, parser, [&](beast::error_code ec, std::size_t) { failure = ec; });
  if (run()) return reach_failure(failure, "receive", url, options.timeout);

  // No TLS close_notify exchange: the reply is framed by its Content-Length, and waiting
  // for the server's alert would only cost a round trip on a slow link.
  beast::error_code ignored;
  socket.socket().shutdown(tcp::socket::shutdown_both, ignored);
  reply.status = static_cast<int>(parser.get().result_int());
  reply.body = std::move(parser.get().body());
  return reply;
}

}  // namespace

Result<Url> Url::parse(std::string_view text) {
  std::string_view rest = text;
  Url url;
  if (rest.rfind("https://", 0) == 0) {
    url.tls = true;
    rest.remove_prefix(8);
  } else if (rest.rfind("http://", 0) == 0) {
    rest.remove_prefix(7);
  } else if (rest.find("://") != std::string_view::npos) {
    return invalid_argument("'" + std::string(text) + "': only http:// and https:// addresses are spoken");
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  const auto colon = authority.rfind(':');
  const auto bracket = authority.rfind(']');
  const bool bad = authority.empty() || colon == std::string_view::npos || colon == 0 ||
                   colon + 1 == authority.size() || (bracket != std::string_view::npos && bracket > colon) ||
                   authority.substr(colon + 1).find_first_not_of("0123456789") != std::string_view::npos;
  if (bad) {
    return invalid_argument("'" + std::string(text) + "' is not a server address like https://10.0.0.5:8443");
  }
  std::string_view host = authority.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  url.host = std::string(host);
  url.port = std::string(authority.substr(colon + 1));
  url.base_path = std::string(path);
  return url;
}

Result<Reply> request(const Url& url, const std::string& method, const std::string& target, const std::string& body,
                      const RequestOptions& options) {
  const Clock::time_point deadline = Clock::now() + options.timeout;
  net::io_context io;
  tcp::resolver resolver(io);
  tcp::resolver::results_type endpoints;
  beast::error_code resolved;
  bool done = false;
  resolver.async_resolve(url.host, url.port, [&](beast::error_code ec, tcp::resolver::results_type results) {
    resolved = ec;
    endpoints = std::move(results);
    done = true;
  });
  io.run_until(deadline);
  if (!done) {
    resolver.cancel();
    io.restart();
    io.run();
    resolved = beast::error::timeout;
  }
  if (resolved) return reach_failure(resolved, "resolve", url, options.timeout);

  bhttp::request<bhttp::string_body> message(bhttp::string_to_verb(method), url.base_path + target, 11);
  message.set(bhttp::field::host, url.host);
  message.set(bhttp::field::user_agent, "amana-field-client");
  message.set(bhttp::field::content_type, "application/x-protobuf");
  message.body() = body;
  message.prepare_payload();

  if (!url.tls) {
    beast::tcp_stream stream(io);
    return exchange(io, stream, endpoints, deadline, url, message, options, [](Reply&) { return Status(); });
  }
  ssl::context context(ssl::context::tls_client);
  tls::apply_protocol_policy(context);
  beast::ssl_stream<beast::tcp_stream> stream(io, context);
  configure_trust(context, stream, url, options.trust);
  auto secure = [&](Reply& reply) -> Status {
    beast::error_code failure;
    stream.async_handshake(ssl::stream_base::client, [&](beast::error_code ec) { failure = ec; });
    io.restart();
    io.run();
    if (failure) return handshake_failure(failure, stream.native_handle(), url, options.trust, options.timeout);
    auto presented = presented_key(stream.native_handle());
    if (!presented.ok()) return Status(ErrorCode::permission_denied, presented.status().message());
    if (options.trust.mode == TlsTrust::Mode::pinned && !crypto::constant_time_equal(*presented, options.trust.pin)) {
      return Status(ErrorCode::permission_denied,
                    "the server at " + url.authority() + " presented a TLS key (SHA-256 " + tls::to_text(*presented) +
                        ") other than the one this device learnt at enrollment (" + tls::to_text(options.trust.pin) +
                        "); nothing was sent. Tell the office: unless they replaced the server's TLS key (then this "
                        "device must be enrolled again), someone is intercepting the connection");
    }
    reply.tls_key = *presented;
    return Status();
  };
  return exchange(io, stream, endpoints, deadline, url, message, options, secure);
}

}  // namespace amana::http

// The device's HTTP client over TLS, against the real HTTP front on loopback serving a
// self-signed certificate made as `sync-server init` makes it: which certificates each
// trust mode accepts, what a refusal says, and that a refused server is sent nothing.
#include "common/http_client.h"

#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>

#include <atomic>
#include <cstdlib>

#include "sync-server/http_server.h"
#include "sync-server/tls_certificate.h"
#include "tests/support.h"

namespace amana::http {
namespace {

using testing::contains;

// The HTTP front serving TLS on `listen` with a fresh self-signed certificate, counting
// the requests that reach its handler.
struct TlsFront {
  explicit TlsFront(const std::string& listen = "127.0.0.1:0") {
    auto made = server::create_self_signed_certificate(files);
    REQUIRE(made.ok());
    pin = *made;
    server::HttpOptions options;
    options.listen = listen;
    options.tls = files;
    options.log_requests = false;
    auto started = server::HttpServer::start(options, [this](const server::HttpRequest&) {
      ++handled;
      return server::HttpResponse{200, "text/plain", "served", ""};
    }, metrics);
    REQUIRE_MESSAGE(started.ok(), started.status().message());
    http = std::move(started).value();
  }
  Url url(const std::string& host = "127.0.0.1") const {
    return *Url::parse("https://" + host + ":" + std::to_string(http->port()));
  }

  testing::TempDir dir;
  server::TlsFiles files = server::default_tls_files(dir.path());
  tls::KeyPin pin{};
  std::atomic<int> handled{0};
  std::shared_ptr<server::Metrics> metrics = std::make_shared<server::Metrics>();
  std::unique_ptr<server::HttpServer> http;
};

RequestOptions trusting(TlsTrust::Mode mode, tls::KeyPin pin = {}) {
  RequestOptions options;
  options.timeout = std::chrono::milliseconds(10'000);
  options.trust = {mode, pin};
  return options;
}

// Trusts `certificate` as if it were in the system store, for the life of the object.
struct SystemTrusts {
  explicit SystemTrusts(const std::filesystem::path& certificate) {
    setenv("SSL_CERT_FILE", certificate.c_str(), 1);
  }
  ~SystemTrusts() { unsetenv("SSL_CERT_FILE"); }
};

// A handshake limited to TLS versions [min, max]: whether the server takes it.
bool handshake_succeeds(std::uint16_t port, int min_version, int max_version) {
  namespace net = boost::asio;
  net::io_context io;
  net::ssl::context context(net::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context.native_handle(), min_version);
  SSL_CTX_set_max_proto_version(context.native_handle(), max_version);
  SSL_CTX_set_security_level(context.native_handle(), 0);  // let this client offer what it may
  net::ssl::stream<net::ip::tcp::socket> stream(io, context);
  stream.set_verify_mode(net::ssl::verify_none);
  stream.lowest_layer().connect({net::ip::make_address("127.0.0.1"), port});
  boost::system::error_code ec;
  stream.handshake(net::ssl::stream_base::client, ec);
  return !ec;
}

}  // namespace

TEST_CASE("url: http and https addresses, bracketed IPv6, and what is refused") {
  auto secure = Url::parse("https://10.0.0.5:8443/amana/");
  REQUIRE(secure.ok());
  CHECK(secure->tls);
  CHECK(secure->host == "10.0.0.5");
  CHECK(secure->port == "8443");
  CHECK(secure->base_path == "/amana");
  auto plain = Url::parse("10.0.0.5:8443");
  REQUIRE(plain.ok());
  CHECK_FALSE(plain->tls);
  auto v6 = Url::parse("https://[fd00::5]:8443");
  REQUIRE(v6.ok());
  CHECK(v6->host == "fd00::5");
  CHECK(v6->authority() == "fd00::5:8443");
  CHECK(Url::parse("ftp://10.0.0.5:21").status().code() == ErrorCode::invalid_argument);
  CHECK(Url::parse("https://10.0.0.5").status().code() == ErrorCode::invalid_argument);
  CHECK(Url::parse("https://[fd00::5]").status().code() == ErrorCode::invalid_argument);
}

TEST_CASE("https: a pinned key is accepted and reported, any other pin is refused, naming both keys, before a byte is sent") {
  TlsFront front;
  auto served = request(front.url(), "GET", "/v1/x", "", trusting(TlsTrust::Mode::pinned, front.pin));
  REQUIRE_MESSAGE(served.ok(), served.status().message());
  CHECK(served->status == 200);
  CHECK(served->body == "served");
  REQUIRE(served->tls_key);
  CHECK(*served->tls_key == front.pin);
  CHECK(front.handled == 1);

  tls::KeyPin other = front.pin;
  other[0] ^= 1;
  auto refused = request(front.url(), "POST", "/v1/push", "secret", trusting(TlsTrust::Mode::pinned, other));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == ErrorCode::permission_denied);
  CHECK(contains(refused.status().message(), tls::to_text(front.pin)));
  CHECK(contains(refused.status().message(), tls::to_text(other)));
  CHECK(contains(refused.status().message(), "nothing was sent"));
  CHECK(front.handled == 1);
  CHECK(front.metrics->value("amana_http_received_bytes_total") == 0);
}

TEST_CASE("https: learning accepts any certificate and reports the key it presented") {
  TlsFront front;
  auto learnt = request(front.url(), "GET", "/v1/org-keys", "", trusting(TlsTrust::Mode::learn));
  REQUIRE(learnt.ok());
  REQUIRE(learnt->tls_key);
  CHECK(*learnt->tls_key == front.pin);
}

TEST_CASE("https: the system's trust store refuses a self-signed certificate, says so and sends nothing") {
  TlsFront front;
  auto refused = request(front.url(), "GET", "/v1/x", "", trusting(TlsTrust::Mode::system));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == ErrorCode::permission_denied);
  CHECK(contains(refused.status().message(), "not trusted"));
  CHECK(contains(refused.status().message(), "self-signed"));
  CHECK(front.handled == 0);
}

TEST_CASE("https: a trusted certificate must also name the host asked for") {
  TlsFront front;
  SystemTrusts trust(front.files.certificate);
  // init's certificate names localhost and 127.0.0.1.
  auto by_address = request(front.url("127.0.0.1"), "GET", "/v1/x", "", trusting(TlsTrust::Mode::system));
  CHECK_MESSAGE(by_address.ok(), by_address.status().message());
  auto by_name = request(front.url("localhost"), "GET", "/v1/x", "", trusting(TlsTrust::Mode::system));
  CHECK_MESSAGE(by_name.ok(), by_name.status().message());

  TlsFront elsewhere("127.0.0.2:0");
  SystemTrusts trust_elsewhere(elsewhere.files.certificate);
  auto mismatch = request(elsewhere.url("127.0.0.2"), "GET", "/v1/x", "", trusting(TlsTrust::Mode::system));
  REQUIRE_FALSE(mismatch.ok());
  CHECK(mismatch.status().code() == ErrorCode::permission_denied);
  CHECK(contains(mismatch.status().message(), "not made out to '127.0.0.2'"));
  CHECK(elsewhere.handled == 0);
}

TEST_CASE("https: the server speaks TLS 1.2 and 1.3 only") {
  TlsFront front;
  CHECK(handshake_succeeds(front.http->port(), TLS1_3_VERSION, TLS1_3_VERSION));
  CHECK(handshake_succeeds(front.http->port(), TLS1_2_VERSION, TLS1_2_VERSION));
  CHECK_FALSE(handshake_succeeds(front.http->port(), TLS1_VERSION, TLS1_1_VERSION));
  // The client gives up on the first alert; the server counts the refusal on its own thread.
  CHECK(testing::eventually(
      [&] { return front.metrics->value("amana_http_rejections_total", "reason=\"tls_handshake\"") >= 1; }));
}

TEST_CASE("https and http crossed: each side says which scheme would work") {
  TlsFront front;
  auto plain_to_tls = request(*Url::parse("http://127.0.0.1:" + std::to_string(front.http->port())), "GET", "/v1/x",
                              "", trusting(TlsTrust::Mode::system));
  REQUIRE_FALSE(plain_to_tls.ok());
  CHECK(plain_to_tls.status().code() == ErrorCode::io);
  CHECK(contains(plain_to_tls.status().message(), "use an https:// address"));
  CHECK(front.handled == 0);

  server::HttpOptions options;
  options.listen = "127.0.0.1:0";
  options.log_requests = false;
  auto plain = server::HttpServer::start(options, [](const server::HttpRequest&) {
    return server::HttpResponse{200, "text/plain", "served", ""};
  }, nullptr);
  REQUIRE(plain.ok());
  auto tls_to_plain = request(*Url::parse("https://127.0.0.1:" + std::to_string((*plain)->port())), "GET", "/v1/x",
                              "", trusting(TlsTrust::Mode::learn));
  REQUIRE_FALSE(tls_to_plain.ok());
  CHECK(tls_to_plain.status().code() == ErrorCode::io);
  CHECK(contains(tls_to_plain.status().message(), "does not speak TLS"));
}

}  // namespace amana::http
